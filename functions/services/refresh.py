"""Refreshing metadata: videos, channels and playlists of the archive read again with yt-dlp.

Asking (`request`, the API function) stores one RefreshItem per item and sends one message per item to the
refresh queue, so `/api/refresh/` can count what is waiting; the refresh function (`run_item`, functions/jobs/
refresh.py) reads the item again, writes what changed and removes its RefreshItem. A video YouTube no longer has
is marked inactive (`active: false`), never deleted; so are channels and playlists that are gone. The same queue
carries the rescans asked for through `/api/task/` (functions.services.rescan).
"""

import logging
import tempfile
import time
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path

from pynamodb.exceptions import DoesNotExist

from functions.core.dates import today
from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.schemas.ta import RefreshRequest
from functions.services import app_settings, comments, search
from functions.services.archive import archiving, playlists
from functions.storage import aws, counters, db, index_keys, s3, tallied
from functions.storage.models import Channel, Playlist, PlaylistEntry, RefreshItem, Video, name_key
from functions.youtube import media, urls, ytdlp

log = logging.getLogger("ytarchive.refresh")

VIDEO, CHANNEL, PLAYLIST = urls.VIDEO, urls.CHANNEL, urls.PLAYLIST
KINDS = (VIDEO, CHANNEL, PLAYLIST)
BODY_KEYS = {
    "videos": VIDEO,
    "video": VIDEO,
    "channels": CHANNEL,
    "channel": CHANNEL,
    "playlists": PLAYLIST,
    "playlist": PLAYLIST,
}
ID_CHECKS = {VIDEO: is_video_id, CHANNEL: is_channel_id, PLAYLIST: is_playlist_id}
MODELS = {VIDEO: Video, CHANNEL: Channel, PLAYLIST: Playlist}
PLURAL = {VIDEO: "videos", CHANNEL: "channels", PLAYLIST: "playlists"}
REFRESH, RESCAN = "refresh", "rescan"  # the actions of the refresh function's messages
MAX_ITEMS = 1000  # per request


class Outcome(StrEnum):
    """What refreshing one item did."""

    REFRESHED = "refreshed"
    INACTIVE = "inactive"  # YouTube no longer has it: kept, marked inactive
    MISSING = "missing"  # no longer archived: nothing to refresh


# ---------------------------------------------------------------- asking (API function)


def parse_request(body: RefreshRequest) -> dict[str, list[str]]:
    """{kind: [ids]} of a refresh request, each id checked and kept once; BadRequest naming what is wrong, before
    anything is stored."""
    wanted: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for key, kind in BODY_KEYS.items():
        for item_id in body.ids(key):
            if not ID_CHECKS[kind](item_id):
                raise BadRequest(f"{key}: not a {kind} id: {item_id!r}")
            if item_id not in wanted[kind]:
                wanted[kind].append(item_id)
    count = sum(len(ids) for ids in wanted.values())
    if not count:
        raise BadRequest("nothing to refresh: give videos, channels or playlists")
    if count > MAX_ITEMS:
        raise BadRequest(f"at most {MAX_ITEMS} items a request, got {count}")
    return wanted


def request(body: RefreshRequest, extract_videos: bool = False) -> dict:
    """Queue a refresh of archived items; NotFound when one is not in the archive. What was queued, by kind."""
    wanted = parse_request(body)
    found = db.batch_get(*((MODELS[kind], ids) for kind, ids in wanted.items()))
    missing = [i for (kind, ids), got in zip(wanted.items(), found, strict=True) for i in ids if i not in got]
    if missing:
        raise NotFound(f"not in the archive: {', '.join(missing[:10])}")
    enqueue([(kind, i) for kind, ids in wanted.items() for i in ids], extract_videos)
    return {PLURAL[kind]: ids for kind, ids in wanted.items()}


def enqueue(items: Iterable[tuple[str, str]], extract_videos: bool = False) -> int:
    """Store a RefreshItem per (kind, id) and send its message; the number queued."""
    items = list(dict.fromkeys(items))
    now = int(time.time())
    with RefreshItem.batch_write() as batch:
        for kind, item_id in items:
            batch.save(RefreshItem(kind, item_id, queued=now, extract_videos=extract_videos))
    aws.send(aws.REFRESH, [{"action": REFRESH, "kind": k, "id": i, "extract_videos": extract_videos} for k, i in items])
    return len(items)


