"""Every TubeArchivist-side route (`/api/...` but `/api/v1/`, `/media/`, `/cache/`), taken from `app.routes`: its
declared role, and a call with no credential, a bad token, a non-admin's token and the admin's.

PUBLIC routes answer all four alike; USER routes refuse the first two; ADMIN routes (writes to the shared archive,
as in TubeArchivist) refuse the non-admin too, with DRF's permission body, and every refusal leaves the tables, the
bucket and the queues as they were. A route added without a case here fails `test_every_route_has_a_case`.
"""

import json
from dataclasses import dataclass

import boto3
import pytest

from app import app
from functions.core.settings import get_settings
from functions.http.routing import ADMIN, PUBLIC, USER, Role
from functions.services import snapshots
from functions.services.downloads import intake
from functions.storage import aws
from functions.storage.models import ALL_MODELS
from tests.api.calls import BAD_TOKEN, INVALID_TOKEN, NO_CREDENTIALS, send
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id

NOT_ADMIN = {"detail": "You do not have permission to perform this action."}
QUEUED = video_id(3)
JSON_OBJECT = {"x": 1}


@dataclass(frozen=True)
class Case:
    """How to call one route: its declared role, the path (a template over the world's names), a JSON body, and
    the status an allowed caller gets."""

    role: Role
    path: str
    ok: int = 200
    body: dict | None = None


