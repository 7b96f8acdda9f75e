"""TubeArchivist v0.5's upkeep schedules, off at the start: download_pending, check_reindex, thumbnail_check and
version_check through /api/task/schedule/<name>/ (their EventBridge rules in moto follow), each job doing its work
on a small archive, and the v0.5 task names by-name/ knows (resync_metadata, thumbnail_check, version_check)."""

import datetime
import json
from unittest.mock import ANY

import boto3
import pytest

from functions.core import crontab
from functions.core.dialects import V05
from functions.core.settings import AUTO_SCHEDULES, DEFAULT_SCHEDULES, SCHEDULE_HANDLERS, get_settings
from functions.services import app_settings, reindex, schedules, task_runs, thumbnails
from functions.services.auth import users
from functions.services.downloads import intake
from functions.storage import s3
from functions.storage.models import Channel, RefreshItem, TaskRun, Video
from tests.api.calls import send
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.jobs.test_refresh import archive
from tests.test_snapshots import run_queued_jobs

UPKEEP = ("download_pending", "check_reindex", "thumbnail_check", "version_check")
PREFIX = "ytarchive-local-schedule-"


@pytest.fixture
def modern(aws):
    return users.create_user("frontend", "frontend-password", is_admin=True, dialect=V05)


@pytest.fixture
def rules(aws, monkeypatch):
    """The stage's rules as the stack makes them: the upkeep ones disabled."""
    events = boto3.client("events")
    for name, handler in SCHEDULE_HANDLERS.items():
        expression = crontab.eventbridge(crontab.parse(AUTO_SCHEDULES[name]))
        events.put_rule(Name=PREFIX + handler, ScheduleExpression=expression, State="DISABLED")
    monkeypatch.setenv("SCHEDULE_RULE_PREFIX", PREFIX)
    get_settings.cache_clear()
    yield lambda name: events.describe_rule(Name=PREFIX + SCHEDULE_HANDLERS[name])
    monkeypatch.undo()
    get_settings.cache_clear()
    for handler in SCHEDULE_HANDLERS.values():
        events.delete_rule(Name=PREFIX + handler)


def fire(handler: str):
    from chalice.test import TestEventsClient

    from app import app

    event = TestEventsClient(app).generate_cw_event("aws.events", "Scheduled Event", {}, [], "us-east-1")
    return app.handler_map[handler](event, None)


def queued(queue: str) -> list[dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=f"ytarchive-local-{queue}")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


# ---------------------------------------------------------------- the schedules


@pytest.mark.parametrize("name", UPKEEP)
def test_an_upkeep_schedule_starts_off_and_is_turned_on_and_off(client, modern, rules, name):
    assert DEFAULT_SCHEDULES[name] is False
    assert name not in [row["name"] for row in send(client, "GET", "/api/task/schedule/", modern).json_body]
    assert send(client, "GET", f"/api/task/schedule/{name}/", modern).status_code == 404

    response = send(client, "POST", f"/api/task/schedule/{name}/", modern, {"schedule": "auto"})
    assert response.status_code == 200
    assert response.json_body["schedule"] == AUTO_SCHEDULES[name]  # TubeArchivist's default of the task
    assert response.json_body["last_run_at"] is None
    rule = rules(name)
    assert rule["State"] == "ENABLED"
    assert rule["ScheduleExpression"] == crontab.eventbridge(crontab.parse(AUTO_SCHEDULES[name]))

    response = send(client, "POST", f"/api/task/schedule/{name}/", modern, {"schedule": "30 4 1-5"})
    assert response.status_code == 200 and response.json_body["schedule"] == "30 4 1-5"
    assert rules(name)["ScheduleExpression"] == "cron(30 4 ? * 2,3,4,5,6 *)"
    assert send(client, "GET", f"/api/task/schedule/{name}/", modern).json_body == response.json_body

    assert send(client, "DELETE", f"/api/task/schedule/{name}/", modern).status_code == 204
    assert rules(name)["State"] == "DISABLED"
    assert send(client, "GET", f"/api/task/schedule/{name}/", modern).status_code == 404
    assert app_settings.current()["scheduler"][name] is False


