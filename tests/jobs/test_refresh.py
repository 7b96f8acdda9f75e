"""The refresh function over the local media server with the real yt-dlp: metadata read again, vanished items
marked inactive (never deleted), extract_videos, retries and the dead-letter bookkeeping."""

import json

import pytest

from functions.jobs import events
from functions.jobs import refresh as job
from functions.services import refresh
from functions.services.archive import channels, render, videos
from functions.storage import s3
from functions.storage.models import Channel, Playlist, PlaylistEntry, RefreshItem, Video
from functions.youtube import ytdlp
from tests import media_server
from tests.jobs.test_download import objects


def archive(fake, youtube_id: str) -> Video:
    source = fake.catalog.videos[youtube_id]
    video = Video(
        youtube_id, title="old title", published=source.published, date_downloaded=1, channel_id=source.channel_id
    )
    videos.save(video)
    return video


def message(kind: str, item_id: str, extract_videos: bool = False) -> str:
    return json.dumps({"action": "refresh", "kind": kind, "id": item_id, "extract_videos": extract_videos})


def first_video(fake):
    return next(iter(fake.catalog.videos.values()))


def test_video_metadata_is_read_again(fake_youtube, aws):
    source = first_video(fake_youtube)
    archive(fake_youtube, source.youtube_id)
    refresh.enqueue([("video", source.youtube_id)])
    assert job.handle(message("video", source.youtube_id)) == "refreshed"
    stored = Video.get(source.youtube_id)
    assert stored.title == source.title and stored.view_count == 1000 + source.variant
    assert stored.tags == list(source.tags) and stored.active and stored.vid_last_refresh
    assert RefreshItem.count("video") == 0


def test_a_refresh_reads_the_streams_of_a_video_archived_without_them(fake_youtube, aws, tmp_path):
    source = first_video(fake_youtube)
    video = archive(fake_youtube, source.youtube_id)
    assert video.streams is None
    path = tmp_path / "media.mp4"
    path.write_bytes(media_server.media("video1.mp4"))
    s3.upload_file(path, s3.media_key(video.channel_id, video.youtube_id), "video/mp4")
    assert job.handle(message("video", source.youtube_id)) == "refreshed"
    streams = Video.get(source.youtube_id).streams
    assert [(s["type"], s["index"], s["codec"]) for s in streams] == [("video", 0, "h264"), ("audio", 1, "aac")]
    assert streams[0]["width"] == 160 and streams[0]["height"] == 90


def test_without_its_file_a_refresh_leaves_streams_unread(fake_youtube, aws):
    source = first_video(fake_youtube)
    archive(fake_youtube, source.youtube_id)
    assert job.handle(message("video", source.youtube_id)) == "refreshed"
    assert Video.get(source.youtube_id).streams is None  # read again on the next refresh


def test_a_video_gone_from_youtube_is_marked_inactive_not_deleted(fake_youtube, aws):
    source = first_video(fake_youtube)
    archive(fake_youtube, source.youtube_id)
    source.fault = "unavailable"
    refresh.enqueue([("video", source.youtube_id)])
    assert job.handle(message("video", source.youtube_id)) == "inactive"
    stored = Video.get(source.youtube_id)
    assert stored.active is False and stored.title == "old title"
    assert RefreshItem.count("video") == 0
    source.fault = None  # back on YouTube: active again
    assert job.handle(message("video", source.youtube_id)) == "refreshed"
    assert Video.get(source.youtube_id).active is True


def test_channel_is_read_again_and_extract_videos_queues_its_videos(fake_youtube, aws):
    source = first_video(fake_youtube)
    archive(fake_youtube, source.youtube_id)
    channels.save(Channel(source.channel_id, channel_name="Old name", channel_subscribed=True))
    assert job.handle(message("channel", source.channel_id, extract_videos=True)) == "refreshed"
    stored = Channel.get(source.channel_id)
    assert stored.channel_name == fake_youtube.catalog.channels[source.channel_id].name
    assert stored.channel_subscribed and stored.channel_subs == 100 and stored.channel_last_refresh
    art = {s3.channel_art_key(source.channel_id, kind) for kind in ("thumb", "banner")}
    assert art <= set(objects())  # the art is fetched again too
    assert [item.item_id for item in RefreshItem.query("video")] == [source.youtube_id]


def test_playlist_is_read_again(fake_youtube, aws):
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    archive(fake_youtube, playlist.video_ids[0])
    Playlist(playlist.playlist_id, playlist_name="old", name_key="old").save()
    assert job.handle(message("playlist", playlist.playlist_id, extract_videos=True)) == "refreshed"
    refreshed = Playlist.get(playlist.playlist_id)
    assert refreshed.playlist_name == playlist.title
    # stored before the by_channel index: the refresh gives it the index key the channel playlists tab queries
    partition = f"{refreshed.playlist_channel_id}#{refreshed.subscription}"
    assert [p.playlist_id for p in Playlist.by_channel.query(partition)] == [playlist.playlist_id]
    assert [item.item_id for item in RefreshItem.query("video")] == [playlist.video_ids[0]]


def test_a_playlist_read_from_its_bottom_stores_its_entries_reversed(fake_youtube, aws):
    """v0.5's playlist_sort_order "bottom" (TubeArchivist reads YouTube's list from its end): each refresh keeps it."""
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    Playlist(playlist.playlist_id, playlist_name="old", name_key="old", playlist_sort_order="bottom").save()
    assert job.handle(message("playlist", playlist.playlist_id)) == "refreshed"
    stored = [entry.youtube_id for entry in PlaylistEntry.by_position.query(playlist.playlist_id)]
    assert stored == playlist.video_ids[::-1] and len(stored) > 1


