"""Autodelete end to end: the setting through the API, the autodelete schedule deletes watched videos past their
days (media and thumbnail included), puts them on the ignore list, and a channel's overwrite wins over the setting."""

import time

import boto3
import pytest

from functions.services.downloads import intake
from functions.storage import s3
from functions.storage.models import Channel, Counter, QueueItem, UserVideo, Video
from tests.api.calls import send
from tests.factories import channel_id, make_channel, make_video, video_id

BUCKET = "ytarchive-local-media"
DAY = 86400


def store_files(n: int, channel: int) -> list[str]:
    keys = [s3.media_key(channel_id(channel), video_id(n)), s3.video_thumb_key(video_id(n))]
    for key in keys:
        boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"x")
    return keys


def objects() -> set[str]:
    return {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def watch(client, user, n: int, days_ago: float) -> None:
    assert send(client, "POST", "/api/watched/", user, {"id": video_id(n), "is_watched": True}).status_code == 200
    UserVideo(int(user.user_id), video_id(n)).update(
        actions=[UserVideo.watched_date.set(int(time.time() - days_ago * DAY))]
    )


def run_schedule(client) -> dict:
    event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    return client.lambda_.invoke("autodelete", event).payload


@pytest.fixture
def archive(client, admin, other):
    make_channel(1)
    make_channel(2)
    files = {}
    for n, channel in ((1, 1), (2, 1), (3, 1), (4, 2), (5, 2)):
        make_video(n, channel=channel)
        files[n] = store_files(n, channel)
    watch(client, admin, 1, days_ago=10)
    watch(client, other, 2, days_ago=1)
    watch(client, admin, 4, days_ago=10)
    watch(client, other, 5, days_ago=40)
    return files


def test_off_by_default(client, archive):
    assert run_schedule(client)["autodeleted"] == 0
    assert Video.count() == 5


def test_watched_videos_past_their_days_are_deleted_and_ignored(client, admin, archive):
    response = send(client, "POST", "/api/appsettings/config/", admin, {"downloads": {"autodelete_days": 3}})
    assert response.status_code == 200
    channel = Channel.get(channel_id(2))
    channel.update(actions=[Channel.channel_overwrites.set({"autodelete_days": 30})])

    assert run_schedule(client)["autodeleted"] == 2
    assert sorted(v.youtube_id for v in Video.scan()) == [video_id(2), video_id(3), video_id(4)]
    left = objects()
    assert not left & set(archive[1] + archive[5])  # media and thumbnails of the deleted ones
    assert set(archive[2] + archive[3] + archive[4]) <= left
    assert int(Counter.get("videos").count) == 3
    assert {item.youtube_id: item.status for item in QueueItem.scan()} == {video_id(1): "ignore", video_id(5): "ignore"}
    assert send(client, "GET", f"/api/video/{video_id(1)}/", admin).status_code == 404
    # a later rescan finding them again queues nothing: they are on the ignore list
    assert intake.add_entries([{"youtube_id": video_id(1)}, {"youtube_id": video_id(5)}])["added"] == []
    assert run_schedule(client)["autodeleted"] == 0
