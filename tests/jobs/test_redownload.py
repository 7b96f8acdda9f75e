"""v0.5's re-download (`POST /api/download/?force=true`) end to end: real yt-dlp downloads from the local YouTube,
the archived copy replaced by a new revision of its files, every counter exact, users' states and playlists kept;
a failure before the switch leaves the archived copy whole."""

import json

import boto3
import pytest

from functions.jobs import download as job
from functions.services import app_settings
from functions.services.archive import archiving
from functions.services.downloads import intake
from functions.storage import counters, s3
from functions.storage.models import Counter, PlaylistEntry, QueueItem, UserVideo, Video
from tests.conftest import token_headers
from tests.jobs.test_download import BUCKET, count, drain, first_video, objects, record

FRONTEND_REDOWNLOAD = "/api/download/?autostart=true&force=true"  # the v0.5 frontend's "Redownload" (Filterbar)


@pytest.fixture
def sqs(aws):
    return boto3.client("sqs")


def stored_counters() -> dict:
    return {
        c.name: (int(c.count or 0), int(c.size or 0), int(c.duration or 0), sorted(c.members or []))
        for c in Counter.scan()
        if c.count
    }


def assert_counters_exact() -> None:
    """Every counter is what a recount from the tables finds: nothing counted twice, nothing left out."""
    stored = stored_counters()
    counters.recount_all()
    assert stored_counters() == stored


def redownload(client, user, *youtube_ids):
    """The frontend's request: the selected ids in one row, separated by spaces."""
    body = json.dumps({"data": [{"youtube_id": " ".join(youtube_ids), "status": "pending"}]})
    headers = {**token_headers(user), "Content-Type": "application/json"}
    return client.http.post(FRONTEND_REDOWNLOAD, headers=headers, body=body)


def send(client, user, method: str, path: str, body: dict):
    headers = {**token_headers(user), "Content-Type": "application/json"}
    return client.http.request(method, path, headers=headers, body=json.dumps(body))


def read(key: str) -> bytes:
    return boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()


def state(user, youtube_id: str) -> dict:
    return UserVideo.get(user.user_id, youtube_id).serialize()


def test_a_redownload_replaces_the_files_and_keeps_counts_states_and_playlists(
    fake_youtube, aws, sqs, client, v05, admin
):
    app_settings.update({"downloads": {"subtitle": "en"}})
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    intake.add([f"https://www.youtube.com/playlist?list={playlist.playlist_id}"], auto_start=True)
    drain(aws, sqs)
    youtube_id = playlist.video_ids[0]
    old = Video.get(youtube_id)
    assert old.subtitles and old.dash and old.media_revision is None
    assert send(client, v05, "POST", "/api/watched/", {"id": youtube_id, "is_watched": True}).status_code == 200
    assert send(client, admin, "POST", f"/api/video/{youtube_id}/progress/", {"position": 0.5}).status_code == 200
    states = (state(v05, youtube_id), state(admin, youtube_id))
    assert_counters_exact()
    videos, in_channel = count(counters.VIDEOS), count(counters.channel_videos(old.channel_id))
    in_playlist = count(counters.playlist_videos(playlist.playlist_id))
    fake = fake_youtube.catalog.videos[youtube_id]
    fake.variant += 1  # YouTube serves another file now
    new = fake_youtube.catalog.add_video("not-archived", fake_youtube.catalog.channels[fake.channel_id])

    response = redownload(client, v05, youtube_id, new.youtube_id)
    assert response.status_code == 200 and response.json_body["added"] == [youtube_id, new.youtube_id]
    assert QueueItem.get(youtube_id).redownload is True and QueueItem.get(new.youtube_id).redownload is None
    drain(aws, sqs)

    replaced = Video.get(youtube_id)
    assert replaced.media_revision == 1 and replaced.media_size != old.media_size
    assert int(replaced.date_downloaded) >= int(old.date_downloaded)
    assert QueueItem.count(youtube_id) == 0
    keys = objects()
    # the new files under the new revision; the copy's files gone, the thumbnail rewritten where it was
    assert s3.video_media_key(replaced) == s3.media_key(old.channel_id, youtube_id, "mp4", revision=1) in keys
    assert read(s3.video_media_key(replaced))[4:8] == b"ftyp"
    assert set(s3.video_keys(replaced)) - {s3.comments_key(youtube_id)} <= set(keys)
    assert not (set(s3.video_keys(old)) - set(s3.video_keys(replaced))) & set(keys)
    assert s3.video_thumb_key(youtube_id) in keys
    assert [key for key in keys if key.startswith(f"media/{old.channel_id}/{youtube_id}.") and ".r1." not in key] == []
    # counted once: the replaced video, its channel and playlist as before, plus the plain download of the other
    assert count(counters.VIDEOS) == videos + 1 and count(counters.channel_videos(old.channel_id)) == in_channel + 1
    assert count(counters.playlist_videos(playlist.playlist_id)) == in_playlist
    assert_counters_exact()
    assert Video.get(new.youtube_id).media_revision is None  # not archived before: a plain download
    # users' states and playlist membership kept
    assert (state(v05, youtube_id), state(admin, youtube_id)) == states
    assert replaced.playlist == [playlist.playlist_id]
    assert PlaylistEntry.get(playlist.playlist_id, youtube_id).downloaded
    # clients get the new files
    detail = client.http.get(f"/api/video/{youtube_id}/", headers=token_headers(v05)).json_body
    assert detail["media_url"] == "/" + s3.video_media_key(replaced)
    assert detail["player"]["watched"] is True
    assert [sub["media_url"] for sub in detail["subtitles"]] == ["/" + s3.video_subtitle_key(replaced, "en")]
    for url in (detail["media_url"], detail["subtitles"][0]["media_url"]):  # revision names are served
        assert client.http.get(url, headers=token_headers(v05)).status_code == 302
    # a late duplicate of the message finds the replacement done
    assert job.handle_record(record(youtube_id, "m-late")) == "skipped"
    assert Video.get(youtube_id).media_revision == 1 and objects() == keys


