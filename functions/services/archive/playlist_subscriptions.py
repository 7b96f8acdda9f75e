"""Subscribing to an archived YouTube playlist (v0.5's `POST /api/playlist/<id>/`): the rescan then queues its new
entries (functions.services.rescan reads the subscription index). The subscription counters move with the write.
Its sort order: which end of YouTube's list comes first, in its entries now and at each refresh."""

from functions.core.errors import BadRequest, NotFound
from functions.services import task_runs
from functions.services.archive import playlists
from functions.services.archive.custom_playlists import CUSTOM
from functions.services.archive.render import TOP, playlist_entry
from functions.storage import aws
from functions.storage.models import Playlist
from functions.youtube import urls

SUBSCRIBE = "subscribe"  # the action of the refresh function's messages that archive playlists subscribed


def youtube_playlist(playlist_id: str) -> Playlist:
    """404 for a playlist the archive does not hold, 400 for a custom one (no YouTube list to follow)."""
    playlist = playlists.get(playlist_id)
    if playlist.playlist_type == CUSTOM:
        raise BadRequest(f"playlist with ID {playlist_id} is custom")
    return playlist


def set_subscribed(playlist_id: str, subscribed: bool) -> Playlist:
    playlist = youtube_playlist(playlist_id)
    if playlist.playlist_subscribed != subscribed:
        playlist.playlist_subscribed = subscribed
        playlists.store(playlist)
    return playlist


def subscribe_many(ids_or_urls: list[str]) -> tuple[list[Playlist], str | None]:
    """v0.5's bulk subscribe: every playlist named (id or URL) is checked before any is subscribed. Those the
    archive holds are subscribed now; the others are archived and subscribed by a task, as v0.5's `subscribe_to`
    (functions.jobs.refresh: its page, entries and thumbnail read, its videos left to the rescan). The playlists
    subscribed now, and the id of the task's run (None when every playlist was archived already)."""
    wanted = []
    for text in ids_or_urls:
        target = urls.parse_target(text)
        if target.kind != urls.PLAYLIST or not target.youtube_id:
            raise BadRequest(f"not a playlist: {text[:80]!r}")
        wanted.append(target.youtube_id)
    if not wanted:
        raise BadRequest("nothing to subscribe")
    archived, unknown = [], []
    for playlist_id in dict.fromkeys(wanted):
        try:
            archived.append(youtube_playlist(playlist_id).playlist_id)
        except NotFound:
            unknown.append(playlist_id)
    task_id = None
    if unknown:
        (task_id,) = task_runs.queue(task_runs.SUBSCRIBE_TO)
        aws.send(aws.REFRESH, [{"action": SUBSCRIBE, "playlists": unknown, "task_id": task_id}])
    return [set_subscribed(playlist_id, True) for playlist_id in archived], task_id


def set_sort_order(playlist_id: str, sort_order: str) -> Playlist:
    """ "top" (YouTube's order) or "bottom" (reversed): a change reverses the stored entries at once, as reading the
    list from its other end gives them, and each refresh stores them in that order (playlists.in_sort_order)."""
    playlist = youtube_playlist(playlist_id)
    if (playlist.playlist_sort_order or TOP) != sort_order:
        rows = [playlist_entry(entry) for entry in playlists.entries(playlist_id)]
        playlist.playlist_sort_order = sort_order
        playlists.store(playlist)
        playlists.save_entries(playlist_id, rows[::-1])
    return playlist
