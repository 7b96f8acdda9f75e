"""A user's unfinished videos: those with a saved player position that are not marked watched, for the web app's
"continue watching". One Query on the user's own states (keyed by user: never a scan of the archive), then one
batch read of the videos and their channels."""

from functions.schemas import ta_objects as wire
from functions.services.archive import render
from functions.services.auth.viewer import Viewer
from functions.storage.models import Channel, UserVideo, Video

LIMIT = 24


def in_progress(viewer: Viewer, limit: int = LIMIT) -> wire.Envelope:
    """`{"data": [video bodies]}`, newest published first, each with its `player.position` (seconds)."""
    # `watched` is absent on states only a position was ever written to: checked here, not in the filter
    states = [
        state for state in UserVideo.query(viewer.user_id, filter_condition=UserVideo.position > 0) if not state.watched
    ]
    (videos,) = viewer.fetch((Video, [state.youtube_id for state in states]))
    (channels,) = viewer.fetch((Channel, {video.channel_id for video in videos.values()}))
    bodies = []
    for state in states:
        video = videos.get(state.youtube_id)
        if video is None:  # deleted from the archive since it was played
            continue
        body = render.video(video, channels.get(video.channel_id), state)
        body.player.position = float(state.position)
        bodies.append(body)
    bodies.sort(key=lambda body: body.published, reverse=True)
    return render.envelope(bodies[:limit], viewer.config)
