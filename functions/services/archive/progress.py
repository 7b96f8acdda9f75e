"""A user's state of the archive: player positions and watched flags, never shared between users."""

import time
from collections.abc import Callable
from typing import NamedTuple

from pynamodb.expressions.update import Action

from functions.core.errors import BadRequest, Conflict, NotFound
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.services.archive import channels, playlists, videos
from functions.services.auth.viewer import Viewer
from functions.services.invidious import feed
from functions.storage import counters, db, index_keys, tallied
from functions.storage.index_keys import CONTINUE, WATCHED
from functions.storage.models import Channel, Playlist, PlaylistEntry, UserVideo, Video, watch_state_key

MAX_POSITION = 10**9  # seconds; DynamoDB refuses numbers past 38 digits (moto does not)
ATTEMPTS = 3  # writes of one state racing each other: each reads the state again and retries


def watched_threshold(duration: float) -> float:
    """The position past which a video counts as watched."""
    if duration < 60:
        return duration * 0.5
    if duration > 15 * 60:
        return duration - 180
    return duration * 0.9


def _read(viewer: Viewer, model, item_id: str, not_found):
    """An archived item, read in the viewer's first batch (which refuses a deleted user's key); 404 otherwise."""
    (found,) = viewer.fetch((model, [item_id]))
    if item_id not in found:
        raise not_found(item_id)
    return found[item_id]


def _video(viewer: Viewer, youtube_id: str) -> Video:
    return _read(viewer, Video, videos.check_id(youtube_id), videos.not_found)


def watch_keys(user_id: int, video: Video | None, state: str | None) -> list[Action]:
    """The by_watch_state keys of a user's state of a video: in the user's `state` partition (WATCHED or
    CONTINUE), by the video's publish date; out of the index when None (or the video is not archived)."""
    if state is None or video is None:
        return [UserVideo.watch_state.remove()]
    return [
        UserVideo.watch_state.set(watch_state_key(user_id, state)),
        UserVideo.published_key.set(video.published_key),
        UserVideo.channel_id.set(video.channel_id),
    ]


class Change(NamedTuple):
    """A state's new watched flag and player position (None: removed), and the actions that write them."""

    watched: bool
    position: float | None
    actions: list[Action]


def moved_counters(user_id: int, video: Video | None, stored: UserVideo | None, change: Change) -> dict:
    """The user's counters a change moves: watched (videos and seconds, for /api/stats/watch/) when the flag
    changes, and its month (?watch=unwatched's pages) when the state enters, leaves or moves in the watched
    partition; in progress (?watch=continue's total) when it enters or leaves the continue partition."""
    moved = {}
    watched = counters.watched_by(user_id)
    if change.watched != bool(stored is not None and stored.watched):
        sign = 1 if change.watched else -1
        moved[watched] = counters.Totals(sign, 0, sign * int(video.duration or 0) if video else 0)
    after = index_keys.watch_partition(change.watched, change.position) if video is not None else None
    before = index_keys.stored_partition(stored)
    was = stored.published_key if stored is not None and before == WATCHED else None
    will_be = video.published_key if video is not None and after == WATCHED else None
    moved.update(counters.difference(_watched_month(watched, was), _watched_month(watched, will_be)))
    if (before == CONTINUE) != (after == CONTINUE):
        moved[counters.in_progress_by(user_id)] = counters.Totals(1 if after == CONTINUE else -1)
    return moved


def _watched_month(watched: str, published_key: str | None) -> dict:
    return {counters.month_of(watched, published_key): counters.Totals(1)} if published_key else {}


def write_state(
    user_id: int,
    youtube_id: str,
    video: Video | None,
    stored: UserVideo | None,
    change_of: Callable[[UserVideo | None], Change],
    create: bool = True,
) -> None:
    """Write a user's state of a video as `change_of(stored state)` says, with its by_watch_state keys, and the
    counters it moves in the same transaction, conditioned on the state read (`stored`), so each counter counts
    a video once; a state changed meanwhile is read again. `create`: False writes only an existing state."""
    key = (user_id, youtube_id)
    for _ in range(ATTEMPTS):
        if stored is None and not create:
            return
        change = change_of(stored)
        partition = index_keys.watch_partition(change.watched, change.position)
        actions = change.actions + watch_keys(user_id, video, partition)
        state = UserVideo(user_id, youtube_id)
        if stored is None:
            condition = UserVideo.youtube_id.does_not_exist()
        else:
            condition = tallied.unchanged(UserVideo, stored, counters.WATCH_TALLIED)
        moved = moved_counters(user_id, video, stored, change)
        if not moved and db.conditional(state.update, actions=actions, condition=condition):
            return
        if moved:
            with db.transaction() as transaction:
                transaction.update(state, actions=actions, condition=condition)
                tallied.add_totals(transaction, moved)
            if transaction.committed:
                return
        (states,) = db.batch_get((UserVideo, [key]))
        stored = states.get(key)
    raise Conflict(f"the state of {youtube_id} changed while it was written, try again")


