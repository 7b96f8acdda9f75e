"""The metadata resync (resync_metadata) over real mp4s: a file the fake YouTube's download archived, tagged in
place in the bucket and read back with mutagen; sizes and counters follow; a missing file is reported; large
files go back as multipart uploads of server-side copies, in either atom layout, their streams untouched."""

import hashlib
import io
import itertools
import json
import subprocess

import boto3
import pytest
from mutagen.mp4 import MP4

from functions.jobs import download as download_job
from functions.jobs import refresh as refresh_job
from functions.services import app_settings, media_tags, metadata_sync, task_runs
from functions.services.archive import videos
from functions.services.downloads import intake
from functions.storage import counters, db, s3
from functions.storage.models import Channel, Counter, Video
from tests import media_server
from tests.api.test_upkeep_schedules import queued
from tests.jobs.test_download import BUCKET, record
from tests.test_snapshots import run_queued_jobs

TAGS_OFF = {"downloads": {"add_metadata": False, "add_thumbnail": False}}


def archived(fake, count: int = 1) -> list[Video]:
    """Videos of the fake YouTube downloaded with tagging off: their files carry no tags."""
    app_settings.update(TAGS_OFF)
    chosen = list(fake.catalog.videos.values())[:count]
    for video in chosen:
        intake.add_entries([{"youtube_id": video.youtube_id}])
        assert download_job.handle_record(record(video.youtube_id)) == "archived"
    app_settings.update({"downloads": {"add_metadata": True, "add_thumbnail": True}})
    return [Video.get(video.youtube_id) for video in chosen]


def media_object(video: Video) -> dict:
    return boto3.client("s3").get_object(Bucket=BUCKET, Key=s3.video_media_key(video))


def tags_in(video: Video) -> dict:
    return dict(MP4(io.BytesIO(media_object(video)["Body"].read())).tags or {})


def resync() -> task_runs.TaskRun:
    """Ask for a run as the API does and hand its messages (a run's next parts too) to the refresh function."""
    task_id = metadata_sync.request().task_id
    run_queued_jobs("refresh", "refresh")
    return task_runs.get(task_id)


def taken(queue: str) -> list[dict]:
    """The queue's messages, received and deleted."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=f"ytarchive-local-{queue}")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(message["Body"]) for message in messages]


def test_the_archives_metadata_is_written_into_the_downloaded_file(fake_youtube, aws):
    (video,) = archived(fake_youtube)
    assert "\xa9nam" not in tags_in(video)
    db.update_existing(video, [Video.title.set("Renamed in the archive")])  # the archive's, not YouTube's
    run = resync()
    tags = tags_in(video)
    assert tags["\xa9nam"] == ["Renamed in the archive"]
    assert tags["\xa9ART"] == [Channel.get(video.channel_id).channel_name]
    assert tags["\xa9day"] == [video.published.replace("-", "")]
    assert tags["desc"] == tags["ldes"] == [video.description]
    assert bytes(tags["covr"][0]) == s3.read(s3.video_thumb_key(video.youtube_id))  # add_thumbnail: the jpg
    stored = media_object(video)
    size = int(stored["ContentLength"])
    assert stored["ContentType"] == "video/mp4" and stored["ContentDisposition"].startswith("inline; filename=")
    assert size != video.media_size and Video.get(video.youtube_id).media_size == size
    assert Counter.get(counters.VIDEOS).size == Counter.get(counters.channel_videos(video.channel_id)).size == size
    assert run.status == task_runs.SUCCESS
    grown = size - int(video.media_size)
    assert run.result == (
        f"1 files written, 0 already current, 0 without a media file, 0 failed; sizes changed by +{grown} bytes"
    )


def test_a_redownloaded_video_has_the_file_of_its_revision_tagged(fake_youtube, aws):
    (video,) = archived(fake_youtube)
    bucket = boto3.client("s3")
    moved = s3.media_key(video.channel_id, video.youtube_id, "mp4", 1)  # where a re-download puts its file
    bucket.copy_object(Bucket=BUCKET, Key=moved, CopySource={"Bucket": BUCKET, "Key": s3.video_media_key(video)})
    bucket.delete_object(Bucket=BUCKET, Key=s3.video_media_key(video))
    db.update_existing(video, [Video.media_revision.set(1)])
    run = resync()
    assert tags_in(Video.get(video.youtube_id))["\xa9nam"] == [video.title]
    assert run.result.startswith("1 files written, 0 already current, 0 without a media file"), run.result


def test_a_second_run_finds_the_files_current_and_writes_nothing(fake_youtube, aws):
    (video,) = archived(fake_youtube)
    resync()
    etag = media_object(video)["ETag"]
    run = resync()
    assert media_object(video)["ETag"] == etag
    assert run.result.startswith("0 files written, 1 already current")


def test_a_file_downloaded_with_its_tags_is_found_current(fake_youtube, aws):
    """The download's postprocessors (FFmpegMetadata, EmbedThumbnail) write what the resync would."""
    source = next(iter(fake_youtube.catalog.videos.values()))
    intake.add_entries([{"youtube_id": source.youtube_id}])
    assert download_job.handle_record(record(source.youtube_id)) == "archived"
    etag = media_object(Video.get(source.youtube_id))["ETag"]
    assert resync().result.startswith("0 files written, 1 already current")
    assert media_object(Video.get(source.youtube_id))["ETag"] == etag


