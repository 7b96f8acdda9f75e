"""Writing a planned import: counted writes for channels and playlists, batch writes for the rest, then the
counters those batch writes changed are recounted."""

from functions.core.settings import get_settings
from functions.services import search
from functions.services.archive import channels, playlists
from functions.services.importer.plan import Plan
from functions.storage import aws, counters, db, s3
from functions.storage.models import PlaylistEntry, Video


def apply(result: Plan) -> dict:
    for channel in result.channels:
        channels.save(channel)
    for playlist in result.playlists:
        playlists.store(playlist)  # its entries are batch-written below, and indexed in bulk
    with PlaylistEntry.batch_write() as batch:
        for entry in result.entries_put:
            batch.save(entry)
        for entry in result.entries_delete:
            batch.delete(entry)
    with Video.batch_write() as batch:
        for video in result.videos_put:
            batch.save(video)
    for video, track, vtt in result.tracks:
        key = s3.video_subtitle_key(video, track.lang)
        aws.client("s3").put_object(
            Bucket=get_settings().media_bucket, Key=key, Body=vtt.encode(), ContentType="text/vtt"
        )
    search.index_import(
        [(video, result.stored.get(video.youtube_id)) for video in result.videos_put],
        [(playlist, result.stored.get(playlist.playlist_id)) for playlist in result.playlists],
        [track for _, track, _ in result.tracks],
    )
    for video, wanted in result.playlist_lists:
        db.update_existing(video, [Video.playlist.set(wanted)])  # deleted meanwhile: nothing to correct
    for playlist_id, text in result.listings.items():
        playlists.store_packed(playlist_id, text)
    counters.recount(result.counters)
    return {**result.summary, "totals": db.counts([counters.VIDEOS, counters.CHANNELS, counters.PLAYLISTS])}
