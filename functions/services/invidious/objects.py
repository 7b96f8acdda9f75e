"""How archive items look in the public Invidious API: videos (with their media), channels, playlists and search
items, with Invidious' field names and JSON types (clients parse `itag`, `clen`, `bitrate` as strings).

Every URL is absolute and every file a signed link (functions.services.invidious.links): players fetch without
credentials. The archived muxed file is the one `formatStreams` entry; its DASH rendition (services.invidious.dash)
fills `adaptiveFormats` and the `dashUrl` manifest. A video without a rendition (not yet backfilled) has the
muxed file as its `dashUrl` (shaka-player plays a URL ending in `.mp4` natively) and no adaptive formats.
"""

import html

from msgspec import structs

from functions.schemas.invidious import Caption, FormatStream, Image, RecommendedVideo
from functions.schemas.invidious import Video as WireVideo
from functions.services.archive import render as archive_render
from functions.services.invidious import dash, links, render
from functions.storage import s3

AUTHOR_SIZES = (32, 48, 76, 100, 176, 512)
BANNER_SIZES = ((2560, 424), (2120, 351), (1060, 175), (512, 88))
# YouTube's muxed itags by container and height: clients pick a stream by itag.
ITAGS = {"mp4": ((360, "18"), (10_000, "22")), "webm": ((10_000, "43"),)}
QUALITIES = ((144, "tiny"), (240, "small"), (360, "medium"), (480, "large"), (720, "hd720"), (1080, "hd1080"))
ENCODINGS = {"avc1": "h264", "vp09": "vp9", "vp9": "vp9", "av01": "av1", "hev1": "h265", "hvc1": "h265"}


def count_text(n: int) -> str:
    """1234 → `1.2K`, as YouTube abbreviates counts."""
    for limit, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= limit:
            return f"{n / limit:.1f}".rstrip("0").rstrip(".") + unit
    return str(n)


def description_html(text: str | None) -> str:
    return html.escape(text or "").replace("\n", "<br>")


def author_images(channel_id: str) -> list[Image]:
    url = links.channel_art(channel_id, "thumb")
    return [Image(url, size, size) for size in AUTHOR_SIZES]


def author_thumbnails(channel_id: str) -> list[dict]:
    """author_images as JSON objects, for the answers still built as dicts."""
    return [structs.asdict(image) for image in author_images(channel_id)]


def author_banners(channel_id: str) -> list[dict]:
    url = links.channel_art(channel_id, "banner")
    return [{"url": url, "width": width, "height": height} for width, height in BANNER_SIZES]


def _published(video) -> tuple[int, str]:
    epoch = render.published_epoch(video.published)
    return epoch, render.published_text(epoch)


def video_item(video, author: str) -> dict:
    """A video in a list (channel tab, search, trending): Invidious' `video` search item."""
    published, published_text = _published(video)
    views = int(video.view_count or 0)
    return {
        "type": "video",
        "title": video.title,
        "videoId": video.youtube_id,
        "author": author,
        "authorId": video.channel_id,
        "authorUrl": render.author_url(video.channel_id),
        "authorVerified": False,
        "videoThumbnails": render.thumbnails(video.youtube_id),
        "description": video.description or "",
        "descriptionHtml": description_html(video.description),
        "viewCount": views,
        "viewCountText": f"{count_text(views)} views",
        "published": published,
        "publishedText": published_text,
        "lengthSeconds": int(video.duration or 0),
        "liveNow": False,
        "premium": False,
        "isUpcoming": False,
        "isNew": False,
        "is4k": int(video.media_height or 0) >= 2160,
        "is8k": False,
        "isVr180": False,
        "isVr360": False,
        "is3d": False,
        "hasCaptions": bool(video.subtitles),
    }


def _quality(height: int) -> str:
    return next((name for limit, name in QUALITIES if height <= limit), "hd1080")


def format_stream(video) -> FormatStream:
    """The archived file as Invidious' muxed stream; every value a string, as Clipious and invidtui read them.
    A file without recorded dimensions (archived before they were kept) is labelled by its size class 360p."""
    height = int(video.media_height or 360)
    width = int(video.media_width or round(height * 16 / 9))
    ext = video.media_ext or "mp4"
    itag = next((tag for limit, tag in ITAGS.get(ext, ITAGS["mp4"]) if height <= limit), "18")
    mime = "video/mp4" if ext == "mp4" else f"video/{ext}"
    codecs = video.media_codecs
    seconds = int(video.duration or 0)
    bitrate = int(int(video.media_size or 0) * 8 / seconds) if seconds else 0
    return FormatStream(
        url=links.file_url(s3.video_media_key(video)),
        itag=itag,
        type=f'{mime}; codecs="{codecs}"' if codecs else mime,
        quality=_quality(height),
        bitrate=str(bitrate),
        container=ext,
        encoding=ENCODINGS.get((codecs or "avc1").split(".")[0], "h264"),
        qualityLabel=f"{height}p",
        resolution=f"{height}p",
        size=f"{width}x{height}",
        clen=str(int(video.media_size or 0)),
    )


