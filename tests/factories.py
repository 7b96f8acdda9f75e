"""Archive items for tests, written through the same services the jobs use."""

from functions.services.archive import channels, playlists, videos
from functions.storage.models import Channel, Playlist, Video


def channel_id(n: int) -> str:
    return f"UC{n:022d}"


def video_id(n: int) -> str:
    return f"vid{n:08d}"


def playlist_id(n: int) -> str:
    return f"PL{n:016d}"


def make_channel(n: int = 1, name: str | None = None, subscribed: bool = False) -> Channel:
    channel = Channel(channel_id(n), channel_name=name or f"Channel {n}", channel_subscribed=subscribed)
    channels.save(channel)
    return channel


def make_video(n: int, channel: int = 1, published: str | None = None, **fields) -> Video:
    values = {
        "title": f"Video {n}",
        "published": published or f"2024-01-{(n % 28) + 1:02d}",
        "date_downloaded": 1_700_000_000 + n,
        "channel_id": channel_id(channel),
        "duration": 300,
        "tags": ["test"],
    }
    values.update(fields)
    video = Video(video_id(n), **values)
    videos.save(video)
    return video


def make_playlist(n: int, video_numbers: list[int], name: str | None = None) -> Playlist:
    playlist = Playlist(playlist_id(n), playlist_name=name or f"Playlist {n}", playlist_channel_id=channel_id(1))
    rows = [{"youtube_id": video_id(v), "title": f"Video {v}", "uploader": "Channel 1"} for v in video_numbers]
    playlists.save(playlist, rows)
    return playlist
