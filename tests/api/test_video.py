"""/api/video/...: list, item, delete, progress and /api/watched/, over moto, as API.md describes them."""

import pytest
from botocore.exceptions import ClientError
from pynamodb.connection.base import Connection

from functions.core.settings import DEFAULT_APP_CONFIG, get_settings
from functions.http.ta import video as video_api
from functions.services.auth.viewer import NOT_ADMIN
from functions.storage import counters, db, s3
from functions.storage.aws import client as bucket_client
from functions.storage.models import Counter, PlaylistEntry, UserVideo, Video
from tests.api.calls import (
    BAD_TOKEN,
    INVALID_TOKEN,
    NO_CREDENTIALS,
    OVER_ONE_MB,
    other_methods,
    routes,
    send,
    spy_on_storage,
)
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id

VIDEO = video_id(1)
CONFIG = {"page_size": 12, **DEFAULT_APP_CONFIG}
VIDEO_KEYS = {
    "youtube_id",
    "title",
    "description",
    "published",
    "vid_last_refresh",
    "date_downloaded",
    "vid_type",
    "vid_thumb_url",
    "media_url",
    "active",
    "category",
    "tags",
    "channel",
    "player",
    "stats",
    "playlist",
    "subtitles",
    "media_size",
    "streams",
}
PROGRESS = f"/api/video/{VIDEO}/progress"


@pytest.fixture
def archive(aws):
    make_channel(1)
    return make_video(1, duration=600)


def get(client, path, user):
    return client.http.get(path, headers=token_headers(user))


# ---------------------------------------------------------------- every route


@pytest.mark.parametrize(("method", "path"), routes(video_api.router))
def test_every_route_needs_credentials(client, method, path):
    response = client.http.request(method, path, body=b"")
    assert (response.status_code, response.json_body) == (403, NO_CREDENTIALS)
    response = client.http.request(method, path + "/", headers=BAD_TOKEN, body=b"")
    assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)


@pytest.mark.parametrize(("method", "path"), routes(video_api.router))
def test_every_route_answers_with_and_without_trailing_slash(client, admin, archive, method, path):
    body = {"position": 1} if path.endswith("progress") else {"id": VIDEO, "is_watched": True}
    if method == "DELETE" and "progress" not in path:
        path = f"/api/video/{video_id(2)}"  # deleted twice: once per spelling
        make_video(2)
        make_video(3)
    bare = send(client, method, path, admin, body if method == "POST" else None)
    slashed = send(
        client, method, path.replace(video_id(2), video_id(3)) + "/", admin, body if method == "POST" else None
    )
    assert bare.status_code == slashed.status_code, (bare.body, slashed.body)
    assert bare.status_code in (200, 204, 404), bare.body  # similar: 404 when no video shares a tag


@pytest.mark.parametrize(("method", "path", "allowed"), other_methods(video_api.router))
def test_undeclared_methods_are_405(client, admin, method, path, allowed):
    response = send(client, method, path + "/", admin)
    assert response.status_code == 405
    assert "error" in response.json_body
    assert response.headers["Allow"] == ", ".join(allowed)


# ---------------------------------------------------------------- list


def test_empty_list_is_200_with_no_data(client, admin):
    body = get(client, "/api/video/", admin).json_body
    assert body["data"] == [] and body["config"] == CONFIG
    assert body["paginate"]["total_hits"] == 0 and body["paginate"]["last_page"] is False


def test_list_is_an_envelope_sorted_by_published_desc(client, admin):
    make_channel(1)
    for n, day in [(1, "2024-03-01"), (2, "2024-05-01"), (3, "2024-01-15")]:
        make_video(n, published=day)
    response = get(client, "/api/video", admin)
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config", "paginate"}
    assert body["config"] == CONFIG
    assert [v["youtube_id"] for v in body["data"]] == [video_id(2), video_id(1), video_id(3)]
    assert body["paginate"] == {
        "page_size": 12,
        "page_from": 0,
        "prev_pages": False,
        "current_page": 0,
        "max_hits": False,
        "params": "",
        "last_page": False,
        "next_pages": [],
        "total_hits": 3,
    }