def progress(kind: str | None, item_id: str | None) -> dict:
    """`/api/refresh/` GET: how many items wait (of one kind, or all), and whether one item does."""
    if item_id and not kind:
        raise BadRequest("type is required with id: video, channel or playlist")
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"type must be video, channel or playlist, got {kind!r}")
    total = sum(RefreshItem.count(k) for k in ([kind] if kind else KINDS))
    body = {"total_queued": total, "type": kind or "all"}
    if item_id:
        waiting = RefreshItem.count(kind, RefreshItem.item_id == item_id)
        body.update(id=item_id, state="in_queue" if waiting else False)
    else:
        body["state"] = "running" if total else "empty"
    return body


# ---------------------------------------------------------------- doing (refresh function: yt-dlp)


def done(kind: str, item_id: str) -> None:
    RefreshItem(kind, item_id).delete()


def run_item(kind: str, item_id: str, extract_videos: bool, cookie: str | None) -> Outcome:
    """Refresh one item (what happened: refreshed, inactive, missing); with `extract_videos`, a channel's or
    playlist's archived videos are queued for a refresh of their own."""
    if kind == VIDEO:
        return refresh_video(item_id, cookie)
    if kind == CHANNEL:
        outcome = refresh_channel(item_id, cookie)
        if extract_videos and outcome != Outcome.MISSING:
            enqueue((VIDEO, key.youtube_id) for key in Video.by_channel.query(item_id))
        return outcome
    if kind == PLAYLIST:
        outcome, _ = refresh_playlist(item_id, cookie)
        if extract_videos and outcome != Outcome.MISSING:
            enqueue((VIDEO, e.youtube_id) for e in PlaylistEntry.query(item_id) if e.downloaded)
        return outcome
    raise ValueError(f"unknown kind {kind!r}")


def _tallied_update(item, actions: list, changes: dict) -> bool:
    """`actions` on a stored item whose counted attributes become `changes` (active, duration): its counters
    move with them."""
    if isinstance(item, Video):
        return tallied.update_tallied(item, actions, changes, counters.video_totals, counters.VIDEO_TALLIED)
    if isinstance(item, Channel):
        return tallied.update_tallied(item, actions, changes, counters.channel_totals, counters.CHANNEL_TALLIED)
    return tallied.update_tallied(item, actions, changes, counters.playlist_totals, counters.PLAYLIST_TALLIED)


def _update_indexed(item, actions: list, index: Callable, changes: dict) -> Outcome:
    """Write what a refresh read (only these attributes: a subscribe or a download meanwhile keeps its own) and
    index the item again, so searches find its new title and leave its old one."""
    before = type(item).from_raw_data(item.serialize())
    if not _tallied_update(item, actions, changes):
        return Outcome.MISSING
    index(item, previous=before)
    return Outcome.REFRESHED


def _stored_streams(video: Video) -> list[dict] | None:
    """The streams of a video's archived file (copied from S3 into a work folder for ffmpeg to read)."""
    with tempfile.TemporaryDirectory(prefix="streams-") as workdir:
        path = Path(workdir) / f"{video.youtube_id}.{video.media_ext}"
        try:
            s3.download_file(s3.video_media_key(video), path)
        except NotFound as error:
            log.warning("video %s: its file could not be read: %s", video.youtube_id, error)
            return None
        return media.probe_streams(path)


