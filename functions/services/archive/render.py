"""How archive items look to TubeArchivist clients: the objects and envelopes of API.md, as the Structs of
functions.schemas.ta_objects."""

from collections.abc import Callable
from typing import Any

from msgspec import UNSET

from functions.core.dates import duration_str
from functions.core.dialects import V04, V05
from functions.schemas import ta_objects as wire
from functions.services.invidious import links
from functions.storage import s3
from functions.storage.models import Channel, Playlist, PlaylistEntry, UserVideo, Video


def envelope(data: Any, config: dict, paginate: dict | None = None) -> wire.Envelope:
    return wire.Envelope(data, config, UNSET if paginate is None else paginate)


def channel(item: Channel) -> wire.Channel:
    return wire.Channel(
        channel_id=item.channel_id,
        channel_name=item.channel_name,
        channel_description=item.channel_description,
        channel_subscribed=item.channel_subscribed,
        channel_active=item.channel_active,
        channel_last_refresh=item.channel_last_refresh or False,
        channel_subs=int(item.channel_subs or 0),
        channel_views=int(item.channel_views or 0),
        channel_thumb_url=_art_url(item, "thumb"),
        channel_banner_url=_art_url(item, "banner"),
        channel_tvart_url=_art_url(item, "tvart"),
        channel_overwrites=item.channel_overwrites.as_dict() if item.channel_overwrites else {},
    )


def _art_url(item: Channel, kind: str) -> str | bool:
    """The art's path, or False when the channel has no such art (clients would show the 404's body)."""
    if item.channel_art is not None and kind not in item.channel_art:
        return False
    return s3.url_of(s3.channel_art_key(item.channel_id, kind))


def missing_channel(channel_id: str) -> wire.Channel:
    """The channel object of a video whose channel item is gone: ids still resolve, names are unknown."""
    return channel(Channel(channel_id, channel_name=channel_id, name_key=channel_id, channel_active=False))


def file_links(config: dict) -> Callable[[str], str]:
    """How a video's files are linked: by their path (the client sends its token, as TubeArchivist), or with
    `application.disable_static_auth` by absolute signed expiring URLs a player without credentials can play."""
    return links.file_url if config["application"].get("disable_static_auth") else s3.url_of


def video(
    item: Video, channel_item: Channel | None, state: UserVideo | None, file_url: Callable[[str], str] = s3.url_of
) -> wire.Video:
    watched = bool(state and state.watched)
    player = wire.Player(
        watched=watched,
        duration=int(item.duration or 0),
        duration_str=duration_str(item.duration),
        watched_date=int(state.watched_date) if state and watched and state.watched_date else UNSET,
    )
    return wire.Video(
        youtube_id=item.youtube_id,
        title=item.title,
        description=item.description,
        published=item.published,
        vid_last_refresh=item.vid_last_refresh or item.published,
        date_downloaded=int(item.date_downloaded),
        vid_type=item.vid_type,
        vid_thumb_url=file_url(s3.video_thumb_key(item.youtube_id)),
        media_url=file_url(s3.video_media_key(item)),
        active=item.active,
        category=list(item.category or []),
        tags=list(item.tags or []),
        channel=channel(channel_item) if channel_item else missing_channel(item.channel_id),
        player=player,
        stats=wire.Stats(
            view_count=int(item.view_count or 0),
            like_count=int(item.like_count or 0),
            dislike_count=int(item.dislike_count or 0),
            average_rating=item.average_rating,
        ),
        playlist=list(item.playlist or []),
        subtitles=[subtitle(item, sub, file_url) for sub in item.subtitles or []],
        media_size=int(item.media_size or 0),
        streams=[wire.Stream(**stream) for stream in item.streams or []],
        comment_count=UNSET if item.comment_count is None else int(item.comment_count),
        sponsorblock=UNSET if item.sponsorblock is None else item.sponsorblock.as_dict(),
    )


def subtitle(item: Video, sub: dict, file_url: Callable[[str], str] = s3.url_of) -> wire.Subtitle:
    key = s3.video_subtitle_key(item, sub["lang"])
    return wire.Subtitle(
        ext=sub.get("ext", "vtt"),
        lang=sub["lang"],
        name=sub.get("name", sub["lang"]),
        source=sub.get("source", "user"),
        media_url=file_url(key),
    )


TOP = "top"  # a playlist's entries in YouTube's order; "bottom" reversed
CUSTOM = "custom"  # the playlist_type of the archive's own playlists (functions.services.archive.custom_playlists)


def playlist_thumb_key(item: Playlist, entries: list[dict]) -> str | None:
    """The S3 key of the playlist's art, None when it has none: a YouTube playlist's own thumbnail once stored,
    a custom playlist's first archived video's (as TubeArchivist shows it). `entries`: as for `playlist`."""
    if item.playlist_type == CUSTOM:
        first = next((row["youtube_id"] for row in entries if row["downloaded"]), None)
        return s3.video_thumb_key(first) if first else None
    return s3.playlist_thumb_key(item.playlist_id) if item.playlist_thumb else None


def playlist(item: Playlist, entries: list[dict], dialect: str = V04) -> wire.Playlist:
    """`entries`: rows of playlist_entry (functions.services.archive.playlists.entry_rows, which the Invidious
    objects read too); `dialect` v0.5 adds the field only v0.5 has."""
    return wire.Playlist(
        playlist_id=item.playlist_id,
        playlist_name=item.playlist_name,
        playlist_channel=item.playlist_channel,
        playlist_channel_id=item.playlist_channel_id,
        playlist_description=item.playlist_description,
        playlist_subscribed=item.playlist_subscribed,
        playlist_active=item.playlist_active,
        playlist_last_refresh=item.playlist_last_refresh or False,
        playlist_thumbnail=s3.url_of(key) if (key := playlist_thumb_key(item, entries)) else False,
        playlist_type=item.playlist_type,
        playlist_entries=[wire.PlaylistEntry(**row) for row in entries],
        playlist_sort_order=(item.playlist_sort_order or TOP) if dialect == V05 else UNSET,
    )


def playlist_entry(entry: PlaylistEntry) -> dict:
    """A stored entry as a row of a playlist's listing: the fields of functions.schemas.ta_objects.PlaylistEntry."""
    return {
        "youtube_id": entry.youtube_id,
        "title": entry.title,
        "uploader": entry.uploader,
        "idx": int(entry.idx),
        "downloaded": entry.downloaded,
    }
