"""/api/appsettings/backup/ (+ `<filename>/`): a backup made by the job, listed, restored into an emptied archive
(every row it held comes back), rotated, deleted; unknown names 404, a second run while one is asked for 409."""

import datetime
import gzip
import io
import json
import re

import pytest

from functions.core.settings import get_settings
from functions.services import app_settings, backups, comments, importer, snapshots, tasks
from functions.services.downloads import intake
from functions.services.importer import states
from functions.storage import aws, counters, s3
from functions.storage.models import (
    AppSetting,
    Channel,
    Counter,
    Playlist,
    PlaylistEntry,
    QueueItem,
    SearchTerm,
    SearchWords,
    SubtitleChunk,
    UserVideo,
    Video,
)
from tests.factories import channel_id, playlist_id, video_id
from tests.test_snapshots import run_snapshot_jobs

BACKED_UP = (Channel, Playlist, PlaylistEntry, Video, UserVideo, QueueItem, AppSetting, SubtitleChunk)
DERIVED = (Counter, SearchTerm, SearchWords)  # rebuilt by the restore
USER_COUNTERS = (counters.USER_IDS, counters.USERS)
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nthe backup keeps every word\n"


def rows(models=BACKED_UP + DERIVED) -> dict[str, list[str]]:
    kept = {}
    for model in models:
        items = snapshots._scan(model)
        if model is Counter:  # the users' counters are not the archive's content: users are not backed up
            items = [item for item in items if item["name"]["S"] not in USER_COUNTERS]
        kept[snapshots.table_label(model)] = sorted(snapshots._line(in_set_order(item)) for item in items)
    return kept


def in_set_order(item: dict) -> dict:
    """An item with its string and number sets sorted: DynamoDB keeps a set's members in no order (a search
    bucket's words, written by the queue's indexing and again by the restore, come back in another)."""
    return {
        name: {kind: sorted(members) for kind, members in value.items()} if {"SS", "NS"} & value.keys() else value
        for name, value in item.items()
    }


def empty_archive() -> None:
    for model in BACKED_UP + DERIVED:
        for item in model.scan():
            if not (model is Counter and item.name in USER_COUNTERS):
                item.delete()
    s3.delete_objects([o["Key"] for o in s3.listing("media/") + s3.listing("comments/")])


@pytest.fixture
def archive(admin):
    def video(n: int, channel: int, **extra) -> dict:
        return {
            "youtube_id": video_id(n),
            "title": f"Video {n}",
            "published": f"2024-02-{n:02d}",
            "date_downloaded": 1_700_000_000 + n,
            "channel_id": channel_id(channel),
            "duration": 60 * n,
            "tags": ["backup"],
            "media_size": 1000 * n,
            **extra,
        }

    importer.import_document(
        {
            "channels": [
                {"channel_id": channel_id(1), "channel_name": "One", "channel_subscribed": True},
                {"channel_id": channel_id(2), "channel_name": "Two", "channel_overwrites": {"autodelete_days": 3}},
            ],
            "playlists": [
                {
                    "playlist_id": playlist_id(1),
                    "playlist_name": "Mixed",
                    "playlist_channel_id": channel_id(1),
                    "playlist_subscribed": True,
                    "playlist_entries": [{"youtube_id": video_id(n)} for n in (3, 1, 9)],
                }
            ],
            "videos": [
                video(
                    1,
                    1,
                    subtitles=[{"lang": "en", "vtt": VTT}],
                    comment_count=1,
                    playlist=[playlist_id(1)],
                    media_revision=2,  # downloaded again twice: its files' keys name the revision
                ),
                video(2, 2, vid_type="shorts", media_width=1920, media_height=1080, media_codecs="avc1, mp4a"),
                video(3, 1, playlist=[playlist_id(1)], sponsorblock={"last_refresh": 5, "segments": []}),
            ],
        }
    )
    comments.store_comments(video_id(1), [{"id": "c1", "text": "first", "author": "A", "parent": "root"}])
    watched = {"youtube_id": video_id(1), "watched": True, "watched_date": 1_700_000_500}
    states.import_states(admin.user_id, [watched, {"youtube_id": video_id(3), "watched": False, "position": 42}])
    intake.add_entries([{"youtube_id": video_id(20), "title": "Queued", "channel_id": channel_id(2)}])
    intake.add_entries([{"youtube_id": video_id(21)}])
    intake.add_entries([{"youtube_id": video_id(2)}], redownload=True)  # queued to replace the archived copy
    intake.set_status(video_id(21), "ignore")
    app_settings.update({"application": {"backup_rotate": 2}, "subscriptions": {"channel_size": 7}})
    return admin


