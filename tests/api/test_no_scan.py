"""No request path reads a table with a Scan: every GET operation of the OpenAPI document (functions/http/openapi.py)
is called over a small archive, the list views once with each of their query filters, with the credential its
security names (TubeArchivist routes with a v0.4 and a v0.5 admin token), while botocore counts every DynamoDB
operation (tests/invidious/operations.py). Maintenance (the CLI, snapshots, backups, the filesystem rescan's job)
may scan a table; a request may not: its cost would grow with the archive."""

import re

import pytest

from app import app
from functions.core.settings import get_settings
from functions.http import openapi
from functions.schemas.invidious import PlaylistCreate, PlaylistVideoAdd
from functions.services import backups, snapshots, task_runs
from functions.services.archive import custom_playlists
from functions.services.downloads import intake
from functions.services.invidious import playlists as invidious_playlists
from functions.storage import aws as storage_aws
from functions.storage import s3, signing
from tests.api.calls import send
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id
from tests.invidious.iv_helpers import auth
from tests.invidious.operations import Operations

VIDEO, CHANNEL, PLAYLIST, QUEUED = video_id(1), channel_id(1), playlist_id(1), video_id(99)

# Each query parameter of a GET operation, by (path, name): the values it is called with, one request each (so
# every list view is called with each of its filters). A parameter added to the document without a line here
# fails test_every_query_parameter_has_values.
QUERY_VALUES: dict[tuple[str, str], list[str]] = {
    ("/api/video", "page"): ["2"],
    ("/api/video", "channel"): [CHANNEL],
    ("/api/video", "playlist"): [PLAYLIST, "{custom}"],
    ("/api/video", "type"): ["videos", "shorts"],
    ("/api/video", "watch"): ["watched", "unwatched", "continue"],
    ("/api/video", "sort"): ["published"],
    ("/api/video", "order"): ["asc", "desc"],
    ("/api/channel", "page"): ["2"],
    ("/api/channel", "filter"): ["subscribed", "unsubscribed"],
    ("/api/channel/search", "q"): [CHANNEL],
    ("/api/channel/{channel_id}/video", "page"): ["2"],
    ("/api/playlist", "page"): ["2"],
    ("/api/playlist", "channel"): [CHANNEL],
    ("/api/playlist", "subscribed"): ["true", "false"],
    ("/api/playlist", "type"): ["regular", "custom"],
    ("/api/download", "page"): ["2"],
    ("/api/download", "filter"): ["pending", "ignore"],
    ("/api/download", "channel"): [CHANNEL],
    ("/api/download", "vid_type"): ["videos"],
    ("/api/download", "q"): ["video"],  # the search index: no Scan
    ("/api/download", "error"): ["true"],
    ("/api/download/aggs", "filter"): ["pending", "ignore"],
    ("/api/refresh", "type"): ["video"],
    ("/api/refresh", "id"): [f"{VIDEO}&type=video"],
    ("/api/search", "query"): ["video"],
    ("/api/notification", "filter"): ["download", "settings", "channel"],
    ("/api/stats/biggestchannels", "order"): ["doc_count", "duration", "media_size"],
    ("/api/v1/auth/feed", "page"): ["2"],
    ("/api/v1/auth/feed", "max_results"): ["5"],
    ("/api/v1/auth/history", "page"): ["2"],
    ("/api/v1/auth/history", "max_results"): ["5"],
    ("/api/v1/auth/playlists/{playlist_id}", "page"): ["2"],
    ("/api/v1/playlists/{playlist_id}", "page"): ["2"],
}
# Routes that do nothing without a query string, and how they are called bare.
BARE_QUERY = {"/api/search": "?query=video", "/api/v1/search": "?q=video", "/api/v1/search/suggestions": "?q=vid"}
BARE_QUERY |= {
    "/api/v1/channels/{ucid}/search": "?q=video",
    "/search": "?q=video",
    "/api/channel/search": "?q=" + CHANNEL,
}
BARE_QUERY |= {
    "/api/download/aggs": "?filter=pending",
    "/authorize_token": "?scopes=:feed&callback_url=myapp-auth://cb",
}
# Answers other than 2xx/3xx that a call is expected to get: what the archive refuses, documented as such.
REFUSED = {"/api/download?error=true": 400}
REFUSED["/api/appsettings/membership/profile"] = 400  # no Members API key is set in this archive


@pytest.fixture
def archive(client, admin, v05) -> dict:
    """A small archive of each kind of item the GET routes read, and the values of their path parameters."""
    make_channel(1, subscribed=True)
    make_channel(2)
    for n in range(1, 16):  # a second page of the channel's videos
        make_video(n, channel=2 if n == 4 else 1)
    make_playlist(1, [1, 2])
    custom = custom_playlists.create("Made here").playlist_id
    custom_playlists.change(custom, "create", VIDEO)
    intake.add([QUEUED])
    for user in (admin, v05):
        send_progress(client, user)
    snapshot = snapshots.start({"application": {"enable_snapshot": True}})
    snapshots.create(snapshot)
    backup = backups.create("manual")["filename"]
    (task_id,) = task_runs.queue(task_runs.DOWNLOAD_PENDING)
    iv_playlist = invidious_playlists.create(admin, PlaylistCreate("Mine", "public")).playlist_id
    invidious_playlists.add_video(admin, iv_playlist, PlaylistVideoAdd(VIDEO))
    keys = [s3.media_key(CHANNEL, VIDEO), s3.video_thumb_key(VIDEO), s3.playlist_thumb_key(PLAYLIST)]
    keys.append(s3.channel_art_key(CHANNEL, "thumb"))
    for key in keys:
        storage_aws.client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"file")
    from functions.webapp import assets

    signed = signing.signed_path(s3.video_thumb_key(VIDEO)).split("/")
    return {
        "video_id": VIDEO,
        "channel_id": CHANNEL,
        "ucid": CHANNEL,
        "playlist_id": PLAYLIST,
        "iv_playlist_id": iv_playlist,
        "custom": custom,
        "shard": VIDEO[0],
        "name": "mqdefault.jpg",
        "snapshot_id": snapshot,
        "task_name": task_runs.DOWNLOAD_PENDING,
        "schedule": task_runs.UPDATE_SUBSCRIBED,
        "backup": backup,
        "task_id": task_id,
        "asset_name": next(iter(assets())),
        "docs_asset": "start.js",
        "expires": signed[-4],
        "signature": signed[-3],
        "folder": signed[-2],
        "signed_filename": signed[-1],
    }


