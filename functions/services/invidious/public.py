"""The public Invidious API over the archive: videos, YouTube playlists and the instance's stats. Archived items
come from the tables; a video the archive does not hold is read through the lookup function (yt-dlp), else 404
`{"error"}`. Channels are in functions.services.invidious.channels, search and the home lists in `discovery`,
comments, captions and thumbnails in `video_extras`.
"""

from functions.core.dates import now
from functions.core.errors import NotFound
from functions.core.ids import is_playlist_id, is_video_id
from functions.core.settings import VERSION
from functions.schemas import invidious as wire
from functions.services.auth import activity
from functions.services.invidious import catalog, objects
from functions.services.invidious.discovery import POPULAR_POOL
from functions.services.search import backend
from functions.storage import counters, db
from functions.storage.models import Channel, Counter, Playlist, Video

SIMILAR = 12


def video(youtube_id: str) -> wire.Video:
    if not is_video_id(youtube_id):
        raise NotFound(catalog.NO_VIDEO)
    (found,) = db.batch_get((Video, [youtube_id]))
    if youtube_id not in found:
        info = catalog.looked_up("video_summary", catalog.NO_VIDEO, youtube_id=youtube_id)["video"]
        return objects.looked_up_video(youtube_id, info)
    item = found[youtube_id]
    similar = [hit.item for hit in backend().similar(item, db.batch_get, SIMILAR)]
    (channels,) = db.batch_get((Channel, sorted({item.channel_id} | {v.channel_id for v in similar})))
    names = {cid: c.channel_name for cid, c in channels.items()}
    pairs = [(v, names.get(v.channel_id, v.channel_id)) for v in similar]
    return objects.video_detail(item, channels.get(item.channel_id), pairs)


def playlist(playlist_id: str, number: int) -> dict:
    """An archived YouTube playlist with one page (from 1) of 100 of its videos."""
    item = catalog.archived(Playlist, playlist_id, is_playlist_id(playlist_id), catalog.NO_PLAYLIST)
    rows, _ = catalog.playlist_rows([item])
    listing = rows[playlist_id]
    offset = (number - 1) * 100
    (archived,) = db.batch_get((Video, [r["youtube_id"] for r in listing[offset : offset + 100]]))
    lengths = {i: int(v.duration or 0) for i, v in archived.items()}
    return objects.playlist(item, listing, offset, lengths)


def stats() -> dict:
    """/api/v1/stats: what instance checks read. Users are active by the day they last sent an Invidious credential;
    `lastChannelRefreshedAt` is the latest download among the newest videos (no index orders downloads)."""
    (counts,) = db.batch_get((Counter, [counters.USER_IDS]))
    users = int(counts[counters.USER_IDS].count) if counters.USER_IDS in counts else 0
    active = {"activeHalfyear": activity.active_users(activity.HALF_YEAR_DAYS)}
    active["activeMonth"] = activity.active_users(activity.MONTH_DAYS)
    updated = max((int(v.date_downloaded) for v in catalog.newest(POPULAR_POOL)), default=0)
    return {
        "version": "2.0",
        "software": {"name": "invidious", "version": VERSION.lstrip("v") + "-ytarchive", "branch": "ytarchive"},
        "openRegistrations": False,
        "usage": {"users": {"total": users, **active}},
        "metadata": {"updatedAt": now(), "lastChannelRefreshedAt": updated},
    }
