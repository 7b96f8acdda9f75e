"""GET|DELETE /api/v1/auth/history, POST|DELETE /api/v1/auth/history/{id}: TubeArchivist's watched state."""

import itertools
from types import SimpleNamespace

import pytest

from functions.storage.models import UserVideo
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.invidious.iv_helpers import auth, call

PATH = "/api/v1/auth/history"


@pytest.fixture
def clock(monkeypatch):
    """Watched dates one second apart, so 'most recently watched' is well defined."""
    ticks = itertools.count(1_800_000_000)
    monkeypatch.setattr("functions.services.archive.progress.time", SimpleNamespace(time=lambda: next(ticks)))


@pytest.fixture
def archive(aws):
    make_channel(1)
    for n in range(1, 6):
        make_video(n, channel=1)


def history(client, user, query=""):
    response = call(client, "GET", PATH + query, auth(user))
    assert response.status_code == 200, response.body
    return response.json_body


def ta_watched(client, user, youtube_id) -> bool:
    response = client.http.get(f"/api/video/{youtube_id}/", headers=token_headers(user))
    assert response.status_code == 200, response.body
    return response.json_body["data"]["player"]["watched"]


def ta_set_watched(client, user, item_id, is_watched):
    body = f'{{"id": "{item_id}", "is_watched": {"true" if is_watched else "false"}}}'.encode()
    headers = {**token_headers(user), "Content-Type": "application/json"}
    assert client.http.post("/api/watched/", headers=headers, body=body).status_code == 200


def test_add_list_remove_clear(client, admin, archive, clock):
    assert history(client, admin) == []
    for n in (3, 1, 4):
        response = call(client, "POST", f"{PATH}/{video_id(n)}", auth(admin))
        assert response.status_code == 204 and response.body == b""
    assert history(client, admin) == [video_id(4), video_id(1), video_id(3)]  # most recently watched first
    call(client, "POST", f"{PATH}/{video_id(3)}", auth(admin))  # watched again: moves to the front
    assert history(client, admin) == [video_id(3), video_id(4), video_id(1)]
    response = call(client, "DELETE", f"{PATH}/{video_id(4)}", auth(admin))
    assert response.status_code == 204 and response.body == b""
    assert history(client, admin) == [video_id(3), video_id(1)]
    response = call(client, "DELETE", PATH, auth(admin))
    assert response.status_code == 204 and response.body == b""
    assert history(client, admin) == []
    assert not any(ta_watched(client, admin, video_id(n)) for n in range(1, 6))


def test_same_state_as_tubearchivist(client, admin, archive, clock):
    # TubeArchivist marks, Invidious sees
    ta_set_watched(client, admin, video_id(2), True)
    assert history(client, admin) == [video_id(2)]
    # playing past the threshold is watching too
    client.http.post(
        f"/api/video/{video_id(5)}/progress",
        headers={**token_headers(admin), "Content-Type": "application/json"},
        body=b'{"position": 290}',
    )
    assert history(client, admin) == [video_id(5), video_id(2)]
    # Invidious marks, TubeArchivist sees
    call(client, "POST", f"{PATH}/{video_id(1)}", auth(admin))
    assert ta_watched(client, admin, video_id(1))
    # Invidious removes, TubeArchivist sees; the position is kept
    call(client, "DELETE", f"{PATH}/{video_id(5)}", auth(admin))
    assert not ta_watched(client, admin, video_id(5))
    assert UserVideo.get(admin.user_id, video_id(5)).position == 290
    # TubeArchivist unmarks, Invidious sees
    ta_set_watched(client, admin, video_id(2), False)
    assert history(client, admin) == [video_id(1)]
    # a whole channel at once
    ta_set_watched(client, admin, channel_id(1), True)
    assert sorted(history(client, admin)) == [video_id(n) for n in range(1, 6)]


def test_paging(client, admin, archive, clock):
    for n in range(1, 6):
        call(client, "POST", f"{PATH}/{video_id(n)}", auth(admin))
    newest_first = [video_id(n) for n in range(5, 0, -1)]
    assert history(client, admin) == newest_first  # page size: the max_results preference, 40
    call(client, "POST", "/api/v1/auth/preferences", auth(admin), {"max_results": 2})
    assert history(client, admin) == newest_first[:2]
    assert history(client, admin, "?page=3") == newest_first[4:]
    assert history(client, admin, "?max_results=2") == newest_first[:2]
    assert history(client, admin, "?max_results=2&page=2") == newest_first[2:4]
    assert history(client, admin, "?max_results=2&page=3") == newest_first[4:]
    assert history(client, admin, "?max_results=2&page=4") == []
    assert history(client, admin, "?max_results=0") == []
    for query in ("?page=0", "?page=abc", "?max_results=-1"):
        response = call(client, "GET", PATH + query, auth(admin))
        assert response.status_code == 400 and set(response.json_body) == {"error"}


def test_unknown_and_malformed_ids(client, admin, archive):
    response = call(client, "POST", f"{PATH}/{video_id(99)}", auth(admin))
    assert response.status_code == 404
    assert set(response.json_body) == {"error"}  # Invidious' error shape, without TubeArchivist's data: false
    response = call(client, "POST", f"{PATH}/short", auth(admin))
    assert response.status_code == 400 and set(response.json_body) == {"error"}
    response = call(client, "DELETE", f"{PATH}/short", auth(admin))
    assert response.status_code == 400 and set(response.json_body) == {"error"}
    # removing what is not there is done already
    assert call(client, "DELETE", f"{PATH}/{video_id(99)}", auth(admin)).status_code == 204
    assert call(client, "DELETE", f"{PATH}/{video_id(3)}", auth(admin)).status_code == 204
    assert list(UserVideo.query(admin.user_id)) == []  # and creates no state


def test_removing_a_video_no_longer_archived(client, admin, archive):
    from functions.services.archive import videos

    call(client, "POST", f"{PATH}/{video_id(1)}", auth(admin))
    videos.delete(video_id(1))  # users' states of a deleted video go with it (the watched counters stay exact)
    assert history(client, admin) == []
    assert call(client, "DELETE", f"{PATH}/{video_id(1)}", auth(admin)).status_code == 204


def test_users_are_separate(client, admin, other, archive, clock):
    call(client, "POST", f"{PATH}/{video_id(1)}", auth(admin))
    call(client, "POST", f"{PATH}/{video_id(2)}", auth(other))
    assert history(client, admin) == [video_id(1)]
    assert history(client, other) == [video_id(2)]
    # another user's token changes only that user's state
    assert call(client, "DELETE", f"{PATH}/{video_id(1)}", auth(other)).status_code == 204
    assert call(client, "DELETE", PATH, auth(other)).status_code == 204
    assert history(client, admin) == [video_id(1)]
    assert ta_watched(client, admin, video_id(1))
    assert history(client, other) == []


def test_history_turned_off_in_preferences_is_409(client, admin, archive):
    call(client, "POST", f"{PATH}/{video_id(1)}", auth(admin))
    assert call(client, "POST", "/api/v1/auth/preferences", auth(admin), {"watch_history": False}).status_code == 204
    for method, n in (("POST", 2), ("DELETE", 1)):
        response = call(client, method, f"{PATH}/{video_id(n)}", auth(admin))
        assert response.status_code == 409
        assert response.json_body == {"error": "Watch history is disabled in preferences."}
    assert history(client, admin) == [video_id(1)]
    assert call(client, "DELETE", PATH, auth(admin)).status_code == 204  # clearing is still allowed
    assert history(client, admin) == []
