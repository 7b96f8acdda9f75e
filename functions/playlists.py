"""Playlists: listing by name, details with their entries, and writing them with their entries."""

from concurrent.futures import ThreadPoolExecutor

from pynamodb.exceptions import DoesNotExist

from functions import db, render, search, totals, videos
from functions.auth import Viewer
from functions.channels import subscription_of
from functions.errors import NotFound
from functions.ids import is_playlist_id
from functions.models import ALL_PLAYLISTS, Playlist, PlaylistEntry, Video, name_key
from functions.pagination import Page

ENTRY_READERS = 8  # playlists whose entries are read at once


def not_found(playlist_id: str) -> NotFound:
    return NotFound(f"playlist {playlist_id} not found")


def check_id(playlist_id: str) -> str:
    if not is_playlist_id(playlist_id):
        raise not_found(playlist_id)
    return playlist_id


def list_page(viewer: Viewer, page: Page) -> dict:
    keys, paging = viewer.page_keys(totals.PLAYLISTS, Playlist.by_name, ALL_PLAYLISTS, page, scan_forward=True)
    ids = [key.playlist_id for key in keys]
    (items,) = viewer.fetch((Playlist, ids))
    listed = entries_of([i for i in ids if i in items])
    data = [render.playlist(items[i], listed[i]) for i in ids if i in items]
    return render.envelope(data, viewer.config, paging)


def entries(playlist_id: str) -> list[PlaylistEntry]:
    return list(PlaylistEntry.by_position.query(playlist_id))


def entries_of(playlist_ids: list[str]) -> dict[str, list[PlaylistEntry]]:
    """The entries of several playlists: a Query each (a playlist's entries are items, it grows without bound),
    run side by side so a page of playlists waits for about one round trip."""
    if not playlist_ids:
        return {}
    with ThreadPoolExecutor(min(ENTRY_READERS, len(playlist_ids))) as pool:
        return dict(zip(playlist_ids, pool.map(entries, playlist_ids), strict=True))


def get(playlist_id: str) -> Playlist:
    check_id(playlist_id)
    try:
        return Playlist.get(playlist_id)
    except DoesNotExist:
        raise not_found(playlist_id) from None


def detail(viewer: Viewer, playlist_id: str) -> dict:
    check_id(playlist_id)
    (found,) = viewer.fetch((Playlist, [playlist_id]))
    if playlist_id not in found:
        raise not_found(playlist_id)
    return render.envelope(render.playlist(found[playlist_id], entries(playlist_id)), viewer.config)


def videos_page(viewer: Viewer, playlist_id: str, page: Page) -> dict:
    get(playlist_id)
    return videos.playlist_videos_page(viewer, playlist_id, page)


def save(playlist: Playlist, listed: list[dict]) -> bool:
    """Store a playlist (counted, indexed) and its entries (save_entries); True when it is new."""
    playlist.all_playlists = ALL_PLAYLISTS
    playlist.name_key = name_key(playlist.playlist_name, playlist.playlist_id)
    playlist.subscription = subscription_of(playlist.playlist_subscribed)
    created = db.save_counted(
        playlist,
        {totals.PLAYLISTS: 1, totals.playlists_by(playlist.subscription): 1},
        Playlist.subscription,
        totals.playlists_by,
    )
    search.index_playlist(playlist, known_new=created)
    save_entries(playlist.playlist_id, listed)
    return created


def save_entries(playlist_id: str, listed: list[dict]) -> None:
    """Store a playlist's entries in order (`listed`: dicts with youtube_id, title, uploader); entries whose
    video is archived are marked and counted once, entries no longer listed are removed."""
    previous = {entry.youtube_id: entry for entry in entries(playlist_id)}
    wanted = {}
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