def send_progress(client, user) -> None:
    """One video watched, one half played: the `watch` filters have both to list."""
    send(client, "POST", f"/api/video/{video_id(2)}/progress/", user, {"position": 299})
    send(client, "POST", f"/api/video/{video_id(3)}/progress/", user, {"position": 30})


def get_operations() -> dict[str, dict]:
    return {path: ops["get"] for path, ops in openapi.document(app)["paths"].items() if "get" in ops}


def filled(path: str, values: dict) -> str:
    """The path with its parameters named: archived items, the file each file route serves."""
    specific = {
        "/media/{channel_id}/{filename}": {"filename": f"{VIDEO}.mp4"},
        "/cache/videos/{shard}/{filename}": {"filename": f"{VIDEO}.jpg"},
        "/cache/channels/{filename}": {"filename": f"{CHANNEL}_thumb.jpg"},
        "/cache/playlists/{filename}": {"filename": f"{PLAYLIST}.jpg"},
        "/signed/{expires}/{signature}/{folder}/{filename}": {"filename": values["signed_filename"]},
        "/api/v1/auth/playlists/{playlist_id}": {"playlist_id": values["iv_playlist_id"]},
        "/api/docs/ui/{asset_name}": {"asset_name": values["docs_asset"]},
        "/api/appsettings/backup/{filename}": {"filename": values["backup"]},
        "/api/task/schedule/{task_name}": {"task_name": values["schedule"]},
        "/api/download/{video_id}": {"video_id": QUEUED},
    }.get(path, {})
    return re.sub(r"\{(\w+)\}", lambda match: {**values, **specific}.get(match.group(1), match.group(0)), path)


def requests_of(path: str, operation: dict, values: dict) -> list[str]:
    """The calls of one GET operation: bare, then once with each value of each of its query parameters."""
    base = filled(path, values)
    calls = [base + BARE_QUERY.get(path, "")]
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            for value in QUERY_VALUES.get((path, parameter["name"]), []):
                calls.append(f"{base}?{parameter['name']}={value.format(**values)}")
    return calls


def credentials(operation: dict, admin, v05) -> list[dict]:
    """The headers of each caller the operation's security admits: both dialects' tokens where a TubeArchivist
    token does, an Invidious token where one does, none where the route is public."""
    schemes = {name for option in operation.get("security", []) for name in option}
    if "taToken" in schemes:
        return [token_headers(admin), token_headers(v05)]
    if "invidiousBearer" in schemes:
        return [auth(admin)]
    return [{}]


def test_every_query_parameter_has_values():
    declared = {
        (path, parameter["name"])
        for path, operation in get_operations().items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert declared - set(QUERY_VALUES) == set(), "a GET parameter without values to call it with"
    assert set(QUERY_VALUES) - declared == set(), "values for a parameter the document no longer declares"


def test_no_get_route_scans_a_table(client, admin, v05, archive, monkeypatch):
    operations = Operations(monkeypatch)
    scanned, failed, called = [], [], 0
    for path, operation in get_operations().items():
        for request in requests_of(path, operation, archive):
            for headers in credentials(operation, admin, v05):
                before = operations.names["Scan"]
                answer = send(client, "GET", request, headers=headers)
                called += 1
                if operations.names["Scan"] != before:
                    scanned.append(request)
                expected = REFUSED.get(request.replace(filled(path, archive), path, 1))
                if answer.status_code != expected and not 200 <= answer.status_code < 400:
                    failed.append((request, answer.status_code, answer.body[:200]))
    assert scanned == [], "requests that scanned a table"
    assert failed == [], "requests that did not do their work (their Scan, if any, is not tested)"
    assert called > 150 and operations.names["Query"] > 0  # the routes ran, and the counter saw their reads


def test_the_users_list_of_an_archive_older_than_its_counter_does_not_scan(client, admin, monkeypatch):
    """Without the users counter (an archive from before it, until `infra.cli reindex`), the list is what the
    counter says, read without counting the table (tests/api/test_users.py has the repair)."""
    from functions.storage import counters
    from functions.storage.models import Counter

    Counter(counters.USERS).delete()
    operations = Operations(monkeypatch)
    answer = send(client, "GET", "/api/users/", admin)
    assert answer.status_code == 200 and answer.json_body["data"] == []
    assert operations.names["Scan"] == 0 and operations.names["BatchGetItem"] > 0