def make_backup(client, headers) -> str:
    started = client.http.post("/api/appsettings/backup/", headers=headers)
    assert started.status_code == 200
    assert set(started.json_body) == {"message", "task_id"} and started.json_body["message"] == "backup task started"
    assert run_snapshot_jobs() == 1
    listed = client.http.get("/api/appsettings/backup/", headers=headers).json_body
    return listed[0]["filename"]


def test_a_backup_restores_every_row_into_an_emptied_archive(client, headers, archive):
    before = rows()
    assert all(before[snapshots.table_label(model)] for model in BACKED_UP)
    name = make_backup(client, headers)
    assert re.fullmatch(r"ta_backup-\d{14}-manual\.jsonl\.gz", name)
    detail = client.http.get(f"/api/appsettings/backup/{name}/", headers=headers).json_body
    assert set(detail) == {"filename", "file_path", "file_size", "timestamp", "reason"}
    assert detail["reason"] == "manual" and detail["file_path"] == f"/backups/{name}" and detail["file_size"] > 0
    assert name.split("-")[1] == detail["timestamp"]

    empty_archive()
    assert client.http.get("/api/video/", headers=headers).json_body["data"] == []
    started = client.http.post(f"/api/appsettings/backup/{name}/", headers=headers)
    assert started.status_code == 200
    assert started.json_body["filename"] == name and started.json_body["message"] == "backup restore task started"
    assert run_snapshot_jobs() == 1

    assert rows() == before
    assert comments.read_comments(video_id(1))[0]["comment_text"] == "first"
    bucket = get_settings().media_bucket
    vtt_key = s3.subtitle_key(channel_id(1), video_id(1), "en", revision=2)
    vtt = aws.client("s3").get_object(Bucket=bucket, Key=vtt_key)
    assert vtt["Body"].read().decode() == VTT
    found = client.http.get("/api/search/?query=full:every word", headers=headers).json_body
    assert found["results"]["fulltext_results"]


def test_the_backup_is_one_gzip_json_lines_object(client, headers, archive):
    name = make_backup(client, headers)
    lines = gzip.decompress(s3.read(s3.backup_key(name))).decode().splitlines()
    header = json.loads(lines[0])["backup"]
    assert header["format"] == backups.FORMAT and header["reason"] == "manual"
    kinds = [next(iter(json.loads(line))) for line in lines[1:]]
    assert header["counts"] == {kind: kinds.count(kind) for kind in set(kinds)}
    assert header["counts"] == {
        "channel": 2,
        "playlist": 1,
        "video": 3,
        "comments": 1,
        "user_video": 2,
        "queue": 3,
        "setting": 1,
    }


def test_only_the_newest_automatic_backups_are_kept(client, headers, archive):
    """TubeArchivist's rotation: the newest `rotate` automatic backups stay, manual ones are never rotated."""
    made = [backups.export("auto", now=1_750_000_000 + n * 3600) for n in range(3)]
    manual = backups.export("manual", now=1_740_000_000)
    newest = make_backup(client, headers)  # backup_rotate is 2
    listed = [item["filename"] for item in client.http.get("/api/appsettings/backup/", headers=headers).json_body]
    assert listed == [newest, made[2], made[1], manual]
    assert client.http.get(f"/api/appsettings/backup/{made[0]}/", headers=headers).status_code == 404


def test_a_rotation_of_0_keeps_every_backup(client, headers, archive):
    made = [backups.export("auto", now=1_750_000_000 + n * 3600) for n in range(3)]
    app_settings.update({"application": {"backup_rotate": 0}})
    newest = make_backup(client, headers)
    listed = [item["filename"] for item in client.http.get("/api/appsettings/backup/", headers=headers).json_body]
    assert listed == [newest, *reversed(made)]


def test_delete_and_unknown_names(client, headers, archive):
    name = make_backup(client, headers)
    for method in ("get", "post", "delete"):
        for unknown in ("ta_backup-20200101000000-manual.jsonl.gz", "nothing-here", "..%2Fsecrets"):
            response = getattr(client.http, method)(f"/api/appsettings/backup/{unknown}/", headers=headers)
            assert response.status_code == 404, (method, unknown)
            assert response.json_body == {"error": "file not found"}
    deleted = client.http.delete(f"/api/appsettings/backup/{name}/", headers=headers)
    assert deleted.status_code == 204 and deleted.body == b""
    assert client.http.get("/api/appsettings/backup/", headers=headers).json_body == []


