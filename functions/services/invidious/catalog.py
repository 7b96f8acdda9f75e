"""Reading the archive for the public Invidious API: archived items by key (404 `{"error"}` when unknown), their
authors' names, what the lookup function reads of items the archive does not hold, playlists' listings, the
newest videos."""

from functions.core.errors import DomainError, NotFound
from functions.core.ids import is_channel_id, is_video_id
from functions.services.archive import playlists as archive_playlists
from functions.services.invidious import objects
from functions.storage import counters, db, lookup, pages
from functions.storage.models import ALL_VIDEOS, Channel, Counter, Video

NO_VIDEO = "This video is not available"
NO_CHANNEL = "This channel does not exist."
NO_PLAYLIST = "Playlist does not exist."


def authors(channel_ids) -> dict[str, str]:
    (found,) = db.batch_get((Channel, sorted(set(channel_ids))))
    return {cid: found[cid].channel_name if cid in found else cid for cid in channel_ids}


def items(videos: list) -> list[dict]:
    names = authors([v.channel_id for v in videos])
    return [objects.video_item(v, names[v.channel_id]) for v in videos]


def looked_up(action: str, missing: str, **payload) -> dict:
    """The lookup function's answer; 404 `{"error"}` when yt-dlp cannot read it (unknown, private, offline)."""
    try:
        return lookup.call(action, **payload)
    except DomainError as error:
        raise NotFound(f"{missing} ({error.message})") from None


def archived(model, key: str, valid: bool, missing: str):
    """The archive's item of `model` with that key; 404 `{"error": missing}` when the key is malformed or unknown."""
    (found,) = db.batch_get((model, [key] if valid else []))
    if key not in found:
        raise NotFound(missing)
    return found[key]


def archived_channel(ucid: str) -> Channel:
    return archived(Channel, ucid, is_channel_id(ucid), NO_CHANNEL)


def archived_video(youtube_id: str) -> Video:
    return archived(Video, youtube_id, is_video_id(youtube_id), NO_VIDEO)


def playlist_rows(items: list) -> tuple[dict[str, list[dict]], dict[str, int]]:
    names = [counters.playlist_videos(p.playlist_id) for p in items]
    (found,) = db.batch_get((Counter, names))
    rows = archive_playlists.entry_rows(items, found)
    return rows, {p.playlist_id: len(rows[p.playlist_id]) for p in items}


def newest(size: int) -> list:
    """The archive's `size` newest videos by publication."""
    ids = [key.youtube_id for key in pages.query_page(Video.by_published, ALL_VIDEOS, 0, size)]
    (found,) = db.batch_get((Video, ids))
    return [found[i] for i in ids if i in found]