def caption_label(sub: dict) -> str:
    return sub.get("name") or sub["lang"]


def caption(video, sub: dict) -> Caption:
    """A subtitle track: its URL is the signed WebVTT file itself (players fetch it without credentials)."""
    return Caption(
        label=caption_label(sub),
        language_code=sub["lang"],
        url=links.file_url(s3.video_subtitle_key(video, sub["lang"])),
    )


def recommended(video, author: str) -> RecommendedVideo:
    views = int(video.view_count or 0)
    return RecommendedVideo(
        videoId=video.youtube_id,
        title=video.title,
        videoThumbnails=render.thumbnail_list(video.youtube_id),
        author=author,
        authorUrl=render.author_url(video.channel_id),
        authorId=video.channel_id,
        authorVerified=False,
        lengthSeconds=int(video.duration or 0),
        viewCountText=f"{count_text(views)} views",
        viewCount=views,
    )


def video_detail(video, channel, similar: list[tuple[object, str]]) -> WireVideo:
    """GET /api/v1/videos/:id of an archived video; `similar`: (video, author) pairs the archive recommends."""
    author = channel.channel_name if channel else video.channel_id
    published, published_text = _published(video)
    stream = format_stream(video)
    likes = int(video.like_count or 0)
    dislikes = int(video.dislike_count or 0)
    return WireVideo(
        type="video",
        title=video.title,
        videoId=video.youtube_id,
        videoThumbnails=render.thumbnail_list(video.youtube_id),
        storyboards=[],
        description=video.description or "",
        descriptionHtml=description_html(video.description),
        published=published,
        publishedText=published_text,
        keywords=list(video.tags or []),
        viewCount=int(video.view_count or 0),
        likeCount=likes,
        dislikeCount=dislikes,
        paid=False,
        premium=False,
        isFamilyFriendly=True,
        allowedRegions=[],
        genre=(video.category or [""])[0],
        genreUrl=None,
        author=author,
        authorId=video.channel_id,
        authorUrl=render.author_url(video.channel_id),
        authorVerified=False,
        authorThumbnails=author_images(video.channel_id),
        subCountText=count_text(int(channel.channel_subs or 0)) if channel else "0",
        lengthSeconds=int(video.duration or 0),
        allowRatings=True,
        rating=float(video.average_rating or (5 * likes / (likes + dislikes) if likes + dislikes else 0)),
        isListed=True,
        liveNow=False,
        isPostLiveDvr=False,
        isUpcoming=False,
        dashUrl=dash.manifest_url(video) or stream.url,
        adaptiveFormats=dash.adaptive_formats(video),
        formatStreams=[stream],
        captions=[caption(video, sub) for sub in video.subtitles or []],
        recommendedVideos=[recommended(other, name) for other, name in similar],
    )


def looked_up_video(youtube_id: str, row: dict) -> WireVideo:
    """A video the archive does not hold, as the lookup function read it (yt-dlp's `video_row`): its metadata,
    nothing to play."""
    channel_id = str(row.get("channel_id") or "")
    published = render.published_epoch(row["published"]) if row.get("published") else 0
    return WireVideo(
        type="video",
        title=str(row.get("title") or youtube_id),
        videoId=youtube_id,
        videoThumbnails=[],
        storyboards=[],
        description="",
        descriptionHtml="",
        published=published,
        publishedText=render.published_text(published) if published else "",
        keywords=[],
        viewCount=0,
        likeCount=0,
        dislikeCount=0,
        paid=False,
        premium=False,
        isFamilyFriendly=True,
        allowedRegions=[],
        genre="",
        genreUrl=None,
        author=str(row.get("channel_name") or ""),
        authorId=channel_id,
        authorUrl=render.author_url(channel_id),
        authorVerified=False,
        authorThumbnails=[],
        subCountText="0",
        lengthSeconds=int(row.get("duration") or 0),
        allowRatings=True,
        rating=0.0,
        isListed=True,
        liveNow=False,
        isPostLiveDvr=False,
        isUpcoming=False,
        dashUrl="",
        adaptiveFormats=[],
        formatStreams=[],
        captions=[],
        recommendedVideos=[],
    )


