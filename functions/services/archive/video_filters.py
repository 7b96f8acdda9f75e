"""TubeArchivist v0.5's filters of `/api/video/`, additive to v0.4's list: each page is one Query on an index
already in the order asked for (a channel's, a type's videos by publish date), with its total from a counter, so
a filtered page costs what an unfiltered one does; `channel` and `type` together are a channel's tab, one Query on
Video.by_channel_type. A playlist's videos are in the playlist's order, as TubeArchivist sorts them: its packed
listing (read with the settings) less what its counter does not count as archived. Without parameters the list
is v0.4's (all videos, newest published first).

`watch` is the viewer's own state (UserVideo.by_watch_state, kept by functions.services.archive.progress):
`watched` is one Query on the user's watched partition (total: their watched counter); `continue` one on their
unfinished partition (total: a COUNT Query of it); `unwatched`, the archive less the watched, is two: all videos
in order up to the page's end plus as many as the user watched, and the user's watched videos in that range, left
out (total: the two counters' difference). `watch` combines with `sort` and `order`, not with `channel`,
`playlist` or `type` (400): the watch index orders a user's videos over the whole archive, so such a page would
read every watched video of the user, however far the page."""

from functools import partial

from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id, is_custom_playlist_id, is_playlist_id
from functions.core.pagination import Page, is_past_end, paginate
from functions.schemas.ta import VideoListQuery
from functions.schemas.ta_objects import Envelope
from functions.services.archive import playlists, render
from functions.services.archive.progress import CONTINUE, WATCHED
from functions.services.archive.videos import list_page, render_page
from functions.services.auth.viewer import Viewer
from functions.storage import counters, pages
from functions.storage.index_keys import channel_type_key
from functions.storage.models import ALL_VIDEOS, Counter, UserVideo, Video, watch_state_key

# `sort`: what the indexes can order by is the publish date (VideoListQuery); v0.5's other sort keys (downloaded,
# views, likes, duration, filesize) have no index.
TYPES = counters.VID_TYPES
WATCH = (WATCHED, "unwatched", CONTINUE)


def videos_page(viewer: Viewer, page: Page, query: VideoListQuery) -> Envelope:
    """A page of `/api/video/` with `channel`, `playlist`, `type` and `order` applied (`sort`: published only)."""
    ascending = query.order == "asc"
    channel_id, playlist_id, vid_type = query.channel, query.playlist, query.type
    if playlist_id and (channel_id or vid_type):
        raise BadRequest("filter by a playlist alone, or by channel, type or both")
    if query.watch is not None:
        if query.watch not in WATCH:
            raise BadRequest(f"watch must be {', '.join(WATCH)}, got {query.watch[:40]!r}")
        if channel_id or playlist_id or vid_type:
            raise BadRequest(
                "watch combines with sort and order only, not with channel, playlist or type: the watched state is "
                "indexed per user over the whole archive"
            )
        return _watch_page(viewer, page, query.watch, ascending)
    page_of = partial(list_page, viewer, page=page, past_end_empty=True, scan_forward=ascending)
    if vid_type and vid_type not in TYPES:
        raise BadRequest(f"type must be {' or '.join(TYPES)}, got {vid_type[:40]!r}")
    if channel_id:
        if not is_channel_id(channel_id):
            raise BadRequest(f"channel must be a channel id, got {channel_id[:40]!r}")
        if vid_type:  # a channel's tab (videos, shorts, streams)
            counter = counters.channel_videos_of_type(channel_id, vid_type)
            partition = channel_type_key(channel_id, vid_type)
            return page_of(counter, Video.by_channel_type, partition, rows_of=_own(channel_id))
        return page_of(counters.channel_videos(channel_id), Video.by_channel, channel_id, rows_of=_own(channel_id))
    if playlist_id:
        if not is_playlist_id(playlist_id) and not is_custom_playlist_id(playlist_id):
            raise BadRequest(f"playlist must be a playlist id, got {playlist_id[:40]!r}")
        return _playlist_page(viewer, page, playlist_id)
    if vid_type:
        return page_of(counters.videos_of_type(vid_type), Video.by_type, vid_type, rows_of=_row)
    return page_of(counters.VIDEOS, Video.by_published, ALL_VIDEOS, rows_of=_row)


def _playlist_page(viewer: Viewer, page: Page, playlist_id: str) -> Envelope:
    """A playlist's archived videos in its order (TubeArchivist sorts them by idx, whatever `sort` and `order`
    say), so that its moves and sort order show."""
    ids = playlists.archived_ids(viewer, playlist_id)
    size, total = viewer.page_size, len(ids)
    paging = paginate(page, size, total, past_end_empty=True)
    shown = [] if is_past_end(page, size, total) else ids[page.offset(size) : page.offset(size) + size]
    return render.envelope(render_page(viewer, [(i, None) for i in shown]), viewer.config, paging)


def _row(key) -> tuple[str, str]:
    return key.youtube_id, key.channel_id


def _own(channel_id: str):
    return lambda key: (key.youtube_id, channel_id)


def _watch_page(viewer: Viewer, page: Page, watch: str, ascending: bool) -> Envelope:
    if watch == WATCHED:
        hash_key = watch_state_key(viewer.user_id, WATCHED)
        return list_page(
            viewer,
            counters.watched_by(viewer.user_id),
            UserVideo.by_watch_state,
            hash_key,
            page,
            rows_of=_row,
            past_end_empty=True,
            scan_forward=ascending,
        )
    if watch == CONTINUE:
        hash_key = watch_state_key(viewer.user_id, CONTINUE)
        total = UserVideo.by_watch_state.count(hash_key)
        return _page(viewer, page, total, lambda offset, size: _keys(hash_key, offset, size, ascending))
    return _unwatched_page(viewer, page, ascending)


def _keys(hash_key: str, offset: int, size: int, ascending: bool) -> list:
    return pages.query_page(UserVideo.by_watch_state, hash_key, offset, size, ascending)


def _page(viewer: Viewer, page: Page, total: int, keys_of) -> Envelope:
    """A page of `total` videos whose keys `keys_of(offset, size)` reads; past the end: empty, as the list is."""
    size = viewer.page_size
    paging = paginate(page, size, total, past_end_empty=True)
    keys = [] if not total or is_past_end(page, size, total) else keys_of(page.offset(size), size)
    return render.envelope(render_page(viewer, [_row(key) for key in keys]), viewer.config, paging)


def _unwatched_page(viewer: Viewer, page: Page, ascending: bool) -> Envelope:
    """The archive less the viewer's watched videos: every video up to the page's end plus as many as the user
    watched (so enough remain), less those of the user's watched partition within that range."""
    watched_name = counters.watched_by(viewer.user_id)
    (found,) = viewer.fetch((Counter, [counters.VIDEOS, watched_name]))
    everything = int(found[counters.VIDEOS].count) if counters.VIDEOS in found else 0
    watched = min(int(found[watched_name].count) if watched_name in found else 0, everything)

    def keys_of(offset: int, size: int) -> list:
        candidates = pages.query_page(Video.by_published, ALL_VIDEOS, 0, offset + size + watched, ascending)
        if not candidates or not watched:
            return candidates[offset : offset + size]
        last = candidates[-1].published_key
        within = UserVideo.published_key <= last if ascending else UserVideo.published_key >= last
        hash_key = watch_state_key(viewer.user_id, WATCHED)
        seen = {key.youtube_id for key in UserVideo.by_watch_state.query(hash_key, range_key_condition=within)}
        return [key for key in candidates if key.youtube_id not in seen][offset : offset + size]

    return _page(viewer, page, everything - watched, keys_of)