def test_check_reindex_takes_its_days(client, admin, modern):
    """TubeArchivist's check_reindex `days`: application.reindex_days, the same setting v0.4's config shows; a
    config alone for a schedule that is off is a 404 that stores nothing."""
    response = send(client, "POST", "/api/task/schedule/check_reindex/", modern, {"config": {"days": 30}})
    assert response.status_code == 404 and app_settings.current()["application"]["reindex_days"] == 90
    body = {"schedule": "0 12 *", "config": {"days": 30}}
    response = send(client, "POST", "/api/task/schedule/check_reindex/", modern, body)
    assert response.status_code == 200 and response.json_body["config"] == {"days": 30}
    config = send(client, "GET", "/api/appsettings/config/", admin).json_body
    assert config["application"]["reindex_days"] == 30 and config["scheduler"]["check_reindex"] == "0 12 *"
    for bad, says in (({"days": 0}, "reindex_days"), ({"days": "ninety"}, "reindex_days"), ({"rotate": 3}, "days")):
        response = send(client, "POST", "/api/task/schedule/check_reindex/", modern, {"config": bad})
        assert response.status_code == 400 and says in response.json_body["error"], bad
    body = {"schedule": "0 16 *", "config": {"days": 3}}
    response = send(client, "POST", "/api/task/schedule/download_pending/", modern, body)
    assert response.status_code == 400 and "doesn't take config" in response.json_body["error"]
    assert app_settings.current()["scheduler"]["download_pending"] is False
    assert app_settings.current()["application"]["reindex_days"] == 30


def test_run_backup_rotate_0_keeps_every_backup(client, modern):
    """v0.5's frontend sends `rotate: 0` for an empty field: TubeArchivist then rotates nothing."""
    response = send(client, "POST", "/api/task/schedule/run_backup/", modern, {"config": {"rotate": 0}})
    assert response.status_code == 200 and response.json_body["config"] == {"rotate": 0}


# ---------------------------------------------------------------- the jobs


def test_download_pending_starts_the_queue(aws):
    ended = task_runs.get(fire("download_pending")["task_id"])  # an empty queue: a run that ends at once
    assert (ended.status, ended.result) == (task_runs.SUCCESS, "no pending videos to download")

    intake.add_entries([{"youtube_id": video_id(n), "title": f"Queued {n}"} for n in (1, 2)])
    intake.add_entries([{"youtube_id": video_id(3)}])
    intake.set_status(video_id(3), "ignore")
    started = fire("download_pending")
    assert started["status"] == "PENDING"
    sent = queued("download")
    assert sorted(body["youtube_id"] for body in sent) == [video_id(1), video_id(2)]
    assert started["task_id"] in {body["task_id"] for body in sent}
    assert {run.status for run in task_runs.runs_of(task_runs.DOWNLOAD_PENDING)} == {"PENDING", "SUCCESS"}
    queued_at = TaskRun.get(started["task_id"]).queued  # the last run: when the schedule sent the downloads
    assert schedules.last_run_at("download_pending") == (
        datetime.datetime.fromtimestamp(queued_at / 1000, datetime.UTC).isoformat().replace("+00:00", "Z")
    )


def test_check_reindex_sends_the_stale_items_to_refresh(aws):
    today = datetime.datetime.now(datetime.UTC).date()
    days_ago = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731
    make_channel(1)
    Channel(make_channel(2).channel_id).update(actions=[Channel.channel_last_refresh.set(days_ago(1))])
    make_video(1, vid_last_refresh=days_ago(200))  # stale
    make_video(2, vid_last_refresh=days_ago(10))  # fresh
    make_video(3, vid_last_refresh=days_ago(400), active=False)  # YouTube no longer has it
    make_video(4)  # never refreshed
    make_video(5, vid_last_refresh=days_ago(100))
    app_settings.update({"application": {"reindex_days": 90}})
    RefreshItem("video", video_id(5), queued=1).save()  # waiting already

    # four active videos and two channels over 90 days: one of each a run, the oldest (never refreshed) first
    assert fire("check_reindex") == {"video": 1, "channel": 1, "playlist": 0}
    sent = {(body["kind"], body["id"]) for body in queued("refresh")}
    assert sent == {("video", video_id(4)), ("channel", channel_id(1))}
    assert {(item.kind, item.item_id) for item in RefreshItem.scan()} == sent | {("video", video_id(5))}
    (run,) = task_runs.runs_of(task_runs.CHECK_REINDEX)
    assert run.status == task_runs.SUCCESS
    assert run.result == "sent to refresh: 1 videos, 1 channels, 0 playlists (0 of the videos published recently)"

    assert fire("check_reindex") == {"video": 1, "channel": 0, "playlist": 0}  # the next run: the next oldest
    assert ("video", video_id(1)) in {(item.kind, item.item_id) for item in RefreshItem.scan()}


