"""TubeArchivist's custom playlists (v0.5's `/api/playlist/custom/`): playlists made in the archive from archived
videos, kept like YouTube's (a Playlist item of type custom with its entries), and the removal of any playlist.

A change reads the entries in order (one Query on the position index), applies the action and writes the listing
back with playlists.save_entries, which keeps the entries, their archived marks and counters consistent."""

import uuid
from contextlib import suppress

from pynamodb.exceptions import DoesNotExist

from functions.core.dates import today
from functions.core.errors import BadRequest, NotFound
from functions.services import search
from functions.services.archive import playlists, videos
from functions.services.archive.render import CUSTOM
from functions.storage import counters, db, s3, tallied
from functions.storage.models import Channel, Playlist, PlaylistEntry, Video

MOVES = ("up", "down", "top", "bottom")
ACTIONS = ("create", "remove", *MOVES)


def create(name: str) -> Playlist:
    """A new, empty custom playlist named `name`."""
    if not name.strip():
        raise BadRequest("playlist_name must not be empty")
    playlist = Playlist(
        f"TA_playlist_{uuid.uuid4()}",
        playlist_name=name.strip(),
        playlist_type=CUSTOM,
        playlist_subscribed=False,
        playlist_last_refresh=today(),
    )
    playlists.save(playlist, [])
    return playlist


def change(playlist_id: str, action: str, youtube_id: str) -> Playlist:
    """Add (`create`) an archived video, `remove` one, or move one `up`, `down`, to the `top` or `bottom`."""
    playlist = playlists.get(playlist_id)
    if playlist.playlist_type != CUSTOM:
        raise BadRequest(f"playlist with ID {playlist_id} is not custom")
    rows = [
        {"youtube_id": entry.youtube_id, "title": entry.title, "uploader": entry.uploader}
        for entry in playlists.entries(playlist_id)
    ]
    ids = [row["youtube_id"] for row in rows]
    if action == "create":
        if youtube_id in ids:
            return playlist
        rows.append(_row_of(youtube_id))
    elif youtube_id not in ids:
        raise NotFound(f"video {youtube_id} is not in playlist {playlist_id}")
    elif action == "remove":
        rows.pop(ids.index(youtube_id))
        _forget_playlist(youtube_id, playlist_id)
    else:
        rows = _moved(rows, ids.index(youtube_id), action)
    playlists.save_entries(playlist_id, rows)
    return playlist


def _row_of(youtube_id: str) -> dict:
    try:
        video = videos.get(youtube_id)
    except NotFound:
        raise BadRequest(f"failed to add video {youtube_id} to playlist: it is not archived") from None
    try:
        uploader = Channel.get(video.channel_id).channel_name
    except DoesNotExist:
        uploader = ""
    return {"youtube_id": youtube_id, "title": video.title, "uploader": uploader}


def _moved(rows: list[dict], at: int, action: str) -> list[dict]:
    row = rows.pop(at)
    target = {"up": max(at - 1, 0), "down": min(at + 1, len(rows)), "top": 0, "bottom": len(rows)}[action]
    rows.insert(target, row)
    return rows


def _forget_playlist(youtube_id: str, playlist_id: str) -> None:
    """Take the playlist off the video's list of playlists (its entry goes with save_entries)."""
    with suppress(DoesNotExist):
        video = Video.get(youtube_id)
        listed = list(video.playlist or [])
        if playlist_id in listed:
            db.update_existing(video, [Video.playlist[listed.index(playlist_id)].remove()])


def delete(playlist_id: str, delete_videos: bool = False) -> None:
    """Remove a playlist, its entries and art; with `delete_videos`, its archived videos (and their files) too.
    404 when there is none."""
    playlist = playlists.get(playlist_id)
    for entry in playlists.entries(playlist_id):
        if entry.downloaded:
            if delete_videos:
                with suppress(NotFound):  # removed meanwhile
                    videos.delete(entry.youtube_id)
            else:
                videos.unmark_entry(playlist_id, entry.youtube_id)
                _forget_playlist(entry.youtube_id, playlist_id)
        PlaylistEntry(playlist_id, entry.youtube_id).delete()
    if not tallied.delete_tallied(playlist, counters.playlist_totals, counters.PLAYLIST_TALLIED):
        raise playlists.not_found(playlist_id)
    search.remove_playlist(playlist)
    s3.delete_objects([s3.playlist_thumb_key(playlist_id)])
