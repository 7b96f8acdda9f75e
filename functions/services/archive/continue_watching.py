"""A user's unfinished videos: those with a saved player position that are not marked watched, for the web app's
"continue watching". One Query of the newest `limit` on the user's `continue` partition of the watch index (kept by
functions.services.archive.progress: never a read of all their states, nor a scan of the archive), then one batch
read of those states and videos and one of their channels."""

from functions.schemas import ta_objects as wire
from functions.services.archive import render
from functions.services.auth.viewer import Viewer
from functions.storage.index_keys import CONTINUE
from functions.storage.models import Channel, UserVideo, Video, watch_state_key

LIMIT = 24


def in_progress(viewer: Viewer, limit: int = LIMIT) -> wire.Envelope:
    """`{"data": [video bodies]}`, newest published first, each with its `player.position` (seconds)."""
    keys = UserVideo.by_watch_state.query(
        watch_state_key(viewer.user_id, CONTINUE), scan_index_forward=False, limit=limit
    )
    ids = [key.youtube_id for key in keys]
    states, videos = viewer.fetch((UserVideo, [(viewer.user_id, i) for i in ids]), (Video, ids))
    (channels,) = viewer.fetch((Channel, {video.channel_id for video in videos.values()}))
    bodies = []
    for youtube_id in ids:
        state, video = states.get((viewer.user_id, youtube_id)), videos.get(youtube_id)
        # the index lags a write a moment: a state since watched or rewound to 0 is left out, as is a deleted video
        if video is None or state is None or state.watched or not (state.position or 0) > 0:
            continue
        body = render.video(video, channels.get(video.channel_id), state)
        body.player.position = float(state.position)
        bodies.append(body)
    return render.envelope(bodies, viewer.config)
