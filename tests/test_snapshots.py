"""functions/services/snapshots.py and its job: export every table with a manifest, restore only intact snapshots,
expire."""

import gzip
import json
import time
from types import SimpleNamespace

import boto3
import pytest

from functions.core.errors import BadRequest, NotFound
from functions.core.settings import DEFAULT_APP_CONFIG, get_settings
from functions.services import app_settings, schedules, snapshots
from functions.services.auth import users
from functions.storage import index_keys, s3
from functions.storage.aws import client as bucket_client
from functions.storage.models import ALL_MODELS, AppSetting, Counter, Snapshot, TaskRun, TaskState, UserVideo, Video
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id

DAY = 86400
CONFIG = DEFAULT_APP_CONFIG


def run_queued_jobs(queue: str, handler: str) -> int:
    """Hand every message of a queue to its function, as Lambda would; how many ran."""
    from app import app
    from infra.local import process_batch

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=f"ytarchive-local-{queue}")["QueueUrl"]
    handled = 0
    while received := process_batch(sqs, url, app.handler_map[handler], 1, wait_seconds=0):
        handled += received
    return handled


def run_snapshot_jobs() -> int:
    """Hand every message of the snapshot queue to the snapshot function; how many ran."""
    return run_queued_jobs("snapshot", "snapshot")


def tables() -> dict[str, list[str]]:
    """Every snapshotted table's items, as comparable text."""
    return {
        snapshots.table_label(model): sorted(snapshots._line(item) for item in snapshots._scan(model))
        for model in snapshots.snapshot_models()
    }


def wipe() -> None:
    for model in snapshots.snapshot_models():
        for item in model.scan():
            item.delete()


def make_archive():
    admin = users.create_user("admin", "admin-password", is_admin=True)
    make_channel(1, subscribed=True)
    make_channel(2)
    for n in range(1, 7):
        make_video(n, channel=1 + n % 2)
    make_playlist(1, [1, 2, 3, 9])
    state = UserVideo(admin.user_id, video_id(1), position=42, watched=True, watched_date=1_700_000_000)
    index_keys.set_watch_keys(state, Video.get(video_id(1))).save()  # keyed as the API writes it
    return admin


def take(config: dict = CONFIG) -> str:
    snapshot_id = snapshots.start(config)
    run_snapshot_jobs()
    return snapshot_id


def manifest_of(snapshot_id: str) -> dict:
    body = bucket_client("s3").get_object(Bucket=get_settings().media_bucket, Key=s3.snapshot_manifest_key(snapshot_id))
    return json.loads(body["Body"].read())


def put_object(key: str, body: bytes) -> None:
    bucket_client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=body)


