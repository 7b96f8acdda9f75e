"""The archive's statistics, read from counters (functions.storage.counters): each answer is one batch read of
counters, or one Query on a ranking of counters plus one batch read. The readers return `Totals` and plain
values, no wire shapes: functions.services.stats_render gives TubeArchivist v0.4's, and an API of another
version renders the same readings its own way.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from functions.core.errors import BadRequest
from functions.services.auth.viewer import Viewer
from functions.storage import counters
from functions.storage.counters import Totals
from functions.storage.models import Channel, Counter

VID_TYPES = counters.VID_TYPES
HISTORY_DAYS = 8  # today and the seven days before, as TubeArchivist's "now-7d/d"
BIGGEST = 10  # channels in the ranking, as many as TubeArchivist's aggregation returns
RANKINGS = {"doc_count": Counter.by_count, "duration": Counter.by_duration, "media_size": Counter.by_size}


def _read(viewer: Viewer, names: list[str]) -> dict[str, Totals]:
    (found,) = viewer.fetch((Counter, names))
    return {name: totals_of(found.get(name)) for name in names}


def totals_of(counter: Counter | None) -> Totals:
    if counter is None:
        return Totals(0)
    return Totals(int(counter.count or 0), int(counter.size or 0), int(counter.duration or 0))


def minus(a: Totals, b: Totals) -> Totals:
    return Totals(*(max(0, x - y) for x, y in zip(a, b, strict=True)))


@dataclass
class VideoStats:
    total: Totals
    by_type: dict[str, Totals]
    active: Totals
    inactive: Totals


def videos(viewer: Viewer) -> VideoStats:
    names = [counters.VIDEOS, counters.INACTIVE_VIDEOS, *(counters.videos_of_type(t) for t in VID_TYPES)]
    read = _read(viewer, names)
    total, inactive = read[counters.VIDEOS], read[counters.INACTIVE_VIDEOS]
    by_type = {t: read[counters.videos_of_type(t)] for t in VID_TYPES}
    return VideoStats(total, by_type, minus(total, inactive), inactive)


@dataclass
class ItemStats:
    """Channels or playlists: how many, how many active, subscribed."""

    total: int
    active: int
    inactive: int
    subscribed: int
    unsubscribed: int


def _items(viewer: Viewer, kind: str, inactive_name: str) -> ItemStats:
    total_name, subscribed_name, unsubscribed_name = counters.subscription_totals(kind)
    read = _read(viewer, [total_name, subscribed_name, unsubscribed_name, inactive_name])
    total, inactive = read[total_name].count, read[inactive_name].count
    return ItemStats(
        total, max(0, total - inactive), inactive, read[subscribed_name].count, read[unsubscribed_name].count
    )


def channels(viewer: Viewer) -> ItemStats:
    return _items(viewer, counters.CHANNELS, counters.INACTIVE_CHANNELS)


def playlists(viewer: Viewer) -> ItemStats:
    return _items(viewer, counters.PLAYLISTS, counters.INACTIVE_PLAYLISTS)


@dataclass
class QueueStats:
    pending: int
    ignore: int
    pending_by_type: dict[str, int]


def queue(viewer: Viewer) -> QueueStats:
    typed = {t: counters.queue_of_type("pending", t) for t in VID_TYPES}
    read = _read(viewer, [counters.queue("pending"), counters.queue("ignore"), *typed.values()])
    return QueueStats(
        read[counters.queue("pending")].count,
        read[counters.queue("ignore")].count,
        {t: read[name].count for t, name in typed.items()},
    )


@dataclass
class WatchStats:
    """The viewer's own watched state (each user has one here; TubeArchivist v0.4 has one for all)."""

    total: Totals
    watched: Totals
    unwatched: Totals


def watch(viewer: Viewer) -> WatchStats:
    mine = counters.watched_by(viewer.user_id)
    read = _read(viewer, [counters.VIDEOS, mine])
    total, watched = read[counters.VIDEOS], read[mine]
    watched = Totals(min(watched.count, total.count), 0, min(watched.duration, total.duration))
    return WatchStats(total, watched, minus(total, watched))


def download_history(viewer: Viewer, now: datetime | None = None) -> list[tuple[str, Totals]]:
    """(day, videos downloaded that day and still archived) for the last HISTORY_DAYS days with downloads,
    newest first."""
    today = (now or datetime.now(UTC)).date()
    days = [(today - timedelta(days=n)).isoformat() for n in range(HISTORY_DAYS)]
    read = _read(viewer, [counters.downloads_on(day) for day in days])
    return [(day, read[counters.downloads_on(day)]) for day in days if read[counters.downloads_on(day)].count > 0]


@dataclass
class ChannelSize:
    channel_id: str
    name: str
    totals: Totals


def biggest_channels(viewer: Viewer, order: str) -> list[ChannelSize]:
    """The channels with the most videos, seconds or bytes (`order`: doc_count, duration, media_size)."""
    if order not in RANKINGS:
        raise BadRequest(f"invalid order parameter {order[:40]!r}: use {', '.join(RANKINGS)}")
    ranked = [
        counter
        for counter in RANKINGS[order].query(counters.CHANNEL_BOARD, scan_index_forward=False, limit=BIGGEST)
        if counter.count
    ]
    ids = [counters.parse(counter.name)[2] for counter in ranked]
    (found,) = viewer.fetch((Channel, ids))
    return [
        ChannelSize(channel_id, found[channel_id].channel_name if channel_id in found else channel_id, totals_of(c))
        for channel_id, c in zip(ids, ranked, strict=True)
    ]
