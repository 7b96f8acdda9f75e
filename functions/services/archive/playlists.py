"""Playlists: listing by name, details with their entries, and writing them with their entries."""

import base64
import json
import zlib
from concurrent.futures import ThreadPoolExecutor

import msgspec
from pynamodb.exceptions import DoesNotExist

from functions.core.dates import today
from functions.core.errors import NotFound
from functions.core.ids import is_custom_playlist_id, is_playlist_id
from functions.core.pagination import Page
from functions.schemas.ta_objects import Envelope
from functions.services import search
from functions.services.archive import render, videos
from functions.services.auth.viewer import Viewer
from functions.storage import counters, db, index_keys, pages, tallied
from functions.storage.models import ALL_PLAYLISTS, Counter, Playlist, PlaylistEntry, Video

ENTRY_READERS = 8  # playlists whose entries are read at once
PACKED_LIMIT = 256 * 1024  # characters of a packed listing an item keeps (DynamoDB items hold at most 400 KB)
_LISTING = msgspec.json.Decoder(list[tuple])


BOTTOM = "bottom"  # v0.5's playlist_sort_order reading YouTube's list from its end (render.TOP: from its start)


def not_found(playlist_id: str) -> NotFound:
    return NotFound(f"playlist {playlist_id} not found")


def check_id(playlist_id: str) -> str:
    if not is_playlist_id(playlist_id) and not is_custom_playlist_id(playlist_id):
        raise not_found(playlist_id)
    return playlist_id


def list_page(viewer: Viewer, page: Page) -> Envelope:
    return page_of(viewer, page, [(counters.PLAYLISTS, Playlist.by_name, ALL_PLAYLISTS)])


def page_of(viewer: Viewer, page: Page, lists: list[tuple]) -> Envelope:
    """A page of playlists by name over index partitions (`lists`: (counter, index, hash key) each)."""
    keys, paging = pages.merged_page_keys(
        viewer, lists, page, scan_forward=True, order=lambda key: key.name_key, past_end_empty=True
    )
    ids = [key.playlist_id for key in keys]
    items, stored_counters = viewer.fetch((Playlist, ids), (Counter, [counters.playlist_videos(i) for i in ids]))
    listed = entry_rows([items[i] for i in ids if i in items], stored_counters)
    return render.envelope(
        [render.playlist(items[i], listed[i], viewer.dialect) for i in ids if i in items], viewer.config, paging
    )


def entries(playlist_id: str) -> list[PlaylistEntry]:
    return list(PlaylistEntry.by_position.query(playlist_id))


def archived_ids(viewer: Viewer, playlist_id: str) -> list[str]:
    """The playlist's archived videos in the playlist's order, as TubeArchivist lists `/api/video/?playlist=`
    (by the entries' idx): from its packed listing and its counter's members, read with the viewer's settings
    (its entries when it has no packed listing); [] for a playlist that is not there."""
    counter = counters.playlist_videos(playlist_id)
    found, stored_counters = viewer.fetch((Playlist, [playlist_id]), (Counter, [counter]))
    if playlist_id not in found:
        return []
    rows = entry_rows([found[playlist_id]], stored_counters)[playlist_id]
    return [row["youtube_id"] for row in rows if row["downloaded"]]


# ---------------------------------------------------------------- the packed listing


def pack(rows: list[dict]) -> str | None:
    """A playlist's listing (youtube_id, title, uploader of each entry, in order) as the text its item keeps;
    None when it would not fit the item (its entries are read then)."""
    listing = [[row["youtube_id"], row.get("title", ""), row.get("uploader", "")] for row in rows]
    text = base64.b64encode(zlib.compress(json.dumps(listing, separators=(",", ":")).encode(), 9)).decode()
    return text if len(text) <= PACKED_LIMIT else None


def unpack(text: str, archived: set[str]) -> list[dict]:
    """A packed listing's rows as rendered, `archived` the ids of its archived entries, made in one pass (a v0.4
    page of playlists carries every entry of each). Its triples are read as tuples: a list per entry made the
    garbage collector walk them again and again (three quarters of the decoding's time at 5,000 entries)."""
    packed = zlib.decompress(base64.b64decode(text))
    try:
        listing = _LISTING.decode(packed)
    except msgspec.DecodeError:  # a lone surrogate escaped in a title, which only Python's json reads back
        listing = json.loads(packed)
    return [
        {"youtube_id": i, "title": title, "uploader": uploader, "idx": idx, "downloaded": i in archived}
        for idx, (i, title, uploader) in enumerate(listing)
    ]


def entry_rows(items: list[Playlist], stored_counters: dict[str, Counter]) -> dict[str, list[dict]]:
    """The entries of these playlists as rendered: from the packed listing and the ids the playlist's counter
    counts (read with the playlists); a playlist without a packed listing has its entries read (a Query each,
    side by side)."""
    rows = {}
    for item in items:
        if item.entries_packed is not None:
            counter = stored_counters.get(counters.playlist_videos(item.playlist_id))
            archived = (counter.members if counter is not None else None) or set()
            rows[item.playlist_id] = unpack(item.entries_packed, archived)
    unpacked = [item.playlist_id for item in items if item.playlist_id not in rows]
    if unpacked:
        with ThreadPoolExecutor(min(ENTRY_READERS, len(unpacked))) as pool:
            for playlist_id, found in zip(unpacked, pool.map(entries, unpacked), strict=True):
                rows[playlist_id] = [render.playlist_entry(entry) for entry in found]
    return rows