def test_list_pages(client, admin):
    make_channel(1)
    for n in range(30):
        make_video(n, published=f"2024-01-{n + 1:02d}")
    newest_first = [video_id(n) for n in reversed(range(30))]
    first = get(client, "/api/video/?page=0", admin).json_body
    assert get(client, "/api/video/?page=1", admin).json_body["data"] == first["data"]
    assert [v["youtube_id"] for v in first["data"]] == newest_first[:12]
    assert first["paginate"]["last_page"] == 3 and first["paginate"]["next_pages"] == [2]
    second = get(client, "/api/video/?page=2", admin).json_body
    assert [v["youtube_id"] for v in second["data"]] == newest_first[12:24]
    assert second["paginate"]["page_from"] == 12 and second["paginate"]["prev_pages"] == []
    last = get(client, "/api/video/?page=3", admin).json_body
    assert [v["youtube_id"] for v in last["data"]] == newest_first[24:]
    assert last["paginate"]["last_page"] is False and last["paginate"]["prev_pages"] == [2]
    past = get(client, "/api/video/?page=4", admin)  # as TubeArchivist v0.4.13: a list view's past page is empty
    assert past.status_code == 200 and past.json_body["data"] == []
    assert past.json_body["paginate"]["page_from"] == 36 and past.json_body["paginate"]["total_hits"] == 30
    for bad in ("x", "-1", "1.5", "%202"):
        response = get(client, f"/api/video/?page={bad}", admin)
        assert response.status_code == 400 and "error" in response.json_body, bad


def test_page_size_is_the_users_setting(client, admin, other):
    make_channel(1)
    for n in range(7):
        make_video(n)
    admin.update(actions=[type(admin).page_size.set(5)])
    body = get(client, "/api/video/", admin).json_body
    assert len(body["data"]) == 5 and body["config"]["page_size"] == 5
    assert body["paginate"]["page_size"] == 5 and body["paginate"]["last_page"] == 2
    assert len(get(client, "/api/video/", other).json_body["data"]) == 7


def test_params_carry_the_other_query_parameters(client, admin, archive):
    paginate = get(client, "/api/video/?order=asc&page=1", admin).json_body["paginate"]
    assert paginate["params"] == "order=asc" and paginate["current_page"] == 1


# ---------------------------------------------------------------- item


def test_item_shape(client, admin):
    make_channel(1)
    make_video(
        1,
        published="2024-02-03",
        duration=75,
        subtitles=[{"ext": "vtt", "lang": "en", "name": "English", "source": "auto"}],
        view_count=10,
        like_count=2,
        comment_count=4,
    )
    make_playlist(1, [1])
    response = get(client, f"/api/video/{VIDEO}/", admin)
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config"} and body["config"] == CONFIG
    video = body["data"]
    assert set(video) == VIDEO_KEYS | {"comment_count"}
    assert video["youtube_id"] == VIDEO and video["published"] == "2024-02-03"
    assert video["vid_last_refresh"] == "2024-02-03" and video["date_downloaded"] == 1_700_000_001
    assert video["vid_thumb_url"] == f"/cache/videos/v/{VIDEO}.jpg"
    assert video["media_url"] == f"/media/{channel_id(1)}/{VIDEO}.mp4"
    assert video["player"] == {"watched": False, "duration": 75, "duration_str": "01:15"}
    assert video["stats"] == {"view_count": 10, "like_count": 2, "dislike_count": 0, "average_rating": None}
    assert video["playlist"] == [playlist_id(1)]
    assert video["subtitles"] == [
        {
            "ext": "vtt",
            "lang": "en",
            "name": "English",
            "source": "auto",
            "media_url": f"/media/{channel_id(1)}/{VIDEO}.en.vtt",
        }
    ]
    assert video["channel"]["channel_id"] == channel_id(1) and video["channel"]["channel_name"] == "Channel 1"
    assert video["comment_count"] == 4


def test_item_of_a_video_whose_channel_is_gone(client, admin):
    make_video(1, channel=9)
    channel = get(client, f"/api/video/{VIDEO}", admin).json_body["data"]["channel"]
    assert channel["channel_id"] == channel_id(9) and channel["channel_active"] is False


