"""TubeArchivist's own v0.5 web frontend, its calls replayed over a v0.5 login session (its APIClient sends the
`sessionid` and `csrftoken` cookies and `X-CSRFToken`), with the fields its pages read. Written from running
v0.5.10's frontend against `make demo` and from its source (frontend/src/api/, pages/, components/)."""

from functions.core.dates import today
from functions.core.settings import TA_API_VERSION, TA_V05_API_VERSION
from tests.api.calls import send
from tests.api.test_user_login import SAME_ORIGIN, login


def session(client) -> dict:
    """The headers of every call the frontend makes after signing in as the admin."""
    headers, csrf = login(client)
    return {**headers, **SAME_ORIGIN, "X-CSRFToken": csrf}


def test_ping_names_the_v05_release(client, admin):
    """Base's loader and the login page poll /api/ping/ (`response === 'pong'`); the footer shows `version`."""
    answer = send(client, "GET", "/api/ping/", headers=session(client))
    pong = answer.json_body
    assert answer.status_code == 200
    assert pong["response"] == "pong" and isinstance(pong["user"], int)
    assert pong["version"] == TA_V05_API_VERSION
    assert send(client, "GET", "/api/ping/", admin).json_body["version"] == TA_API_VERSION  # a v0.4 token: unchanged


def test_a_new_custom_playlist_was_refreshed_today(client, admin):
    """Playlists and Playlist show `Last refreshed: formatDate(playlist_last_refresh)`: a date, never false
    (1/1/1970), as TubeArchivist stamps a custom playlist when it creates it."""
    headers = session(client)
    created = send(client, "POST", "/api/playlist/custom/", body={"playlist_name": "Evening"}, headers=headers)
    assert created.status_code == 200 and created.json_body["playlist_last_refresh"] == today()
    listed = send(client, "GET", "/api/playlist/?type=custom", headers=headers).json_body["data"]
    assert [p["playlist_last_refresh"] for p in listed] == [today()]