CASES = {
    ("GET", "/api/video"): Case(USER, "/api/video/"),
    ("GET", "/api/video/{video_id}"): Case(USER, "/api/video/{video}/"),
    ("DELETE", "/api/video/{video_id}"): Case(ADMIN, "/api/video/{video}/"),
    ("GET", "/api/video/{video_id}/similar"): Case(USER, "/api/video/{video}/similar/"),
    ("GET", "/api/video/{video_id}/progress"): Case(USER, "/api/video/{video}/progress/"),
    ("POST", "/api/video/{video_id}/progress"): Case(USER, "/api/video/{video}/progress/", body={"position": 10}),
    ("DELETE", "/api/video/{video_id}/progress"): Case(USER, "/api/video/{video}/progress/", 204),
    ("POST", "/api/watched"): Case(USER, "/api/watched/", body={"id": "{video}", "is_watched": True}),
    ("GET", "/api/video/{video_id}/comment"): Case(USER, "/api/video/{video}/comment/"),
    ("GET", "/api/video/{video_id}/sponsor"): Case(USER, "/api/video/{video}/sponsor/"),
    ("POST", "/api/video/{video_id}/sponsor"): Case(
        USER, "/api/video/{video}/sponsor/", body={"vote": {"uuid": "u1", "yourVote": 1}}
    ),
    ("GET", "/api/channel"): Case(USER, "/api/channel/"),
    ("POST", "/api/channel"): Case(
        ADMIN, "/api/channel/", body={"data": [{"channel_id": "{channel}", "channel_subscribed": False}]}
    ),
    ("GET", "/api/channel/search"): Case(USER, "/api/channel/search/?q={channel}"),
    ("GET", "/api/channel/{channel_id}"): Case(USER, "/api/channel/{channel}/"),
    ("POST", "/api/channel/{channel_id}"): Case(
        ADMIN, "/api/channel/{channel}/", body={"channel_overwrites": {"autodelete_days": 3}}
    ),
    ("DELETE", "/api/channel/{channel_id}"): Case(ADMIN, "/api/channel/{channel}/", 204),
    ("GET", "/api/channel/{channel_id}/video"): Case(USER, "/api/channel/{channel}/video/"),
    ("GET", "/api/channel/{channel_id}/aggs"): Case(USER, "/api/channel/{channel}/aggs/"),
    ("GET", "/api/channel/{channel_id}/nav"): Case(USER, "/api/channel/{channel}/nav/"),
    ("POST", "/api/playlist"): Case(
        ADMIN, "/api/playlist/", body={"data": [{"playlist_id": "{playlist}", "playlist_subscribed": True}]}
    ),
    ("GET", "/api/playlist"): Case(USER, "/api/playlist/"),
    ("GET", "/api/playlist/{playlist_id}"): Case(USER, "/api/playlist/{playlist}/"),
    ("GET", "/api/playlist/{playlist_id}/video"): Case(USER, "/api/playlist/{playlist}/video/"),
    ("GET", "/api/search"): Case(USER, "/api/search/?query=video"),
    ("GET", "/api/ping"): Case(USER, "/api/ping/"),
    ("POST", "/api/logout"): Case(USER, "/api/logout/", ok=204),
    ("POST", "/api/login"): Case(PUBLIC, "/api/login/", body={"username": "other", "password": "other-password"}),
    ("GET", "/api/download"): Case(USER, "/api/download/"),
    ("POST", "/api/download"): Case(ADMIN, "/api/download/", body={"data": [{"youtube_id": "{video4}"}]}),
    ("PATCH", "/api/download"): Case(ADMIN, "/api/download/?filter=pending", 204, body={"status": "ignore"}),
    ("DELETE", "/api/download"): Case(ADMIN, "/api/download/?filter=pending"),
    ("GET", "/api/download/{video_id}"): Case(USER, "/api/download/{queued}/"),
    ("GET", "/api/download/aggs"): Case(USER, "/api/download/aggs/?filter=pending"),
    ("POST", "/api/download/{video_id}"): Case(ADMIN, "/api/download/{queued}/", body={"status": "ignore"}),
    ("DELETE", "/api/download/{video_id}"): Case(ADMIN, "/api/download/{queued}/"),
    ("GET", "/api/snapshot"): Case(ADMIN, "/api/snapshot/"),
    ("POST", "/api/snapshot"): Case(ADMIN, "/api/snapshot/"),
    ("GET", "/api/snapshot/{snapshot_id}"): Case(ADMIN, "/api/snapshot/{snapshot}/"),
    ("POST", "/api/snapshot/{snapshot_id}"): Case(ADMIN, "/api/snapshot/{snapshot}/"),
    ("DELETE", "/api/snapshot/{snapshot_id}"): Case(ADMIN, "/api/snapshot/{snapshot}/"),
    ("GET", "/api/task"): Case(ADMIN, "/api/task/"),
    ("POST", "/api/task"): Case(ADMIN, "/api/task/", body={"run": "download_pending"}),
    ("GET", "/api/refresh"): Case(ADMIN, "/api/refresh/"),
    ("POST", "/api/refresh"): Case(ADMIN, "/api/refresh/", body={"videos": ["{video}"]}),
    ("GET", "/api/appsettings/config"): Case(USER, "/api/appsettings/config/"),
    ("POST", "/api/appsettings/config"): Case(
        ADMIN, "/api/appsettings/config/", body={"downloads": {"sleep_interval": 1}}
    ),
    ("GET", "/api/cookie"): Case(ADMIN, "/api/cookie/"),
    ("POST", "/api/cookie"): Case(ADMIN, "/api/cookie/"),
    # an empty cookie is refused before yt-dlp is asked: the 400 shows the role let the admin in
    ("PUT", "/api/cookie"): Case(ADMIN, "/api/cookie/", 400, body={"cookie": ""}),
    ("GET", "/api/proxy"): Case(ADMIN, "/api/proxy/"),
    ("PUT", "/api/proxy"): Case(ADMIN, "/api/proxy/", body={"proxy": "http://proxy.example:8080"}),
    ("DELETE", "/api/proxy"): Case(ADMIN, "/api/proxy/"),
    ("GET", "/media/{channel_id}/{filename}"): Case(USER, "/media/{channel}/{video}.mp4", 302),
    ("GET", "/cache/videos/{shard}/{filename}"): Case(USER, "/cache/videos/v/{video}.jpg", 302),
    ("GET", "/cache/channels/{filename}"): Case(USER, "/cache/channels/{channel}_thumb.jpg", 302),
    ("GET", "/cache/playlists/{filename}"): Case(USER, "/cache/playlists/{playlist}.jpg", 302),
    ("POST", "/api/user/login"): Case(
        PUBLIC, "/api/user/login/", 204, body={"username": "other", "password": "other-password"}
    ),
    ("POST", "/api/user/logout"): Case(USER, "/api/user/logout/", 204),
    ("GET", "/api/user/me"): Case(USER, "/api/user/me/"),
    ("POST", "/api/user/me"): Case(USER, "/api/user/me/", body={"grid_items": 4}),
    ("GET", "/api/user/account"): Case(USER, "/api/user/account/"),
    ("GET", "/api/appsettings/cookie"): Case(ADMIN, "/api/appsettings/cookie/"),
    ("POST", "/api/appsettings/cookie"): Case(ADMIN, "/api/appsettings/cookie/"),
    ("PUT", "/api/appsettings/cookie"): Case(ADMIN, "/api/appsettings/cookie/", 400, body={"cookie": " "}),
    ("DELETE", "/api/appsettings/cookie"): Case(ADMIN, "/api/appsettings/cookie/", 204),
    ("GET", "/api/appsettings/token"): Case(ADMIN, "/api/appsettings/token/"),
    ("DELETE", "/api/appsettings/token"): Case(ADMIN, "/api/appsettings/token/", 204),
    ("GET", "/api/appsettings/membership/token"): Case(ADMIN, "/api/appsettings/membership/token/"),
    ("POST", "/api/appsettings/membership/token"): Case(
        ADMIN, "/api/appsettings/membership/token/", body={"token": "key"}
    ),
    ("DELETE", "/api/appsettings/membership/token"): Case(ADMIN, "/api/appsettings/membership/token/", 204),
    ("GET", "/api/appsettings/membership/profile"): Case(ADMIN, "/api/appsettings/membership/profile/", 400),
    ("POST", "/api/appsettings/membership/sync"): Case(ADMIN, "/api/appsettings/membership/sync/", 400),
    ("GET", "/api/appsettings/snapshot"): Case(ADMIN, "/api/appsettings/snapshot/"),
    ("POST", "/api/appsettings/snapshot"): Case(ADMIN, "/api/appsettings/snapshot/"),
    ("GET", "/api/appsettings/snapshot/{snapshot_id}"): Case(ADMIN, "/api/appsettings/snapshot/{snapshot}/"),
    ("POST", "/api/appsettings/snapshot/{snapshot_id}"): Case(ADMIN, "/api/appsettings/snapshot/{snapshot}/"),
    ("DELETE", "/api/appsettings/snapshot/{snapshot_id}"): Case(ADMIN, "/api/appsettings/snapshot/{snapshot}/", 204),
    ("GET", "/api/video/{video_id}/nav"): Case(USER, "/api/video/{video}/nav/"),
    ("GET", "/api/task/schedule"): Case(ADMIN, "/api/task/schedule/"),
    ("GET", "/api/task/schedule/{task_name}"): Case(ADMIN, "/api/task/schedule/update_subscribed/"),
    ("POST", "/api/task/schedule/{task_name}"): Case(
        ADMIN, "/api/task/schedule/update_subscribed/", body={"schedule": "0 9 *"}
    ),
    ("DELETE", "/api/task/schedule/{task_name}"): Case(ADMIN, "/api/task/schedule/autodelete/", 204),
    ("POST", "/api/playlist/custom"): Case(ADMIN, "/api/playlist/custom/", body={"playlist_name": "Mine"}),
    # a YouTube playlist is not custom: the 400 shows the role let the admin in
    ("POST", "/api/playlist/custom/{playlist_id}"): Case(
        ADMIN, "/api/playlist/custom/{playlist}/", 400, body={"action": "create", "video_id": "{video}"}
    ),
    ("POST", "/api/playlist/{playlist_id}"): Case(
        ADMIN, "/api/playlist/{playlist}/", body={"playlist_subscribed": True}
    ),
    ("DELETE", "/api/playlist/{playlist_id}"): Case(ADMIN, "/api/playlist/{playlist}/", 204),
    ("GET", "/api/users/me"): Case(PUBLIC, "/api/users/me/"),
    ("GET", "/api/users/me/continue"): Case(USER, "/api/users/me/continue/"),
    ("GET", "/api/users"): Case(ADMIN, "/api/users/"),
    ("POST", "/api/users"): Case(ADMIN, "/api/users/", 201, body={"username": "newcomer", "password": "pw"}),
    ("DELETE", "/api/users/{username}"): Case(ADMIN, "/api/users/other/", 204),
    ("POST", "/api/users/{username}/password"): Case(ADMIN, "/api/users/other/password/", body={"password": "pw"}),
    ("POST", "/api/users/{username}/token"): Case(ADMIN, "/api/users/other/token/"),
    ("GET", "/api/stats/video"): Case(USER, "/api/stats/video/"),
    ("GET", "/api/stats/channel"): Case(USER, "/api/stats/channel/"),
    ("GET", "/api/stats/playlist"): Case(USER, "/api/stats/playlist/"),
    ("GET", "/api/stats/download"): Case(USER, "/api/stats/download/"),
    ("GET", "/api/stats/downloadhist"): Case(USER, "/api/stats/downloadhist/"),
    ("GET", "/api/stats/watch"): Case(USER, "/api/stats/watch/"),
    ("GET", "/api/stats/biggestchannels"): Case(USER, "/api/stats/biggestchannels/?order=doc_count"),
    ("GET", "/api/task/by-name"): Case(ADMIN, "/api/task/by-name/"),
    ("GET", "/api/task/by-name/{task_name}"): Case(ADMIN, "/api/task/by-name/update_subscribed/"),
    ("POST", "/api/task/by-name/{task_name}"): Case(ADMIN, "/api/task/by-name/update_subscribed/"),
    # no run has that id: the 404 shows the role let the admin in
    ("GET", "/api/task/by-id/{task_id}"): Case(ADMIN, "/api/task/by-id/nosuchrun/", 404),
    ("POST", "/api/task/by-id/{task_id}"): Case(ADMIN, "/api/task/by-id/nosuchrun/", 404, body={"command": "stop"}),
    ("GET", "/api/task/notification"): Case(ADMIN, "/api/task/notification/"),
    ("POST", "/api/task/notification"): Case(
        ADMIN, "/api/task/notification/", body={"task_name": "update_subscribed", "url": "json://127.0.0.1:9/hook"}
    ),
    ("DELETE", "/api/task/notification"): Case(
        ADMIN, "/api/task/notification/", 204, body={"task_name": "update_subscribed"}
    ),
    # a URL of no known form is refused before anything is sent: the 400 shows the role let the admin in
    ("POST", "/api/task/notification/test"): Case(
        ADMIN, "/api/task/notification/test/", 400, body={"url": "gopher://example"}
    ),
    ("GET", "/api/notification"): Case(USER, "/api/notification/"),
    ("GET", "/api/appsettings/backup"): Case(ADMIN, "/api/appsettings/backup/"),
    ("POST", "/api/appsettings/backup"): Case(ADMIN, "/api/appsettings/backup/"),
    ("GET", "/api/appsettings/backup/{filename}"): Case(ADMIN, "/api/appsettings/backup/ta_backup-none.jsonl.gz/", 404),
    ("POST", "/api/appsettings/backup/{filename}"): Case(
        ADMIN, "/api/appsettings/backup/ta_backup-none.jsonl.gz/", 404
    ),
    ("DELETE", "/api/appsettings/backup/{filename}"): Case(
        ADMIN, "/api/appsettings/backup/ta_backup-none.jsonl.gz/", 404
    ),
    ("GET", "/api/appsettings/manual-import"): Case(ADMIN, "/api/appsettings/manual-import/"),
    ("POST", "/api/appsettings/manual-import"): Case(ADMIN, "/api/appsettings/manual-import/", body={}),
    ("GET", "/api/appsettings/rescan-filesystem"): Case(ADMIN, "/api/appsettings/rescan-filesystem/"),
    ("POST", "/api/appsettings/rescan-filesystem"): Case(ADMIN, "/api/appsettings/rescan-filesystem/", body={}),
    ("GET", "/api/docs"): Case(PUBLIC, "/api/docs"),
    ("GET", "/api/docs/ui"): Case(PUBLIC, "/api/docs/ui"),
    ("GET", "/api/docs/ui/{asset_name}"): Case(PUBLIC, "/api/docs/ui/start.js"),
}


