"""Writing a planned import: counted writes for channels and playlists, batch writes for the rest, then the
counters those batch writes changed are recounted."""

from pynamodb.exceptions import UpdateError

from functions.core.settings import get_settings
from functions.services import search
from functions.services.archive import channels, playlists
from functions.services.importer.plan import Plan
from functions.storage import counters, db, s3
from functions.storage.models import ALL_PLAYLISTS, Playlist, PlaylistEntry, Video, name_key


def _save_playlist(playlist: Playlist) -> None:
    """The counted write of `playlists.save`, without its entry-by-entry marking (entries are batch-written)."""
    playlist.all_playlists = ALL_PLAYLISTS
    playlist.name_key = name_key(playlist.playlist_name, playlist.playlist_id)
    playlist.subscription = channels.subscription_of(playlist.playlist_subscribed)
    db.save_counted(
        playlist,
        {counters.PLAYLISTS: 1, counters.playlists_by(playlist.subscription): 1},
        Playlist.subscription,
        counters.playlists_by,
    )


def apply(result: Plan) -> dict:
    for channel in result.channels:
        channels.save(channel)
    for playlist in result.playlists:
        _save_playlist(playlist)
    with PlaylistEntry.batch_write() as batch:
        for entry in result.entries_put:
            batch.save(entry)
        for entry in result.entries_delete:
            batch.delete(entry)
    with Video.batch_write() as batch:
        for video in result.videos_put:
            batch.save(video)
    for video, track, vtt in result.tracks:
        key = s3.subtitle_key(video.channel_id, video.youtube_id, track.lang)
        s3.client().put_object(Bucket=get_settings().media_bucket, Key=key, Body=vtt.encode(), ContentType="text/vtt")
    search.index_import(
        [(video, result.stored.get(video.youtube_id)) for video in result.videos_put],
        [(playlist, result.stored.get(playlist.playlist_id)) for playlist in result.playlists],
        [track for _, track, _ in result.tracks],
    )
    for video, wanted in result.playlist_lists:
        try:
            video.update(actions=[Video.playlist.set(wanted)], condition=Video.youtube_id.exists())
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise  # deleted meanwhile: nothing to correct
    for playlist_id, text in result.listings.items():
        playlists.store_packed(playlist_id, text)
    counters.recount(result.counters)
    return {**result.summary, "totals": db.counts([counters.VIDEOS, counters.CHANNELS, counters.PLAYLISTS])}
