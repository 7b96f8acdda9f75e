"""The download queue service: storing first, expanding with yt-dlp later, starting in order, exact counters."""

import json

import boto3
import pytest

from functions.core.errors import BadRequest
from functions.services import task_runs
from functions.services.downloads import intake, worker
from functions.storage.models import Counter, Playlist, QueueItem
from functions.youtube import urls
from tests.factories import make_channel, make_video, video_id


def count(name: str) -> int:
    try:
        return int(Counter.get(name).count)
    except Counter.DoesNotExist:
        return 0


def sent(aws) -> list[dict]:
    sqs, found = boto3.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=aws["DownloadQueueUrl"], MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return found
        found += [json.loads(m["Body"]) for m in got]


def test_add_stores_before_any_yt_dlp_work(aws, monkeypatch):
    from functions.youtube import media, ytdlp

    def no_yt_dlp(*args, **kwargs):
        raise AssertionError("adding must not wait for yt-dlp")

    for name in ("video_info", "channel_info", "playlist_info", "list_entries"):
        monkeypatch.setattr(ytdlp, name, no_yt_dlp)
    monkeypatch.setattr(media, "download", no_yt_dlp)
    summary = intake.add([video_id(1), "@someone", urls.Target("video", video_id(2))])
    assert summary["added"] == [video_id(1), video_id(2)]
    assert summary["expanding"] == ["https://www.youtube.com/@someone"]
    assert QueueItem.get(video_id(1)).status == "pending" and count("queue#pending") == 2


def test_bad_input_stores_nothing(aws):
    with pytest.raises(BadRequest):
        intake.add([video_id(1), "https://example.com/watch?v=dQw4w9WgXcQ"])
    assert QueueItem.count(video_id(1)) == 0 and sent(aws) == []


def test_add_entries_skips_archived_queued_and_repeated(aws):
    make_channel(1)
    make_video(1)
    intake.add_entries([{"youtube_id": video_id(2)}])
    summary = intake.add_entries([{"youtube_id": i} for i in (video_id(1), video_id(2), video_id(3), video_id(3))])
    assert summary == {"added": [video_id(3)], "skipped": [video_id(1), video_id(2)]}
    assert count("queue#pending") == 2


def test_many_items_are_stored_in_transactions_with_exact_counts(aws):
    rows = [{"youtube_id": video_id(n), "channel_id": f"UC{n % 3:022d}"} for n in range(60)]
    assert len(intake.add_entries(rows)["added"]) == 60
    assert count("queue#pending") == 60
    assert [count(f"queue#channel#UC{c:022d}#pending") for c in range(3)] == [20, 20, 20]
    assert intake.pending_ids() == [video_id(n) for n in range(60)]


def test_start_sends_one_message_per_pending_video_auto_start_first(aws):
    intake.add_entries([{"youtube_id": video_id(n)} for n in range(3)])
    intake.add_entries([{"youtube_id": video_id(9)}], auto_start=True)
    intake.set_status(video_id(1), "ignore")
    assert intake.start() == 3
    assert [m["youtube_id"] for m in sent(aws)] == [video_id(9), video_id(0), video_id(2)]
    assert intake.start([video_id(1), video_id(2), video_id(7)]) == 1  # only pending items of those
    (message,) = sent(aws)
    assert message["action"] == "download" and message["youtube_id"] == video_id(2)
    assert task_runs.get(message["task_id"]).status == task_runs.PENDING  # the run its job takes over


def test_downloading_is_true_while_messages_wait_or_run(aws):
    assert intake.downloading() is False
    intake.add_entries([{"youtube_id": video_id(1)}])
    intake.start()
    assert intake.downloading() is True


def test_status_changes_move_counts_exactly_once(aws):
    intake.add_entries([{"youtube_id": video_id(1), "channel_id": f"UC{1:022d}"}])
    for status in ("ignore", "ignore", "pending", "priority", "ignore"):
        intake.set_status(video_id(1), status)
    assert count("queue#ignore") == 1 and count("queue#pending") == 0
    assert count(f"queue#channel#UC{1:022d}#ignore") == 1
    intake.delete(video_id(1))
    assert count("queue#ignore") == 0 and count(f"queue#channel#UC{1:022d}#ignore") == 0


