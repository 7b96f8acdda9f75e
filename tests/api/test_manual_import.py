"""/api/appsettings/manual-import/: a folder real yt-dlp filled from the local media server, uploaded to the
bucket's `import/` prefix, moves into the archive (media, thumbnail, subtitles, comments, counters, search index);
a media file without an info JSON is listed and left; a dry run and a failing file change nothing."""

import json
import os
from pathlib import Path

import pytest

from functions.core.settings import get_settings
from functions.services import manual_import
from functions.storage import aws, counters, db, s3
from functions.storage.models import SubtitleChunk, Video
from tests.media_server import media
from tests.test_move_in import objects, ytdlp_folder
from tests.test_snapshots import run_snapshot_jobs

STRAY = "import/stray.mp4"


def upload(folder: Path) -> None:
    bucket = get_settings().media_bucket
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            key = s3.IMPORT_PREFIX + path.relative_to(folder).as_posix()
            aws.client("s3").put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
    aws.client("s3").put_object(Bucket=bucket, Key=STRAY, Body=b"a file yt-dlp did not describe")


@pytest.fixture
def staged(admin, fake_youtube, tmp_path):
    ytdlp_folder(fake_youtube, tmp_path / "downloads")
    upload(tmp_path / "downloads")
    return fake_youtube.catalog


def post(client, headers, body: dict):
    json_headers = {**headers, "Content-Type": "application/json"}
    return client.http.post("/api/appsettings/manual-import/", headers=json_headers, body=json.dumps(body))


def start(client, headers, **body) -> dict:
    started = post(client, headers, body)
    assert started.status_code == 200, started.json_body
    assert set(started.json_body) == {"task_id", "status"}
    assert run_snapshot_jobs() == 1
    return client.http.get("/api/appsettings/manual-import/", headers=headers).json_body


def test_a_ytdlp_folder_in_import_moves_into_the_archive(client, headers, staged):
    assert client.http.get("/api/appsettings/manual-import/", headers=headers).json_body == {"state": "never"}
    report = start(client, headers, ignore_error=False, prefer_local=True)
    assert report["state"] == "done", report
    assert {v["youtube_id"] for v in report["videos"]} == set(staged.videos)
    assert report["unmatched"] == [STRAY] and report["failures"] == []
    stored = objects()
    for youtube_id, fake in staged.videos.items():
        video = Video.get(youtube_id)
        assert video.title == fake.title and video.channel_id == fake.channel_id
        assert stored[s3.media_key(fake.channel_id, youtube_id)] == media(f"video{fake.variant}.mp4")
        assert s3.video_thumb_key(youtube_id) in stored
        assert stored[s3.subtitle_key(fake.channel_id, youtube_id, "en")].startswith(b"WEBVTT")
        assert video.comment_count == fake.comments
        assert len(json.loads(stored[s3.comments_key(youtube_id)])) == fake.comments
    assert db.counts([counters.VIDEOS])[counters.VIDEOS] == len(staged.videos)
    assert {chunk.track for chunk in SubtitleChunk.scan()} == {f"{i}.en" for i in staged.videos}
    title = next(iter(staged.videos.values())).title
    found = client.http.get(f"/api/search/?query={title}", headers=headers).json_body
    assert found["results"]["video_results"]
    left = [key for key in stored if key.startswith(s3.IMPORT_PREFIX)]
    assert STRAY in left and not any(key.endswith((".mp4", ".vtt")) and key != STRAY for key in left)


def test_a_dry_run_says_what_it_would_import_and_writes_nothing(client, headers, staged):
    before = objects()
    report = start(client, headers, dry_run=True)
    assert report["state"] == "dry_run"
    assert report["summary"]["videos"]["created"] == len(staged.videos)
    assert list(Video.scan()) == [] and objects().keys() - {s3.report_key(manual_import.TASK)} == before.keys()


def test_a_file_that_cannot_be_imported_stops_the_run_unless_errors_are_ignored(client, headers, staged):
    bucket = get_settings().media_bucket
    aws.client("s3").put_object(Bucket=bucket, Key="import/broken.info.json", Body=b"{not json")
    aws.client("s3").put_object(Bucket=bucket, Key="import/broken.mp4", Body=b"media")
    report = start(client, headers)
    assert report["state"] == "failed" and report["failures"][0]["file"] == "import/broken.info.json"
    assert list(Video.scan()) == []
    assert "cannot be imported" in manual_import.file_tasks.tasks.get(manual_import.TASK).last_error
    report = start(client, headers, ignore_error=True)
    assert report["state"] == "done" and len(list(Video.scan())) == len(staged.videos)


@pytest.mark.parametrize("body", [{"dry_run": 1}, {"delete_orphans": True}])
def test_bad_bodies_are_400(client, headers, admin, body):
    assert post(client, headers, body).status_code == 400
