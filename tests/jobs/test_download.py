"""The download function over moto and the local media server: real yt-dlp downloads, S3 uploads, archive writes,
and the faults: a crash mid-download, duplicate messages, a video that always fails, S3 failing, bad cookies."""

import json
import tempfile
import threading
import time
import urllib.request

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from functions.core.dates import today
from functions.core.dialects import V04
from functions.jobs import download as job
from functions.jobs import events
from functions.services import cookies, task_runs
from functions.services.downloads import intake, worker
from functions.storage import s3
from functions.storage.models import Channel, Counter, Playlist, PlaylistEntry, QueueItem, Video
from infra import local
from tests.media_server import FakeVideo

BUCKET = "ytarchive-local-media"


@pytest.fixture
def sqs(aws):
    return boto3.client("sqs")


@pytest.fixture
def redeliver_at_once(aws, sqs):
    """Failed messages come back at the next receive instead of after the visibility timeout."""
    url = aws["DownloadQueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    yield
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5400"})


def drain(aws, sqs, rounds: int = 50) -> int:
    """Feed the download queue to the handler, as the local run's poller does, until it is empty."""
    from app import app

    handled = 0
    for _ in range(rounds):
        received = local.process_batch(sqs, aws["DownloadQueueUrl"], app.handler_map["download"], 1, wait_seconds=0)
        if not received:
            break
        handled += received
    return handled


def dead_letters(aws, sqs) -> list[dict]:
    url = sqs.get_queue_url(QueueName="ytarchive-local-download-dlq")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def objects() -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return sorted(o["Key"] for o in listed)


def count(name: str) -> int:
    try:
        return int(Counter.get(name).count)
    except Counter.DoesNotExist:
        return 0


def first_video(server) -> FakeVideo:
    return next(iter(server.catalog.videos.values()))


def record(youtube_id: str, message_id: str = "m-1", receives: int = 1) -> dict:
    body = json.dumps({"action": "download", "youtube_id": youtube_id})
    return {"messageId": message_id, "body": body, "attributes": {"ApproximateReceiveCount": str(receives)}}


def test_queued_video_is_downloaded_stored_and_dequeued(fake_youtube, aws, sqs):
    video = first_video(fake_youtube)
    intake.add([video.youtube_id], auto_start=True)
    assert drain(aws, sqs) == 2  # the expand message (metadata) and the download
    stored = Video.get(video.youtube_id)
    assert stored.title == video.title and stored.channel_id == video.channel_id
    assert stored.published == video.published and stored.media_size > 1000
    assert stored.subtitles == []  # subtitles are off by default (downloads.subtitle)
    assert [(s["type"], s["codec"], s.get("width"), s.get("height")) for s in stored.streams] == [
        ("video", "h264", 160, 90),
        ("audio", "aac", None, None),
    ]  # read from the file by ffmpeg, as TubeArchivist's streams
    assert all(s["bitrate"] > 0 for s in stored.streams)
    keys = objects()
    assert s3.media_key(video.channel_id, video.youtube_id) in keys
    assert s3.video_thumb_key(video.youtube_id) in keys
    assert s3.info_json_key(video.channel_id, video.youtube_id) in keys
    assert s3.channel_art_key(video.channel_id, "thumb") in keys
    assert Channel.get(video.channel_id).channel_name == fake_youtube.catalog.channels[video.channel_id].name
    assert QueueItem.count(video.youtube_id) == 0
    assert count("videos") == 1 and count("queue#pending") == 0 and count("channels") == 1
    media = boto3.client("s3").get_object(Bucket=BUCKET, Key=s3.media_key(video.channel_id, video.youtube_id))
    assert media["Body"].read()[4:8] == b"ftyp"  # a real mp4


def test_playlist_is_queued_and_its_entries_marked_as_downloaded(fake_youtube, aws, sqs):
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    summary = intake.add([f"https://www.youtube.com/playlist?list={playlist.playlist_id}"], auto_start=True)
    assert summary["added"] == [] and summary["expanding"]
    drain(aws, sqs)
    entries = list(PlaylistEntry.by_position.query(playlist.playlist_id))
    assert [e.youtube_id for e in entries] == playlist.video_ids
    assert all(e.downloaded for e in entries)
    assert count(f"videos#playlist#{playlist.playlist_id}") == len(playlist.video_ids)
    assert all(Video.get(i).playlist == [playlist.playlist_id] for i in playlist.video_ids)
    stored = Playlist.get(playlist.playlist_id)
    assert stored.playlist_last_refresh == today()  # its page was read now
    # its thumbnail, the one its page links, fetched as the channel art is and stored where /cache/playlists/ points
    assert stored.playlist_thumb is True
    art = boto3.client("s3").get_object(Bucket=BUCKET, Key=s3.playlist_thumb_key(playlist.playlist_id))["Body"].read()
    with urllib.request.urlopen(f"{fake_youtube.url}/thumb/{playlist.video_ids[0]}.jpg") as served:
        assert art == served.read() and art[:2] == b"\xff\xd8"


def test_progress_is_stored_while_downloading(fake_youtube, aws):
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    seen = []
    original = worker.record_progress

    def spy(youtube_id, owner, percent, speed):
        original(youtube_id, owner, percent, speed)
        seen.append(intake.render(QueueItem.get(youtube_id), False, V04))

    worker.record_progress = spy
    try:
        assert job.handle_record(record(video.youtube_id)) == "archived"
    finally:
        worker.record_progress = original
    assert seen and seen[-1].progress == 100.0 and seen[-1].speed is not None


def test_crash_mid_download_then_the_retried_message_succeeds(fake_youtube, aws, sqs, redeliver_at_once):
    video = first_video(fake_youtube)
    video.fault, video.cut_times = "cut", 4  # more cuts than yt-dlp's own retries: the first delivery fails
    intake.add_entries([{"youtube_id": video.youtube_id}])
    intake.start()
    drain(aws, sqs)
    assert Video.count(video.youtube_id) == 1 and QueueItem.count(video.youtube_id) == 0
    assert count("videos") == 1
    assert dead_letters(aws, sqs) == []


def test_a_failed_attempt_keeps_the_error_on_the_item(fake_youtube, aws):
    video = first_video(fake_youtube)
    video.fault = "broken"
    intake.add_entries([{"youtube_id": video.youtube_id}])
    from app import app

    with pytest.raises(BatchProcessingError):  # the batch's only record failed: it comes back whole
        app.handler_map["download"]({"Records": [{**record(video.youtube_id), "receiptHandle": "r-1"}]}, None)
    item = QueueItem.get(video.youtube_id)
    assert item.message.startswith("download failed (attempt 1 of 3)") and "500" in item.message
    assert item.lease_owner is None and int(item.attempts) == 1
    assert Video.count(video.youtube_id) == 0 and objects() == []


def test_same_message_twice_gives_one_video_one_file_one_count(fake_youtube, aws):
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    assert job.handle_record(record(video.youtube_id, "m-1")) == "archived"
    files = objects()
    assert job.handle_record(record(video.youtube_id, "m-1", receives=2)) == "skipped"
    assert job.handle_record(record(video.youtube_id, "m-2")) == "skipped"
    assert objects() == files and count("videos") == 1
    assert count(f"videos#channel#{video.channel_id}") == 1


def test_duplicate_messages_at_the_same_time_download_once(fake_youtube, aws):
    fake_youtube.rate = 20_000  # slow enough that the second delivery arrives mid-download
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    results = []
    first = threading.Thread(target=lambda: results.append(job.handle_record(record(video.youtube_id, "m-1"))))
    first.start()
    # moto runs a conditional write as a read then a write: start the second once the first has claimed the item
    wait_for(lambda: QueueItem.get(video.youtube_id).lease_owner == "m-1")
    results.append(job.handle_record(record(video.youtube_id, "m-2")))
    first.join()
    assert results == ["skipped", "archived"]
    assert fake_youtube.hits[f"/media/{video.youtube_id}.mp4"] == 1
    assert count("videos") == 1


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_video_that_always_fails_is_dead_lettered_and_the_rest_finishes(fake_youtube, aws, sqs, redeliver_at_once):
    videos = list(fake_youtube.catalog.videos.values())[:3]
    videos[0].fault = "broken"
    intake.add_entries([{"youtube_id": v.youtube_id} for v in videos])
    assert intake.start() == 3
    drain(aws, sqs)
    assert [Video.count(v.youtube_id) for v in videos] == [0, 1, 1]
    failed = QueueItem.get(videos[0].youtube_id)
    assert failed.message.startswith("download failed 3 times, given up") and int(failed.attempts) == 3
    (dead,) = dead_letters(aws, sqs)
    assert dead["action"] == "download" and dead["youtube_id"] == videos[0].youtube_id
    assert task_runs.get(dead["task_id"]).status == task_runs.FAILURE  # its run: the last attempt's error
    assert fake_youtube.hits[f"/media/{videos[0].youtube_id}.mp4"] >= 3
    assert count("queue#pending") == 1 and count("videos") == 2


def test_s3_failure_fails_the_attempt_and_the_retry_stores_everything(fake_youtube, aws, monkeypatch):
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    original = s3.upload_file

    def failing(path, key, content_type=None, download_name=None):
        raise ClientError({"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}, "PutObject")

    monkeypatch.setattr(s3, "upload_file", failing)
    with pytest.raises(ClientError):
        job.handle_record(record(video.youtube_id))
    assert "SlowDown" in QueueItem.get(video.youtube_id).message
    assert Video.count(video.youtube_id) == 0 and count("videos") == 0
    monkeypatch.setattr(s3, "upload_file", original)
    assert job.handle_record(record(video.youtube_id, receives=2)) == "archived"
    assert count("videos") == 1 and s3.media_key(video.channel_id, video.youtube_id) in objects()


def test_rejected_cookie_is_reported_on_the_item_and_the_cookie_status(fake_youtube, aws):
    video = first_video(fake_youtube)
    video.fault = "login"
    intake.add_entries([{"youtube_id": video.youtube_id}])
    cookies.store("# Netscape HTTP Cookie File\n" + cookie_line("expired"))  # the secret the job reads
    cookies.record_validation(True)
    with pytest.raises(Exception, match="cookie"):
        job.handle_record(record(video.youtube_id))
    assert "YouTube refused the cookie" in QueueItem.get(video.youtube_id).message
    assert cookies.state()["status"] is False and "cookie" in cookies.state()["message"]
    cookies.store("# Netscape HTTP Cookie File\n" + cookie_line("fresh"))
    assert job.handle_record(record(video.youtube_id, receives=2)) == "archived"
    cookies.revoke()


def cookie_line(value: str) -> str:
    return f".youtube.com\tTRUE\t/\tTRUE\t2147483647\tSID\t{value}\n"


def test_ignored_or_removed_items_are_not_downloaded(fake_youtube, aws):
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    intake.set_status(video.youtube_id, "ignore")
    assert job.handle_record(record(video.youtube_id)) == "skipped"
    intake.delete(video.youtube_id)
    assert job.handle_record(record(video.youtube_id)) == "skipped"
    assert fake_youtube.hits[f"/media/{video.youtube_id}.mp4"] == 0


def test_malformed_messages_are_refused(aws):
    with pytest.raises(events.Malformed):
        job.handle_record({"messageId": "x", "body": "not json"})
    with pytest.raises(events.Malformed):
        job.handle_record({"messageId": "x", "body": '{"action": "download", "youtube_id": "../x"}'})


def test_a_batch_reports_its_failed_records_and_the_others_are_deleted(fake_youtube, aws, sqs):
    from app import app

    videos = list(fake_youtube.catalog.videos.values())[:2]
    videos[0].fault = "broken"
    intake.add_entries([{"youtube_id": v.youtube_id} for v in videos])
    intake.start()
    handler = app.handler_map["download"]
    assert local.process_batch(sqs, aws["DownloadQueueUrl"], handler, batch_size=2, wait_seconds=0) == 2
    attributes = sqs.get_queue_attributes(QueueUrl=aws["DownloadQueueUrl"], AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"  # only the failed one comes back
    assert Video.count(videos[1].youtube_id) == 1 and Video.count(videos[0].youtube_id) == 0


def test_downloads_of_a_channel_being_created_do_not_fetch_it_again(fake_youtube, aws):
    fake_youtube.rate = 20_000  # the first download is still fetching the channel's art when the second ends
    channel = next(iter(fake_youtube.catalog.channels.values()))
    videos = fake_youtube.catalog.videos_of(channel.channel_id)[:2]
    intake.add_entries([{"youtube_id": v.youtube_id} for v in videos])
    first = threading.Thread(target=job.handle_record, args=(record(videos[0].youtube_id, "m-0"),))
    first.start()
    wait_for(lambda: Channel.count(channel.channel_id) == 1)
    assert job.handle_record(record(videos[1].youtube_id, "m-1")) == "archived"
    first.join()
    assert all(Video.count(v.youtube_id) for v in videos)
    assert fake_youtube.hits[f"/avatar/{channel.channel_id}.jpg"] == 1
    assert count("channels") == 1 and Channel.get(channel.channel_id).channel_subs == channel.followers


def test_a_playlist_of_videos_already_queued_gets_its_entries_marked(fake_youtube, aws, sqs):
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    channel = fake_youtube.catalog.channels[playlist.channel_id]
    intake.add([channel.handle, playlist.playlist_id], auto_start=True)  # the channel queues them first
    drain(aws, sqs)
    entries = list(PlaylistEntry.by_position.query(playlist.playlist_id))
    assert [e.youtube_id for e in entries] == playlist.video_ids and all(e.downloaded for e in entries)
    assert all(Video.get(i).playlist == [playlist.playlist_id] for i in playlist.video_ids)
    assert count(f"videos#playlist#{playlist.playlist_id}") == len(playlist.video_ids)


def test_a_running_download_stops_when_its_run_is_stopped(fake_youtube, aws, client, headers, tmp_path, monkeypatch):
    fake_youtube.rate = 3_000  # seconds of media: the stop arrives mid-download
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the work folder and its partial files go
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id, "title": video.title}])
    (task_id,) = task_runs.queue(task_runs.DOWNLOAD_PENDING)
    body = json.dumps({"action": "download", "youtube_id": video.youtube_id, "task_id": task_id})
    message = {"messageId": "m-1", "body": body, "attributes": {"ApproximateReceiveCount": "1"}}
    results = []
    downloading = threading.Thread(target=lambda: results.append(job.handle_record(message)))
    downloading.start()
    wait_for(lambda: QueueItem.get(video.youtube_id).progress is not None)  # the media is coming in
    assert list(tmp_path.glob(f"dl-{video.youtube_id}-*/*"))  # its partial file
    path = f"/api/task/by-id/{task_id}/"
    stop = json.dumps({"command": "stop"})
    response = client.http.post(path, headers={**headers, "Content-Type": "application/json"}, body=stop)
    assert response.status_code == 204
    asked = time.monotonic()
    downloading.join(timeout=30)
    assert time.monotonic() - asked < 3  # one read a second at most, then the abort
    assert results == ["stopped"]
    run = client.http.get(path, headers=headers).json_body
    assert run["status"] == "REVOKED" and run["command"] == "STOP"
    assert run["result"] == f"stopped: {video.title} stays in the queue"
    item = QueueItem.get(video.youtube_id)
    assert item.status == "pending" and item.message is None and item.attempts == 0
    assert item.lease_owner is None and item.progress is None
    assert list(tmp_path.iterdir()) == []  # partial files removed
    assert Video.count(video.youtube_id) == 0 and objects() == []
    assert count("queue#pending") == 1


def test_queued_videos_have_their_thumbnails_before_they_are_downloaded(fake_youtube, aws, sqs, client, headers):
    """TubeArchivist caches a video's thumbnail when it queues it, and its Downloads page shows each pending item's
    `vid_thumb_url` (walked: every pending item's thumbnail was a 404, a console error each): queued by channel
    (the listing's thumbnails) or by id (the video's), the file is there while the item waits."""
    import urllib.request

    first, second = list(fake_youtube.catalog.channels.values())[:2]
    by_id = next(v for v in fake_youtube.catalog.videos.values() if v.channel_id == second.channel_id)
    intake.add([f"https://www.youtube.com/{first.handle}", by_id.youtube_id])
    drain(aws, sqs)  # the expand message only: nothing is started
    queued = [item.youtube_id for item in QueueItem.scan()]
    assert by_id.youtube_id in queued and len(queued) > 1 and Video.count() == 0
    for youtube_id in queued:
        key = s3.video_thumb_key(youtube_id)
        with urllib.request.urlopen(f"{fake_youtube.url}/thumb/{youtube_id}.jpg") as served:
            assert boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read() == served.read()
    listed = client.http.get("/api/download/?filter=pending", headers=headers).json_body["data"]
    for item in listed:
        assert client.http.get(item["vid_thumb_url"], headers=headers).status_code == 302


def test_the_add_task_counts_the_videos_queued_by_id(fake_youtube, aws, sqs):
    """The web app's notification of "Add to download queue" (the extract_download run's result) counts every
    video the request added, by id as well as from a channel (walked: adding two ids said "added 0 videos"),
    and the ones yt-dlp could not read."""
    known = list(fake_youtube.catalog.videos.values())[:2]
    intake.add([video.youtube_id for video in known] + ["zzzzzzzzzzz"])
    drain(aws, sqs)
    (run,) = task_runs.runs_of(task_runs.EXTRACT_DOWNLOAD)
    assert run.status == task_runs.SUCCESS
    assert run.result == "added 3 videos to the queue; 1 could not be read"
    assert {item.youtube_id for item in QueueItem.scan()} == {video.youtube_id for video in known} | {"zzzzzzzzzzz"}
