"""A user's state of the archive: player positions and watched flags, never shared between users."""

import time

from pynamodb.expressions.update import Action

from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.services.archive import channels, playlists, videos
from functions.services.auth.viewer import Viewer
from functions.services.invidious import feed
from functions.storage import db
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
    UserVideo(viewer.user_id, youtube_id).update(actions=actions)
    if watched:
        feed.mark_watched(viewer.user_id, [video.published_key])
    return _body(viewer, youtube_id, position)


def clear_position(viewer: Viewer, youtube_id: str) -> None:
    _video(viewer, youtube_id)
    db.update_existing(UserVideo(viewer.user_id, youtube_id), [UserVideo.position.remove()])  # none: clear


def set_watched(viewer: Viewer, item_id, is_watched) -> list[str]:
    """Mark a video, every video of a channel, or every archived video of a playlist; returns the video ids."""
    if not isinstance(is_watched, bool):
        raise BadRequest("is_watched must be true or false")
    if is_video_id(item_id):
        keys = [_video(viewer, item_id)]
    elif is_channel_id(item_id):
        _read(viewer, Channel, item_id, channels.not_found)
        keys = list(Video.by_channel.query(item_id))
    elif is_playlist_id(item_id):
        _read(viewer, Playlist, item_id, playlists.not_found)
        keys = list(PlaylistEntry.by_published.query(item_id))
    elif isinstance(item_id, str):
        raise NotFound(f"{item_id} not found")
    else:
        raise BadRequest("id must be a video, channel or playlist id")
    ids = [key.youtube_id for key in keys]
    now = int(time.time())
    for youtube_id in ids:
        if is_watched:
            actions: list[Action] = [UserVideo.watched.set(True), UserVideo.watched_date.set(now)]
        else:
            actions = [UserVideo.watched.set(False), UserVideo.watched_date.remove()]
        UserVideo(viewer.user_id, youtube_id).update(actions=actions)
    feed.mark_watched(viewer.user_id, [key.published_key for key in keys], is_watched)
    return ids


def unwatch(viewer: Viewer, youtube_ids: list[str]) -> None:
    """Mark videos unwatched where the viewer has a state, archived or not (history removal); creates none."""
    (archived,) = db.batch_get((Video, youtube_ids))
    feed.mark_watched(viewer.user_id, [video.published_key for video in archived.values()], False)
    for youtube_id in youtube_ids:
        db.update_existing(
            UserVideo(viewer.user_id, youtube_id), [UserVideo.watched.set(False), UserVideo.watched_date.remove()]
        )
