"""Turning a finished download into archive items: files to S3, then the channel and the video, idempotently.

Every step can run twice (a retried or duplicated SQS message) without leaving a second anything: files go to
fixed keys (the same object is overwritten), the channel and the video go through the counted conditional writes
of channels.save and videos.save (a video counts once, however often it is written; its playlist entries are
marked once; subscribers' feeds get it once, when it is new).
"""

import contextlib
import logging
from pathlib import Path

from pynamodb.exceptions import DoesNotExist

from functions.core.dates import now, today
from functions.services import comments, search, sponsorblock
from functions.services.archive import channels, videos
from functions.storage import s3
from functions.storage.models import Channel, QueueItem, Video, name_key
from functions.youtube import urls, ytdlp

log = logging.getLogger("ytarchive.archiving")
CONTENT_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".mkv": "video/x-matroska", ".m4a": "audio/mp4"}
ART_KINDS = {"thumb": "channel_thumb_url", "banner": "channel_banner_url", "tvart": "channel_tvart_url"}


def _day(upload_date: str | None) -> str:
    if upload_date and len(upload_date) == 8 and upload_date.isdigit():
        return f"{upload_date[:4]}-{upload_date[4:6]}-{upload_date[6:]}"
    return today()


def _vid_type(info: dict, queued: QueueItem | None) -> str:
    if "/shorts/" in str(info.get("webpage_url") or ""):
        return "shorts"
    if info.get("live_status") in ("was_live", "is_live", "post_live"):
        return "streams"
    return queued.vid_type if queued is not None and queued.vid_type in urls.TABS else "videos"


def _codecs(info: dict) -> str | None:
    """The downloaded file's codecs as a MIME type's codecs parameter; None when yt-dlp did not name them."""
    named = [info.get(k) for k in ("vcodec", "acodec") if info.get(k) and info.get(k) != "none"]
    return ", ".join(named) or None


def video_from_download(result: ytdlp.DownloadResult, queued: QueueItem | None) -> Video:
    """The Video item of a download (not written): metadata from yt-dlp's info, sizes from the files."""
    info = result.info
    automatic = set(info.get("automatic_captions") or {}) - set(info.get("subtitles") or {})
    playlists = list(queued.playlists or []) if queued is not None else []
    with contextlib.suppress(DoesNotExist):  # a video downloaded again keeps the playlists it was in
        playlists += [p for p in Video.get(info["id"]).playlist or [] if p not in playlists]
    return Video(
        info["id"],
        title=info.get("title") or info["id"],
        description=info.get("description") or "",
        published=_day(info.get("upload_date")),
        vid_last_refresh=today(),
        date_downloaded=now(),
        vid_type=_vid_type(info, queued),
        category=list(info.get("categories") or []),
        tags=list(info.get("tags") or []),
        channel_id=info["channel_id"],
        duration=int(info.get("duration") or 0),
        view_count=int(info.get("view_count") or 0),
        like_count=int(info.get("like_count") or 0),
        dislike_count=int(info.get("dislike_count") or 0),
        average_rating=info.get("average_rating"),
        playlist=playlists,
        media_ext=result.media_path.suffix.lstrip(".") or "mp4",
        media_size=result.media_path.stat().st_size,
        media_width=info.get("width") or None,
        media_height=info.get("height") or None,
        media_codecs=_codecs(info),
        subtitles=[
            {"ext": "vtt", "lang": lang, "name": lang, "source": "auto" if lang in automatic else "user"}
            for lang in sorted(result.subtitle_paths)
            if s3.MEDIA_FILE.match(f"{info['id']}.{lang}.vtt")  # the language becomes part of a key
        ],
    )


def upload_files(video: Video, result: ytdlp.DownloadResult) -> None:
    """The media, thumbnail, subtitles and info JSON, each to its fixed key."""
    media_key = s3.media_key(video.channel_id, video.youtube_id, video.media_ext)
    s3.upload_file(result.media_path, media_key, CONTENT_TYPES.get(result.media_path.suffix))
    if result.thumbnail_path is not None:
        s3.upload_file(result.thumbnail_path, s3.video_thumb_key(video.youtube_id), "image/jpeg")
    for sub in video.subtitles:
        key = s3.subtitle_key(video.channel_id, video.youtube_id, sub["lang"])
        s3.upload_file(result.subtitle_paths[sub["lang"]], key, "text/vtt")
    if result.info_json_path is not None:
        key = s3.info_json_key(video.channel_id, video.youtube_id)
        s3.upload_file(result.info_json_path, key, "application/json")


