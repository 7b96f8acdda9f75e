"""TubeArchivist's own v0.5 web frontend, its calls replayed over a v0.5 login session (its APIClient sends the
`sessionid` and `csrftoken` cookies and `X-CSRFToken`), with the fields its pages read. Written from running
v0.5.10's frontend against `make demo` and from its source (frontend/src/api/, pages/, components/)."""

from functions.core.dates import today
from functions.core.settings import TA_API_VERSION, TA_V05_API_VERSION
from functions.storage.models import QueueItem
from tests.api.calls import send
from tests.api.test_user_login import SAME_ORIGIN, login
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id


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


def test_subscribe_button_posts_channel_subscribed(client, admin):
    """Channels, ChannelAbout and Video's Subscribe/Unsubscribe buttons post `{"channel_subscribed": bool}` to
    `/api/channel/<id>/` (updateChannelSubscription); the channel list then shows `channel_subscribed`."""
    make_channel(1)
    headers, path = session(client), f"/api/channel/{channel_id(1)}/"
    answer = send(client, "POST", path, body={"channel_subscribed": True}, headers=headers)
    assert answer.status_code == 200 and answer.json_body["channel_subscribed"] is True
    listed = send(client, "GET", "/api/channel/", headers=headers).json_body["data"]
    assert [c["channel_subscribed"] for c in listed] == [True]
    both = {"channel_subscribed": False, "channel_overwrites": {"download_format": "worst"}}
    changed = send(client, "POST", path, body=both, headers=headers).json_body
    assert changed["channel_subscribed"] is False and changed["channel_overwrites"] == {"download_format": "worst"}
    nothing = send(client, "POST", path, body={}, headers=headers)
    assert (nothing.status_code, nothing.json_body) == (
        400,
        {"error": "expect channel_subscribed or channel_overwrites"},
    )
    missing = send(client, "POST", f"/api/channel/{channel_id(9)}/", body={"channel_subscribed": True}, headers=headers)
    assert missing.status_code == 404
    assert send(client, "GET", f"/api/channel/{channel_id(9)}/", headers=headers).status_code == 404  # not recorded


def test_download_queue_ignore_and_delete(client, admin):
    """Download's buttons: ignore and back (`{"status"}` to `/api/download/<id>/`), delete one, clear by filter;
    TubeArchivist v0.5 answers both deletions with an empty 204 (a v0.4 token keeps its JSON)."""
    from functions.services.downloads import intake

    intake.add_entries([{"youtube_id": video_id(1)}, {"youtube_id": video_id(2)}])
    headers = session(client)
    ignored = send(client, "POST", f"/api/download/{video_id(1)}/", body={"status": "ignore"}, headers=headers)
    assert ignored.status_code == 200 and ignored.json_body == {"youtube_id": video_id(1), "status": "ignore"}
    listed = send(client, "GET", "/api/download/?filter=ignore", headers=headers).json_body
    assert [item["youtube_id"] for item in listed["data"]] == [video_id(1)] and listed["paginate"]["total_hits"] == 1
    deleted = send(client, "DELETE", f"/api/download/{video_id(2)}/", headers=headers)
    assert (deleted.status_code, deleted.body) == (204, b"")
    cleared = send(client, "DELETE", "/api/download/?filter=ignore", headers=headers)
    assert (cleared.status_code, cleared.body) == (204, b"")
    assert send(client, "GET", "/api/download/", headers=headers).json_body["data"] == []
    intake.add_entries([{"youtube_id": video_id(3)}])
    old = send(client, "DELETE", f"/api/download/{video_id(3)}/", admin)
    assert old.status_code == 200 and old.json_body == {"success": True, "youtube_id": video_id(3)}


