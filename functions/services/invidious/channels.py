"""Channels in the public Invidious API: /api/v1/channels/:ucid and its tabs (videos, shorts, streams, latest,
playlists, search), tabs paged by `continuation` as Invidious pages them."""

from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id
from functions.services.invidious import catalog, objects
from functions.services.invidious.continuation import (
    BAD_CONTINUATION,
    decode_continuation,
    encode_continuation,
    page_number,
)
from functions.services.invidious.discovery import SEARCH_PAGE, search_hits
from functions.services.search import documents as docs
from functions.services.search import query as q
from functions.storage import db
from functions.storage.index_keys import channel_playlist_partitions
from functions.storage.models import Channel, Playlist, Video
from functions.youtube import urls

TAB_SIZE = 30  # videos a channel tab page, as YouTube's continuation pages


def _index_key(video) -> dict:
    """Where a by_channel query goes on after `video` (its ExclusiveStartKey)."""
    return {
        "channel_id": {"S": video.channel_id},
        "published_key": {"S": video.published_key},
        "youtube_id": {"S": video.youtube_id},
    }


def _channel_videos(channel_id: str, tab: str, start: dict | None, size: int) -> tuple[list, dict | None]:
    """Up to `size` videos of one tab, newest first, after `start` (an index key); and the key to go on from,
    None after the last. The index holds every tab: pages of keys are read until `size` of this tab are found."""
    found: list = []
    last = start or None
    while True:
        keys = Video.by_channel.query(
            channel_id, scan_index_forward=False, limit=size, page_size=size, last_evaluated_key=last
        )
        ids = [key.youtube_id for key in keys]
        last = keys.last_evaluated_key
        (items,) = db.batch_get((Video, ids))
        for youtube_id in ids:
            video = items.get(youtube_id)
            if video is not None and (video.vid_type or "videos") == tab:
                found.append(video)
                if len(found) == size:
                    more = youtube_id != ids[-1] or last is not None
                    return found, _index_key(video) if more else None
        if not last:
            return found, None


def channel(ucid: str) -> dict:
    if not is_channel_id(ucid):
        raise NotFound(catalog.NO_CHANNEL)
    (found,) = db.batch_get((Channel, [ucid]))
    if ucid not in found:
        query = urls.channel_url(ucid, "videos")
        info = catalog.looked_up("resolve_channel", catalog.NO_CHANNEL, query=query)["channel"]
        return objects.looked_up_channel(info)
    latest, _ = _channel_videos(ucid, "videos", None, TAB_SIZE)
    return objects.channel(found[ucid], [objects.video_item(v, found[ucid].channel_name) for v in latest])


def channel_tab(ucid: str, tab: str, query: dict) -> dict:
    """/channels/:ucid/videos, /shorts, /streams (and /latest, the first page of videos): `continuation` pages."""
    item = catalog.archived_channel(ucid)
    start = decode_continuation(query.get("continuation")).get("k")
    if start is not None and not isinstance(start, dict):
        raise BadRequest(BAD_CONTINUATION)
    videos, last = _channel_videos(ucid, tab, start, TAB_SIZE)
    return {
        "videos": [objects.video_item(v, item.channel_name) for v in videos],
        "continuation": encode_continuation({"k": last}) if last else None,
    }


def channel_playlists(ucid: str, query: dict) -> dict:
    """The archived YouTube playlists of a channel by name (one page: a channel's playlists are few)."""
    catalog.archived_channel(ucid)
    keys = [key for part in channel_playlist_partitions(ucid) for key in Playlist.by_channel.query(part)]
    ids = [key.playlist_id for key in sorted(keys, key=lambda key: key.name_key)]
    (found,) = db.batch_get((Playlist, ids))
    items = [found[i] for i in ids if i in found]
    rows, counts = catalog.playlist_rows(items)
    return {
        "playlists": [objects.playlist_item(p, rows[p.playlist_id], counts[p.playlist_id]) for p in items],
        "continuation": None,
    }


def channel_search(ucid: str, query: dict) -> list[dict]:
    """/channels/:ucid/search?q=: the channel's videos matching the words."""
    item = catalog.archived_channel(ucid)
    text = (query.get("q") or "").strip()
    if not text:
        return []
    number = page_number(query)
    hits = search_hits(text[: q.MAX_QUERY], q.VIDEO, 200).get(docs.VIDEO, [])
    own = [h.item for h in hits if h.item.channel_id == ucid]
    page = own[(number - 1) * SEARCH_PAGE : number * SEARCH_PAGE]
    return [objects.video_item(v, item.channel_name) for v in page]
