"""Invidious' notification stream, replayed: the archived videos of each topic (a channel) published after `since`.

Invidious holds an EventSource open; a function cannot, so the answer is what there is now, then the end.
"""

import json
import time

from functions.core.dates import day_of
from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id
from functions.services.invidious import render
from functions.storage import db
from functions.storage.models import Channel, Video

MAX_TOPICS = 1000
PER_TOPIC = 15
DEBUG_TOPIC = "debug"  # Invidious' test topic: accepted, nothing to replay from an archive


def parse_topics(raw) -> list[str]:
    """Comma-separated channel ids, at most 1000; anything else is 400."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, str):
        raise BadRequest("topics must be comma-separated channel ids")
    topics = list(dict.fromkeys(topic.strip() for topic in raw.split(",") if topic.strip()))
    if len(topics) > MAX_TOPICS:
        raise BadRequest(f"at most {MAX_TOPICS} topics")
    for topic in topics:
        if topic != DEBUG_TOPIC and not is_channel_id(topic):
            raise BadRequest(f"invalid topic: {topic!r}")
    return [topic for topic in topics if topic != DEBUG_TOPIC]


def parse_since(raw) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        since = int(raw)
    except (TypeError, ValueError):
        raise BadRequest("since must be a unix time") from None
    if since < 0:
        raise BadRequest("since must be a unix time")
    return since


def replay(topics: list[str], since: int) -> list[dict]:
    """Up to 15 videos per topic, newest first, published after `since` (dates are days: strictly later days)."""
    after = f"{day_of(since)}#~"  # `~` sorts after every id character, so the whole day of `since` is excluded
    ids, active = [], []
    for channel_id in topics:
        keys = Video.by_channel.query(
            channel_id, Video.published_key > after, scan_index_forward=False, limit=PER_TOPIC, page_size=PER_TOPIC
        )
        found = [key.youtube_id for key in keys]
        if found:
            ids.extend(found)
            active.append(channel_id)
    if not ids:
        return []
    videos, channels = db.batch_get((Video, ids), (Channel, active))
    return [
        render.archived_video(videos[i], channels[c].channel_name if (c := videos[i].channel_id) in channels else c)
        for i in ids
        if i in videos
    ]


def stream(topics: list[str], since: int | None, now: int | None = None) -> str:
    """The `text/event-stream` body: one event per video (`id`, `data`), then a keepalive comment."""
    events = replay(topics, since) if since is not None and topics else []
    parts = [f"id: {n}\ndata: {json.dumps(video, separators=(',', ':'))}\n\n" for n, video in enumerate(events)]
    parts.append(f":keepalive {int(time.time()) if now is None else now}\n\n")
    return "".join(parts)
