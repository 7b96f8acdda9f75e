"""A user's state of the archive: player positions and watched flags, never shared between users."""

import time

from pynamodb.expressions.update import Action

from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.services.archive import channels, playlists, videos
from functions.services.auth.viewer import Viewer
from functions.services.invidious import feed
from functions.storage import counters, db, tallied
from functions.storage.models import Channel, Playlist, PlaylistEntry, UserVideo, Video

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


def mark(user_id: int, youtube_id: str, duration, watched: bool, actions: list, create: bool = True) -> None:
    """Write a user's state of a video; when its watched flag changes, the user's watched counter (videos and
    seconds, for /api/stats/watch/) moves in the same transaction, so it counts each video once."""
    state = UserVideo(user_id, youtube_id)
    was = (UserVideo.watched.does_not_exist() | (UserVideo.watched == False)) if watched else UserVideo.watched == True  # noqa: E712
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
        mark(viewer.user_id, youtube_id, video.duration, True, actions)
    else:
        UserVideo(viewer.user_id, youtube_id).update(actions=actions)
    if watched:
        feed.mark_watched(viewer.user_id, [video.published_key])
    return _body(viewer, youtube_id, position)


def clear_position(viewer: Viewer, youtube_id: str) -> None:
    _video(viewer, youtube_id)
    db.update_existing(UserVideo(viewer.user_id, youtube_id), [UserVideo.position.remove()])  # none: clear


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
    (durations,) = db.batch_get((Video, ids))
    now = int(time.time())
    for youtube_id in ids:
        if is_watched:
            actions: list[Action] = [UserVideo.watched.set(True), UserVideo.watched_date.set(now)]
        else:
            actions = [UserVideo.watched.set(False), UserVideo.watched_date.remove()]
        found = durations.get(youtube_id)
        mark(viewer.user_id, youtube_id, found.duration if found else 0, is_watched, actions)
    feed.mark_watched(viewer.user_id, [key.published_key for key in keys], is_watched)
    return ids


def unwatch(viewer: Viewer, youtube_ids: list[str]) -> None:
    """Mark videos unwatched where the viewer has a state, archived or not (history removal); creates none."""
    (archived,) = db.batch_get((Video, youtube_ids))
    feed.mark_watched(viewer.user_id, [video.published_key for video in archived.values()], False)
    for youtube_id in youtube_ids:
        found = archived.get(youtube_id)
        actions = [UserVideo.watched.set(False), UserVideo.watched_date.remove()]
        mark(viewer.user_id, youtube_id, found.duration if found else 0, False, actions, create=False)