def test_a_gone_channel_is_marked_inactive(fake_youtube, aws):
    gone = "UC" + "z" * 22
    channels.save(Channel(gone, channel_name="Gone"))
    assert job.handle(message("channel", gone)) == "inactive"
    assert Channel.get(gone).channel_active is False


def test_failures_are_retried_and_forgotten_after_the_last_attempt(fake_youtube, aws):
    source = first_video(fake_youtube)
    archive(fake_youtube, source.youtube_id)
    refresh.enqueue([("video", source.youtube_id)])
    fake_youtube.stop()  # YouTube unreachable: not a reason to mark anything inactive
    with pytest.raises(ytdlp.ExtractionFailed):
        job.handle(message("video", source.youtube_id), receives=1)
    assert RefreshItem.count("video") == 1 and Video.get(source.youtube_id).active
    with pytest.raises(ytdlp.ExtractionFailed):
        job.handle(message("video", source.youtube_id), receives=3)
    assert RefreshItem.count("video") == 0 and Video.get(source.youtube_id).active


def test_items_deleted_meanwhile_and_malformed_messages_are_dropped(aws):
    assert job.handle(message("video", "aaaaaaaaaaa")) == "missing"
    with pytest.raises(events.Malformed):
        job.handle("{nope")
    with pytest.raises(events.Malformed):
        job.handle(json.dumps({"action": "refresh", "kind": "video", "id": "../etc"}))


def test_refreshed_names_are_what_search_finds(fake_youtube, aws):
    from tests.search.test_index import hit_ids

    source = first_video(fake_youtube)
    archive(fake_youtube, source.youtube_id)
    channels.save(Channel(source.channel_id, channel_name="Oldchannelname"))
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    Playlist(playlist.playlist_id, playlist_name="Oldplaylistname", name_key="old").save()
    assert hit_ids("video:old title") == [source.youtube_id]
    for kind, item_id in (
        ("video", source.youtube_id),
        ("channel", source.channel_id),
        ("playlist", playlist.playlist_id),
    ):
        assert job.handle(message(kind, item_id)) == "refreshed"
    assert hit_ids("video:old title") == [] and source.youtube_id in hit_ids(f"video:{source.title}")
    channel_name = fake_youtube.catalog.channels[source.channel_id].name
    assert hit_ids("channel:oldchannelname", "channel") == []
    assert source.channel_id in hit_ids(f"channel:{channel_name}", "channel")
    assert playlist.playlist_id in hit_ids(f"playlist:{playlist.title}", "playlist")


def test_a_refresh_writes_only_what_it_read(fake_youtube, aws, monkeypatch):
    """Another writer's change made while yt-dlp reads the playlist (a subscription here) is kept."""
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    Playlist(playlist.playlist_id, playlist_name="old", name_key="old").save()
    read = ytdlp.playlist_info

    def read_while_subscribed(playlist_id, cookie, **kwargs):
        Playlist(playlist_id).update(actions=[Playlist.playlist_subscribed.set(True)])
        return read(playlist_id, cookie, **kwargs)

    monkeypatch.setattr(ytdlp, "playlist_info", read_while_subscribed)
    assert job.handle(message("playlist", playlist.playlist_id)) == "refreshed"
    stored = Playlist.get(playlist.playlist_id)
    assert stored.playlist_name == playlist.title and stored.playlist_subscribed is True


def test_a_refresh_stores_the_playlists_thumbnail_and_the_api_links_it_then(fake_youtube, aws):
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    Playlist(playlist.playlist_id, playlist_name="old", name_key="old").save()
    assert render.playlist(Playlist.get(playlist.playlist_id), []).playlist_thumbnail is False  # none stored yet
    assert job.handle(message("playlist", playlist.playlist_id)) == "refreshed"
    stored = Playlist.get(playlist.playlist_id)
    assert stored.playlist_thumb is True and s3.playlist_thumb_key(playlist.playlist_id) in objects()
    assert render.playlist(stored, []).playlist_thumbnail == f"/cache/playlists/{playlist.playlist_id}.jpg"


def test_a_refresh_reads_the_comments_again_when_they_are_kept(fake_youtube, aws):
    """TubeArchivist's reindex of a video reads its comments again when the app keeps them (`comment_max`):
    walked, a video archived before comments were turned on showed none after its Reindex; a refresh that reads
    none leaves the stored ones."""
    from functions.services import app_settings, comments

    source = first_video(fake_youtube)
    archive(fake_youtube, source.youtube_id)
    assert job.handle(message("video", source.youtube_id)) == "refreshed"  # comments off: none read
    assert comments.read_comments(source.youtube_id) == [] and Video.get(source.youtube_id).comment_count is None
    app_settings.update({"downloads": {"comment_max": "10"}})
    assert job.handle(message("video", source.youtube_id)) == "refreshed"
    stored = comments.read_comments(source.youtube_id)
    assert [c["comment_text"] for c in stored] == [f"comment {n} on {source.title}" for n in range(source.comments)]
    assert Video.get(source.youtube_id).comment_count == source.comments
    app_settings.update({"downloads": {"comment_max": None}})
    assert job.handle(message("video", source.youtube_id)) == "refreshed"
    assert Video.get(source.youtube_id).comment_count == source.comments
