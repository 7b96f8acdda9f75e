"""How archive items look to Invidious clients: short videos, playlist videos, playlists, thumbnails, dates."""

import html
import time
from calendar import timegm
from datetime import datetime

from msgspec import structs

from functions.schemas.invidious import Thumbnail
from functions.services.invidious import links

# Invidious' nine thumbnail entries: (quality, width, height). The archive keeps one image per video, so every
# entry points at it; clients pick an entry by size.
THUMBNAILS = (
    ("maxres", 1280, 720),
    ("maxresdefault", 1280, 720),
    ("sddefault", 640, 480),
    ("high", 480, 360),
    ("medium", 320, 180),
    ("default", 120, 90),
    ("start", 120, 90),
    ("middle", 120, 90),
    ("end", 120, 90),
)


def thumbnail_list(youtube_id: str) -> list[Thumbnail]:
    """Absolute signed links: thumbnails load without credentials."""
    url = links.video_thumbnail(youtube_id)
    return [Thumbnail(quality, url, width, height) for quality, width, height in THUMBNAILS]


def thumbnails(youtube_id: str) -> list[dict]:
    """thumbnail_list as JSON objects, for the answers still built as dicts."""
    return [structs.asdict(thumbnail) for thumbnail in thumbnail_list(youtube_id)]


def published_epoch(published: str) -> int:
    """`YYYY-MM-DD` (or the date part of a published key) as the unix time of that day's start, UTC."""
    return timegm(datetime.strptime(published[:10], "%Y-%m-%d").timetuple())


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def published_text(published: int, now: float | None = None) -> str:
    """`3 days ago`, `1 year ago`: Invidious' recode_date, in English."""
    seconds = (time.time() if now is None else now) - published
    days = seconds / 86400
    if days > 365:
        span = _count(int(days) // 365, "year")
    elif days > 30:
        span = _count(int(days) // 30, "month")
    elif days > 7:
        span = _count(int(days) // 7, "week")
    elif seconds > 86400:
        span = _count(int(days), "day")
    elif seconds > 3600:
        span = _count(int(seconds // 3600), "hour")
    elif seconds > 60:
        span = _count(int(seconds // 60), "minute")
    else:
        span = _count(max(int(seconds), 0), "second")
    return f"{span} ago"


def author_url(channel_id: str) -> str:
    return f"/channel/{channel_id}"


def short_video(
    youtube_id: str,
    title: str,
    channel_id: str,
    author: str,
    length_seconds,
    view_count,
    published: str,
    now: float | None = None,
) -> dict:
    """Invidious' `shortVideo` (a feed item, a notification); `published` is `YYYY-MM-DD`."""
    epoch = published_epoch(published)
    return {
        "type": "shortVideo",
        "title": title,
        "videoId": youtube_id,
        "videoThumbnails": thumbnails(youtube_id),
        "lengthSeconds": int(length_seconds or 0),
        "author": author,
        "authorId": channel_id,
        "authorUrl": author_url(channel_id),
        "published": epoch,
        "publishedText": published_text(epoch, now),
        "viewCount": int(view_count or 0),
    }


def feed_item(item, now: float | None = None) -> dict:
    """A FeedItem, rendered from what it carries, without reading the video."""
    return short_video(
        item.youtube_id,
        item.title or "",
        item.channel_id,
        item.author or item.channel_id,
        item.length_seconds,
        item.view_count,
        item.published_key,
        now,
    )


def archived_video(video, author: str, now: float | None = None) -> dict:
    """An archived Video as a shortVideo; `author` is its channel's name."""
    return short_video(
        video.youtube_id, video.title, video.channel_id, author, video.duration, video.view_count, video.published, now
    )


def playlist_video(entry, index: int) -> dict:
    """A video of a user's playlist; `index` is its position, `indexId` names the entry."""
    return {
        "type": "video",
        "title": entry.title,
        "videoId": entry.youtube_id,
        "author": entry.author,
        "authorId": entry.author_id,
        "authorUrl": author_url(entry.author_id),
        "videoThumbnails": thumbnails(entry.youtube_id),
        "index": index,
        "indexId": entry.index_id,
        "lengthSeconds": int(entry.length_seconds or 0),
        "liveNow": False,
    }


def playlist(item, entries: list, offset: int = 0) -> dict:
    """An Invidious playlist with one page of its videos, `offset` being the position of the first."""
    description = item.description or ""
    return {
        "type": "invidiousPlaylist",
        "title": item.title,
        "playlistId": item.playlist_id,
        "author": item.author,
        "authorId": None,
        "authorUrl": None,
        "authorThumbnails": [],
        "description": description,
        "descriptionHtml": html.escape(description),
        "videoCount": int(item.video_count or 0),
        "viewCount": 0,
        "updated": int(item.updated),
        "isListed": item.privacy == "public",
        "videos": [playlist_video(entry, offset + n) for n, entry in enumerate(entries)],
    }
