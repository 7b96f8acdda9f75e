"""Request bodies and query strings decoded by the router into functions.schemas Structs: a value of the wrong
shape is a 400 naming the field (`$.data[1].youtube_id: expected str, got int`), on each API in its own error
shape, and nothing of the request is stored."""

import json

import pytest

from functions.storage.models import QueueItem, RefreshItem
from tests.api.calls import OVER_ONE_MB, send
from tests.factories import channel_id, make_video, video_id
from tests.invidious.iv_helpers import auth, call


def queued() -> list[str]:
    return sorted(item.youtube_id for item in QueueItem.scan())


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"data": [{"youtube_id": video_id(1)}, {"youtube_id": 3}]}, "$.data[1].youtube_id: expected str, got int"),
        ({"data": [{"youtube_id": video_id(1), "status": None}]}, "$.data[0].status: expected str, got null"),
        ({"data": {"youtube_id": video_id(1)}}, "$.data: expected array, got object"),
        ({"data": [video_id(1)]}, "$.data[0]: expected object, got str"),
        ({"rows": []}, "$: object missing required field data"),
        ([], "request body must be a JSON object"),
    ],
)
def test_a_bad_queue_request_names_the_field_and_queues_nothing(client, admin, body, error):
    response = send(client, "POST", "/api/download/", admin, body)
    assert (response.status_code, response.json_body) == (400, {"error": error})
    assert queued() == []


def test_a_query_flag_that_is_not_a_boolean_is_named(client, admin):
    body = {"data": [{"youtube_id": video_id(1)}]}
    response = send(client, "POST", "/api/download/?autostart=maybe", admin, body)
    assert (response.status_code, response.json_body) == (400, {"error": "autostart: expected bool, got str"})
    assert queued() == []
    assert send(client, "POST", "/api/download/?autostart=1", admin, body).status_code == 200
    assert queued() == [video_id(1)]


def test_rows_are_answered_as_decoded(client, admin):
    """Fields TubeArchivist clients send beside youtube_id and status are not part of the row."""
    rows = [{"youtube_id": video_id(1), "title": "x"}, {"youtube_id": video_id(2), "status": "ignore"}]
    response = send(client, "POST", "/api/download/", admin, {"data": rows})
    assert response.status_code == 200
    assert response.json_body["data"] == [
        {"youtube_id": video_id(1), "status": "pending"},
        {"youtube_id": video_id(2), "status": "ignore"},
    ]
    assert queued() == [video_id(1)]


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        ("POST", "/api/task/", {"run": "everything"}, "$.run: invalid enum value 'everything'"),
        ("POST", "/api/refresh/", {"videos": [1]}, "$.videos[0]: expected str, got int"),
        ("POST", "/api/refresh/", {"films": ["x"]}, "$: object contains unknown field films"),
        ("PUT", "/api/cookie/", {"cookie": 5}, "$.cookie: expected str, got int"),
        ("POST", "/api/watched/", {"id": "x", "is_watched": "yes"}, "$.is_watched: expected bool, got str"),
        (
            "POST",
            "/api/channel/",
            {"data": [{"channel_id": "x"}]},
            "$.data[0]: object missing required field channel_subscribed",
        ),
        ("PUT", "/api/proxy/", {"proxy": 8080}, "$.proxy: expected str, got int"),
        (
            "POST",
            "/api/appsettings/config/",
            {"downloads": {"comment_max": 0}},
            "$.downloads.comment_max: expected int >= 1",
        ),
        ("POST", "/api/appsettings/config/", {"theme": {}}, "$: object contains unknown field theme"),
        (
            "POST",
            f"/api/channel/{channel_id(1)}/",
            {"channel_overwrites": {"autodelete_days": 0}},
            "$.channel_overwrites.autodelete_days: expected int >= 1",
        ),
        (
            "POST",
            f"/api/channel/{channel_id(1)}/",
            {"channel_overwrites": {"index_playlists": "yes"}},
            "$.channel_overwrites.index_playlists: expected bool | null, got str",
        ),
        ("PUT", "/api/proxy/", {}, "$: object missing required field proxy"),
    ],
)
def test_each_typed_body_names_the_wrong_field(client, admin, method, path, body, error):
    response = send(client, method, path, admin, body)
    assert (response.status_code, response.json_body) == (400, {"error": error})
    assert list(RefreshItem.scan()) == []


def test_progress_takes_whole_and_fractional_seconds_but_not_booleans(client, admin):
    make_video(1)
    path = f"/api/video/{video_id(1)}/progress/"
    assert send(client, "POST", path, admin, {"position": 12}).json_body["position"] == 12
    assert send(client, "POST", path, admin, {"position": 12.5}).json_body["position"] == 12.5
    refused = send(client, "POST", path, admin, {"position": True})
    assert (refused.status_code, refused.json_body) == (400, {"error": "$.position: expected int | float, got bool"})


