"""The rescan: subscribed channels and playlists read with the real yt-dlp from the local media server, only new
videos queued, one rescan at a time, auto_start, and the schedule handler."""

import json
import time

import boto3

from functions.core.settings import SCHEDULE_HANDLERS
from functions.services import rescan, tasks
from functions.services.archive import channels, videos
from functions.services.downloads import intake
from functions.storage.models import AppSetting, Channel, Playlist, QueueItem, TaskState, Video


def subscribe(channel_id: str) -> None:
    channels.set_subscribed(channel_id, True)


def archive(youtube_id: str, channel_id: str) -> None:
    video = Video(youtube_id, title="archived", published="2024-01-01", date_downloaded=1, channel_id=channel_id)
    videos.save(video)


def queued_ids() -> set[str]:
    return {item.youtube_id for item in QueueItem.scan()}


def configure(**subscriptions) -> None:
    AppSetting("app", value={"subscriptions": subscriptions}).save()


def catalog_channel(server, n: int = 0):
    return list(server.catalog.channels.values())[n]


def download_messages(aws) -> list[dict]:
    sqs = boto3.client("sqs")
    got = sqs.receive_message(QueueUrl=aws["DownloadQueueUrl"], MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in got]


def test_tab_sizes_follow_the_config_and_skip_zero():
    assert rescan.tab_sizes({}) == {"videos": 50, "shorts": 50, "streams": 50}
    sizes = {"channel_size": 3, "shorts_channel_size": 0, "live_channel_size": 7}
    assert rescan.tab_sizes(sizes) == {"videos": 3, "streams": 7}


def test_rescan_queues_the_new_videos_of_subscribed_channels_only(fake_youtube, aws):
    channel = catalog_channel(fake_youtube)
    other = catalog_channel(fake_youtube, 1)
    subscribe(channel.channel_id)
    summary = rescan.run()
    expected = {v.youtube_id for v in fake_youtube.catalog.videos_of(channel.channel_id)}
    assert set(summary["added"]) == expected and summary["errors"] == []
    assert queued_ids() == expected  # nothing of the channel not subscribed to
    assert not any(v.channel_id == other.channel_id for v in QueueItem.scan())
    item = QueueItem.get(sorted(expected)[0])
    assert item.channel_id == channel.channel_id and item.title and not item.auto_start
    # the channel, subscribed by id before it was ever read, now has its metadata
    stored = Channel.get(channel.channel_id)
    assert stored.channel_name == channel.name and stored.channel_last_refresh and stored.channel_subscribed
    assert download_messages(aws) == []  # auto_start is off


def test_rescan_queues_only_what_is_neither_archived_nor_queued(fake_youtube, aws):
    channel = catalog_channel(fake_youtube)
    subscribe(channel.channel_id)
    listed = fake_youtube.catalog.videos_of(channel.channel_id)
    archived, queued_before = listed[0], listed[1]
    archive(archived.youtube_id, channel.channel_id)
    intake.add_entries([{"youtube_id": queued_before.youtube_id}])
    first = rescan.run()
    assert archived.youtube_id not in first["added"] and queued_before.youtube_id not in first["added"]
    assert set(first["added"]) == {v.youtube_id for v in listed[2:]}
    # a new upload appears: the next rescan queues it alone
    new = fake_youtube.catalog.add_video("fresh", channel, published="2025-06-01")
    second = rescan.run()
    assert second["added"] == [new.youtube_id]
    assert rescan.run()["added"] == []


def test_rescan_reads_only_the_newest_n_of_each_tab(fake_youtube, aws):
    channel = catalog_channel(fake_youtube)
    for n in range(4):
        fake_youtube.catalog.add_video(f"extra{n}", channel, published=f"2025-0{n + 1}-01")
    subscribe(channel.channel_id)
    configure(channel_size=2, shorts_channel_size=0, live_channel_size=0)
    added = rescan.run()["added"]
    newest = [v.youtube_id for v in fake_youtube.catalog.videos_of(channel.channel_id) if v.tab == "videos"][:2]
    assert sorted(added) == sorted(newest)


