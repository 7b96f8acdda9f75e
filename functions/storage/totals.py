"""Names of the counters behind pagination totals; each is changed only in the transaction of its write."""

VIDEOS = "videos"
CHANNELS = "channels"
PLAYLISTS = "playlists"


def channel_videos(channel_id: str) -> str:
    return f"videos#channel#{channel_id}"


def playlist_videos(playlist_id: str) -> str:
    return f"videos#playlist#{playlist_id}"


def channels_by(subscription: str) -> str:
    return f"channels#{subscription}"


def playlists_by(subscription: str) -> str:
    return f"playlists#{subscription}"


def queue(status: str) -> str:
    return f"queue#{status}"


def channel_queue(channel_id: str, status: str) -> str:
    return f"queue#channel#{channel_id}#{status}"