@pytest.fixture
def distribution(aws, monkeypatch):
    """A media distribution the refresh function is told of, as the deployed stages' (.chalice/config.json)."""
    from functions.core.settings import get_settings

    config = {
        "CallerReference": "media",
        "Comment": "media",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"{BUCKET}.s3.amazonaws.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "https-only"},
    }
    made = boto3.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    monkeypatch.setenv("MEDIA_DISTRIBUTION_ID", made)
    get_settings.cache_clear()
    yield made
    monkeypatch.undo()
    get_settings.cache_clear()


def invalidated(distribution: str) -> list[list[str]]:
    cloudfront = boto3.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
    batches = [cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"]) for item in listed]
    return [batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] for batch in batches]


def test_the_edges_drop_the_rewritten_files_once_per_part(fake_youtube, distribution):
    archived(fake_youtube)
    resync()
    assert invalidated(distribution) == [["/media/*"]]
    resync()  # all current: nothing to drop
    assert invalidated(distribution) == [["/media/*"]]


def test_without_add_thumbnail_no_cover_and_without_add_metadata_nothing(fake_youtube, aws):
    (video,) = archived(fake_youtube)
    app_settings.update({"downloads": {"add_thumbnail": False}})
    resync()
    tags = tags_in(video)
    assert tags["\xa9nam"] == [video.title] and "covr" not in tags
    app_settings.update({"downloads": {"add_metadata": False}})
    db.update_existing(Video.get(video.youtube_id), [Video.title.set("Not written")])
    run = resync()
    assert tags_in(video)["\xa9nam"] == [video.title]
    assert run.result == "Nothing written: downloads.add_metadata is off"
    assert metadata_sync.request().status == "PENDING"  # that run let go of the task: a new one can be asked for


def test_a_video_without_its_file_or_with_a_broken_one_is_reported(fake_youtube, aws):
    (video,) = archived(fake_youtube)
    gone = Video("aaaaaaaaaaa", title="Gone", published="2020-01-01", date_downloaded=1, channel_id=video.channel_id)
    broken = Video(
        "bbbbbbbbbbb", title="Broken", published="2020-01-01", date_downloaded=1, channel_id=video.channel_id
    )
    videos.save(gone)
    videos.save(broken)
    s3.put(s3.media_key(broken.channel_id, broken.youtube_id), b"not an mp4 at all", "video/mp4")
    run = resync()
    assert run.status == task_runs.SUCCESS
    assert run.result.startswith("1 files written, 0 already current, 1 without a media file, 1 failed")
    assert "bbbbbbbbbbb: not an mp4" in run.result
    assert tags_in(video)["\xa9nam"] == [video.title]


def test_a_long_run_goes_on_in_its_next_invocations(fake_youtube, aws, monkeypatch):
    archived_videos = archived(fake_youtube, 2)
    monkeypatch.setattr(metadata_sync, "RUN_SECONDS", 0)  # one video per invocation
    monkeypatch.setattr(metadata_sync, "PROGRESS_SECONDS", 0)  # progress after every video
    task_id = metadata_sync.request().task_id
    (first,) = taken("refresh")
    refresh_job.handle(json.dumps(first))
    running = task_runs.render(task_runs.get(task_id))
    assert (running.status, running.progress) == (task_runs.STARTED, 0.5)  # 1 of the 2 archived videos
    assert running.messages == ["Processing videos 1: continued in the next invocation"]
    (second,) = queued("refresh")
    assert second["task_id"] == task_id and second["tally"]["written"] == 1
    assert run_queued_jobs("refresh", "refresh") == 2  # the second video, then a last part that finds none left
    run = task_runs.get(task_id)
    assert run.status == task_runs.SUCCESS and run.result.startswith("2 files written")
    assert all(tags_in(video)["\xa9nam"] == [video.title] for video in archived_videos)


# ---------------------------------------------------------------- large files


