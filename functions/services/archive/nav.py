"""Where a video sits in its playlists (TubeArchivist v0.5's `/api/video/<id>/nav/`): for each playlist holding
it, the archived entries just before and after it. Reads the video, its entries and playlists by key and each
neighbour with one Query on the playlist's position index (EntriesByPosition); nothing is scanned."""

from functions.services.archive import videos
from functions.services.auth.viewer import Viewer
from functions.storage import s3
from functions.storage.models import Playlist, PlaylistEntry

NEIGHBOUR_READ = 25  # entries read per Query page while looking past unarchived ones


def _neighbour(entry: PlaylistEntry, forward: bool) -> dict | None:
    """The nearest archived entry after (`forward`) or before this one, or None."""
    position = PlaylistEntry.idx > entry.idx if forward else PlaylistEntry.idx < entry.idx
    found = PlaylistEntry.by_position.query(
        entry.playlist_id,
        position,
        scan_index_forward=forward,
        filter_condition=PlaylistEntry.published_key.exists(),
        page_size=NEIGHBOUR_READ,
    )
    for neighbour in found:
        return {
            "youtube_id": neighbour.youtube_id,
            "title": neighbour.title,
            "uploader": neighbour.uploader,
            "idx": int(neighbour.idx),
            "downloaded": True,
            "vid_thumb": s3.url_of(s3.video_thumb_key(neighbour.youtube_id)),
        }
    return None


def playlist_nav(viewer: Viewer, youtube_id: str) -> list[dict]:
    """Per playlist of the video: its meta, the previous and the next archived video (null at either end); a
    playlist where it is the only archived one is left out, as TubeArchivist does. 404 for an unknown video."""
    video = videos.get(youtube_id)
    playlist_ids = list(video.playlist or [])
    if not playlist_ids:
        return []
    playlists, entries = viewer.fetch(
        (Playlist, playlist_ids), (PlaylistEntry, [(playlist_id, youtube_id) for playlist_id in playlist_ids])
    )
    nav = []
    for playlist_id in playlist_ids:
        entry = entries.get((playlist_id, youtube_id))
        if playlist_id not in playlists or entry is None:
            continue
        previous, following = _neighbour(entry, forward=False), _neighbour(entry, forward=True)
        if previous is None and following is None:
            continue
        playlist = playlists[playlist_id]
        nav.append(
            {
                "playlist_meta": {
                    "current_idx": int(entry.idx),
                    "playlist_id": playlist_id,
                    "playlist_name": playlist.playlist_name,
                    "playlist_channel": playlist.playlist_channel,
                },
                "playlist_previous": previous,
                "playlist_next": following,
            }
        )
    return nav