def test_subscribed_playlist_is_rescanned(fake_youtube, aws):
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    Playlist(
        playlist.playlist_id,
        playlist_name="old name",
        playlist_subscribed=True,
        subscription="subscribed",
        name_key="x",
    ).save()
    added = rescan.run()["added"]
    assert set(added) == set(playlist.video_ids)
    assert all(QueueItem.get(i).playlists == [playlist.playlist_id] for i in added)
    stored = Playlist.get(playlist.playlist_id)
    assert stored.playlist_name == playlist.title and stored.playlist_subscribed


def test_auto_start_sends_the_new_videos_to_the_download_function(fake_youtube, aws):
    channel = catalog_channel(fake_youtube)
    subscribe(channel.channel_id)
    configure(auto_start=True)
    added = rescan.run()["added"]
    assert added
    assert sorted(m["youtube_id"] for m in download_messages(aws)) == sorted(added)
    assert all(QueueItem.get(i).auto_start for i in added)


def test_only_one_rescan_runs_at_a_time(fake_youtube, aws):
    channel = catalog_channel(fake_youtube)
    subscribe(channel.channel_id)
    owner = tasks.acquire(tasks.RESCAN, 60)
    assert owner and tasks.acquire(tasks.RESCAN, 60) is None
    assert rescan.run() is None  # another holds it: nothing is read or queued
    assert queued_ids() == set()
    tasks.release(tasks.RESCAN, owner)
    assert rescan.run()["added"]
    state = TaskState.get(tasks.RESCAN)
    assert state.state == tasks.IDLE and state.owner is None and state.last_error is None


def test_a_crashed_rescan_frees_the_task_when_its_lease_ends(aws):
    assert tasks.acquire(tasks.RESCAN, 60)
    TaskState(tasks.RESCAN).update(actions=[TaskState.lease_until.set(int(time.time()) - 1)])
    assert not tasks.is_busy(tasks.RESCAN)
    assert tasks.acquire(tasks.RESCAN, 60)


def test_unreadable_channel_is_reported_and_the_others_still_scanned(fake_youtube, aws):
    channel = catalog_channel(fake_youtube)
    subscribe(channel.channel_id)
    gone = "UC" + "x" * 22
    channels.save(Channel(gone, channel_name="Gone", channel_subscribed=True, channel_last_refresh="2024-01-01"))
    summary = rescan.run()
    assert summary["added"] and len(summary["errors"]) == 1 and gone in summary["errors"][0]
    assert gone in TaskState.get(tasks.RESCAN).last_error


def test_schedule_handler_runs_the_rescan(fake_youtube, client):
    channel = catalog_channel(fake_youtube)
    subscribe(channel.channel_id)
    event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    answer = client.lambda_.invoke("rescan", event).payload
    assert answer["added"] == len(fake_youtube.catalog.videos_of(channel.channel_id)) and answer["errors"] == []
    assert not Video.count()


def test_the_jobs_are_scheduled_on_the_default_schedules():
    """The stack's rules start from the defaults (scheduler.*), every six hours for the rescan; those off at the
    start are made disabled (infra/merge.py) on TubeArchivist's schedule of the task, the one "auto" sets."""
    from app import app

    expressions = {
        source.name: source.schedule_expression
        for source in app.event_sources
        if source.name in SCHEDULE_HANDLERS.values()
    }
    assert expressions == {
        "rescan": "cron(0 0,6,12,18 * * ? *)",
        "autodelete": "cron(30 0,6,12,18 * * ? *)",
        "daily_snapshot": "cron(0 3 * * ? *)",
        "scheduled_backup": "cron(0 18 ? * 1 *)",  # Sundays
        "download_pending": "cron(0 16 * * ? *)",
        "check_reindex": "cron(0 12 * * ? *)",
        "thumbnail_check": "cron(0 17 * * ? *)",
        "version_check": "cron(0 11 * * ? *)",
    }