def test_a_stale_video_is_read_again(fake_youtube, aws):
    """The schedule's batch goes through the refresh function: the video's metadata is YouTube's again."""
    source = next(iter(fake_youtube.catalog.videos.values()))
    archive(fake_youtube, source.youtube_id)  # stored as "old title", never refreshed
    assert fire("check_reindex")["video"] == 1
    assert run_queued_jobs("refresh", "refresh") == 1
    stored = Video.get(source.youtube_id)
    assert stored.title == source.title
    assert stored.vid_last_refresh == datetime.datetime.now(datetime.UTC).date().isoformat()
    assert RefreshItem.count("video") == 0
    assert {run.status for run in task_runs.runs_of(task_runs.CHECK_REINDEX)} == {task_runs.SUCCESS}


def test_check_reindex_refreshes_the_videos_published_in_the_last_three_days(aws, monkeypatch):
    """TubeArchivist's add_recent: every active video published on or after the date three days ago, newest
    first, whatever its last refresh, besides the day's share of outdated ones (which it does not use up); not
    one waiting already, nor one YouTube no longer has. No Scan reads them."""
    today = datetime.date(2026, 1, 10)
    make_video(1, published="2026-01-10", vid_last_refresh="2026-01-10")  # today, refreshed today
    make_video(2, published="2026-01-07", vid_last_refresh="2026-01-09")  # three days ago: still recent
    make_video(3, published="2026-01-06", vid_last_refresh="2026-01-09")  # four days ago: not recent
    make_video(4, published="2026-01-08", active=False)
    make_video(5, published="2026-01-09")
    RefreshItem("video", video_id(5), queued=1).save()  # waiting already
    make_video(6, published="2025-01-01", vid_last_refresh="2025-01-01")  # outdated: the day's share (1)
    make_video(7, published="2025-01-01", vid_last_refresh="2025-02-01")  # outdated, the next run's

    assert reindex.recent(today, set()) == [video_id(1), video_id(5), video_id(2)]
    monkeypatch.setattr(Video, "scan", lambda *a, **k: iter(()))  # what recent() reads, no Scan can give
    assert reindex.recent(today, reindex.waiting("video")) == [video_id(1), video_id(2)]
    monkeypatch.undo()

    sent = reindex.run(today=today)
    assert sent["video"] == [video_id(1), video_id(2), video_id(6)]
    assert reindex.run(today=today)["video"] == [video_id(7)]  # the recent ones wait now; the next oldest
    monkeypatch.setattr(reindex, "MAX_RECENT", 1)
    RefreshItem("video", video_id(1)).delete()
    assert reindex.recent(today, set()) == [video_id(1)]


def test_check_reindex_takes_a_days_share_oldest_first(aws):
    """TubeArchivist's batch: (active // days + 1) * 1.2 a run, at most MAX_BATCH."""
    assert [reindex.share(n, 90) for n in (0, 89, 90, 900, 10**6)] == [1, 1, 2, 13, reindex.MAX_BATCH]
    for n in range(1, 6):
        make_video(n, vid_last_refresh=f"2020-01-0{6 - n}")  # the last made is the oldest
    today = datetime.date(2026, 1, 1)
    assert reindex.due("video", 90, today) == [video_id(5)]
    assert reindex.due("video", 1, today) == [video_id(n) for n in (5, 4, 3, 2, 1)]  # 6 a run: all five


