"""A user's state of the archive: player positions and watched flags, never shared between users."""

import time

from pynamodb.expressions.update import Action

from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.services.archive import channels, playlists, videos
from functions.services.auth.viewer import Viewer
from functions.services.invidious import feed
from functions.storage import counters, db, tallied
from functions.storage.index_keys import CONTINUE, WATCHED
from functions.storage.models import Channel, Playlist, PlaylistEntry, UserVideo, Video, watch_state_key

MAX_POSITION = 10**9  # seconds; DynamoDB refuses numbers past 38 digits (moto does not)


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


def _not_watched():
    return UserVideo.watched.does_not_exist() | (UserVideo.watched == False)  # noqa: E712


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


def _unwatched_state(state: UserVideo | None) -> str | None:
    """Where a video marked unwatched goes: on the user's `continue` list while it keeps a player position."""
    return CONTINUE if state is not None and (state.position or 0) > 0 else None


def mark(user_id: int, youtube_id: str, duration, watched: bool, actions: list, create: bool = True) -> None:
    """Write a user's state of a video; when its watched flag changes, the user's watched counter (videos and
    seconds, for /api/stats/watch/) moves in the same transaction, so it counts each video once."""
    state = UserVideo(user_id, youtube_id)
    was = _not_watched() if watched else UserVideo.watched == True  # noqa: E712
    sign = 1 if watched else -1
    with db.transaction() as transaction:
        transaction.update(state, actions=actions, condition=was)
        delta = counters.Totals(sign, 0, sign * int(duration or 0))
        tallied.add_totals(transaction, {counters.watched_by(user_id): delta})
    if transaction.committed:
        return
    if create:  # the flag was already so: the rest of the state still changes
        state.update(actions=actions)
    else:
        db.update_existing(state, actions)


def _body(viewer: Viewer, youtube_id: str, position) -> dict:
    return {"youtube_id": youtube_id, "user_id": viewer.user_id, "position": position or 0}


def get_position(viewer: Viewer, youtube_id: str) -> dict:
    found, states = viewer.fetch((Video, [videos.check_id(youtube_id)]), (UserVideo, [(viewer.user_id, youtube_id)]))
    if youtube_id not in found:
        raise videos.not_found(youtube_id)
    state = states.get((viewer.user_id, youtube_id))
    return _body(viewer, youtube_id, state.position if state else 0)


def set_position(viewer: Viewer, youtube_id: str, position) -> dict:
    if isinstance(position, bool) or not isinstance(position, int | float) or not 0 <= position <= MAX_POSITION:
        raise BadRequest(f"position must be a number of seconds, from 0 to {MAX_POSITION}")
    position = round(position, 3)  # DynamoDB refuses numbers below 1e-130 (moto does not)
    video = _video(viewer, youtube_id)
    actions: list[Action] = [UserVideo.position.set(position)]
    watched = position > watched_threshold(float(video.duration or 0))
    if watched:
        actions += [UserVideo.watched.set(True), UserVideo.watched_date.set(int(time.time()))]
        mark(viewer.user_id, youtube_id, video.duration, True, actions + watch_keys(viewer.user_id, video, WATCHED))
    else:
        state = UserVideo(viewer.user_id, youtube_id)
        unfinished = actions + watch_keys(viewer.user_id, video, CONTINUE if position > 0 else None)
        if not db.conditional(state.update, actions=unfinished, condition=_not_watched()):
            state.update(actions=actions)  # watched already: it stays on the watched list
    if watched:
        feed.mark_watched(viewer.user_id, [video.published_key])
    return _body(viewer, youtube_id, position)


def clear_position(viewer: Viewer, youtube_id: str) -> None:
    _video(viewer, youtube_id)
    state = UserVideo(viewer.user_id, youtube_id)
    unfinished = UserVideo.youtube_id.exists() & _not_watched()  # none: clear already
    if not db.conditional(
        state.update, actions=[UserVideo.position.remove(), UserVideo.watch_state.remove()], condition=unfinished
    ):
        db.update_existing(state, [UserVideo.position.remove()])  # watched: it stays on the watched list


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
    now = int(time.time())
    for youtube_id in ids:
        found = archived.get(youtube_id)
        if is_watched:
            actions: list[Action] = [UserVideo.watched.set(True), UserVideo.watched_date.set(now)]
            actions += watch_keys(viewer.user_id, found, WATCHED)
        else:
            actions = [UserVideo.watched.set(False), UserVideo.watched_date.remove()]
            state = states.get((viewer.user_id, youtube_id))
            actions += watch_keys(viewer.user_id, found, _unwatched_state(state))
        mark(viewer.user_id, youtube_id, found.duration if found else 0, is_watched, actions)
    feed.mark_watched(viewer.user_id, [key.published_key for key in keys], is_watched)
    return ids


def unwatch(viewer: Viewer, youtube_ids: list[str]) -> None:
    """Mark videos unwatched where the viewer has a state, archived or not (history removal); creates none."""
    archived, states = db.batch_get((Video, youtube_ids), (UserVideo, [(viewer.user_id, i) for i in youtube_ids]))
    feed.mark_watched(viewer.user_id, [video.published_key for video in archived.values()], False)
    for youtube_id in youtube_ids:
        found = archived.get(youtube_id)
        state = states.get((viewer.user_id, youtube_id))
        actions: list[Action] = [UserVideo.watched.set(False), UserVideo.watched_date.remove()]
        actions += watch_keys(viewer.user_id, found, _unwatched_state(state))
        mark(viewer.user_id, youtube_id, found.duration if found else 0, False, actions, create=False)
