"""The queue's channels (TubeArchivist v0.5's `/api/download/aggs/?filter=`): the channels with the most items of
one status, as v0.5's terms aggregation buckets. One Query of the channels' queue counters on their status's board
(functions.storage.counters.queue_board), ranked here, and one batch read of the first BUCKETS' names; nothing is
scanned."""

from functions.core.errors import BadRequest
from functions.services.auth.viewer import Viewer
from functions.services.downloads import items
from functions.storage import counters
from functions.storage.models import Channel, Counter

BUCKETS = 30  # as many channels as TubeArchivist's aggregation returns


def channel_buckets(viewer: Viewer, status: str | None) -> dict:
    """`buckets` of (channel name, channel id) with their item counts, most first; the rest summed."""
    if status not in items.STATUSES:
        raise BadRequest(f"filter is required: {' or '.join(items.STATUSES)}")
    ranked = [
        (counters.parse_channel_queue(counter.name), int(counter.count), counter.name)
        for counter in Counter.by_board.query(counters.queue_board(status))
        if counter.count and int(counter.count) > 0
    ]
    ranked.sort(key=lambda row: (-row[1], row[0]))
    shown = ranked[:BUCKETS]
    channels, labelled = viewer.fetch((Channel, [row[0] for row in shown]), (Counter, [row[2] for row in shown]))

    def name_of(channel_id: str, counter_name: str) -> str:
        if counter_name in labelled and labelled[counter_name].label:
            return labelled[counter_name].label  # the name the queued items carry, as v0.5 aggregates
        return channels[channel_id].channel_name if channel_id in channels else channel_id

    buckets = []
    for channel_id, count, counter_name in shown:
        name = name_of(channel_id, counter_name)
        buckets.append({"key": [name, channel_id], "key_as_string": f"{name}|{channel_id}", "doc_count": count})
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": sum(count for _, count, _ in ranked[BUCKETS:]),
        "buckets": buckets,
    }