def test_a_custom_playlists_moves_show_in_its_video_list(client, admin):
    """Playlist lists `/api/video/?playlist=<id>` (TubeArchivist sorts it by the entries' idx, whatever the
    publish dates); MoveVideoMenu posts `{"action": "top"|"up"|"down"|"bottom"|"remove", "video_id"}` to
    `/api/playlist/custom/<id>/` and reloads that list: the moves show there."""
    make_channel(1)
    for n in (1, 2, 3):
        make_video(n)
    headers = session(client)
    created = send(client, "POST", "/api/playlist/custom/", body={"playlist_name": "Evening"}, headers=headers)
    path = f"/api/playlist/custom/{created.json_body['playlist_id']}/"
    listing = f"/api/video/?playlist={created.json_body['playlist_id']}"

    def listed() -> list[str]:
        answer = send(client, "GET", listing, headers=headers).json_body
        assert answer["paginate"]["total_hits"] == len(answer["data"])
        return [video["youtube_id"] for video in answer["data"]]

    for n in (1, 2, 3):
        send(client, "POST", path, body={"action": "create", "video_id": video_id(n)}, headers=headers)
    assert listed() == [video_id(1), video_id(2), video_id(3)]  # the order added, not the newest first
    moves = [("top", 3, [3, 1, 2]), ("down", 3, [1, 3, 2]), ("bottom", 1, [3, 2, 1]), ("up", 1, [3, 1, 2])]
    for action, moved, expected in moves:
        answer = send(client, "POST", path, body={"action": action, "video_id": video_id(moved)}, headers=headers)
        assert answer.status_code == 200
        assert [e["youtube_id"] for e in answer.json_body["playlist_entries"]] == [video_id(n) for n in expected]
        assert listed() == [video_id(n) for n in expected], action
    send(client, "POST", path, body={"action": "remove", "video_id": video_id(1)}, headers=headers)
    assert listed() == [video_id(3), video_id(2)]


def test_a_queued_video_not_described_yet_has_no_thumbnail_link(client, admin):
    """Download's VideoThumbnail shows its default image when `vid_thumb_url` is undefined; a link to a
    thumbnail not stored (the item yt-dlp has not described, or could not: its `message`) was a 404 in the
    console. A described item links its thumbnail; a v0.4 token keeps the link on every item."""
    from functions.services.downloads import intake

    intake.add_entries([{"youtube_id": video_id(1)}, {"youtube_id": video_id(2), "title": "Video 2"}])
    headers = session(client)
    listed = send(client, "GET", "/api/download/?filter=pending", headers=headers).json_body["data"]
    thumbs = {item["youtube_id"]: item.get("vid_thumb_url") for item in listed}
    assert thumbs == {video_id(1): None, video_id(2): f"/cache/videos/{video_id(2)[0]}/{video_id(2)}.jpg"}
    assert "vid_thumb_url" not in send(client, "GET", f"/api/download/{video_id(1)}/", headers=headers).json_body
    old = send(client, "GET", "/api/download/?filter=pending", admin).json_body["data"]
    assert [item["vid_thumb_url"] for item in old] == [
        f"/cache/videos/{i[0]}/{i}.jpg" for i in (video_id(1), video_id(2))
    ]


def test_one_row_may_name_several_videos(client, admin, aws):
    """Filterbar's "Redownload" posts the selected ids in one row, `ids.join(' ')`, and Download's form sends a
    line as it is: TubeArchivist splits every row's `youtube_id` on whitespace."""
    headers = session(client)
    row = {
        "youtube_id": f"{video_id(1)} https://www.youtube.com/watch?v={video_id(2)}\t{video_id(3)}",
        "status": "pending",
    }
    answer = send(client, "POST", "/api/download/", body={"data": [row]}, headers=headers)
    assert answer.status_code == 200 and answer.json_body["added"] == [video_id(1), video_id(2), video_id(3)]
    listed = send(client, "GET", "/api/download/?filter=pending", headers=headers).json_body
    assert listed["paginate"]["total_hits"] == 3
    bad = {"youtube_id": f"{video_id(4)} https://example.com/clip", "status": "pending"}
    refused = send(client, "POST", "/api/download/", body={"data": [bad]}, headers=headers)
    assert refused.status_code == 400 and QueueItem.count(video_id(4)) == 0


def test_filterbar_reindexes_the_selected_videos(client, admin, aws):
    """Filterbar's "Reindex" (new after v0.5.10) posts the selected ids as one list, `{"video": ids}`, to
    `/api/refresh/`, as the video and channel pages post one id in a list."""
    make_channel(1)
    for n in (1, 2):
        make_video(n)
    headers = session(client)
    body = {"video": [video_id(1), video_id(2)]}
    answer = send(client, "POST", "/api/refresh/", body=body, headers=headers)
    assert answer.status_code == 200 and answer.json_body["videos"] == [video_id(1), video_id(2)]
    queued = send(client, "GET", "/api/refresh/?type=video", headers=headers).json_body
    assert queued["total_queued"] == 2