def tubearchivist_side(path: str) -> bool:
    return path.startswith(("/api/", "/media/", "/cache/")) and not path.startswith("/api/v1/")


def declared_routes() -> dict[tuple[str, str], Role]:
    """(method, path) -> role of every view in the app's route table (405 answers declare none)."""
    return {
        (method, path): entry.view_function.route.auth
        for path, methods in app.routes.items()
        if tubearchivist_side(path)
        for method, entry in methods.items()
        if hasattr(entry.view_function, "route")
    }


def test_every_route_has_a_case_with_its_declared_role():
    declared = declared_routes()
    assert set(declared) == set(CASES)
    assert {key: CASES[key].role for key in declared} == declared


@dataclass
class World:
    names: dict


@pytest.fixture
def world(admin, other) -> World:
    make_channel(1, subscribed=True)
    make_video(1)
    make_video(2)
    make_playlist(1, [1, 2])
    intake.add([QUEUED])
    snapshot = snapshots.start({"application": {"enable_snapshot": True}})
    snapshots.create(snapshot)
    names = {
        "video": video_id(1),
        "video4": video_id(4),
        "channel": channel_id(1),
        "playlist": playlist_id(1),
        "queued": QUEUED,
        "snapshot": snapshot,
    }
    for key, case in CASES.items():
        if key[1].startswith(("/media/", "/cache/")):  # files are served only when the bucket holds them
            aws.client("s3").put_object(
                Bucket=get_settings().media_bucket, Key=case.path.format(**names)[1:], Body=b"x"
            )
    return World(names)


