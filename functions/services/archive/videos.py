"""Archived videos: pages and details for a viewer, and the counted writes that add and remove them."""

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import Conflict, NotFound
from functions.core.ids import is_video_id
from functions.core.pagination import Page
from functions.schemas import ta_objects as wire
from functions.schemas.ta_objects import Envelope
from functions.services import search
from functions.services.archive import render
from functions.services.auth.viewer import Viewer
from functions.services.invidious import feed
from functions.storage import counters, db, index_keys, pages, s3, tallied
from functions.storage.models import (
    Channel,
    PlaylistEntry,
    User,
    UserVideo,
    Video,
)

TRANSACTION_ITEMS = 100  # DynamoDB's limit of items in one transaction


def not_found(youtube_id: str) -> NotFound:
    return NotFound(f"video {youtube_id} not found")


def check_id(youtube_id: str) -> str:
    """A path's video id, or 404: malformed ids never reach a key."""
    if not is_video_id(youtube_id):
        raise not_found(youtube_id)
    return youtube_id


# ---------------------------------------------------------------- reading


def render_page(viewer: Viewer, rows: list[tuple[str, str | None]]) -> list[wire.Video]:
    """Render (youtube_id, channel_id) rows in order, reading videos, the viewer's state and channels at once;
    the channels of rows without a channel_id are read after their videos."""
    ids = [youtube_id for youtube_id, _ in rows]
    channel_ids = {channel_id for _, channel_id in rows if channel_id}
    videos, states, channels = viewer.fetch(
        (Video, ids), (UserVideo, [(viewer.user_id, i) for i in ids]), (Channel, channel_ids)
    )
    unread = {video.channel_id for video in videos.values()} - channel_ids
    if unread:
        (more,) = viewer.fetch((Channel, unread))
        channels = {**channels, **more}
    file_url = render.file_links(viewer.config)
    return [
        render.video(videos[i], channels.get(videos[i].channel_id), states.get((viewer.user_id, i)), file_url)
        for i in ids
        if i in videos
    ]


def list_page(
    viewer: Viewer, counter: str, index, hash_key: str, page: Page, rows_of, past_end_empty=False, scan_forward=False
) -> Envelope:
    keys, paging = pages.page_keys(viewer, counter, index, hash_key, page, scan_forward, past_end_empty)
    return render.envelope(render_page(viewer, [rows_of(k) for k in keys]), viewer.config, paging)


def channel_videos_page(viewer: Viewer, channel_id: str, page: Page) -> Envelope:
    return list_page(
        viewer,
        counters.channel_videos(channel_id),
        Video.by_channel,
        channel_id,
        page,
        lambda k: (k.youtube_id, channel_id),
    )


def playlist_videos_page(viewer: Viewer, playlist_id: str, page: Page) -> Envelope:
    return list_page(
        viewer,
        counters.playlist_videos(playlist_id),
        PlaylistEntry.by_published,
        playlist_id,
        page,
        lambda k: (k.youtube_id, k.channel_id),
    )


def detail(viewer: Viewer, youtube_id: str) -> Envelope:
    check_id(youtube_id)
    videos, states = viewer.fetch((Video, [youtube_id]), (UserVideo, [(viewer.user_id, youtube_id)]))
    if youtube_id not in videos:
        raise not_found(youtube_id)
    video = videos[youtube_id]
    try:
        channel = Channel.get(video.channel_id)
    except DoesNotExist:
        channel = None
    body = render.video(video, channel, states.get((viewer.user_id, youtube_id)), render.file_links(viewer.config))
    return render.envelope(body, viewer.config)


def get(youtube_id: str) -> Video:
    check_id(youtube_id)
    try:
        return Video.get(youtube_id)
    except DoesNotExist:
        raise not_found(youtube_id) from None


# ---------------------------------------------------------------- writing


def save(video: Video) -> bool:
    """Store a video, counting it when it is new; True when it was. Safe to repeat: a retry never counts twice."""
    index_keys.set_video_keys(video)
    created = tallied.save_tallied(video, counters.video_totals, counters.VIDEO_TALLIED)
    for playlist_id in video.playlist or []:
        mark_entry(playlist_id, video)
    search.index_video(video, known_new=created)
    if created:
        feed.fan_out(video)  # into the feed of each user subscribed to the channel, as a notification
    return created


