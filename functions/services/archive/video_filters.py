"""TubeArchivist v0.5's filters of `/api/video/`, additive to v0.4's list: each page is one Query on an index
already in the order asked for (a channel's, a playlist's, a type's videos by publish date), with its total from
a counter, so a filtered page costs what an unfiltered one does. Without parameters the list is v0.4's (all
videos, newest published first)."""

from functools import partial

from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id, is_custom_playlist_id, is_playlist_id
from functions.core.pagination import Page
from functions.schemas.ta import VideoListQuery
from functions.schemas.ta_objects import Envelope
from functions.services.archive.videos import list_page
from functions.services.auth.viewer import Viewer
from functions.storage import counters
from functions.storage.models import ALL_VIDEOS, PlaylistEntry, Video

# `sort`: what the indexes can order by is the publish date (VideoListQuery); v0.5's other sort keys (downloaded,
# views, likes, duration, filesize) have no index.
TYPES = counters.VID_TYPES


def videos_page(viewer: Viewer, page: Page, query: VideoListQuery) -> Envelope:
    """A page of `/api/video/` with `channel`, `playlist`, `type` and `order` applied (`sort`: published only)."""
    if query.watch:  # refused, never silently ignored
        raise BadRequest("the watch filter is not supported: no index orders a user's unwatched videos")
    ascending = query.order == "asc"
    channel_id, playlist_id, vid_type = query.channel, query.playlist, query.type
    if sum(1 for value in (channel_id, playlist_id, vid_type) if value) > 1:
        raise BadRequest("filter by one of channel, playlist or type, not several")
    page_of = partial(list_page, viewer, page=page, past_end_empty=True, scan_forward=ascending)
    if channel_id:
        if not is_channel_id(channel_id):
            raise BadRequest(f"channel must be a channel id, got {channel_id[:40]!r}")
        return page_of(counters.channel_videos(channel_id), Video.by_channel, channel_id, rows_of=_own(channel_id))
    if playlist_id:
        if not is_playlist_id(playlist_id) and not is_custom_playlist_id(playlist_id):
            raise BadRequest(f"playlist must be a playlist id, got {playlist_id[:40]!r}")
        return page_of(counters.playlist_videos(playlist_id), PlaylistEntry.by_published, playlist_id, rows_of=_row)
    if vid_type:
        if vid_type not in TYPES:
            raise BadRequest(f"type must be {' or '.join(TYPES)}, got {vid_type[:40]!r}")
        return page_of(counters.videos_of_type(vid_type), Video.by_type, vid_type, rows_of=_row)
    return page_of(counters.VIDEOS, Video.by_published, ALL_VIDEOS, rows_of=_row)


def _row(key) -> tuple[str, str]:
    return key.youtube_id, key.channel_id


def _own(channel_id: str):
    return lambda key: (key.youtube_id, channel_id)
