"""The derived attributes behind the list indexes (all by date or name, by subscription, by channel, a user's
watched and unfinished videos), set before a write; `python -m infra.cli reindex` sets them again on what an older
version wrote (functions.services.index_backfill)."""

from functions.storage.models import (
    ALL_CHANNELS,
    ALL_PLAYLISTS,
    ALL_VIDEOS,
    SUBSCRIBED,
    UNSUBSCRIBED,
    Channel,
    Playlist,
    UserVideo,
    Video,
    name_key,
    published_key,
    watch_state_key,
)

WATCHED, CONTINUE = "watched", "continue"  # the by_watch_state partitions of a user


def subscription_of(subscribed: bool) -> str:
    return SUBSCRIBED if subscribed else UNSUBSCRIBED


def set_video_keys(video: Video) -> Video:
    video.all_videos = ALL_VIDEOS
    video.published_key = published_key(video.published, video.youtube_id)
    video.channel_type = channel_type_key(video.channel_id, video.vid_type)
    return video


def channel_type_key(channel_id: str, vid_type: str) -> str:
    """The by_channel_type partition of a channel's videos of one type."""
    return f"{channel_id}#{vid_type}"


def set_channel_keys(channel: Channel) -> Channel:
    channel.all_channels = ALL_CHANNELS
    channel.name_key = name_key(channel.channel_name, channel.channel_id)
    channel.subscription = subscription_of(channel.channel_subscribed)
    return channel


def set_playlist_keys(playlist: Playlist) -> Playlist:
    playlist.all_playlists = ALL_PLAYLISTS
    playlist.name_key = name_key(playlist.playlist_name, playlist.playlist_id)
    playlist.subscription = subscription_of(playlist.playlist_subscribed)
    playlist.channel_key = playlist_channel_key(playlist.playlist_channel_id, playlist.subscription)
    playlist.type_subscription = f"{playlist.playlist_type or 'regular'}#{playlist.subscription}"
    return playlist


def playlist_channel_key(channel_id: str | None, subscription: str) -> str | None:
    """The by_channel partition of a playlist: its channel's and subscription's (none without a channel)."""
    return f"{channel_id}#{subscription}" if channel_id else None


def watch_partition(watched: bool, position) -> str | None:
    """The by_watch_state partition of a state: watched, or unfinished (a player position, not watched), or none."""
    return WATCHED if watched else CONTINUE if (position or 0) > 0 else None


def stored_partition(state: UserVideo | None) -> str | None:
    """The by_watch_state partition a stored state is in (its key `<user id>#<partition>`), if any."""
    return state.watch_state.rpartition("#")[2] if state is not None and state.watch_state else None


def set_watch_keys(state: UserVideo, video: Video | None) -> UserVideo:
    """A user's state of a video in their by_watch_state partition (watch_partition), by the video's publish
    date; out of the index when it is in none, or when the video is not archived."""
    partition = watch_partition(bool(state.watched), state.position)
    if partition is None or video is None:
        state.watch_state = None
        return state
    state.watch_state = watch_state_key(int(state.user_id), partition)
    state.published_key, state.channel_id = video.published_key, video.channel_id
    return state
