"""TubeArchivist v0.5's filters of `/api/playlist/` (`channel`, `subscribed`, `type`), v0.4's list by name without
them: each page is one batch (its total from counters) and one Query per index partition it reads, by name like
the unfiltered list. A channel's playlists are the by_channel partitions `<channel>#<subscription>`, a type's the
by_type partitions `<type>#<subscription>` (functions.storage.index_keys.set_playlist_keys)."""

from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id
from functions.core.pagination import Page
from functions.schemas.ta import PlaylistListQuery
from functions.schemas.ta_objects import Envelope
from functions.services.archive import playlists
from functions.services.archive.custom_playlists import CUSTOM
from functions.services.auth.viewer import Viewer
from functions.storage import counters
from functions.storage.models import Playlist


def list_page(viewer: Viewer, page: Page, query: PlaylistListQuery) -> Envelope:
    channel_id, playlist_type = query.channel, query.type
    if channel_id is not None and not is_channel_id(channel_id):
        raise BadRequest(f"channel must be a channel id, got {channel_id[:40]!r}")
    if playlist_type is not None and playlist_type not in counters.PLAYLIST_TYPES:
        raise BadRequest(f"type must be {' or '.join(counters.PLAYLIST_TYPES)}, got {playlist_type[:40]!r}")
    if query.subscribed is None:
        subscriptions = list(counters.SUBSCRIPTIONS)
    else:
        subscriptions = [counters.SUBSCRIPTIONS[0] if query.subscribed else counters.SUBSCRIPTIONS[1]]
    lists: list[tuple]  # (counter, index, hash key) of each partition the page merges
    if channel_id:
        if playlist_type == CUSTOM:  # custom playlists belong to no channel
            return playlists.page_of(viewer, page, [])
        lists = [
            (counters.channel_playlists(channel_id, s), Playlist.by_channel, f"{channel_id}#{s}") for s in subscriptions
        ]
    elif playlist_type:
        lists = [
            (counters.playlists_of_type(playlist_type, s), Playlist.by_type, f"{playlist_type}#{s}")
            for s in subscriptions
        ]
    elif query.subscribed is not None:
        lists = [(counters.playlists_by(s), Playlist.by_subscription, s) for s in subscriptions]
    else:
        return playlists.list_page(viewer, page)
    return playlists.page_of(viewer, page, lists)
