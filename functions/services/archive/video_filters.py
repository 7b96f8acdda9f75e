"""TubeArchivist v0.5's filters of `/api/video/`, additive to v0.4's list: each page is one Query on an index
already in the order asked for (a channel's, a type's videos by publish date), with its total from a counter, so
a filtered page costs what an unfiltered one does; `channel` and `type` together are a channel's tab, one Query on
Video.by_channel_type. A playlist's videos are in the playlist's order, as TubeArchivist sorts them: its packed
listing (read with the settings) less what its counter does not count as archived. Without parameters the list
is v0.4's (all videos, newest published first).

`watch` is the viewer's own state (UserVideo.by_watch_state, kept by functions.services.archive.progress):
`watched` is one Query on the user's watched partition (total: their watched counter); `continue` one on their
unfinished partition (total: their in-progress counter); `unwatched`, the archive less the watched, is the videos
of the months the page lies in (found from the counters' months), the user's watched among them left out
(unwatched_in_months says what that reads; total: the counters' difference). `watch` combines with `sort` and
`order`, not with `channel`,
`playlist` or `type` (400): the watch index orders a user's videos over the whole archive, so such a page would
read every watched video of the user, however far the page."""

import math
from functools import partial

from pynamodb.expressions.condition import Condition

from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id, is_custom_playlist_id, is_playlist_id
from functions.core.pagination import Page, is_past_end, paginate
from functions.schemas.ta import VideoListQuery
from functions.schemas.ta_objects import Envelope
from functions.services.archive import playlists, render
from functions.services.archive.videos import list_page, render_page
from functions.services.auth.viewer import Viewer
from functions.storage import counters
from functions.storage.index_keys import CONTINUE, WATCHED, channel_type_key
from functions.storage.models import ALL_VIDEOS, Counter, UserVideo, Video, watch_state_key

# `sort`: what the indexes can order by is the publish date (VideoListQuery); v0.5's other sort keys (downloaded,
# views, likes, duration, filesize) have no index.
TYPES = counters.VID_TYPES
WATCH = (WATCHED, "unwatched", CONTINUE)
MARGIN_PAGES = 2  # unwatched_keys' first round reads this many pages more than the user's watched share predicts


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
    if watch == "unwatched":
        return _unwatched_page(viewer, page, ascending)
    counter = counters.watched_by if watch == WATCHED else counters.in_progress_by
    hash_key = watch_state_key(viewer.user_id, watch)
    return list_page(
        viewer,
        counter(viewer.user_id),
        UserVideo.by_watch_state,
        hash_key,
        page,
        rows_of=_row,
        past_end_empty=True,
        scan_forward=ascending,
    )


def _unwatched_page(viewer: Viewer, page: Page, ascending: bool) -> Envelope:
    """The archive less the viewer's watched videos (total: the two counters' difference)."""
    watched_name = counters.watched_by(viewer.user_id)
    (found,) = viewer.fetch((Counter, [counters.VIDEOS, watched_name]))
    archive, mine = found.get(counters.VIDEOS, Counter(counters.VIDEOS)), found.get(watched_name, Counter(watched_name))
    everything = int(archive.count or 0)
    watched = min(int(mine.count or 0), everything)
    total = everything - watched
    size = viewer.page_size
    paging = paginate(page, size, total, past_end_empty=True)
    keys = []
    if total and not is_past_end(page, size, total):
        offset = page.offset(size)
        hash_key = watch_state_key(viewer.user_id, WATCHED)
        if all(sum(counter.months.values()) == int(counter.count or 0) for counter in (archive, mine)):
            keys = unwatched_in_months(hash_key, archive.months, mine.months, offset, size, ascending)
        else:  # counters kept before their months were: until `infra.cli recount` sets them
            keys = unwatched_keys(hash_key, offset + size, size, everything, watched, ascending)[offset : offset + size]
    return render.envelope(render_page(viewer, [_row(key) for key in keys]), viewer.config, paging)


