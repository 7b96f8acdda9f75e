"""Invidious watch history: the same watched state as TubeArchivist's `player.watched`
(functions.services.archive.progress)."""

from functions.core.errors import BadRequest, Conflict
from functions.core.ids import is_video_id
from functions.schemas.invidious import ResultsPage
from functions.services.archive import progress
from functions.services.invidious import preferences
from functions.storage import pages
from functions.storage.models import UserVideo

MAX_RESULTS = 1500
DISABLED = "Watch history is disabled in preferences."


def page(viewer, query: ResultsPage) -> list[str]:
    """`GET history?page=&max_results=`: video ids, most recently watched first; the page size defaults to the
    user's `max_results` preference, as in Invidious."""
    size = query.max_results
    if size is None:
        size = preferences.of(viewer.user)["max_results"]
    size = max(0, min(size, MAX_RESULTS))
    if size == 0:
        return []
    keys = pages.query_page(UserVideo.history, viewer.user_id, (query.page - 1) * size, size)
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
    progress.set_watched(viewer, _check(viewer, video_id), True)


def remove(viewer, video_id: str) -> None:
    progress.unwatch(viewer, [_check(viewer, video_id)])


def clear(viewer) -> None:
    progress.unwatch(viewer, [key.youtube_id for key in UserVideo.history.query(viewer.user_id)])