def mark_entry(playlist_id: str, video: Video) -> bool:
    """Mark the video's entry in a playlist as archived and count it, once; False when there is no such entry."""
    entry = PlaylistEntry(playlist_id, video.youtube_id)
    with db.transaction() as transaction:
        transaction.update(
            entry,
            actions=[
                PlaylistEntry.published_key.set(video.published_key),
                PlaylistEntry.channel_id.set(video.channel_id),
            ],
            condition=PlaylistEntry.idx.exists() & PlaylistEntry.published_key.does_not_exist(),
        )
        db.add_member(transaction, counters.playlist_videos(playlist_id), video.youtube_id, 1)
    return transaction.committed


def unmark_entry(playlist_id: str, youtube_id: str) -> None:
    with db.transaction() as transaction:
        transaction.update(
            PlaylistEntry(playlist_id, youtube_id),
            actions=[PlaylistEntry.published_key.remove()],
            condition=PlaylistEntry.published_key.exists(),
        )
        db.add_member(transaction, counters.playlist_videos(playlist_id), youtube_id, -1)


def _delete_records(video: Video) -> bool:
    """Delete the video item, unmark its playlist entries and drop every count in one transaction, so a failure
    leaves all as it was; False when an item changed meanwhile (read again and retry)."""
    (entries,) = db.batch_get((PlaylistEntry, [(p, video.youtube_id) for p in video.playlist or []]))
    marked = [entry for entry in entries.values() if entry.downloaded]
    # Each entry takes two of the transaction's items (entry, counter); the rare rest go first, each repeatable.
    room = (TRANSACTION_ITEMS - 3) // 2
    for entry in marked[room:]:
        unmark_entry(entry.playlist_id, video.youtube_id)
    with db.transaction() as transaction:
        condition = Video.youtube_id.exists() & tallied.unchanged(Video, video, counters.VIDEO_TALLIED)
        transaction.delete(video, condition=condition)
        for entry in marked[:room]:
            transaction.update(
                entry,
                actions=[PlaylistEntry.published_key.remove()],
                condition=PlaylistEntry.published_key.exists(),
            )
            db.add_member(transaction, counters.playlist_videos(entry.playlist_id), video.youtube_id, -1)
        tallied.add_totals(transaction, counters.difference(counters.video_totals(video), {}))
    return transaction.committed


def forget_watched(video: Video) -> None:
    """The users' states of a deleted video go, each taken off its user's watched or in-progress counter once."""
    users = [int(user.user_id) for user in User.scan(attributes_to_get=["username", "user_id"])]
    (states,) = db.batch_get((UserVideo, [(user_id, video.youtube_id) for user_id in users]))
    for state in states.values():
        user_id = int(state.user_id)
        with db.transaction() as transaction:
            transaction.delete(state, condition=tallied.unchanged(UserVideo, state, counters.WATCH_TALLIED))
            if state.watched:
                delta = counters.Totals(-1, 0, -int(video.duration or 0))
                deltas = {counters.watched_by(user_id): delta}
                if index_keys.stored_partition(state) == index_keys.WATCHED and state.published_key:
                    deltas[counters.month_of(counters.watched_by(user_id), state.published_key)] = counters.Totals(-1)
                tallied.add_totals(transaction, deltas)
            elif index_keys.stored_partition(state) == index_keys.CONTINUE:
                tallied.add_totals(transaction, {counters.in_progress_by(user_id): counters.Totals(-1)})


def delete(youtube_id: str) -> None:
    """Remove a video, its files and its playlist membership; the counts drop exactly once."""
    for _ in range(3):
        video = get(youtube_id)  # 404 once it is gone
        if _delete_records(video):
            break
    else:
        raise Conflict(f"video {youtube_id} changed while it was being deleted, try again")
    forget_watched(video)
    feed.remove_video(video)
    search.remove_video(video)
    s3.delete_objects(s3.video_keys(video))
