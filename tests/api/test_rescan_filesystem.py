"""/api/appsettings/rescan-filesystem/: the job reconciles the media bucket with the tables (a deleted media object,
an orphan object, a wrong size), marks or removes, lists or deletes, sets the counters again, and reports."""

import json

import pytest

from functions.core.settings import get_settings
from functions.services import filesystem
from functions.storage import aws, counters, s3
from functions.storage.models import Counter, Video
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.test_snapshots import run_snapshot_jobs

ORPHAN = f"media/{channel_id(1)}/{video_id(99)}.mp4"


def put(key: str, size: int) -> None:
    aws.client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"x" * size)


def exists(key: str) -> bool:
    return any(listed["Key"] == key for listed in s3.listing(key))


@pytest.fixture
def archive(admin):
    make_channel(1)
    for n in (1, 2, 3):
        make_video(n, media_size=10 * n)
        put(s3.media_key(channel_id(1), video_id(n), "mp4"), 10 * n)
    s3.delete_objects([s3.media_key(channel_id(1), video_id(2), "mp4")])  # its media is gone
    put(s3.media_key(channel_id(1), video_id(3), "mp4"), 7)  # replaced by a smaller file
    put(ORPHAN, 5)  # no row names it


def post(client, headers, body):
    json_headers = {**headers, "Content-Type": "application/json"}
    return client.http.post("/api/appsettings/rescan-filesystem/", headers=json_headers, body=json.dumps(body))


def rescan(client, headers, **body) -> dict:
    started = post(client, headers, body)
    assert started.status_code == 200, started.json_body
    assert set(started.json_body) == {"task_id", "status"} and started.json_body["status"] == "PENDING"
    assert run_snapshot_jobs() == 1
    return client.http.get("/api/appsettings/rescan-filesystem/", headers=headers).json_body


def test_a_rescan_marks_the_missing_lists_the_orphans_and_fixes_sizes(client, headers, archive):
    assert client.http.get("/api/appsettings/rescan-filesystem/", headers=headers).json_body == {"state": "never"}
    report = rescan(client, headers, ignore_error=False, prefer_local=False)
    assert report["state"] == "done" and report["videos"] == 3
    assert report["missing"] == [
        {"youtube_id": video_id(2), "media_key": s3.media_key(channel_id(1), video_id(2), "mp4")}
    ]
    assert report["missing_action"] == "marked"
    assert report["orphans"] == [{"key": ORPHAN, "size": 5}] and not report["orphans_deleted"]
    assert report["resized"] == [{"youtube_id": video_id(3), "from": 30, "to": 7}]
    assert Video.get(video_id(2)).media_missing is True
    assert Video.get(video_id(3)).media_size == 7
    assert Counter.get(counters.channel_videos(channel_id(1))).size == 10 + 20 + 7  # the counters set again
    assert exists(ORPHAN)

    put(s3.media_key(channel_id(1), video_id(2), "mp4"), 20)  # the media comes back
    report = rescan(client, headers)
    assert report["missing"] == [] and report["media_back"] == [video_id(2)]
    assert Video.get(video_id(2)).media_missing is None


def test_delete_options_remove_the_missing_and_the_orphans(client, headers, archive):
    report = rescan(client, headers, delete_missing=True, delete_orphans=True)
    assert report["missing_action"] == "deleted" and report["orphans_deleted"]
    assert client.http.get(f"/api/video/{video_id(2)}/", headers=headers).status_code == 404
    assert not exists(ORPHAN)
    assert client.http.get("/api/video/", headers=headers).json_body["paginate"]["total_hits"] == 2


def test_a_dry_run_changes_nothing(client, headers, archive):
    report = rescan(client, headers, dry_run=True, delete_missing=True, delete_orphans=True)
    assert report["state"] == "dry_run" and len(report["missing"]) == 1 and not report["orphans_deleted"]
    assert Video.get(video_id(2)).media_missing is None and Video.get(video_id(3)).media_size == 30
    assert exists(ORPHAN)


@pytest.mark.parametrize("body", [{"delete_missing": "yes"}, {"unknown": True}, [1]])
def test_bad_bodies_are_400(client, headers, archive, body):
    response = post(client, headers, body)
    assert response.status_code == 400
    assert filesystem.last_report() == {"state": "never"}


def test_a_second_rescan_while_one_is_asked_for_is_a_conflict(client, headers, archive):
    assert post(client, headers, {}).status_code == 200
    assert post(client, headers, {}).status_code == 409
