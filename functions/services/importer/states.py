"""A user's watched flags and positions brought in (a move-in, a backup's restore): batch writes for the videos
the archive holds, then the watched counter recounted and the subscriber feed marked."""

from collections.abc import Iterable

from functions.services.archive.progress import CONTINUE, WATCHED
from functions.storage import counters, db
from functions.storage.models import UserVideo, Video, watch_state_key


def _indexed(user_id: int, state: UserVideo, video: Video) -> UserVideo:
    """The state in the user's by_watch_state partition (watched, or unfinished with a position), as
    functions.services.archive.progress keeps it on every write."""
    partition = WATCHED if state.watched else CONTINUE if (state.position or 0) > 0 else None
    if partition is not None:
        state.watch_state = watch_state_key(user_id, partition)
        state.published_key, state.channel_id = video.published_key, video.channel_id
    return state


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
            batch.save(_indexed(user_id, item, video))
            written += 1
            if state["watched"]:
                watched.append(video.published_key)
    feed.mark_watched(user_id, watched)
    counters.recount([counters.watched_by(user_id)])  # batch writes are not counted one by one (the importer's way)
    return written