def test_unknown_video_is_404(client, admin, archive):
    response = get(client, f"/api/video/{video_id(2)}/", admin)
    assert response.status_code == 404
    assert response.json_body == {"data": False, "error": f"video {video_id(2)} not found"}


@pytest.mark.parametrize("bad", ["short", "x" * 12, "vid0000000%2A", "..%2F..%2Fetc"])
@pytest.mark.parametrize("suffix", ["", "/progress"])
def test_malformed_ids_never_reach_storage(client, admin, archive, monkeypatch, bad, suffix):
    spy = spy_on_storage(monkeypatch)
    for method in ("GET", "DELETE"):
        response = send(client, method, f"/api/video/{bad}{suffix}/", admin)
        assert response.status_code in (400, 404), (method, response.body)
        assert "error" in response.json_body
    response = send(client, "POST", f"/api/video/{bad}/progress", admin, {"position": 5})
    assert response.status_code in (400, 404)
    assert not spy.reached(bad.replace("%2A", "*").replace("%2F", "/"))
    assert not spy.reached(bad)


# ---------------------------------------------------------------- delete


def put_objects(keys):
    for key in keys:
        bucket_client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"x")


def object_exists(key) -> bool:
    try:
        bucket_client("s3").head_object(Bucket=get_settings().media_bucket, Key=key)
        return True
    except ClientError:
        return False


def test_delete_removes_the_video_its_files_counts_and_playlist_membership(client, admin):
    make_channel(1)
    video = make_video(1, subtitles=[{"lang": "de"}])
    make_video(2)
    make_playlist(1, [1, 2])
    keys = s3.video_keys(Video.get(VIDEO))
    assert f"media/{channel_id(1)}/{VIDEO}.de.vtt" in keys
    put_objects(keys + s3.video_keys(Video.get(video_id(2))))
    response = send(client, "DELETE", f"/api/video/{VIDEO}/", admin)
    assert (response.status_code, response.json_body) == (200, {"video": VIDEO, "state": "delete"})
    assert not any(object_exists(k) for k in keys)
    assert all(object_exists(k) for k in s3.video_keys(Video.get(video_id(2))))
    assert db.counts(
        [counters.VIDEOS, counters.channel_videos(video.channel_id), counters.playlist_videos(playlist_id(1))]
    ) == {
        counters.VIDEOS: 1,
        counters.channel_videos(video.channel_id): 1,
        counters.playlist_videos(playlist_id(1)): 1,
    }
    assert PlaylistEntry.get(playlist_id(1), VIDEO).downloaded is False
    assert get(client, f"/api/video/{VIDEO}", admin).status_code == 404
    assert [v["youtube_id"] for v in get(client, "/api/video/", admin).json_body["data"]] == [video_id(2)]
    again = send(client, "DELETE", f"/api/video/{VIDEO}", admin)
    assert again.status_code == 404 and again.json_body["data"] is False
    assert db.counts([counters.VIDEOS])[counters.VIDEOS] == 1


def test_only_admins_delete_videos(client, admin, other, archive):
    put_objects(s3.video_keys(archive))
    response = send(client, "DELETE", f"/api/video/{VIDEO}/", other)
    assert (response.status_code, response.json_body) == (403, {"detail": NOT_ADMIN})
    assert get(client, f"/api/video/{VIDEO}", other).status_code == 200
    assert all(object_exists(k) for k in s3.video_keys(archive))
    assert db.counts([counters.VIDEOS])[counters.VIDEOS] == 1