def get(playlist_id: str) -> Playlist:
    check_id(playlist_id)
    try:
        return Playlist.get(playlist_id)
    except DoesNotExist:
        raise not_found(playlist_id) from None


def detail(viewer: Viewer, playlist_id: str) -> Envelope:
    check_id(playlist_id)
    found, stored_counters = viewer.fetch((Playlist, [playlist_id]), (Counter, [counters.playlist_videos(playlist_id)]))
    if playlist_id not in found:
        raise not_found(playlist_id)
    listed = entry_rows([found[playlist_id]], stored_counters)
    return render.envelope(render.playlist(found[playlist_id], listed[playlist_id], viewer.dialect), viewer.config)


def videos_page(viewer: Viewer, playlist_id: str, page: Page) -> Envelope:
    get(playlist_id)
    return videos.playlist_videos_page(viewer, playlist_id, page)


def store(playlist: Playlist) -> bool:
    """The counted write of a playlist with its index keys, nothing else (no entries, no search index); True
    when it is new."""
    index_keys.set_playlist_keys(playlist)
    return tallied.save_tallied(playlist, counters.playlist_totals, counters.PLAYLIST_TALLIED)


def save(playlist: Playlist, listed: list[dict]) -> bool:
    """Store a playlist (counted, indexed) and its entries (save_entries); True when it is new."""
    created = store(playlist)
    search.index_playlist(playlist, known_new=created)
    save_entries(playlist.playlist_id, listed)
    return created


def index(info: dict, subscribed: bool = False, thumb: bool = False) -> Playlist:
    """Archive a YouTube playlist as yt-dlp read its page (functions.youtube.ytdlp.playlist_info): stored
    (counted, searchable) with its entries, the archived videos among them marked; its videos are not queued.
    The one way a YouTube playlist enters the archive (functions.services.archive.playlist_index, which stores
    its thumbnail first: `thumb`). One archived before keeps its subscription, sort order and thumbnail."""
    try:
        stored: Playlist | None = Playlist.get(info["playlist_id"])
    except DoesNotExist:
        stored = None
    playlist = Playlist(
        info["playlist_id"],
        playlist_name=info["playlist_name"],
        playlist_channel=info["playlist_channel"],
        playlist_channel_id=info["playlist_channel_id"],
        playlist_description=info["playlist_description"],
        playlist_subscribed=subscribed or bool(stored and stored.playlist_subscribed),
        playlist_last_refresh=today(),  # its page was just read, as a refresh reads it
        playlist_sort_order=stored.playlist_sort_order if stored else None,
        playlist_thumb=thumb or bool(stored and stored.playlist_thumb),
    )
    save(playlist, in_sort_order(playlist, listing(info["entries"])))
    return playlist


def listing(entries: list[dict]) -> list[dict]:
    """The adapter's flat entries of a playlist as its stored entries name them (the uploader)."""
    return [dict(row, uploader=row.get("channel_name") or "") for row in entries]


def in_sort_order(playlist: Playlist, listed: list[dict]) -> list[dict]:
    """YouTube's listing of a playlist in the order its entries are stored: reversed when read from the bottom."""
    return listed[::-1] if playlist.playlist_sort_order == BOTTOM else listed


def save_entries(playlist_id: str, listed: list[dict]) -> None:
    """Store a playlist's entries in order (`listed`: dicts with youtube_id, title, uploader); entries whose
    video is archived are marked and counted once, entries no longer listed are removed."""
    previous = {entry.youtube_id: entry for entry in entries(playlist_id)}
    wanted: dict[str, tuple[int, dict]] = {}
    for idx, row in enumerate(listed):
        wanted.setdefault(row["youtube_id"], (idx, row))
    with PlaylistEntry.batch_write() as batch:
        for youtube_id, (idx, row) in wanted.items():
            old = previous.get(youtube_id)
            entry = PlaylistEntry(
                playlist_id,
                youtube_id,
                idx=idx,
                title=row.get("title", ""),
                uploader=row.get("uploader", ""),
                channel_id=old.channel_id if old else None,
                published_key=old.published_key if old else None,
            )
            batch.save(entry)
    for youtube_id, old in previous.items():
        if youtube_id not in wanted:
            if old.downloaded:
                videos.unmark_entry(playlist_id, youtube_id)
            old.delete()
    (archived,) = db.batch_get((Video, list(wanted)))
    for video in archived.values():
        videos.mark_entry(playlist_id, video)
        if playlist_id not in (video.playlist or []):
            video.update(actions=[Video.playlist.set((Video.playlist | []).append([playlist_id]))])
    store_packed(playlist_id, pack([row for _, row in wanted.values()]))


def store_packed(playlist_id: str, packed: str | None) -> None:
    """Keep a packed listing (None: none) on the playlist's item, after its entries are written; a playlist
    deleted meanwhile stays deleted."""
    action = Playlist.entries_packed.set(packed) if packed is not None else Playlist.entries_packed.remove()
    db.update_existing(Playlist(playlist_id), [action])
