"""yt-dlp's info as the archive's normalised fields: `published` as YYYY-MM-DD, `vid_type` videos, shorts or
streams, the row of a video the queue and the lookup show. No caller reads yt-dlp's keys but through these and
functions.youtube.ytdlp."""

LIVE_STATUSES = ("was_live", "is_live", "post_live")


def day_of(upload_date: str | None) -> str | None:
    """yt-dlp's `upload_date` (YYYYMMDD) as YYYY-MM-DD; None when it has none."""
    if upload_date and len(upload_date) == 8 and upload_date.isdigit():
        return f"{upload_date[:4]}-{upload_date[4:6]}-{upload_date[6:]}"
    return None


def vid_type_of(url: str | None, live_status: str | None = None, default: str = "videos") -> str:
    """shorts (a /shorts/ URL), streams (a live or past live), else `default` (the tab it was listed in)."""
    if url and "/shorts/" in url:
        return "shorts"
    if live_status in LIVE_STATUSES:
        return "streams"
    return default


def video_row(info: dict) -> dict:
    """The fields of a video the queue and the lookup show, from yt-dlp's info of it: {youtube_id, title,
    channel_id, channel_name, duration, published, vid_type, thumbnail_url}."""
    return {
        "youtube_id": info.get("id"),
        "title": info.get("title") or "",
        "channel_id": info.get("channel_id") or "",
        "channel_name": info.get("channel") or info.get("uploader") or "",
        "duration": int(info.get("duration") or 0),
        "published": day_of(info.get("upload_date")),
        "vid_type": vid_type_of(info.get("webpage_url"), info.get("live_status")),
        "thumbnail_url": info.get("thumbnail") or ((info.get("thumbnails") or [{}])[-1].get("url")),
    }