def test_a_failed_delete_leaves_everything_as_it_was(client, admin, monkeypatch):
    make_channel(1)
    make_video(1)
    make_playlist(1, [1])
    keys = s3.video_keys(Video.get(VIDEO))
    put_objects(keys)
    before = {c.name: int(c.count) for c in Counter.scan()}

    dispatch = Connection.dispatch

    def failing_transactions(self, operation_name, operation_kwargs):
        if operation_name == "TransactWriteItems":
            raise RuntimeError("DynamoDB is unavailable")
        return dispatch(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", failing_transactions)
    assert send(client, "DELETE", f"/api/video/{VIDEO}", admin).status_code == 500
    assert {c.name: int(c.count) for c in Counter.scan()} == before
    assert PlaylistEntry.get(playlist_id(1), VIDEO).downloaded is True
    assert all(object_exists(k) for k in keys)
    monkeypatch.undo()
    assert send(client, "DELETE", f"/api/video/{VIDEO}", admin).status_code == 200
    assert db.counts([counters.VIDEOS, counters.playlist_videos(playlist_id(1))]) == {
        counters.VIDEOS: 0,
        counters.playlist_videos(playlist_id(1)): 0,
    }


# ---------------------------------------------------------------- progress


def test_progress_starts_at_zero_and_is_stored(client, admin, archive):
    response = get(client, PROGRESS, admin)
    assert (response.status_code, response.json_body) == (
        200,
        {"youtube_id": VIDEO, "user_id": int(admin.user_id), "position": 0},
    )
    response = send(client, "POST", PROGRESS + "/", admin, {"position": 100, "youtube_id": None})
    assert (response.status_code, response.json_body) == (
        200,
        {"youtube_id": VIDEO, "user_id": int(admin.user_id), "position": 100},
    )
    assert get(client, PROGRESS + "/", admin).json_body["position"] == 100
    assert send(client, "POST", PROGRESS, admin, {"position": 12.5}).json_body["position"] == 12.5


def test_progress_delete_clears_the_position(client, admin, archive):
    send(client, "POST", PROGRESS, admin, {"position": 100})
    response = send(client, "DELETE", PROGRESS, admin)
    assert response.status_code == 204 and not response.body
    assert get(client, PROGRESS, admin).json_body["position"] == 0
    assert send(client, "DELETE", PROGRESS + "/", admin).status_code == 204  # already clear


def test_progress_and_watched_state_are_per_user(client, admin, other, archive):
    send(client, "POST", PROGRESS, admin, {"position": 599})
    assert get(client, PROGRESS, other).json_body == {"youtube_id": VIDEO, "user_id": int(other.user_id), "position": 0}
    assert get(client, f"/api/video/{VIDEO}", admin).json_body["data"]["player"]["watched"] is True
    assert get(client, f"/api/video/{VIDEO}", other).json_body["data"]["player"]["watched"] is False
    assert get(client, "/api/video/", other).json_body["data"][0]["player"]["watched"] is False
    send(client, "POST", PROGRESS, other, {"position": 5})
    send(client, "DELETE", PROGRESS, other)
    assert get(client, PROGRESS, admin).json_body["position"] == 599
    send(client, "POST", "/api/watched/", other, {"id": VIDEO, "is_watched": False})
    assert get(client, f"/api/video/{VIDEO}", admin).json_body["data"]["player"]["watched"] is True


@pytest.mark.parametrize(
    ("duration", "not_yet", "watched"),
    [
        (50, 25, 25.5),  # under a minute: half
        (600, 540, 540.5),  # 90 %
        (900, 810, 811),  # exactly 15 minutes is still 90 %
        (1800, 1620, 1621),  # over 15 minutes: all but the last 180 s
    ],
)
def test_watched_thresholds(client, admin, aws, duration, not_yet, watched):
    make_channel(1)
    make_video(1, duration=duration)
    send(client, "POST", PROGRESS, admin, {"position": not_yet})
    assert get(client, f"/api/video/{VIDEO}", admin).json_body["data"]["player"]["watched"] is False
    send(client, "POST", PROGRESS, admin, {"position": watched})
    player = get(client, f"/api/video/{VIDEO}", admin).json_body["data"]["player"]
    assert player["watched"] is True and isinstance(player["watched_date"], int)


def test_progress_of_unknown_video_is_404(client, admin, archive):
    path = f"/api/video/{video_id(2)}/progress"
    for method, body in (("GET", None), ("POST", {"position": 1}), ("DELETE", None)):
        response = send(client, method, path, admin, body)
        assert response.status_code == 404 and response.json_body["data"] is False, method
    assert UserVideo.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b'"x"', b"{}", b'{"Position": 1}', b'{"position": null}', b'{"position": "5"}', b'{"position": NaN}'],
)
def test_progress_bad_input_is_400(client, admin, archive, body):
    response = send(client, "POST", PROGRESS, admin, body)
    assert response.status_code == 400 and set(response.json_body) == {"error"}
    assert get(client, PROGRESS, admin).json_body["position"] == 0


