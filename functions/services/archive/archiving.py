"""Turning a finished download into archive items: files to S3, then the channel and the video, idempotently.

Every step can run twice (a retried or duplicated SQS message) without leaving a second anything: files go to
fixed keys (the same object is overwritten), the channel and the video go through the counted conditional writes
of channels.save and videos.save (a video counts once, however often it is written; its playlist entries are
marked once; subscribers' feeds get it once, when it is new).
"""

import contextlib
from pathlib import Path

from pynamodb.exceptions import DoesNotExist

from functions.core import logs
from functions.core.dates import now, today
from functions.services import comments, search, sponsorblock
from functions.services.archive import channels, dash, videos
from functions.storage import s3
from functions.storage.models import Channel, QueueItem, Video, name_key
from functions.youtube import media, rows, urls, ytdlp

log = logs.logger(__name__)
CONTENT_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".mkv": "video/x-matroska", ".m4a": "audio/mp4"}
ART_KINDS = {"thumb": "channel_thumb_url", "banner": "channel_banner_url", "tvart": "channel_tvart_url"}


def _codecs(info: dict) -> str | None:
    """The downloaded file's codecs as a MIME type's codecs parameter; None when yt-dlp did not name them."""
    named = [str(info[k]) for k in ("vcodec", "acodec") if info.get(k) and info.get(k) != "none"]
    return ", ".join(named) or None


def video_from_download(result: media.DownloadResult, queued: QueueItem | None) -> Video:
    """The Video item of a download (not written): metadata from yt-dlp's info, sizes from the files."""
    info = result.info
    automatic = set(info.get("automatic_captions") or {}) - set(info.get("subtitles") or {})
    playlists = list(queued.playlists or []) if queued is not None else []
    listed_type = queued.vid_type if queued is not None and queued.vid_type in urls.TABS else "videos"
    with contextlib.suppress(DoesNotExist):  # a video downloaded again keeps the playlists it was in
        playlists += [p for p in Video.get(info["id"]).playlist or [] if p not in playlists]
    return Video(
        info["id"],
        title=info.get("title") or info["id"],
        description=info.get("description") or "",
        published=rows.day_of(info.get("upload_date")) or today(),
        vid_last_refresh=today(),
        date_downloaded=now(),
        vid_type=rows.vid_type_of(info.get("webpage_url"), info.get("live_status"), listed_type),
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
        streams=media.probe_streams(result.media_path),
        subtitles=[
            {"ext": "vtt", "lang": lang, "name": lang, "source": "auto" if lang in automatic else "user"}
            for lang in sorted(result.subtitle_paths)
            if s3.MEDIA_FILE.match(f"{info['id']}.{lang}.vtt")  # the language becomes part of a key
        ],
    )


def upload_files(video: Video, result: media.DownloadResult) -> None:
    """The media, subtitles and info JSON under the video's revision, and the thumbnail at its one key."""
    s3.upload_file(
        result.media_path,
        s3.video_media_key(video),
        CONTENT_TYPES.get(result.media_path.suffix),
        download_name=f"{video.title}{result.media_path.suffix}",  # saved from a player: the title, not the id
    )
    if result.thumbnail_path is not None:
        s3.upload_file(result.thumbnail_path, s3.video_thumb_key(video.youtube_id), "image/jpeg")
    for sub in video.subtitles:
        s3.upload_file(result.subtitle_paths[sub["lang"]], s3.video_subtitle_key(video, sub["lang"]), "text/vtt")
    if result.info_json_path is not None:
        s3.upload_file(result.info_json_path, s3.video_info_json_key(video), "application/json")


def ensure_channel(info: dict, workdir: Path, cookie: str | None) -> Channel:
    """The channel of a video's (or a playlist's) info: `channel_id`, `channel` or `uploader`. The first download
    of a new channel creates it from the info, then fills in the channel page and art; concurrent downloads of its
    other videos find it created and go on. When yt-dlp cannot read the channel page, what the info says stays (a
    refresh fills in the rest)."""
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
    except ytdlp.YtDlpError as error:
        log.warning("channel %s: %s; archived from the video's metadata", channel_id, error.message)
        return channel
    art = store_channel_art(channel_id, meta, workdir, cookie)
    # an update: a subscription made meanwhile stays
    channel.update(actions=[*channel_page_actions(meta, channel_id), art])
    return channel


def store_channel_art(channel_id: str, meta: dict, workdir: Path, cookie: str | None, known=None):
    """The avatar, banner and TV art the channel page links (ytdlp.channel_info's `meta`) into S3; art YouTube
    fails to serve is left as it was. The update action recording the kinds now stored (`known`: those stored
    before, None when not known), so clients get links only to art that exists."""
    stored = set()
    for kind, field in ART_KINDS.items():
        if meta.get(field):
            try:
                store_image(
                    meta[field], workdir / f"{channel_id}_{kind}.jpg", s3.channel_art_key(channel_id, kind), cookie
                )
                stored.add(kind)
            except ytdlp.YtDlpError as error:
                log.warning("channel %s %s: %s", channel_id, kind, error.message)
                if known is None or kind in known:
                    stored.add(kind)  # what was there stays
    return Channel.channel_art.set(sorted(stored))