def test_thumbnail_check_fetches_missing_art_and_deletes_orphans(fake_youtube, client, headers):
    """A video whose thumbnail is gone gets it again from YouTube; art of nothing the archive holds is deleted;
    a queued video's thumbnail stays."""
    source = next(iter(fake_youtube.catalog.videos.values()))
    archive(fake_youtube, source.youtube_id)
    orphan, queued_thumb = s3.video_thumb_key(video_id(99)), s3.video_thumb_key(video_id(98))
    for key in (orphan, queued_thumb, s3.channel_art_key("UC" + "x" * 22, "thumb"), "cache/notes.txt"):
        s3.put(key, b"jpg", "image/jpeg")
    intake.add_entries([{"youtube_id": video_id(98)}])

    assert fire("thumbnail_check")["task_id"]
    assert fire("thumbnail_check")["task_id"] is None  # asked for already: skipped
    assert run_queued_jobs("refresh", "refresh") == 1
    stored = {listed["Key"] for listed in s3.listing("cache/")}
    assert s3.video_thumb_key(source.youtube_id) in stored
    assert s3.read(s3.video_thumb_key(source.youtube_id)) != b"jpg"
    assert orphan not in stored and s3.channel_art_key("UC" + "x" * 22, "thumb") not in stored
    assert {queued_thumb, "cache/notes.txt"} <= stored
    (run,) = task_runs.runs_of(task_runs.THUMBNAIL_CHECK)
    assert run.status == task_runs.SUCCESS
    assert run.result == "1 missing: 1 fetched, 0 sent to refresh, 0 left for the next run; 2 unused deleted"

    listed = client.http.get("/api/task/by-name/thumbnail_check/", headers=headers).json_body
    assert [item["status"] for item in listed] == ["SUCCESS"]


def test_thumbnail_check_is_bounded_and_refreshes_channel_art(aws, monkeypatch):
    """Beyond MAX_FETCHES the missing wait for the next run; a channel's missing art is a refresh of it."""
    monkeypatch.setattr(thumbnails, "MAX_FETCHES", 2)
    fetched = []
    monkeypatch.setattr(thumbnails, "_fetch_video_thumbnail", lambda youtube_id, cookie: not fetched.append(youtube_id))
    channel = make_channel(1)
    Channel(channel.channel_id).update(actions=[Channel.channel_art.set(["thumb"])])
    for n in (1, 2):
        make_video(n)
    summary = thumbnails.check(None)
    assert summary == {"missing": 3, "fetched": 2, "refreshing": 0, "deleted": 0, "left": 1}
    assert fetched == [video_id(1), video_id(2)] and RefreshItem.count("channel") == 0
    for n in (1, 2):
        s3.put(s3.video_thumb_key(video_id(n)), b"jpg", "image/jpeg")
    assert thumbnails.check(None)["refreshing"] == 1
    assert [(b["kind"], b["id"]) for b in queued("refresh")] == [("channel", channel.channel_id)]
    assert Video.count() == 2


# ---------------------------------------------------------------- the v0.5 task names


def test_the_v05_task_names_by_name(client, headers, aws):
    """A replay of TubeArchivist v0.5's frontend: the settings page's resync button, the schedule page's task
    names; check_reindex cannot be started (its schedule does; the version check: tests/test_version_check.py)."""
    for name in ("resync_metadata", "thumbnail_check", "version_check", "check_reindex"):
        response = client.http.get(f"/api/task/by-name/{name}/", headers=headers)
        assert response.status_code == 200 and response.json_body == [], name

    started = client.http.post("/api/task/by-name/resync_metadata/", headers=headers)
    assert started.status_code == 200 and started.json_body == {"task_id": ANY, "status": "PENDING"}
    (run,) = client.http.get("/api/task/by-name/resync_metadata/", headers=headers).json_body
    assert run["task_id"] == started.json_body["task_id"] and run["status"] == "PENDING"
    again = client.http.post("/api/task/by-name/resync_metadata/", headers=headers)  # TubeArchivist's answer
    assert again.json_body == {**started.json_body, "message": "Metadata re-embed is already running."}
    assert queued("refresh") == [{"action": "resync_metadata", "task_id": run["task_id"]}]
    stop = client.http.post(  # as TubeArchivist's, the resync cannot be stopped
        f"/api/task/by-id/{run['task_id']}/",
        headers={**headers, "Content-Type": "application/json"},
        body=json.dumps({"command": "stop"}),
    )
    assert stop.status_code == 400 and stop.json_body == {"error": "task can not be stopped"}

    started = client.http.post("/api/task/by-name/thumbnail_check/", headers=headers)
    assert started.status_code == 200 and started.json_body["status"] == "PENDING"
    assert TaskRun.get(started.json_body["task_id"]).status == task_runs.PENDING
    again = client.http.post("/api/task/by-name/thumbnail_check/", headers=headers)
    assert again.status_code == 409 and "running already" in again.json_body["error"]
    assert [body["action"] for body in queued("refresh")] == ["resync_metadata", "thumbnail_check"]

    response = client.http.post("/api/task/by-name/check_reindex/", headers=headers)
    assert response.status_code == 404 and response.json_body == {"error": "can not start task through this endpoint"}
