"""A channel's overwrites of the download settings (`channel_overwrites`), as TubeArchivist's
POST /api/channel/<id>/ sets them: `download_format` (yt-dlp's format for this channel's downloads),
`autodelete_days` (functions.services.autodelete), `integrate_sponsorblock`, `index_playlists` (the rescan
archives the channel's playlists too, and turning it on looks for them at once: functions.services.
channel_playlists), and TubeArchivist v0.5.9's `subscriptions_channel_size`, `subscriptions_live_channel_size` and
`subscriptions_shorts_channel_size` (how many of the channel's newest videos, shorts and streams the rescan lists;
0 skips the tab). A value of false or null removes the overwrite, so the app setting applies again. The download
job and the rescan apply them through `effective_config`."""

import msgspec
from pynamodb.exceptions import DoesNotExist

from functions.schemas.ta import ChannelOverwritesUpdate
from functions.services import channel_playlists
from functions.services.archive import channels
from functions.storage import db
from functions.storage.models import Channel

# The app setting (section, key) each overwrite takes the place of.
SETTING = {
    "download_format": ("downloads", "format"),
    "autodelete_days": ("downloads", "autodelete_days"),
    "integrate_sponsorblock": ("downloads", "integrate_sponsorblock"),
    "subscriptions_channel_size": ("subscriptions", "channel_size"),
    "subscriptions_live_channel_size": ("subscriptions", "live_channel_size"),
    "subscriptions_shorts_channel_size": ("subscriptions", "shorts_channel_size"),
}


def update(channel_id: str, body: ChannelOverwritesUpdate) -> Channel:
    """Apply the overwrites a body names (typed by the Struct: a bad one changes nothing); the channel as stored."""
    if body.channel_overwrites is msgspec.UNSET:
        return channels.get(channel_id)
    named = msgspec.to_builtins(body.channel_overwrites)
    changes = {
        key: None if value is False and key != "integrate_sponsorblock" else value for key, value in named.items()
    }
    channel = channels.get(channel_id)  # 404 for a channel the archive does not have
    merged = channel.channel_overwrites.as_dict() if channel.channel_overwrites else {}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    action = Channel.channel_overwrites.set(merged) if merged else Channel.channel_overwrites.remove()
    if not db.update_existing(channel, [action]):
        raise channels.not_found(channel_id)  # deleted meanwhile
    if changes.get(channel_playlists.OVERWRITE) is True:  # as TubeArchivist: its playlists are looked for at once
        channel_playlists.request(channel_id)
    return channel


def effective_config(config: dict, channel: Channel | None) -> dict:
    """The app config with a channel's overwrites in place of the download and subscription settings they
    replace."""
    overwrites = channel.channel_overwrites.as_dict() if channel is not None and channel.channel_overwrites else {}
    if not overwrites:
        return config
    sections = {section: dict(config.get(section) or {}) for section, _ in SETTING.values()}
    for key, value in overwrites.items():
        if key in SETTING:
            section, setting = SETTING[key]
            sections[section][setting] = value
    return {**config, **sections}


def for_channel(config: dict, channel_id: str) -> dict:
    """`effective_config` for a channel named by id (the app config alone when the archive does not have it)."""
    if not channel_id:
        return config
    try:
        return effective_config(config, Channel.get(channel_id))
    except DoesNotExist:
        return config
