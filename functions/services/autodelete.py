"""Autodelete: watched videos older than their autodelete days are deleted, and kept out of later downloads.

The days come from the channel's overwrite (`channel_overwrites.autodelete_days`, POST /api/channel/<id>/) or,
without one, from the app setting `downloads.autodelete_days`; none of them set, nothing is deleted. Watched
state is per user here (TubeArchivist has one): a video counts from the first time any user marked it watched.
A deleted video loses its media, thumbnail, subtitles and records (functions.services.archive.videos.delete)
and goes onto the download queue as ignored, so a rescan never downloads it again. Run on its own schedule
(scheduler.autodelete: functions/jobs/autodelete.py).
"""

import logging
import time

from functions.core.errors import NotFound
from functions.services import app_settings
from functions.services.archive import channel_overwrites, videos
from functions.services.downloads import intake, items
from functions.storage import db
from functions.storage.models import Channel, User, UserVideo, Video

log = logging.getLogger("ytarchive.autodelete")
DAY = 86400


def _first_watched() -> dict[str, int]:
    """youtube_id -> the earliest time any user marked it watched (the users' history indexes)."""
    first: dict[str, int] = {}
    for user in User.scan(attributes_to_get=["username", "user_id"]):
        for key in UserVideo.history.query(int(user.user_id)):
            first[key.youtube_id] = min(first.get(key.youtube_id, key.watched_date), int(key.watched_date))
    return first


def due(now: float | None = None) -> list[Video]:
    """The archived videos whose autodelete time has come."""
    now = time.time() if now is None else now
    config = app_settings.current()
    watched = _first_watched()
    (archived,) = db.batch_get((Video, list(watched)))
    (channels,) = db.batch_get((Channel, {video.channel_id for video in archived.values()}))
    found = []
    for youtube_id, video in archived.items():
        days = channel_overwrites.effective_config(config, channels.get(video.channel_id))["downloads"][
            "autodelete_days"
        ]
        if days is not None and watched[youtube_id] <= now - days * DAY:
            found.append(video)
    return found


def run(now: float | None = None) -> list[str]:
    """Delete the videos due and queue them as ignored; the ids deleted."""
    deleted = []
    for video in due(now):
        try:
            videos.delete(video.youtube_id)
        except NotFound:
            continue  # deleted meanwhile
        row = {
            "youtube_id": video.youtube_id,
            "title": video.title,
            "channel_id": video.channel_id,
            "published": video.published,
            "vid_type": video.vid_type,
            "duration": video.duration,
        }
        intake.add_entries([row])
        intake.set_status(video.youtube_id, items.IGNORE)
        deleted.append(video.youtube_id)
    if deleted:
        log.info("autodelete removed %d watched videos", len(deleted))
    return deleted