def test_the_body_is_read_as_before_it_is_decoded(client, admin):
    """Empty, malformed, too large and not JSON keep their own answers."""
    empty = send(client, "POST", "/api/task/", admin, b"")
    assert (empty.status_code, empty.json_body) == (400, {"error": "request body must be a JSON object"})
    assert send(client, "POST", "/api/task/", admin, b"{oops").status_code == 400
    assert send(client, "POST", "/api/task/", admin, OVER_ONE_MB).status_code == 413
    form = send(client, "POST", "/api/task/", admin, b"run=x", {"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415


def test_a_refused_role_comes_before_the_body(client, other):
    response = send(client, "POST", "/api/task/", other, json.dumps({"run": 1}))
    assert (response.status_code, response.json_body) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/api/v1/auth/feed?page=0", "page: expected int >= 1"),
        ("/api/v1/auth/history?max_results=-1", "max_results: expected int >= 0"),
        ("/api/v1/auth/feed?page=two", "page: expected int, got str"),
    ],
)
def test_invidious_query_numbers_are_named_in_invidious_errors(client, admin, path, error):
    response = call(client, "GET", path, {**auth(admin), "Origin": "https://app.example"})
    assert (response.status_code, response.json_body) == (400, {"error": error})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"vote": {"uuid": "u1", "yourVote": 5}}, "$.vote.yourVote: invalid enum value 5"),
        ({"segment": {"startTime": -1, "endTime": 5}}, "$.segment.startTime: expected float >= 0.0"),
        ({"segment": {"startTime": "0", "endTime": 5}}, "$.segment.startTime: expected float, got str"),
        ({"other": 1}, "$: object contains unknown field other"),
        ({}, "send either a vote or a segment"),
    ],
)
def test_sponsor_bodies_name_the_wrong_field(client, admin, body, error):
    make_video(1)
    response = send(client, "POST", f"/api/video/{video_id(1)}/sponsor/", admin, body)
    assert (response.status_code, response.json_body) == (400, {"error": error})


def test_a_blank_vote_uuid_is_refused(client, admin):
    make_video(1)
    body = {"vote": {"uuid": " ", "yourVote": 1}}
    response = send(client, "POST", f"/api/video/{video_id(1)}/sponsor/", admin, body)
    assert response.status_code == 400 and response.json_body["error"].startswith("$.vote.uuid: expected str")


def test_a_login_body_of_the_wrong_shape_is_the_failed_login(client, admin):
    """TubeArchivist answers one message for every login it refuses, a body of the wrong shape included."""
    for body in ({"username": "admin"}, {"username": "admin", "password": 5}, {"user": "admin", "password": "x"}):
        response = send(client, "POST", "/api/login/", body=body)
        assert (response.status_code, response.json_body) == (
            400,
            {"non_field_errors": ["Unable to log in with provided credentials."]},
        )


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        ("POST", "/api/v1/auth/playlists", {"title": 5, "privacy": "public"}, "$.title: expected str, got int"),
        ("POST", "/api/v1/auth/playlists", {"title": "t"}, "$: object missing required field privacy"),
        ("POST", "/api/v1/auth/preferences", {"volume": 101}, "$.volume: expected int <= 100"),
        ("POST", "/api/v1/auth/preferences", {"continue": "yes"}, "$.continue: expected bool, got str"),
        ("POST", "/api/v1/auth/preferences", {"captions": ["en", 1]}, "$.captions[1]: expected str, got int"),
        ("POST", "/api/v1/auth/tokens/register", {"scopes": 5}, "$.scopes: expected str | array, got int"),
        (
            "POST",
            "/api/v1/auth/tokens/register",
            {"scopes": ["GET:feed"], "expire": 1.5},
            "$.expire: expected int | str | null, got float",
        ),
        ("POST", "/api/v1/auth/tokens/unregister", {"session": ""}, "$.session: expected str of length >= 1"),
    ],
)
def test_invidious_bodies_name_the_wrong_field(client, admin, method, path, body, error):
    response = call(client, method, path, auth(admin), body)
    assert (response.status_code, response.json_body) == (400, {"error": error})


def test_invidious_playlist_bodies_name_the_field_and_store_nothing(client, admin):
    from functions.storage.models import InvidiousPlaylist

    created = call(client, "POST", "/api/v1/auth/playlists", auth(admin), {"title": "Mine", "privacy": "Private"})
    assert created.status_code == 201
    playlist_id = created.json_body["playlistId"]
    path = f"/api/v1/auth/playlists/{playlist_id}"
    refused = call(client, "PATCH", path, auth(admin), {"title": "New", "description": ["x"]})
    assert (refused.status_code, refused.json_body) == (400, {"error": "$.description: expected str, got array"})
    refused = call(client, "POST", path + "/videos", auth(admin), {"videoId": None})
    assert (refused.status_code, refused.json_body) == (400, {"error": "$.videoId: expected str, got null"})
    stored = InvidiousPlaylist.get(playlist_id)
    assert (stored.title, stored.privacy, stored.video_count) == ("Mine", "private", 0)