def ensure_channel(info: dict, workdir: Path, cookie: str | None) -> Channel:
    """The video's channel. The first download of a new channel creates it from the video's info, then fills in
    the channel page and art; concurrent downloads of its other videos find it created and go on. When yt-dlp
    cannot read the channel page, what the video's info says stays (a refresh fills in the rest)."""
    channel_id = info["channel_id"]
    try:
        return Channel.get(channel_id)
    except DoesNotExist:
        pass
    channel = Channel(channel_id, channel_name=info.get("channel") or info.get("uploader") or channel_id)
    if not channels.create(channel):
        return Channel.get(channel_id)  # another download created it meanwhile
    try:
        meta = ytdlp.channel_info(urls.Target(urls.CHANNEL, channel_id), cookie)
    except ytdlp.BadRequest as error:
        log.warning("channel %s: %s; archived from the video's metadata", channel_id, error.message)
        return channel
    store_channel_art(channel_id, meta, workdir, cookie)
    channel.update(actions=channel_page_actions(meta, channel_id))  # an update: a subscription made meanwhile stays
    return channel


def store_channel_art(channel_id: str, meta: dict, workdir: Path, cookie: str | None) -> None:
    """The avatar, banner and TV art the channel page links (ytdlp.channel_info's `meta`) into S3; art YouTube
    fails to serve is left as it was."""
    for kind, field in ART_KINDS.items():
        if meta.get(field):
            try:
                path = workdir / f"{channel_id}_{kind}.jpg"
                path.write_bytes(ytdlp.fetch(meta[field], cookie))
                s3.upload_file(path, s3.channel_art_key(channel_id, kind), "image/jpeg")
            except ytdlp.BadRequest as error:
                log.warning("channel %s %s: %s", channel_id, kind, error.message)


def channel_page_actions(meta: dict, channel_id: str) -> list:
    """The channel attributes its page (ytdlp.channel_info) gives, as update actions."""
    return [
        Channel.channel_name.set(meta["channel_name"]),
        Channel.name_key.set(name_key(meta["channel_name"], channel_id)),  # the by-name lists follow a rename
        Channel.channel_description.set(meta.get("channel_description") or ""),
        Channel.channel_subs.set(int(meta.get("channel_subs") or 0)),
        Channel.channel_last_refresh.set(today()),
    ]


def download_extras(video: Video, result: ytdlp.DownloadResult, config: dict) -> None:
    """Comments (when the config asked yt-dlp for them) and SponsorBlock segments (when the app integrates it):
    stored before the video item, so the item's counts match what is stored."""
    if result.comments is not None:
        video.comment_count = comments.store_comments(video.youtube_id, result.comments)
    video.sponsorblock = sponsorblock.for_download(video.youtube_id, config)


def write(video: Video) -> bool:
    """The one write of a downloaded video into the archive: the item, its counters, its playlist entries and
    its subscribers' feeds (videos.save; each happens once however often this runs). True when it was new."""
    return videos.save(video)


def index_subtitles(video: Video, result: ytdlp.DownloadResult, config: dict) -> None:
    """The subtitle lines into the search index for `full:` searches, when the app indexes them (TubeArchivist's
    `subtitle_index` download setting); after the video item, which says each track's source."""
    if not (config.get("downloads") or {}).get("subtitle_index"):
        return
    for sub in video.subtitles:
        vtt = result.subtitle_paths[sub["lang"]].read_text(encoding="utf-8", errors="replace")
        search.index_subtitles(video.youtube_id, sub["lang"], vtt)


def archive(
    result: ytdlp.DownloadResult, queued: QueueItem | None, config: dict, workdir: Path, cookie: str | None = None
) -> tuple[Video, bool]:
    """Store a finished download: files, channel, extras, then the video. (video, whether it was new)."""
    if not result.info.get("channel_id"):
        raise ytdlp.ExtractionFailed(f"yt-dlp gave no channel id for {result.info.get('id')}")
    if queued is not None:  # a playlist queued since the download began may have added itself to the item
        with contextlib.suppress(DoesNotExist):
            queued = QueueItem.get(queued.youtube_id, consistent_read=True)
    video = video_from_download(result, queued)
    upload_files(video, result)
    ensure_channel(result.info, workdir, cookie)
    download_extras(video, result, config)
    created = write(video)
    index_subtitles(video, result, config)
    return video, created
