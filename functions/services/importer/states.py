"""A user's watched flags and positions brought in (a move-in, a backup's restore): batch writes for the videos
the archive holds, then the watched and in-progress counters recounted and the subscriber feed marked."""

from collections.abc import Iterable

from functions.storage import counters, db
from functions.storage.index_keys import set_watch_keys
from functions.storage.models import UserVideo, Video


def import_states(user_id: int, states: Iterable[dict]) -> int:
    """`states`: {youtube_id, watched, watched_date?, position?}; those of videos not archived are skipped. How
    many were written."""
    from functions.services.invidious import feed

    states = list(states)
    (archived,) = db.batch_get((Video, [s["youtube_id"] for s in states]))
    watched, written = [], 0
    with UserVideo.batch_write() as batch:
        for state in states:
            video = archived.get(state["youtube_id"])
            if video is None:
                continue
            when = state.get("watched_date")
            item = UserVideo(
                user_id,
                state["youtube_id"],
                position=state.get("position") or None,
                watched=state["watched"],
                watched_date=int(when) if state["watched"] and isinstance(when, int | float) else None,
            )
            batch.save(set_watch_keys(item, video))
            written += 1
            if state["watched"]:
                watched.append(video.published_key)
    feed.mark_watched(user_id, watched)
    # batch writes are not counted one by one (the importer's way)
    counters.recount([counters.watched_by(user_id), counters.in_progress_by(user_id)])
    return written
