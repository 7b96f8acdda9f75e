"""Users' own playlists (Invidious): `IVPL...` ids, entries as items of their own, counts kept by transactions.

A user has at most MAX_PLAYLISTS (a Counter per user, changed in the transaction that creates or deletes one) and a
playlist at most MAX_VIDEOS (its `video_count`, changed in the transaction that adds or removes an entry).
"""

import re
import secrets
import time

import msgspec

from functions.core.errors import BadRequest, Forbidden, NotFound
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.schemas.invidious import PlaylistCreate, PlaylistPage, PlaylistUpdate, PlaylistVideoAdd
from functions.services.invidious import public, render
from functions.storage import counters, db, lookup, pages
from functions.storage.models import Channel, Counter, InvidiousPlaylist, InvidiousPlaylistEntry, Video

PRIVACY = ("public", "unlisted", "private")
MAX_PLAYLISTS = 100
MAX_VIDEOS = 500
PAGE_SIZE = 100
TITLE_BYTES = 150
DESCRIPTION_CHARS = 5000
ADD_ATTEMPTS = 5

DOES_NOT_EXIST = "Playlist does not exist."
INVALID_USER = "Invalid user"
NO_SUCH_VIDEO = "Playlist does not contain index"
PLAYLIST_ID = re.compile(r"^IVPL[A-Za-z0-9_-]{31}$")
INDEX_ID = re.compile(r"^[0-9A-Fa-f]{1,16}$")


def new_id() -> str:
    return "IVPL" + secrets.token_urlsafe(24)[:31]


def new_index_id() -> str:
    """An entry's name: a random 64-bit number in upper-case hex, as Invidious spells it."""
    return f"{secrets.randbits(64) or 1:X}"


# ---------------------------------------------------------------- input


def clean_title(value: str) -> str:
    """Without `<` and `>`, cut at 150 bytes of UTF-8 without splitting a character."""
    title = value.replace("<", "").replace(">", "")
    title = title.encode()[:TITLE_BYTES].decode("utf-8", "ignore")
    if not title.strip():
        raise BadRequest("Invalid title.")
    return title


def clean_privacy(value: str) -> str:
    if value.lower() not in PRIVACY:
        raise BadRequest("Invalid privacy setting.")
    return value.lower()


def clean_description(value: str) -> str:
    value = value.replace("\r", "")
    if len(value) > DESCRIPTION_CHARS:
        raise BadRequest(f"Description cannot be longer than {DESCRIPTION_CHARS} characters.")
    return value


def video_metadata(youtube_id: str) -> dict:
    """What a playlist entry shows of a video: title, channel, length. An archived video's come from the archive;
    any other video's from the yt-dlp adapter (imported here only: the API's other paths never load yt-dlp)."""
    (found,) = db.batch_get((Video, [youtube_id]))
    if youtube_id not in found:
        return fetched_metadata(youtube_id)
    video = found[youtube_id]
    (channels,) = db.batch_get((Channel, [video.channel_id]))
    author = channels[video.channel_id].channel_name if video.channel_id in channels else video.channel_id
    return {
        "youtube_id": youtube_id,
        "title": video.title,
        "author": author,
        "author_id": video.channel_id,
        "length_seconds": int(video.duration or 0),
    }


def fetched_metadata(youtube_id: str) -> dict:
    """An unarchived video's entry fields as yt-dlp reads them from YouTube (through the lookup function: the API
    function has no yt-dlp); 400 when it cannot (unavailable, private, removed)."""
    try:
        info = lookup.call("video_summary", youtube_id=youtube_id)["video"]
    except BadRequest as error:  # yt-dlp's ExtractionFailed, CookieRejected, as the lookup function answered
        raise BadRequest(f"Video {youtube_id} cannot be added: {error.message}") from None
    channel_id = info.get("channel_id") if is_channel_id(info.get("channel_id")) else ""
    return {
        "youtube_id": youtube_id,
        "title": str(info.get("title") or ""),
        "author": str(info.get("channel_name") or ""),
        "author_id": channel_id,
        "length_seconds": int(info.get("duration") or 0),
    }