def refresh_video(youtube_id: str, cookie: str | None) -> Outcome:
    try:
        video = Video.get(youtube_id)
    except DoesNotExist:
        return Outcome.MISSING
    try:
        info = ytdlp.video_info(youtube_id, cookie, media.info_params(app_settings.current()["downloads"]))
    except ytdlp.VideoGone:
        _tallied_update(video, [Video.active.set(False), Video.vid_last_refresh.set(today())], {"active": False})
        return Outcome.INACTIVE
    actions = [
        Video.title.set(info.get("title") or video.title),
        Video.description.set(info.get("description") or ""),
        Video.tags.set(list(info.get("tags") or [])),
        Video.category.set(list(info.get("categories") or [])),
        Video.view_count.set(int(info.get("view_count") or 0)),
        Video.like_count.set(int(info.get("like_count") or 0)),
        Video.active.set(True),
        Video.vid_last_refresh.set(today()),
    ]
    changes: dict = {"active": True}
    if info.get("duration"):
        changes["duration"] = int(info["duration"])
        actions.append(Video.duration.set(changes["duration"]))
    if info.get("comments"):  # kept and read again (TubeArchivist's reindex); none read: the stored ones stay
        actions.append(Video.comment_count.set(comments.store_comments(youtube_id, info["comments"])))
    if video.streams is None:  # archived before streams were kept: read them from the file
        streams = _stored_streams(video)
        if streams is not None:
            actions.append(Video.streams.set(streams))
    return _update_indexed(video, actions, search.index_video, changes)


def refresh_channel(channel_id: str, cookie: str | None) -> Outcome:

    try:
        channel = Channel.get(channel_id)
    except DoesNotExist:
        return Outcome.MISSING
    try:
        info = ytdlp.channel_info(urls.Target(CHANNEL, channel_id), cookie)
    except ytdlp.VideoGone:
        actions = [Channel.channel_active.set(False), Channel.channel_last_refresh.set(today())]
        _tallied_update(channel, actions, {"channel_active": False})
        return Outcome.INACTIVE
    with tempfile.TemporaryDirectory(prefix="refresh-") as workdir:
        art = archiving.store_channel_art(channel_id, info, Path(workdir), cookie, channel.channel_art)
    actions = [*archiving.channel_page_actions(info, channel_id), Channel.channel_active.set(True), art]
    return _update_indexed(channel, actions, search.index_channel, {"channel_active": True})


def refresh_playlist(playlist_id: str, cookie: str | None) -> tuple[Outcome, list[dict]]:
    """(what happened, the playlist's entries as yt-dlp lists them now)."""

    try:
        playlist = Playlist.get(playlist_id)
    except DoesNotExist:
        return Outcome.MISSING, []
    try:
        info = ytdlp.playlist_info(playlist_id, cookie)
    except ytdlp.VideoGone:
        actions = [Playlist.playlist_active.set(False), Playlist.playlist_last_refresh.set(today())]
        _tallied_update(playlist, actions, {"playlist_active": False})
        return Outcome.INACTIVE, []
    channel_key = index_keys.playlist_channel_key(info["playlist_channel_id"], playlist.subscription)
    with tempfile.TemporaryDirectory(prefix="refresh-") as workdir:
        thumb = archiving.store_playlist_thumbnail(
            playlist_id, info["playlist_thumbnail_url"], Path(workdir), cookie, bool(playlist.playlist_thumb)
        )
    actions = [
        Playlist.playlist_name.set(info["playlist_name"]),
        Playlist.name_key.set(name_key(info["playlist_name"], playlist_id)),
        Playlist.playlist_channel.set(info["playlist_channel"]),
        Playlist.playlist_channel_id.set(info["playlist_channel_id"]),
        # the by_channel and by_type index keys (by_channel sparse); also re-keys playlists stored before them
        Playlist.channel_key.set(channel_key) if channel_key else Playlist.channel_key.remove(),
        Playlist.type_subscription.set(f"{playlist.playlist_type or 'regular'}#{playlist.subscription}"),
        Playlist.playlist_description.set(info["playlist_description"]),
        Playlist.playlist_active.set(True),
        Playlist.playlist_last_refresh.set(today()),
        Playlist.playlist_thumb.set(thumb),
    ]
    changes = {"playlist_active": True, "playlist_channel_id": info["playlist_channel_id"]}
    if _update_indexed(playlist, actions, search.index_playlist, changes) == Outcome.MISSING:
        return Outcome.MISSING, []
    playlists.save_entries(playlist_id, playlists.in_sort_order(playlist, playlists.listing(info["entries"])))
    return Outcome.REFRESHED, info["entries"]