def object_keys(prefix: str) -> list[str]:
    listed = bucket_client("s3").list_objects_v2(Bucket=get_settings().media_bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


# ---------------------------------------------------------------- export


def test_every_table_but_the_catalogue_and_job_states_is_snapshotted():
    assert set(snapshots.snapshot_models()) == set(ALL_MODELS) - {Snapshot, TaskState, TaskRun}
    assert Video in snapshots.snapshot_models() and Counter in snapshots.snapshot_models()


def test_a_snapshot_exports_every_table_with_counts_and_checksums(aws):
    make_archive()
    before = tables()
    snapshot_id = take()
    item = Snapshot.get(snapshot_id)
    assert item.state == snapshots.SUCCESS and item.end_stamp >= item.start_stamp
    assert snapshots.SNAPSHOT_ID.match(snapshot_id)
    manifest = manifest_of(snapshot_id)
    assert manifest["format"] == snapshots.FORMAT_VERSION and manifest["settled"] is True
    assert set(manifest["tables"]) == set(before)
    size = 0
    for label, table in manifest["tables"].items():
        data = bucket_client("s3").get_object(Bucket=get_settings().media_bucket, Key=table["key"])["Body"].read()
        assert snapshots._sha256(data) == table["sha256"] and len(data) == table["bytes"]
        lines = gzip.decompress(data).decode().splitlines()
        assert len(lines) == table["items"] == len(before[label])
        assert lines == before[label]
        size += len(data)
    assert manifest["tables"]["videos"]["items"] == 6
    assert item.size_bytes > size


def test_the_same_archive_gives_the_same_table_files(aws):
    make_archive()
    first, second = manifest_of(take()), manifest_of(take())
    assert {k: t["sha256"] for k, t in first["tables"].items()} == {k: t["sha256"] for k, t in second["tables"].items()}


def test_an_export_that_saw_the_archive_change_runs_again(aws, monkeypatch):
    make_archive()
    scans = {"counters": 0}
    real_scan = snapshots._scan

    def scan_with_a_write(model):
        if model is Counter:
            scans["counters"] += 1
            if scans["counters"] == 2:  # a counted write lands while the first export runs
                make_video(50)
        return real_scan(model)

    monkeypatch.setattr(snapshots, "_scan", scan_with_a_write)
    manifest = manifest_of(take())
    assert manifest["attempts"] == 2 and manifest["settled"] is True
    assert manifest["tables"]["videos"]["items"] == 7


def test_a_failed_export_is_marked_and_leaves_no_files(aws, monkeypatch):
    make_archive()

    def broken(model):
        raise RuntimeError("throttled")

    old_failure = "ta_daily_oldfailure000000"
    Snapshot(old_failure, state=snapshots.FAILED, start_stamp=int(time.time()) - 2 * DAY).save()
    monkeypatch.setattr(snapshots, "_scan", broken)
    snapshot_id = take()
    item = Snapshot.get(snapshot_id)
    assert item.state == snapshots.FAILED and "throttled" in item.message
    assert [s.snapshot_id for s in snapshots.newest_first()] == [snapshot_id]  # the old failure expired
    assert object_keys(s3.snapshot_prefix(snapshot_id)) == []
    with pytest.raises(BadRequest):
        snapshots.request_restore(snapshot_id)


def test_a_create_message_delivered_twice_exports_once(aws):
    make_archive()
    snapshot_id = take()
    stamp = Snapshot.get(snapshot_id).end_stamp
    snapshots.run_job({"action": "create", "snapshot_id": snapshot_id})
    assert Snapshot.get(snapshot_id).end_stamp == stamp


# ---------------------------------------------------------------- restore


def test_snapshot_wipe_restore_gives_identical_tables(aws):
    make_archive()
    before = tables()
    snapshot_id = take()
    wipe()
    assert all(not items for items in tables().values())
    assert snapshots.request_restore(snapshot_id) == {"accepted": True}
    assert run_snapshot_jobs() == 1
    assert tables() == before


def test_restore_undoes_changes_made_after_the_snapshot(aws):
    from functions.services.archive import videos

    make_archive()
    before = tables()
    snapshot_id = take()
    videos.delete(video_id(1))
    make_video(20, title="added later")
    video = Video.get(video_id(2))
    video.update(actions=[Video.title.set("renamed")])
    assert tables() != before
    changes = snapshots.restore(snapshot_id)
    assert tables() == before
    assert changes["videos"] == (2, 1)  # video 1 and video 2 written back, video 20 deleted
    assert snapshots.restore(snapshot_id)["videos"] == (0, 0)  # a second restore has nothing to do


def test_media_objects_stay(aws):
    make_archive()
    snapshot_id = take()
    put_object(s3.video_thumb_key(video_id(1)), b"jpeg")
    snapshots.restore(snapshot_id)
    assert object_keys("cache/") == [s3.video_thumb_key(video_id(1))]


def test_tables_the_snapshot_lacks_end_empty(aws):
    make_archive()
    snapshot_id = take()
    item = Snapshot.get(snapshot_id)
    manifest = manifest_of(snapshot_id)
    del manifest["tables"]["user_videos"]  # as if the table came after the snapshot
    body = json.dumps(manifest).encode()
    put_object(s3.snapshot_manifest_key(snapshot_id), body)
    item.update(actions=[Snapshot.manifest_sha256.set(snapshots._sha256(body))])
    snapshots.restore(snapshot_id)
    assert tables()["user_videos"] == []
    assert tables()["videos"]


def damage_manifest(snapshot_id: str) -> None:
    key = s3.snapshot_manifest_key(snapshot_id)
    manifest = manifest_of(snapshot_id)
    manifest["tables"]["videos"]["items"] += 1
    put_object(key, json.dumps(manifest, indent=1, sort_keys=True).encode())


def damage_table(snapshot_id: str) -> None:
    key = s3.snapshot_table_key(snapshot_id, "videos")
    data = bytearray(bucket_client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read())
    data[len(data) // 2] ^= 0xFF
    put_object(key, bytes(data))


def remove(key: str):
    return lambda snapshot_id: bucket_client("s3").delete_object(
        Bucket=get_settings().media_bucket, Key=key(snapshot_id)
    )


@pytest.mark.parametrize(
    "damage",
    [
        damage_manifest,
        damage_table,
        remove(s3.snapshot_manifest_key),
        remove(lambda snapshot_id: s3.snapshot_table_key(snapshot_id, "channels")),
    ],
    ids=["damaged manifest", "damaged table", "missing manifest", "missing table"],
)
def test_a_damaged_or_missing_snapshot_is_refused_and_changes_nothing(aws, damage):
    from functions.services.archive import videos

    make_archive()
    snapshot_id = take()
    videos.delete(video_id(1))
    before = tables()
    damage(snapshot_id)
    with pytest.raises(BadRequest):
        snapshots.request_restore(snapshot_id)
    with pytest.raises(BadRequest):
        snapshots.restore(snapshot_id)
    snapshots.run_job({"action": "restore", "snapshot_id": snapshot_id})  # the job refuses it too, quietly
    assert run_snapshot_jobs() == 0
    assert tables() == before


def test_a_snapshot_still_running_cannot_be_restored(aws):
    snapshot_id = snapshots.start(CONFIG)
    with pytest.raises(BadRequest, match="IN_PROGRESS"):
        snapshots.request_restore(snapshot_id)


def test_unknown_and_malformed_ids_are_not_found(aws):
    for snapshot_id in ("ta_daily_0000000000000000", "../manifest", "", None):
        with pytest.raises(NotFound):
            snapshots.get(snapshot_id)


def test_delete_removes_the_files_and_the_item(aws):
    make_archive()
    snapshot_id = take()
    assert object_keys(s3.snapshot_prefix(snapshot_id))
    assert snapshots.delete(snapshot_id) == {"acknowledged": True}
    assert object_keys(s3.snapshot_prefix(snapshot_id)) == []
    with pytest.raises(NotFound):
        snapshots.get(snapshot_id)


# ---------------------------------------------------------------- expiry and the schedule


def fake(n: int, age_days: float, state: str = snapshots.SUCCESS, now: int = 10_000 * DAY):
    return SimpleNamespace(snapshot_id=f"s{n}", state=state, start_stamp=now - int(age_days * DAY))


def expired_ids(items) -> set[str]:
    return {item.snapshot_id for item in snapshots.expired(items, 10_000 * DAY)}


def test_snapshots_older_than_30_days_expire():
    items = [fake(n, n) for n in range(40)]  # one a day
    assert expired_ids(items) == {f"s{n}" for n in range(31, 40)}


def test_at_least_5_are_kept_however_old():
    items = [fake(n, 100 + n) for n in range(8)]
    assert expired_ids(items) == {"s5", "s6", "s7"}
    assert expired_ids(items[:5]) == set()


def test_at_most_50_are_kept():
    items = [fake(n, n / 24) for n in range(60)]  # hourly, all recent
    assert expired_ids(items) == {f"s{n}" for n in range(50, 60)}


def test_failed_and_abandoned_snapshots_go_after_a_day_and_never_count():
    items = [fake(n, 100 + n) for n in range(5)]
    items += [fake(10, 2, snapshots.FAILED), fake(11, 0.5, snapshots.FAILED), fake(12, 3, snapshots.IN_PROGRESS)]
    assert expired_ids(items) == {"s10", "s12"}


def test_a_new_snapshot_expires_old_ones(aws):
    now = int(time.time())
    for n in range(6):
        Snapshot(f"ta_daily_old{n:013d}", state=snapshots.SUCCESS, start_stamp=now - (40 + n) * DAY).save()
        put_object(s3.snapshot_manifest_key(f"ta_daily_old{n:013d}"), b"{}")
    snapshot_id = take()
    kept = [item.snapshot_id for item in snapshots.newest_first()]
    assert kept == [snapshot_id, *(f"ta_daily_old{n:013d}" for n in range(4))]
    assert object_keys("snapshots/ta_daily_old0000000000005/") == []


def set_config(**application) -> None:
    AppSetting("app", value={"application": application}).save()


def test_the_daily_run_takes_one_snapshot_a_day(aws):
    from chalice.test import TestEventsClient

    from app import app

    make_archive()
    event = TestEventsClient(app).generate_cw_event("aws.events", "Scheduled Event", {}, [], "us-east-1")
    app.handler_map["daily_snapshot"](event, None)
    (first,) = snapshots.newest_first()
    assert snapshots.scheduled_snapshot() is None  # the same firing delivered twice
    assert run_snapshot_jobs() == 1
    assert Snapshot.get(first.snapshot_id).state == snapshots.SUCCESS
    first.update(actions=[Snapshot.start_stamp.set(int(time.time()) - DAY)])
    assert snapshots.scheduled_snapshot() is not None


def test_the_daily_run_respects_enable_snapshot(aws):
    set_config(enable_snapshot=False)
    assert snapshots.scheduled_snapshot() is None
    assert snapshots.newest_first() == []
    with pytest.raises(BadRequest):
        snapshots.start(app_settings.current())


def test_next_exec_is_the_next_run_of_the_stored_schedule(aws):
    base = 19_000 * DAY
    config = app_settings.current()
    assert schedules.upcoming(config, snapshots.SCHEDULE, base) == base + 3 * 3600
    assert schedules.upcoming(config, snapshots.SCHEDULE, base + 3 * 3600) == base + DAY + 3 * 3600
    config = app_settings.update({"scheduler": {"run_snapshot": "15 5,17 *"}})
    assert schedules.upcoming(config, snapshots.SCHEDULE, base + 6 * 3600) == base + 17 * 3600 + 15 * 60
    assert snapshots.overview(config).next_exec_str.endswith(("05:15:00", "17:15:00"))
    config = app_settings.update({"scheduler": {"run_snapshot": False}})
    assert schedules.upcoming(config, snapshots.SCHEDULE, base) is None


# ---------------------------------------------------------------- at scale

ARCHIVE_VIDEOS = 10_000
WORDS = ["river", "garden", "engine", "piano", "lesson", "winter", "market", "robot", "forest", "bridge", "comet"]
SEARCHES = (
    "river",  # videos, channels and playlists at once
    "video:garden engine",
    "video:pia",  # a prefix
    "video:rivr fuzzy:1",
    "channel:maker",
    "playlist:best",
    "full:comet",
    "full:winter market lang:en",
)


def large_archive_document(videos: int) -> dict:
    """An import file: `videos` videos over 20 channels and 10 playlists; every 25th video has an English
    subtitle track (an S3 object, and lines `full:` searches)."""

    def words(n: int, count: int) -> str:
        return " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(count))

    rows = []
    for n in range(videos):
        row = {
            "youtube_id": video_id(n),
            "title": f"{words(n, 3).title()} {n}",
            "published": f"{2010 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "date_downloaded": 1_600_000_000 + n,
            "channel_id": channel_id(n % 20),
            "tags": [WORDS[n % len(WORDS)]],
            "playlist": [playlist_id(n % 10)] if n % 50 == 0 else [],
        }
        if n % 25 == 0:
            cue = f"00:00:01.000 --> 00:00:04.000\n{words(n + 1, 5)}\n"
            row["subtitles"] = [{"lang": "en", "source": "auto", "vtt": f"WEBVTT\n\n{cue}"}]
        rows.append(row)
    return {
        "channels": [
            {"channel_id": channel_id(c), "channel_name": f"{WORDS[c % len(WORDS)]} maker {c}"} for c in range(20)
        ],
        "playlists": [
            {
                "playlist_id": playlist_id(p),
                "playlist_name": f"Best of {WORDS[p]}",
                "playlist_channel_id": channel_id(p),
            }
            for p in range(10)
        ],
        "videos": rows,
    }


def bucket_objects() -> dict[str, tuple[str, int]]:
    """Every object of the media bucket: its ETag and size."""
    pages = bucket_client("s3").get_paginator("list_objects_v2").paginate(Bucket=get_settings().media_bucket)
    return {item["Key"]: (item["ETag"], item["Size"]) for page in pages for item in page.get("Contents", [])}


def empty_the_tables() -> None:
    """Every snapshotted table emptied inside moto: a wipe of 10,000 videos item by item would take minutes."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().region]
    for model in snapshots.snapshot_models():
        backend.tables[model.Meta.table_name].items.clear()


def test_a_10000_video_archive_restores_to_identical_tables_objects_and_searches(client, headers):
    from functions.services import importer

    importer.import_document(large_archive_document(ARCHIVE_VIDEOS))
    for n in range(0, ARCHIVE_VIDEOS, 100):  # thumbnails and comments: media the snapshot must leave as they are
        put_object(s3.video_thumb_key(video_id(n)), f"jpeg {n}".encode())
        put_object(s3.comments_key(video_id(n)), b"[]")

    def answers() -> dict:
        return {q: client.http.get(f"/api/search/?query={q}", headers=headers).json_body for q in SEARCHES}

    searched = answers()
    assert all(any(hits for hits in body["results"].values()) for body in searched.values()), searched
    before = tables()
    assert len(before["videos"]) == ARCHIVE_VIDEOS
    snapshot_id = take()
    objects = bucket_objects()
    assert len([key for key in objects if not key.startswith("snapshots/")]) == 600  # 400 tracks, 200 media

    empty_the_tables()
    assert not any(tables().values())
    assert snapshots.request_restore(snapshot_id) == {"accepted": True}
    assert run_snapshot_jobs() == 1
    assert tables() == before
    assert bucket_objects() == objects
    assert answers() == searched