# ---------------------------------------------------------------- reading


def _load(playlist_id: str) -> InvidiousPlaylist | None:
    if not isinstance(playlist_id, str) or not PLAYLIST_ID.match(playlist_id):
        return None
    (found,) = db.batch_get((InvidiousPlaylist, [playlist_id]))
    return found.get(playlist_id)


def _is_owner(viewer, playlist: InvidiousPlaylist) -> bool:
    return viewer is not None and int(playlist.owner_id) == int(viewer.user_id)


def visible(viewer, playlist_id: str) -> InvidiousPlaylist:
    """A playlist the viewer (None: anonymous) may see: private ones are 404 to all but their owner."""
    playlist = _load(playlist_id)
    if playlist is None or (playlist.privacy == "private" and not _is_owner(viewer, playlist)):
        raise NotFound(DOES_NOT_EXIST)
    return playlist


def owned(viewer, playlist_id: str) -> InvidiousPlaylist:
    """A playlist the viewer may change: 404 as for reading, 403 when someone else's."""
    playlist = visible(viewer, playlist_id)
    if not _is_owner(viewer, playlist):
        raise Forbidden(INVALID_USER)
    return playlist


def entries(playlist: InvidiousPlaylist, offset: int, size: int = PAGE_SIZE) -> list[InvidiousPlaylistEntry]:
    if not playlist.video_count or offset >= MAX_VIDEOS:
        return []
    return pages.query_page(InvidiousPlaylistEntry.by_position, playlist.playlist_id, offset, size, scan_forward=True)


def detail(viewer, playlist_id: str, query: PlaylistPage) -> dict:
    """One playlist with the page (`page`, from 1) of its videos, 100 a page: a user's (`IVPL...`) or one of the
    archive's YouTube playlists (`PL...`, which every signed-in user and, when open, anyone may read)."""
    number = max(query.page, 1)
    if is_playlist_id(playlist_id):
        return public.playlist(playlist_id, number)
    playlist = visible(viewer, playlist_id)
    offset = (number - 1) * PAGE_SIZE
    return render.playlist(playlist, entries(playlist, offset), offset)


def list_all(viewer) -> list[dict]:
    """The viewer's playlists, oldest first, each with its first page of videos."""
    ids = [key.playlist_id for key in InvidiousPlaylist.by_owner.query(viewer.user_id)]
    (found,) = db.batch_get((InvidiousPlaylist, ids))
    return [render.playlist(found[i], entries(found[i], 0)) for i in ids if i in found]


# ---------------------------------------------------------------- writing


def create(viewer, body: PlaylistCreate) -> InvidiousPlaylist:
    title = clean_title(body.title)
    privacy = clean_privacy(body.privacy)
    now = time.time()
    playlist = InvidiousPlaylist(
        new_id(),
        owner_id=viewer.user_id,
        author=viewer.username,
        title=title,
        description="",
        privacy=privacy,
        created=round(now, 6),  # orders the owner's list; sub-second so quick creations keep their order
        updated=int(now),
        video_count=0,
        next_position=0,
    )
    counter = Counter(counters.user_playlists(viewer.user_id))
    with db.transaction() as transaction:
        transaction.save(playlist, condition=InvidiousPlaylist.playlist_id.does_not_exist())
        transaction.update(
            counter,
            actions=[Counter.count.add(1)],
            condition=Counter.count.does_not_exist() | (Counter.count < MAX_PLAYLISTS),
        )
    if not transaction.committed:
        raise BadRequest(f"User cannot have more than {MAX_PLAYLISTS} playlists.")
    return playlist


