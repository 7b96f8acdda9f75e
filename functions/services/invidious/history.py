"""Invidious watch history: the same watched state as TubeArchivist's `player.watched`
(functions.services.archive.progress)."""

from functions.core.errors import BadRequest, Conflict, NotFound
from functions.core.ids import is_video_id
from functions.services.archive import progress
from functions.services.invidious import preferences
from functions.services.invidious.common import int_param, not_found
from functions.storage import pages
from functions.storage.models import UserVideo

MAX_RESULTS = 1500
DISABLED = "Watch history is disabled in preferences."


def page(viewer, query: dict) -> list[str]:
    """`GET history?page=&max_results=`: video ids, most recently watched first; the page size defaults to the
    user's `max_results` preference, as in Invidious."""
    number = int_param(query, "page", 1, 1)
    size = int_param(query, "max_results", None, 0, MAX_RESULTS)
    if size is None:
        size = max(0, min(preferences.of(viewer.user)["max_results"], MAX_RESULTS))
    if size == 0:
        return []
    keys = pages.query_page(UserVideo.history, viewer.user_id, (number - 1) * size, size)
    return [key.youtube_id for key in keys]


def _check(viewer, video_id: str) -> str:
    """Invidious refuses to touch history one video at a time when the user turned watch history off."""
    if not is_video_id(video_id):
        raise BadRequest("Invalid video id.")
    if not preferences.of(viewer.user)["watch_history"]:
        raise Conflict(DISABLED)
    return video_id


def add(viewer, video_id: str) -> None:
    """Mark an archived video watched, exactly as TubeArchivist's `POST /api/watched/` does."""
    try:
        progress.set_watched(viewer, _check(viewer, video_id), True)
    except NotFound as error:
        raise not_found(error.message) from None


def remove(viewer, video_id: str) -> None:
    progress.unwatch(viewer, [_check(viewer, video_id)])


def clear(viewer) -> None:
    progress.unwatch(viewer, [key.youtube_id for key in UserVideo.history.query(viewer.user_id)])