def test_empty_progress_body_is_400(client, admin, archive):
    response = client.http.post(PROGRESS, headers=token_headers(admin), body=b"")
    assert response.status_code == 400 and "error" in response.json_body


def test_progress_body_over_one_megabyte_is_413(client, admin, archive):
    response = send(client, "POST", PROGRESS, admin, OVER_ONE_MB)
    assert response.status_code == 413 and "error" in response.json_body


def test_progress_in_another_content_type_is_415(client, admin, archive):
    response = send(client, "POST", PROGRESS, admin, b'{"position": 5}', {"Content-Type": "text/plain"})
    assert response.status_code == 415 and "error" in response.json_body
    charset = send(
        client, "POST", PROGRESS, admin, b'{"position": 5}', {"Content-Type": "application/json; charset=utf-8"}
    )
    assert charset.status_code == 200


# ---------------------------------------------------------------- /api/watched/


def watched_ids(client, user) -> set[str]:
    return {v["youtube_id"] for v in get(client, "/api/video/", user).json_body["data"] if v["player"]["watched"]}


def test_watched_marks_a_video_and_back(client, admin, archive):
    make_video(2)
    response = send(client, "POST", "/api/watched/", admin, {"id": VIDEO, "is_watched": True})
    assert (response.status_code, response.json_body) == (200, {"id": VIDEO, "is_watched": True})
    assert watched_ids(client, admin) == {VIDEO}
    response = send(client, "POST", "/api/watched", admin, {"id": VIDEO, "is_watched": False})
    assert response.status_code == 200
    assert watched_ids(client, admin) == set()
    assert "watched_date" not in get(client, f"/api/video/{VIDEO}", admin).json_body["data"]["player"]


def test_watched_marks_a_channel_or_a_playlist(client, admin, other, aws):
    make_channel(1)
    make_channel(2)
    for n in (1, 2):
        make_video(n, channel=1)
    make_video(3, channel=2)
    make_video(4, channel=2)
    make_playlist(1, [3, 99])
    send(client, "POST", "/api/watched/", admin, {"id": channel_id(1), "is_watched": True})
    assert watched_ids(client, admin) == {video_id(1), video_id(2)}
    send(client, "POST", "/api/watched/", admin, {"id": playlist_id(1), "is_watched": True})
    assert watched_ids(client, admin) == {video_id(1), video_id(2), video_id(3)}
    assert watched_ids(client, other) == set()
    send(client, "POST", "/api/watched/", admin, {"id": channel_id(1), "is_watched": False})
    assert watched_ids(client, admin) == {video_id(3)}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        b"{}",
        b'{"id": "vid00000001"}',
        b'{"is_watched": true}',
        b'{"id": "vid00000001", "is_watched": "yes"}',
        b'{"id": "vid00000001", "is_watched": 1}',
        b'{"id": 5, "is_watched": true}',
        b'{"id": null, "is_watched": true}',
    ],
)
def test_watched_bad_input_is_400(client, admin, archive, body):
    response = send(client, "POST", "/api/watched/", admin, body)
    assert response.status_code == 400 and set(response.json_body) == {"error"}
    assert UserVideo.count() == 0


@pytest.mark.parametrize("item", [video_id(2), channel_id(2), playlist_id(2), "nonsense", "../x"])
def test_watched_unknown_item_is_404(client, admin, archive, item):
    response = send(client, "POST", "/api/watched/", admin, {"id": item, "is_watched": True})
    assert response.status_code == 404 and response.json_body["data"] is False
    assert UserVideo.count() == 0


def test_watched_limits(client, admin, archive):
    assert send(client, "POST", "/api/watched/", admin, OVER_ONE_MB).status_code == 413
    wrong_type = send(client, "POST", "/api/watched/", admin, b'{"id": "x"}', {"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert send(client, "GET", "/api/watched/", admin).status_code == 405
