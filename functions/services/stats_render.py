"""The statistics in TubeArchivist v0.4.13's shapes (/api/stats/*): every bucket is present, zeros included,
where TubeArchivist leaves out a bucket with no items (its clients read missing keys as 0)."""

from functions.core.dates import span_str
from functions.services import stats
from functions.storage.counters import Totals


def _sums(totals: Totals) -> dict:
    return {
        "doc_count": totals.count,
        "media_size": totals.size,
        "duration": totals.duration,
        "duration_str": span_str(totals.duration),
    }


def videos(found: stats.VideoStats) -> dict:
    body = _sums(found.total)
    body.update({f"type_{vid_type}": _sums(totals) for vid_type, totals in found.by_type.items()})
    body["active_true"] = _sums(found.active)
    body["active_false"] = _sums(found.inactive)
    return body


def items(found: stats.ItemStats) -> dict:
    return {
        "doc_count": found.total,
        "active_true": found.active,
        "active_false": found.inactive,
        "subscribed_true": found.subscribed,
        "subscribed_false": found.unsubscribed,
    }


def queue(found: stats.QueueStats) -> dict:
    body = {"pending": found.pending, "ignore": found.ignore}
    body.update({f"pending_{vid_type}": count for vid_type, count in found.pending_by_type.items()})
    return body


def _share(totals: Totals, total: Totals) -> dict:
    return {
        "duration": totals.duration,
        "duration_str": span_str(totals.duration),
        "progress": totals.duration / total.duration if total.duration else 0,
        "items": totals.count,
    }


def watch(found: stats.WatchStats) -> dict:
    total = {"duration": found.total.duration, "duration_str": span_str(found.total.duration)}
    return {
        "total": {**total, "items": found.total.count},
        "unwatched": _share(found.unwatched, found.total),
        "watched": _share(found.watched, found.total),
    }


def download_history(days: list[tuple[str, Totals]]) -> list[dict]:
    return [{"date": day, "count": totals.count, "media_size": totals.size} for day, totals in days]


def biggest_channels(ranked: list[stats.ChannelSize]) -> list[dict]:
    return [
        {
            "id": channel.channel_id,
            "name": channel.name,
            "doc_count": channel.totals.count,
            "duration": channel.totals.duration,
            "duration_str": span_str(channel.totals.duration),
            "media_size": channel.totals.size,
        }
        for channel in ranked
    ]