def update(viewer, playlist_id: str, body: PlaylistUpdate) -> None:
    """PATCH: any of title, description, privacy; `updated` moves only when one of them changes."""
    playlist = owned(viewer, playlist_id)
    cleaners = {"title": clean_title, "description": clean_description, "privacy": clean_privacy}
    changes = {name: cleaners[name](value) for name, value in msgspec.to_builtins(body).items()}
    changes = {name: value for name, value in changes.items() if value != getattr(playlist, name)}
    if not changes:
        return
    actions = [getattr(InvidiousPlaylist, name).set(value) for name, value in changes.items()]
    actions.append(InvidiousPlaylist.updated.set(int(time.time())))
    if not db.conditional(playlist.update, actions=actions, condition=InvidiousPlaylist.owner_id == viewer.user_id):
        raise NotFound(DOES_NOT_EXIST)  # deleted meanwhile


def delete(viewer, playlist_id: str) -> None:
    """Delete the playlist (and take it off the owner's count), then its entries."""
    playlist = owned(viewer, playlist_id)
    with db.transaction() as transaction:
        transaction.delete(playlist, condition=InvidiousPlaylist.owner_id == viewer.user_id)
        transaction.update(Counter(counters.user_playlists(viewer.user_id)), actions=[Counter.count.add(-1)])
    if not transaction.committed:
        raise NotFound(DOES_NOT_EXIST)  # deleted meanwhile
    with InvidiousPlaylistEntry.batch_write() as batch:
        for entry in InvidiousPlaylistEntry.query(playlist_id):
            batch.delete(entry)


def add_video(viewer, playlist_id: str, body: PlaylistVideoAdd) -> dict:
    """Append an archived video; answers the new playlist video. Positions and the count stay exact under races."""
    youtube_id = body.videoId
    if not is_video_id(youtube_id):
        raise BadRequest("Invalid videoId")
    playlist = owned(viewer, playlist_id)
    metadata = video_metadata(youtube_id)
    for _ in range(ADD_ATTEMPTS):
        count = int(playlist.video_count or 0)
        if count >= MAX_VIDEOS:
            raise BadRequest(f"Playlist cannot have more than {MAX_VIDEOS} videos")
        position = int(playlist.next_position or 0)
        entry = InvidiousPlaylistEntry(playlist_id, new_index_id(), position=position, **metadata)
        with db.transaction() as transaction:
            transaction.save(entry, condition=InvidiousPlaylistEntry.index_id.does_not_exist())
            transaction.update(
                playlist,
                actions=[
                    InvidiousPlaylist.video_count.add(1),
                    InvidiousPlaylist.next_position.set(position + 1),
                    InvidiousPlaylist.updated.set(int(time.time())),
                ],
                condition=(InvidiousPlaylist.owner_id == viewer.user_id)
                & (InvidiousPlaylist.next_position == position)
                & (InvidiousPlaylist.video_count < MAX_VIDEOS),
            )
        if transaction.committed:
            return render.playlist_video(entry, count)
        playlist = owned(viewer, playlist_id)  # another write landed first: read again and retry
    raise BadRequest("Playlist is changing too fast, please try again")


def remove_video(viewer, playlist_id: str, index_id: str) -> None:
    """Remove one entry of this playlist by its indexId; 404 when this playlist has no such entry."""
    playlist = owned(viewer, playlist_id)
    if not INDEX_ID.match(index_id or ""):
        raise NotFound(NO_SUCH_VIDEO)
    with db.transaction() as transaction:
        transaction.delete(
            InvidiousPlaylistEntry(playlist_id, index_id.upper()),
            condition=InvidiousPlaylistEntry.index_id.exists(),
        )
        transaction.update(
            playlist,
            actions=[InvidiousPlaylist.video_count.add(-1), InvidiousPlaylist.updated.set(int(time.time()))],
            condition=InvidiousPlaylist.owner_id == viewer.user_id,
        )
    if not transaction.committed:
        raise NotFound(NO_SUCH_VIDEO)