@pytest.fixture(scope="module")
def large_mp4s(tmp_path_factory) -> dict[str, bytes]:
    """Two 5+ MiB mp4s (lossless noise: bigger than S3's smallest part), `moov` last as ffmpeg writes it, and
    first as yt-dlp's postprocessors leave it (+faststart)."""
    made = {}
    for layout, flags in (("moov_last", []), ("moov_first", ["-movflags", "+faststart"])):
        out = tmp_path_factory.mktemp("large") / f"{layout}.mp4"
        noise = "nullsrc=s=320x240:d=2,geq=random(1)*255:128:128"
        source = ["-f", "lavfi", "-i", noise, "-f", "lavfi", "-i", "sine=duration=2"]
        codecs = ["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", *flags]
        subprocess.run([media_server.ffmpeg(), "-v", "error", "-y", *source, *codecs, str(out)], check=True)
        made[layout] = out.read_bytes()
    return made


def streams_digest(data: bytes, tmp_path) -> str:
    """The hashes of the file's video and audio packets (not the cover ffmpeg shows as one more stream)."""
    path = tmp_path / "probe.mp4"
    path.write_bytes(data)
    streams = ["-map", "0:v:0", "-map", "0:a:0", "-c", "copy", "-f", "framemd5", "-"]
    done = subprocess.run([media_server.ffmpeg(), "-v", "error", "-i", str(path), *streams], capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def atom_order(data: bytes) -> list[bytes]:
    return [atom.name for atom in media_tags._walk(lambda start, end: data[start:end], len(data))]


@pytest.mark.parametrize("layout", ["moov_last", "moov_first"])
def test_a_large_file_is_written_back_as_a_multipart_upload(aws, large_mp4s, tmp_path, monkeypatch, layout):
    original = large_mp4s[layout]
    assert len(original) > media_tags.MIN_PART
    monkeypatch.setattr(media_tags, "SINGLE_PUT_BYTES", 0)
    key = "media/UCxxxxxxxxxxxxxxxxxxxxxx/ccccccccccc.mp4"
    boto3.client("s3").put_object(
        Bucket=BUCKET, Key=key, Body=original, ContentType="video/mp4", ContentDisposition="inline; filename=a.mp4"
    )
    cover = media_server.media("image1.jpg")
    done = media_tags.retag(key, {media_tags.TITLE: "Large", media_tags.COVER: cover})
    stored = boto3.client("s3").get_object(Bucket=BUCKET, Key=key)
    data = stored["Body"].read()
    assert done.changed and done.size_after == len(data) == int(stored["ContentLength"]) > len(original)
    assert stored["ETag"].endswith('-2"')  # a multipart upload of two parts: the new bytes and a server-side copy
    assert (stored["ContentType"], stored["ContentDisposition"]) == ("video/mp4", "inline; filename=a.mp4")
    tags = MP4(io.BytesIO(data)).tags
    assert tags["\xa9nam"] == ["Large"] and bytes(tags["covr"][0]) == cover
    assert atom_order(data) == atom_order(original)
    assert streams_digest(data, tmp_path) == streams_digest(original, tmp_path)
    assert hashlib.sha256(data).digest() != hashlib.sha256(original).digest()


def test_a_fragmented_or_foreign_file_is_not_taggable(aws):
    key = "media/UCxxxxxxxxxxxxxxxxxxxxxx/ddddddddddd.mp4"
    for body in (b"\x00\x00\x00\x08ftyp\x00\x00\x00\x08moof\x00\x00\x00\x08moov", b"RIFF....WEBMjunk"):
        s3.put(key, body, "video/mp4")
        with pytest.raises(media_tags.NotTaggable):
            media_tags.retag(key, {media_tags.TITLE: "x"})
        assert s3.read(key) == body


def test_the_parts_of_a_large_upload_fit_s3s_limits():
    """Every part but the last at least 5 MiB, copies at most 5 GiB: new bytes borrow from the copy after them."""

    class Zeros:
        def read(self, start: int, end: int) -> bytes:
            return bytes(end - start)

    gib = 2**30
    parts = list(media_tags._parts(Zeros(), [b"head", (100, 11 * gib), b"tail"]))  # type: ignore[arg-type]
    first, *copies, last = parts
    borrowed = 100 + media_tags.MIN_PART - 4
    assert len(first) == media_tags.MIN_PART and first[:4] == b"head"
    assert len(copies) == 3 and copies[0][0] == borrowed and copies[-1][1] == 11 * gib
    assert all(before[1] == after[0] for before, after in itertools.pairwise(copies))
    assert all(media_tags.MIN_PART <= end - start <= media_tags.MAX_COPY_PART for start, end in copies)
    assert last == b"tail"