def store_image(url: str, path: Path, key: str, cookie: str | None) -> None:
    """An image YouTube serves, fetched through yt-dlp into `path`, then to S3 at `key`; YtDlpError when YouTube
    does not serve it."""
    path.write_bytes(ytdlp.fetch(url, cookie))
    s3.upload_file(path, key, "image/jpeg")


def store_playlist_thumbnail(playlist_id: str, url: str | None, workdir: Path, cookie: str | None, known: bool) -> bool:
    """The thumbnail the playlist's page links (ytdlp.playlist_info's `playlist_thumbnail_url`) into S3: whether
    the playlist has one stored now (`known`: it had one before, which stays when YouTube fails to serve it)."""
    if not url:
        return known
    try:
        store_image(url, workdir / f"{playlist_id}.jpg", s3.playlist_thumb_key(playlist_id), cookie)
    except ytdlp.YtDlpError as error:
        log.warning("playlist %s thumbnail: %s", playlist_id, error.message)
        return known
    return True


def channel_page_actions(meta: dict, channel_id: str) -> list:
    """The channel attributes its page (ytdlp.channel_info) gives, as update actions."""
    return [
        Channel.channel_name.set(meta["channel_name"]),
        Channel.name_key.set(name_key(meta["channel_name"], channel_id)),  # the by-name lists follow a rename
        Channel.channel_description.set(meta.get("channel_description") or ""),
        Channel.channel_subs.set(int(meta.get("channel_subs") or 0)),
        Channel.channel_last_refresh.set(today()),
    ]


def download_extras(video: Video, result: media.DownloadResult, config: dict) -> None:
    """Comments (when the config asked yt-dlp for them) and SponsorBlock segments (when the app integrates it):
    stored before the video item, so the item's counts match what is stored."""
    if result.comments is not None:
        video.comment_count = comments.store_comments(video.youtube_id, result.comments)
    video.sponsorblock = sponsorblock.for_download(video.youtube_id, config)


def index_subtitles(video: Video, result: media.DownloadResult, config: dict) -> None:
    """The subtitle lines into the search index for `full:` searches, when the app indexes them (TubeArchivist's
    `subtitle_index` download setting); after the video item, which says each track's source."""
    if not (config.get("downloads") or {}).get("subtitle_index"):
        return
    for sub in video.subtitles:
        vtt = result.subtitle_paths[sub["lang"]].read_text(encoding="utf-8", errors="replace")
        search.index_subtitles(video.youtube_id, sub["lang"], vtt)


def archive(
    result: media.DownloadResult,
    queued: QueueItem | None,
    config: dict,
    workdir: Path,
    cookie: str | None = None,
    replacing: Video | None = None,
) -> tuple[Video, bool]:
    """Store a finished download: files, channel, extras, then the video. (video, whether it was new).

    `replacing`: the archived copy a re-download replaces. Its files stay as they are while the new ones go under
    the next revision (s3.video_media_key); the video's row then switches to them in one write whose counters move
    by the difference only (the video and its channel's count stay, the size becomes the new file's, its download
    moves to today's count), and only then are the copy's files the new row does not name deleted. A failure
    before the switch deletes what was written of the new revision: the copy stays whole and playable. Users'
    states and the playlists the video is in are items of their own, kept as they are."""
    if not result.info.get("channel_id"):
        raise ytdlp.ExtractionFailed(f"yt-dlp gave no channel id for {result.info.get('id')}")
    if queued is not None:  # a playlist queued since the download began may have added itself to the item
        with contextlib.suppress(DoesNotExist):
            queued = QueueItem.get(queued.youtube_id, consistent_read=True)
    video = video_from_download(result, queued)
    if replacing is not None:
        video.media_revision = int(replacing.media_revision or 0) + 1
        video.comment_count = replacing.comment_count  # its stored comments stay unless this download reads them
    try:
        upload_files(video, result)
        video.dash = dash.make(video, result.media_path, workdir)
        ensure_channel(result.info, workdir, cookie)
        download_extras(video, result, config)
    except Exception:
        if replacing is not None:
            s3.delete_objects(s3.revision_files(video))
        raise
    created = videos.save(video)  # the item, its counters, entries and feeds: each once, however often this runs
    index_subtitles(video, result, config)
    if replacing is not None:
        s3.delete_objects(sorted(set(s3.video_keys(replacing)) - set(s3.video_keys(video))))
        kept = {sub["lang"] for sub in video.subtitles}
        dropped = [sub["lang"] for sub in replacing.subtitles or [] if sub["lang"] not in kept]
        search.remove_subtitles(video.youtube_id, dropped)
    return video, created