def test_a_redownload_failing_before_the_switch_leaves_the_archived_copy_whole(
    fake_youtube, aws, sqs, client, v05, monkeypatch
):
    video = first_video(fake_youtube)
    intake.add([video.youtube_id], auto_start=True)
    drain(aws, sqs)
    old = Video.get(video.youtube_id)
    files, media = objects(), read(s3.video_media_key(old))
    video.variant += 1
    failing = [True]
    ensure_channel = archiving.ensure_channel

    def fails_once_the_new_files_are_up(*args, **kwargs):
        if failing:
            raise RuntimeError("the channel could not be written")
        return ensure_channel(*args, **kwargs)

    monkeypatch.setattr(archiving, "ensure_channel", fails_once_the_new_files_are_up)
    assert redownload(client, v05, video.youtube_id).status_code == 200
    drain(aws, sqs)  # the attempt fails; its message waits out the visibility timeout

    assert Video.get(video.youtube_id).serialize() == old.serialize()
    assert objects() == files and read(s3.video_media_key(old)) == media  # no new revision's file is left
    item = QueueItem.get(video.youtube_id)
    assert item.message.startswith("download failed") and item.redownload is True
    assert count(counters.VIDEOS) == 1
    assert_counters_exact()

    failing.clear()
    assert job.handle_record(record(video.youtube_id, "m-retry", receives=2)) == "archived"
    replaced = Video.get(video.youtube_id)
    assert replaced.media_revision == 1 and s3.video_media_key(old) not in objects()
    assert count(counters.VIDEOS) == 1
    assert_counters_exact()


def test_queued_again_the_archived_copy_keeps_its_thumbnail_until_the_download(fake_youtube, aws, sqs, client, v05):
    """The download page's form ("Add to queue" with force, one row per line, no autostart): the item is
    described as any other, but the thumbnail a queued video gets is not written over the archived copy's."""
    video = first_video(fake_youtube)
    intake.add([video.youtube_id], auto_start=True)
    drain(aws, sqs)
    thumb = s3.video_thumb_key(video.youtube_id)
    s3.put(thumb, b"the archived copy's thumbnail", "image/jpeg")
    body = json.dumps({"data": [{"youtube_id": video.youtube_id, "status": "pending"}]})
    headers = {**token_headers(v05), "Content-Type": "application/json"}
    response = client.http.post("/api/download/?flat=true&force=true", headers=headers, body=body)
    assert response.status_code == 200 and response.json_body["added"] == [video.youtube_id]
    drain(aws, sqs)  # the expand message only: nothing was started
    item = QueueItem.get(video.youtube_id)
    assert item.title == video.title and item.redownload is True and item.status == "pending"
    assert read(thumb) == b"the archived copy's thumbnail"
    assert Video.get(video.youtube_id).media_revision is None
    assert intake.start([video.youtube_id]) == 1
    drain(aws, sqs)
    assert read(thumb)[:2] == b"\xff\xd8" and Video.get(video.youtube_id).media_revision == 1