def unwatched_in_months(
    watched_key: str, videos: dict[str, int], watched: dict[str, int], offset: int, size: int, ascending: bool
) -> list:
    """The video keys of a page of unwatched videos (`size` from `offset`), the user's watched partition being
    `watched_key`, from how many videos each month holds (`videos`) and how many of them the user watched.

    What it costs, at any depth and archive size: the months before the page are skipped by their counts (the
    two counters, read with the viewer's token), then one Query reads the page's months' videos from their start,
    no farther than the page's end can lie (the unwatched before it in its first month, the page, and the
    watched of those months), and one the user's watched in those months: with the page's batch, 5 calls. It
    reads about a month of videos (the page's first month, and any the page runs into) and that month's
    watched, however far the page."""
    start, skip, seen, window = None, 0, 0, []
    for month in sorted(videos, reverse=not ascending):
        unwatched = max(videos[month] - watched.get(month, 0), 0)
        if start is None and seen + unwatched > offset:
            start, skip = month, offset - seen
        seen += unwatched
        if start is not None:
            window.append(month)
            if seen >= offset + size:
                break
    if not window:
        return []
    low, high = min(window), _after(max(window))
    farthest = min(sum(videos[m] for m in window), skip + size + sum(watched.get(m, 0) for m in window))
    within = Video.published_key.between(low, high)
    candidates = list(Video.by_published.query(ALL_VIDEOS, within, scan_index_forward=ascending, limit=farthest))
    seen_ids = _watched_within(watched_key, low, high, ascending) if any(watched.get(m) for m in window) else set()
    return [key for key in candidates if key.youtube_id not in seen_ids][skip : skip + size]


def _after(month: str) -> str:
    """The smallest string past every sort key of a month: its last character's next (keys are ASCII)."""
    return month[:-1] + chr(ord(month[-1]) + 1)


def unwatched_keys(watched_key: str, wanted: int, size: int, everything: int, watched: int, ascending: bool) -> list:
    """The first `wanted` video keys (a page's end) that are not in the user's watched partition `watched_key`,
    when the counters have no months yet (an archive from before them, until a recount).

    What it costs. A sparse index of the watched cannot list what is absent, so the videos are read in order and
    the user's watched among them left out. The first round reads the videos up to the page's end plus `extra`:
    as many as the user's share of watched videos puts before it, a quarter more, and MARGIN_PAGES pages (a run of
    watched videos); then the watched in that stretch: one Query each, so with the token, the counters and the
    page's batch 5 calls, reading the page's end, `extra` and the watched found, however many videos the user
    watched overall. That suffices while the watched before the page are about as dense as over the archive, or
    a run of them is shorter than the margin. When they are denser (a user who watched the newest videos, asking
    for the newest unwatched), a second round reads on to `wanted + watched` videos, the farthest the page's end
    can lie, and the watched in that stretch: 7 calls, reading as many more as the user watched."""
    expected = math.ceil(wanted * watched / (everything - watched))
    extra = min(watched, expected + expected // 4 + MARGIN_PAGES * size)
    videos = Video.by_published.query(ALL_VIDEOS, scan_index_forward=ascending, limit=wanted + extra)
    candidates = list(videos)
    if not candidates or not watched:
        return candidates
    seen = _watched_within(watched_key, None, candidates[-1].published_key, ascending)
    unwatched = [key for key in candidates if key.youtube_id not in seen]
    if len(unwatched) >= wanted or len(candidates) < wanted + extra:  # the page's end, or the archive's
        return unwatched
    since = candidates[-1].published_key
    more = list(
        Video.by_published.query(
            ALL_VIDEOS,
            scan_index_forward=ascending,
            limit=wanted + watched - len(candidates),
            last_evaluated_key=videos.last_evaluated_key,
        )
    )
    if not more:
        return unwatched
    seen = _watched_within(watched_key, since, more[-1].published_key, ascending)
    return unwatched + [key for key in more if key.youtube_id not in seen]


def _watched_within(watched_key: str, since: str | None, until: str, ascending: bool) -> set[str]:
    """The ids in the user's watched partition from `since` (the list's start when None) to `until`, in the
    list's order."""
    within: Condition
    if since is None:
        within = UserVideo.published_key <= until if ascending else UserVideo.published_key >= until
    else:
        within = UserVideo.published_key.between(*sorted((since, until)))
    return {key.youtube_id for key in UserVideo.by_watch_state.query(watched_key, range_key_condition=within)}