def _body(viewer: Viewer, youtube_id: str, position) -> dict:
    return {"youtube_id": youtube_id, "user_id": viewer.user_id, "position": position or 0}


def get_position(viewer: Viewer, youtube_id: str) -> dict:
    found, states = viewer.fetch((Video, [videos.check_id(youtube_id)]), (UserVideo, [(viewer.user_id, youtube_id)]))
    if youtube_id not in found:
        raise videos.not_found(youtube_id)
    state = states.get((viewer.user_id, youtube_id))
    return _body(viewer, youtube_id, state.position if state else 0)


def _video_and_state(viewer: Viewer, youtube_id: str) -> tuple[Video, UserVideo | None]:
    """An archived video (404 otherwise) and the viewer's state of it, in one batch."""
    key = (viewer.user_id, videos.check_id(youtube_id))
    found, states = viewer.fetch((Video, [youtube_id]), (UserVideo, [key]))
    if youtube_id not in found:
        raise videos.not_found(youtube_id)
    return found[youtube_id], states.get(key)


def set_position(viewer: Viewer, youtube_id: str, position) -> dict:
    if isinstance(position, bool) or not isinstance(position, int | float) or not 0 <= position <= MAX_POSITION:
        raise BadRequest(f"position must be a number of seconds, from 0 to {MAX_POSITION}")
    position = round(position, 3)  # DynamoDB refuses numbers below 1e-130 (moto does not)
    video, stored = _video_and_state(viewer, youtube_id)
    reached = position > watched_threshold(float(video.duration or 0))

    def change_of(state: UserVideo | None) -> Change:
        actions: list[Action] = [UserVideo.position.set(position)]
        if reached:
            actions += [UserVideo.watched.set(True), UserVideo.watched_date.set(int(time.time()))]
        # a watched video played again stays watched (and on the watched list)
        return Change(reached or bool(state is not None and state.watched), position, actions)

    write_state(viewer.user_id, youtube_id, video, stored, change_of)
    if reached:
        feed.mark_watched(viewer.user_id, [video.published_key])
    return _body(viewer, youtube_id, position)


def clear_position(viewer: Viewer, youtube_id: str) -> None:
    video, stored = _video_and_state(viewer, youtube_id)

    def change_of(state: UserVideo | None) -> Change:
        return Change(bool(state is not None and state.watched), None, [UserVideo.position.remove()])

    write_state(viewer.user_id, youtube_id, video, stored, change_of, create=False)  # none: clear already


def set_watched(viewer: Viewer, item_id: str, is_watched: bool) -> list[str]:
    """Mark a video, every video of a channel, or every archived video of a playlist; returns the video ids."""
    if is_video_id(item_id):
        keys = [_video(viewer, item_id)]
    elif is_channel_id(item_id):
        _read(viewer, Channel, item_id, channels.not_found)
        keys = list(Video.by_channel.query(item_id))
    elif is_playlist_id(item_id):
        _read(viewer, Playlist, item_id, playlists.not_found)
        keys = list(PlaylistEntry.by_published.query(item_id))
    else:
        raise NotFound(f"{item_id} not found")
    ids = [key.youtube_id for key in keys]
    archived, states = db.batch_get((Video, ids), (UserVideo, [(viewer.user_id, i) for i in ids]))
    for youtube_id in ids:
        stored = states.get((viewer.user_id, youtube_id))
        write_state(viewer.user_id, youtube_id, archived.get(youtube_id), stored, marked(is_watched))
    feed.mark_watched(viewer.user_id, [key.published_key for key in keys], is_watched)
    return ids


def marked(is_watched: bool) -> Callable[[UserVideo | None], Change]:
    """The change of marking a state watched (now) or unwatched: its position stays, so a video marked
    unwatched goes back to the continue list while it has one."""
    now = int(time.time())

    def change_of(state: UserVideo | None) -> Change:
        position = state.position if state is not None else None
        if is_watched:
            return Change(True, position, [UserVideo.watched.set(True), UserVideo.watched_date.set(now)])
        return Change(False, position, [UserVideo.watched.set(False), UserVideo.watched_date.remove()])

    return change_of


def unwatch(viewer: Viewer, youtube_ids: list[str]) -> None:
    """Mark videos unwatched where the viewer has a state, archived or not (history removal); creates none."""
    archived, states = db.batch_get((Video, youtube_ids), (UserVideo, [(viewer.user_id, i) for i in youtube_ids]))
    feed.mark_watched(viewer.user_id, [video.published_key for video in archived.values()], False)
    for youtube_id in youtube_ids:
        stored = states.get((viewer.user_id, youtube_id))
        write_state(viewer.user_id, youtube_id, archived.get(youtube_id), stored, marked(False), create=False)