def channel(item, latest: list[dict]) -> dict:
    """GET /api/v1/channels/:ucid of an archived channel; `latest`: its newest videos as video items."""
    return {
        "author": item.channel_name,
        "authorId": item.channel_id,
        "authorUrl": render.author_url(item.channel_id),
        "authorBanners": author_banners(item.channel_id),
        "authorThumbnails": author_thumbnails(item.channel_id),
        "subCount": int(item.channel_subs or 0),
        "totalViews": int(item.channel_views or 0),
        "joined": 0,
        "autoGenerated": False,
        "ageGated": False,
        "isFamilyFriendly": True,
        "description": item.channel_description or "",
        "descriptionHtml": description_html(item.channel_description),
        "allowedRegions": [],
        "tabs": ["videos", "shorts", "streams", "playlists"],
        "tags": [],
        "authorVerified": False,
        "latestVideos": latest,
        "relatedChannels": [],
    }


def looked_up_channel(info: dict) -> dict:
    """A channel the archive does not hold, as the lookup function read it: no videos are archived."""
    description = str(info.get("channel_description") or "")
    thumb, banner = info.get("channel_thumb_url"), info.get("channel_banner_url")
    return {
        "author": str(info.get("channel_name") or info["channel_id"]),
        "authorId": info["channel_id"],
        "authorUrl": render.author_url(info["channel_id"]),
        "authorBanners": [{"url": banner, "width": w, "height": h} for w, h in BANNER_SIZES] if banner else [],
        "authorThumbnails": [{"url": thumb, "width": s, "height": s} for s in AUTHOR_SIZES] if thumb else [],
        "subCount": int(info.get("channel_subs") or 0),
        "totalViews": 0,
        "joined": 0,
        "autoGenerated": False,
        "ageGated": False,
        "isFamilyFriendly": True,
        "description": description,
        "descriptionHtml": description_html(description),
        "allowedRegions": [],
        "tabs": ["videos", "shorts", "streams", "playlists"],
        "tags": [str(t) for t in info.get("channel_tags") or []],
        "authorVerified": False,
        "latestVideos": [],
        "relatedChannels": [],
    }


def channel_item(item, video_count: int) -> dict:
    """A channel in search results."""
    return {
        "type": "channel",
        "author": item.channel_name,
        "authorId": item.channel_id,
        "authorUrl": render.author_url(item.channel_id),
        "authorVerified": False,
        "authorThumbnails": author_thumbnails(item.channel_id),
        "autoGenerated": False,
        "subCount": int(item.channel_subs or 0),
        "videoCount": video_count,
        "channelHandle": None,
        "description": item.channel_description or "",
        "descriptionHtml": description_html(item.channel_description),
    }


def playlist_thumbnail(item, rows: list[dict]) -> str:
    """The playlist's art (archive.render.playlist_thumb_key), "" when it has none."""
    key = archive_render.playlist_thumb_key(item, rows)
    return links.file_url(key) if key else ""


def _playlist_head(item, rows: list[dict]) -> dict:
    """What every rendering of an archived YouTube playlist starts with."""
    return {
        "type": "playlist",
        "title": item.playlist_name,
        "playlistId": item.playlist_id,
        "playlistThumbnail": playlist_thumbnail(item, rows),
        "author": item.playlist_channel,
        "authorId": item.playlist_channel_id,
        "authorUrl": render.author_url(item.playlist_channel_id),
    }


def playlist_item(item, rows: list[dict], video_count: int) -> dict:
    """An archived YouTube playlist in search results and channel playlists; `rows` its listing."""
    return {
        **_playlist_head(item, rows),
        "authorVerified": False,
        "videoCount": video_count,
        "videos": [
            {
                "title": row.get("title", ""),
                "videoId": row["youtube_id"],
                "lengthSeconds": 0,
                "videoThumbnails": render.thumbnails(row["youtube_id"]),
            }
            for row in rows[:4]
        ],
    }


def playlist(item, rows: list[dict], offset: int, lengths: dict[str, int]) -> dict:
    """GET /api/v1/playlists/:plid of an archived YouTube playlist: one page of its listing from `offset`;
    `lengths`: the archived entries' durations."""
    description = item.playlist_description or ""
    page = rows[offset : offset + 100]
    return {
        **_playlist_head(item, rows),
        "subtitle": None,
        "authorThumbnails": author_thumbnails(item.playlist_channel_id) if item.playlist_channel_id else [],
        "description": description,
        "descriptionHtml": description_html(description),
        "videoCount": len(rows),
        "viewCount": 0,
        "updated": 0,
        "isListed": True,
        "videos": [
            {
                "title": row.get("title", ""),
                "videoId": row["youtube_id"],
                "author": row.get("uploader", ""),
                "authorId": item.playlist_channel_id,
                "authorUrl": render.author_url(item.playlist_channel_id),
                "videoThumbnails": render.thumbnails(row["youtube_id"]),
                "index": offset + n,
                "lengthSeconds": lengths.get(row["youtube_id"], 0),
                "liveNow": False,
            }
            for n, row in enumerate(page)
        ],
    }
