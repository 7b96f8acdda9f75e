"""TubeArchivist's own v0.5 web frontend, its calls replayed over a v0.5 login session (its APIClient sends the
`sessionid` and `csrftoken` cookies and `X-CSRFToken`), with the fields its pages read. Written from running
v0.5.10's frontend against `make demo` and from its source (frontend/src/api/, pages/, components/)."""

from functions.core.dates import today
from functions.core.settings import TA_API_VERSION, TA_V05_API_VERSION
from tests.api.calls import send
from tests.api.test_user_login import SAME_ORIGIN, login
from tests.factories import make_channel, make_playlist, make_video, playlist_id, video_id


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


def test_switch_sort_order_reads_the_playlist_from_its_bottom(client, admin):
    """Playlist's "Switch sort order" posts `{"playlist_sort_order": "top"|"bottom"}` and reads the answer's
    `playlist_sort_order`; the page then lists `/api/video/?playlist=` in the entries' order."""
    make_channel(1)
    for n in (1, 2, 3):
        make_video(n)
    make_playlist(1, [1, 2, 3])
    headers, path = session(client), f"/api/playlist/{playlist_id(1)}/"
    assert send(client, "GET", path, headers=headers).json_body["playlist_sort_order"] == "top"
    answer = send(client, "POST", path, body={"playlist_sort_order": "bottom"}, headers=headers)
    assert answer.status_code == 200 and answer.json_body["playlist_sort_order"] == "bottom"
    entries = answer.json_body["playlist_entries"]
    assert [(e["youtube_id"], e["idx"]) for e in entries] == [(video_id(3), 0), (video_id(2), 1), (video_id(1), 2)]
    listed = send(client, "GET", f"/api/video/?playlist={playlist_id(1)}", headers=headers).json_body["data"]
    assert [v["youtube_id"] for v in listed] == [video_id(3), video_id(2), video_id(1)]
    again = send(client, "POST", path, body={"playlist_sort_order": "top"}, headers=headers).json_body
    assert [e["youtube_id"] for e in again["playlist_entries"]] == [video_id(1), video_id(2), video_id(3)]
    assert "playlist_sort_order" not in send(client, "GET", path, admin).json_body["data"]  # v0.4 has no such field
    nothing = send(client, "POST", path, body={}, headers=headers)
    assert (nothing.status_code, nothing.json_body) == (
        400,
        {"error": "expect playlist_subscribed or playlist_sort_order"},
    )
    custom = send(client, "POST", "/api/playlist/custom/", body={"playlist_name": "Mine"}, headers=headers).json_body
    refused = send(
        client,
        "POST",
        f"/api/playlist/{custom['playlist_id']}/",
        body={"playlist_sort_order": "bottom"},
        headers=headers,
    )
    assert refused.status_code == 400