def test_a_second_backup_while_one_is_asked_for_is_a_conflict(client, headers, archive):
    assert client.http.post("/api/appsettings/backup/", headers=headers).status_code == 200
    again = client.http.post("/api/appsettings/backup/", headers=headers)
    assert again.status_code == 409
    assert run_snapshot_jobs() == 1
    assert client.http.post("/api/appsettings/backup/", headers=headers).status_code == 200


def test_a_damaged_backup_is_refused_and_changes_nothing(client, headers, archive):
    name = make_backup(client, headers)
    aws.client("s3").put_object(Bucket=get_settings().media_bucket, Key=s3.backup_key(name), Body=b"not gzip")
    before = rows()
    assert client.http.post(f"/api/appsettings/backup/{name}/", headers=headers).status_code == 200
    assert run_snapshot_jobs() == 1
    assert rows() == before
    assert "cannot be read" in tasks.get(backups.RESTORE).last_error


def test_users_need_admin(client, archive, other):
    from tests.conftest import token_headers

    for method, path in (("get", "/api/appsettings/backup/"), ("post", "/api/appsettings/backup/")):
        assert getattr(client.http, method)(path, headers=token_headers(other)).status_code == 403


def test_the_scheduled_backup_is_written_and_rotated(client, headers, archive):
    """The run_backup schedule's handler asks for a backup as the POST does (one asked for already: skipped); the
    job writes it and keeps the newest backup_rotate (2) automatic ones; the schedule's last run is that run's
    end."""
    from chalice.test import TestEventsClient

    from app import app
    from functions.services import schedules, task_runs

    made = [backups.export(reason, now=1_750_000_000 + n * 3600) for n, reason in enumerate(("auto", "manual", "auto"))]
    event = TestEventsClient(app).generate_cw_event("aws.events", "Scheduled Event", {}, [], "us-east-1")
    app.handler_map["scheduled_backup"](event, None)
    app.handler_map["scheduled_backup"](event, None)  # fired again before the job ran: no second backup
    assert run_snapshot_jobs() == 1
    listed = client.http.get("/api/appsettings/backup/", headers=headers).json_body
    assert [item["reason"] for item in listed] == ["auto", "auto", "manual"]
    assert [item["filename"] for item in listed[1:]] == [made[2], made[1]]
    with gzip.open(io.BytesIO(s3.read(s3.backup_key(listed[0]["filename"])))) as packed:
        header = json.loads(packed.readline())["backup"]
    assert header["reason"] == "auto" and header["counts"]["video"] == 3

    (run,) = task_runs.runs_of(task_runs.RUN_BACKUP)
    assert run.status == task_runs.SUCCESS
    shown = schedules.one(app_settings.current(), "run_backup")
    ended = datetime.datetime.fromtimestamp(run.finished / 1000, datetime.UTC)
    assert shown.last_run_at == ended.isoformat().replace("+00:00", "Z")
    assert shown.config == {"rotate": 2}


def test_run_backup_by_name_is_an_automatic_backup_rotated(client, headers, archive):
    """TubeArchivist v0.5 starts run_backup through task/by-name/ (its `api_start`; walked: this archive answered
    404), with the task's default reason `auto`: rotated as the schedule's (backup_rotate 2), 409 while asked for."""
    made = [backups.export(reason, now=1_750_000_000 + n * 3600) for n, reason in enumerate(("auto", "manual", "auto"))]
    started = client.http.post("/api/task/by-name/run_backup/", headers=headers)
    assert started.status_code == 200 and started.json_body["status"] == "PENDING"
    again = client.http.post("/api/task/by-name/run_backup/", headers=headers)
    assert again.status_code == 409 and "running already" in again.json_body["error"]
    assert run_snapshot_jobs() == 1
    listed = client.http.get("/api/appsettings/backup/", headers=headers).json_body
    assert [item["reason"] for item in listed] == ["auto", "auto", "manual"]
    assert [item["filename"] for item in listed[1:]] == [made[2], made[1]]
    (run,) = client.http.get("/api/task/by-name/run_backup/", headers=headers).json_body
    assert run["task_id"] == started.json_body["task_id"] and run["status"] == "SUCCESS"