def request_of(case: Case, world: World) -> tuple[str, bytes | None]:
    path = case.path.format(**world.names)
    if case.body is None:
        return path, None
    body = json.dumps(case.body)
    for name, value in world.names.items():
        body = body.replace("{" + name + "}", value)
    return path, body.encode()


def everything_stored() -> dict:
    """Every item of every table, every object of the bucket and every queue's message count."""
    dynamodb, s3, sqs = boto3.client("dynamodb"), boto3.client("s3"), boto3.client("sqs")
    stored = {
        model.Meta.table_name: sorted(
            json.dumps(item, sort_keys=True, default=str)
            for item in dynamodb.scan(TableName=model.Meta.table_name)["Items"]
        )
        for model in ALL_MODELS
    }
    for bucket in s3.list_buckets()["Buckets"]:
        objects = s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
        stored[bucket["Name"]] = sorted((item["Key"], item["ETag"]) for item in objects)
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        stored[url] = attributes["Attributes"]["ApproximateNumberOfMessages"]
    return stored


def call(client, method: str, path: str, body: bytes | None, headers: dict | None = None, user=None):
    return send(client, method, path, user=user, body=body, headers=headers)


@pytest.mark.parametrize(("method", "route"), sorted(CASES))
def test_auth_matrix(client, admin, other, world, method, route):
    case = CASES[method, route]
    path, body = request_of(case, world)
    before = everything_stored()
    refusals = []
    if case.role is not PUBLIC:
        refusals += [("no credential", {}, None, NO_CREDENTIALS), ("bad token", BAD_TOKEN, None, INVALID_TOKEN)]
    if case.role is ADMIN:
        refusals.append(("a non-admin", {}, other, NOT_ADMIN))
    for name, headers, user, detail in refusals:
        response = call(client, method, path, body, headers, user)
        assert (response.status_code, response.json_body) == (403, detail), name
    assert everything_stored() == before, "a refused request changed something"
    allowed = [("admin", {}, admin)]
    if case.role is not ADMIN:
        allowed.append(("a non-admin", {}, other))
    if case.role is PUBLIC:
        allowed += [("no credential", {}, None), ("bad token", BAD_TOKEN, None)]
    for name, headers, user in reversed(allowed):  # the admin last: its write may remove what the path names
        response = call(client, method, path, body, headers, user)
        assert response.status_code == case.ok, (name, response.body[:300])