def test_delete_and_ignore_queues_the_deleted_video_as_ignored(client, admin, aws):
    """Video's "Delete and Ignore" deletes the video, then posts `{"status": "ignore-force"}` to
    `/api/download/<id>/` for a video not in the queue: it is queued as ignored (described later by the
    download function), so a rescan never brings it back; one already queued is set to ignore."""
    from functions.services.downloads import intake
    from tests.api.test_download import messages

    make_channel(1)
    make_video(1)
    headers = session(client)
    assert send(client, "DELETE", f"/api/video/{video_id(1)}/", headers=headers).status_code == 204
    messages(aws)  # the deletion's own
    path = f"/api/download/{video_id(1)}/"
    answer = send(client, "POST", path, body={"status": "ignore-force"}, headers=headers)
    assert answer.status_code == 200 and answer.json_body == {"youtube_id": video_id(1), "status": "ignore-force"}
    item = send(client, "GET", path, headers=headers).json_body
    assert (item["youtube_id"], item["status"]) == (video_id(1), "ignore")
    ignored = send(client, "GET", "/api/download/?filter=ignore", headers=headers).json_body
    assert [i["youtube_id"] for i in ignored["data"]] == [video_id(1)] and ignored["paginate"]["total_hits"] == 1
    assert send(client, "GET", "/api/download/?filter=pending", headers=headers).json_body["data"] == []
    assert messages(aws) == [{"action": "expand", "targets": [], "describe": [video_id(1)], "auto_start": False}]
    intake.add_entries([{"youtube_id": video_id(2)}])
    again = send(client, "POST", f"/api/download/{video_id(2)}/", body={"status": "ignore-force"}, headers=headers)
    assert again.status_code == 200 and intake.items.get(video_id(2)).status == "ignore"
    make_video(3)
    archived = send(client, "POST", f"/api/download/{video_id(3)}/", body={"status": "ignore-force"}, headers=headers)
    assert archived.status_code == 404 and QueueItem.count(video_id(3)) == 0
    bad = send(client, "POST", "/api/download/not-an-id/", body={"status": "ignore-force"}, headers=headers)
    assert bad.status_code == 400


ACCOUNT_FIELDS = {"id", "name", "is_superuser", "is_staff", "groups", "user_permissions", "last_login"}
USER_CONFIG_FIELDS = {
    "stylesheet",
    "page_size",
    "sort_by",
    "sort_order",
    "view_style_home",
    "view_style_channel",
    "view_style_downloads",
    "view_style_playlist",
    "vid_type_filter",
    "grid_items",
    "hide_watched",
    "hide_watched_channel",
    "hide_watched_playlist",
    "file_size_unit",
    "show_ignored_only",
    "show_subed_only",
    "show_subed_only_playlists",
    "show_help_text",
}


def test_base_loader_after_sign_in(client, admin):
    """main.tsx's Base loader reads ping, user/me (UserConfigType), user/account (UserAccountType) and
    appsettings/config after the login's 204; a 403 on any sends the browser back to the login page."""
    headers = session(client)
    answers = {
        path: send(client, "GET", path, headers=headers)
        for path in ("/api/ping/", "/api/user/me/", "/api/user/account/", "/api/appsettings/config/")
    }
    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(answers, 200)
    assert set(answers["/api/user/me/"].json_body) >= USER_CONFIG_FIELDS
    account = answers["/api/user/account/"].json_body
    assert set(account) >= ACCOUNT_FIELDS and account["name"] == "admin" and account["is_superuser"] is True
    assert isinstance(account["last_login"], str)  # the login just now
    config = answers["/api/appsettings/config/"].json_body
    assert {"subscriptions", "downloads", "application"} <= set(config)
    changed = send(client, "POST", "/api/user/me/", body={"page_size": 24}, headers=headers).json_body
    assert changed["page_size"] == 24


def test_marking_a_channel_or_playlist_watched_clears_its_id_first(client, admin):
    """updateWatchedState deletes `/api/video/<id>/progress/` before posting `/api/watched/`, with whatever id
    it marks: the channel page's and the playlist page's "Mark as watched" send the channel's or the playlist's
    id, which TubeArchivist answers with a 204 (walked: they were 404s, a console error on each). A v0.4 token
    still gets its 404 for what is no video."""
    make_channel(1)
    make_video(1)
    make_playlist(1, [1])
    headers = session(client)
    for item in (channel_id(1), playlist_id(1)):
        cleared = send(client, "DELETE", f"/api/video/{item}/progress/", headers=headers)
        assert (cleared.status_code, cleared.body) == (204, b"")
        marked = send(client, "POST", "/api/watched/", body={"id": item, "is_watched": True}, headers=headers)
        assert marked.status_code == 200
    watched = send(client, "GET", f"/api/video/{video_id(1)}/", headers=headers).json_body["player"]["watched"]
    assert watched is True
    assert send(client, "DELETE", f"/api/video/{channel_id(1)}/progress/", admin).status_code == 404
