"""Both TubeArchivist dialects on one archive: the credential picks v0.4 (envelopes) or v0.5 (bare objects,
lists without the config); paths of one dialect only answer every credential in that dialect."""

import pytest

from functions.core.dialects import V04, V05
from functions.services.auth import users
from tests.api.calls import INVALID_TOKEN, send
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id

VIDEO = video_id(1)


@pytest.fixture
def archive(aws):
    make_channel(1, "Channel One")
    make_video(1, title="First")
    make_video(2, title="Second")
    make_playlist(1, [1, 2], "Both")


def test_a_v04_and_a_v05_token_read_the_same_video(client, admin, v05, archive):
    old = send(client, "GET", f"/api/video/{VIDEO}/", admin)
    new = send(client, "GET", f"/api/video/{VIDEO}/", v05)
    assert old.status_code == new.status_code == 200
    assert set(old.json_body) == {"data", "config"}  # v0.4's envelope, unchanged
    assert new.json_body == old.json_body["data"]  # v0.5: the same video, bare
    assert new.json_body["youtube_id"] == VIDEO and new.json_body["channel"]["channel_name"] == "Channel One"


@pytest.mark.parametrize(
    "path",
    ["/api/video/", f"/api/channel/{channel_id(1)}/video/", f"/api/playlist/{playlist_id(1)}/video/", "/api/channel/"],
)
def test_v05_lists_are_data_and_paginate(client, admin, v05, archive, path):
    old = send(client, "GET", path, admin).json_body
    new = send(client, "GET", path, v05).json_body
    assert set(new) == {"data", "paginate"}
    assert old["paginate"]["prev_pages"] is False  # page 0: v0.4 says false, v0.5 null
    assert old["paginate"]["last_page"] is False  # one page: v0.4 says false, v0.5's IntegerField 0
    assert new == {"data": old["data"], "paginate": {**old["paginate"], "prev_pages": None, "last_page": 0}}


@pytest.mark.parametrize(
    "path", [f"/api/channel/{channel_id(1)}/", f"/api/playlist/{playlist_id(1)}/", f"/api/video/{VIDEO}/comment/"]
)
def test_v05_single_items_are_bare(client, admin, v05, archive, path):
    old = send(client, "GET", path, admin)
    new = send(client, "GET", path, v05)
    assert (old.status_code, new.status_code) == (200, 200)
    expected = old.json_body["data"]
    if "/playlist/" in path:
        expected = {**expected, "playlist_sort_order": "top"}  # a field v0.4 does not have
    assert new.json_body == expected


def test_not_found_in_each_dialect(client, admin, v05, archive):
    missing = f"/api/video/{video_id(99)}/"
    assert send(client, "GET", missing, admin).json_body == {"data": False, "error": f"video {video_id(99)} not found"}
    answer = send(client, "GET", missing, v05)
    assert answer.status_code == 404
    assert answer.json_body == {"error": f"video {video_id(99)} not found"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/video/{video_id(99)}/progress/", None),
        ("POST", f"/api/video/{video_id(99)}/progress/", {"position": 3}),
        ("POST", "/api/watched/", {"id": video_id(99), "is_watched": True}),
        ("POST", f"/api/download/{video_id(99)}/", {"status": "pending"}),
        ("DELETE", f"/api/channel/{channel_id(99)}/", None),
        ("DELETE", f"/api/playlist/{playlist_id(99)}/", None),
    ],
)
def test_not_found_on_paths_both_dialects_answer_alike(client, admin, v05, archive, method, path, body):
    """Where the two dialects' answers agree, a 404 still speaks the caller's: v0.5's `{"error"}` alone."""
    old = send(client, method, path, admin, body=body)
    new = send(client, method, path, v05, body=body)
    assert (old.status_code, new.status_code) == (404, 404)
    assert old.json_body["data"] is False
    assert new.json_body == {"error": old.json_body["error"]}


def test_v05_delete_answers_204(client, v05, archive):
    answer = send(client, "DELETE", f"/api/video/{VIDEO}/", v05)
    assert (answer.status_code, answer.body) == (204, b"")
    assert send(client, "GET", f"/api/video/{VIDEO}/", v05).status_code == 404


def test_paths_of_one_dialect_answer_in_it(client, admin, v05):
    # v0.4 only: the v0.5 token gets v0.4's answer
    assert send(client, "GET", "/api/cookie/", v05).json_body == send(client, "GET", "/api/cookie/", admin).json_body
    # v0.5 only: the v0.4 token gets v0.5's answer (bare) and its errors
    for user in (admin, v05):
        answer = send(client, "GET", "/api/appsettings/snapshot/ta_daily_missing/", user)
        assert answer.status_code == 404 and set(answer.json_body) == {"error"}
        assert set(send(client, "GET", "/api/user/me/", user).json_body) >= {"view_style_home", "page_size"}


def test_the_token_route_shows_and_replaces_the_token(client, admin):
    shown = send(client, "GET", "/api/appsettings/token/", admin).json_body
    assert shown == {"token": admin.api_token, "dialect": V04}
    answer = send(client, "DELETE", "/api/appsettings/token/?dialect=v0.5", admin)
    assert answer.status_code == 204
    assert send(client, "GET", "/api/ping/", admin).json_body == INVALID_TOKEN  # the old token ends
    fresh = users.get_user("admin")
    assert fresh.api_token != admin.api_token
    assert send(client, "GET", "/api/appsettings/token/", fresh).json_body == {"token": fresh.api_token, "dialect": V05}
    make_video(1)
    assert "config" not in send(client, "GET", f"/api/video/{VIDEO}/", fresh).json_body  # it speaks v0.5
    # without a dialect the successor keeps the old one's
    assert send(client, "DELETE", "/api/appsettings/token/", fresh).status_code == 204
    assert users.token_dialect(users.get_user("admin")) == V05


def test_the_token_route_refuses_an_unknown_dialect(client, admin):
    answer = send(client, "DELETE", "/api/appsettings/token/?dialect=v9", admin)
    assert answer.status_code == 400
    assert send(client, "GET", "/api/ping/", admin).status_code == 200  # the token still works


def test_the_token_route_is_for_admins(client, other):
    assert send(client, "GET", "/api/appsettings/token/", other).status_code == 403
    assert send(client, "GET", "/api/ping/", other, headers=token_headers(other)).status_code == 200