def test_claims_are_exclusive_until_released_or_expired(aws):
    intake.add_entries([{"youtube_id": video_id(1)}])
    assert worker.claim(video_id(1), "m-1", 60) is not None
    assert worker.claim(video_id(1), "m-2", 60) is None
    assert worker.claim(video_id(1), "m-1", 60) is not None  # the same message, redelivered
    worker.record_failure(video_id(1), "m-1", "boom")
    assert worker.claim(video_id(1), "m-2", -1) is not None  # an expired lease is free to take
    assert worker.claim(video_id(1), "m-3", 60) is not None
    intake.set_status(video_id(1), "ignore")
    assert worker.claim(video_id(1), "m-4", 60) is None
    assert worker.claim(video_id(5), "m-1", 60) is None  # not queued


def test_describe_fills_in_metadata_and_keeps_errors(fake_youtube, aws):
    videos = list(fake_youtube.catalog.videos.values())
    videos[1].fault = "unavailable"
    intake.add_entries([{"youtube_id": v.youtube_id} for v in videos[:2]])
    worker.describe([v.youtube_id for v in videos[:2]])
    described = QueueItem.get(videos[0].youtube_id)
    assert described.title == videos[0].title and described.channel_id == videos[0].channel_id
    assert described.duration == "00:02" and described.published == videos[0].published
    assert count(f"queue#channel#{videos[0].channel_id}#pending") == 1
    failed = QueueItem.get(videos[1].youtube_id)
    assert failed.title == "" and failed.message.startswith("metadata:") and "unavailable" in failed.message


def test_expand_channels_playlists_and_report_failures(fake_youtube, aws):
    catalog = fake_youtube.catalog
    channel = next(iter(catalog.channels.values()))
    playlist = next(p for p in catalog.playlists.values() if p.channel_id != channel.channel_id)
    targets = [
        urls.parse_target(channel.handle),
        urls.parse_target(playlist.playlist_id),
        urls.parse_target("@nobody-here"),
    ]
    summary = worker.expand(targets, auto_start=True)
    channel_videos = [v.youtube_id for v in catalog.videos_of(channel.channel_id)]
    assert set(channel_videos) <= set(summary["added"])  # every tab: videos and shorts
    assert set(playlist.video_ids) <= set(summary["added"])
    assert len(summary["errors"]) == 1 and "@nobody-here" in summary["errors"][0]
    shorts = [QueueItem.get(v.youtube_id) for v in catalog.videos_of(channel.channel_id) if v.tab == "shorts"]
    assert shorts and all(item.vid_type == "shorts" and item.auto_start for item in shorts)
    assert QueueItem.get(playlist.video_ids[0]).playlists == [playlist.playlist_id]
    assert Playlist.get(playlist.playlist_id).playlist_name == playlist.title
    assert len([m for m in sent(aws) if m["action"] == "download"]) == len(summary["added"])
    again = worker.expand(targets[:2])
    assert again["added"] == [] and len(again["skipped"]) == len(summary["added"])


def test_a_playlist_adds_itself_to_items_already_queued(aws):
    intake.add_entries([{"youtube_id": video_id(1)}])
    intake.add_entries([{"youtube_id": video_id(1)}, {"youtube_id": video_id(2)}], playlists=["PL0000000000000001"])
    intake.add_entries([{"youtube_id": video_id(1)}], playlists=["PL0000000000000001"])
    intake.add_entries([{"youtube_id": video_id(1)}], playlists=["PL0000000000000002"])
    assert QueueItem.get(video_id(1)).playlists == ["PL0000000000000001", "PL0000000000000002"]
    assert QueueItem.get(video_id(2)).playlists == ["PL0000000000000001"]
