"""TubeArchivist v0.5.9's per-channel scan sizes: `POST /api/channel/<id>/` with `channel_overwrites`
`subscriptions_channel_size`, `subscriptions_live_channel_size` and `subscriptions_shorts_channel_size` (whole
numbers, 0 skipping the tab, null removing the overwrite) stores them, and the rescan lists that many of the
channel's newest videos, shorts and streams in place of the app's sizes."""

import pytest

from functions.services import rescan
from functions.services.archive import channels
from functions.storage.models import AppSetting, Channel, QueueItem
from tests.api.calls import send

SIZES = ("subscriptions_channel_size", "subscriptions_live_channel_size", "subscriptions_shorts_channel_size")


def path(channel) -> str:
    return f"/api/channel/{channel.channel_id}/"


def stored(channel) -> dict:
    overwrites = Channel.get(channel.channel_id).channel_overwrites
    return overwrites.as_dict() if overwrites else {}


@pytest.fixture
def subscribed(fake_youtube, aws):
    """The first two channels of the stand-in YouTube, each with extra uploads, subscribed; the app lists 2 videos
    and no shorts or streams of each."""
    found = list(fake_youtube.catalog.channels.values())[:2]
    for channel in found:
        for n in range(3):
            fake_youtube.catalog.add_video(
                f"{channel.channel_id[-4:]}-extra{n}", channel, published=f"2025-0{n + 1}-01"
            )
        channels.set_subscribed(channel.channel_id, True)
    AppSetting(
        "app", value={"subscriptions": {"channel_size": 2, "shorts_channel_size": 0, "live_channel_size": 0}}
    ).save()
    return found


def test_sizes_are_stored_shown_and_removed(client, v05, subscribed):
    channel = subscribed[0]
    body = {"channel_overwrites": {SIZES[0]: 7, SIZES[1]: 0, SIZES[2]: 3}}
    answer = send(client, "POST", path(channel), v05, body)
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["channel_overwrites"] == {SIZES[0]: 7, SIZES[1]: 0, SIZES[2]: 3}
    assert send(client, "GET", path(channel), v05).json_body["channel_overwrites"] == stored(channel)
    send(client, "POST", path(channel), v05, {"channel_overwrites": {SIZES[0]: None, SIZES[2]: None}})
    assert stored(channel) == {SIZES[1]: 0}  # 0 is a size (skip the tab), not a removal


@pytest.mark.parametrize("value", [-1, 5001, "5", 2.5, True, False])
def test_a_size_not_a_count_is_400_and_nothing_changes(client, v05, subscribed, value):
    channel = subscribed[0]
    send(client, "POST", path(channel), v05, {"channel_overwrites": {SIZES[1]: 4}})
    answer = send(client, "POST", path(channel), v05, {"channel_overwrites": {SIZES[0]: value, SIZES[2]: 1}})
    assert answer.status_code == 400 and SIZES[0] in answer.json_body["error"]
    assert stored(channel) == {SIZES[1]: 4}


def test_the_rescan_lists_as_many_as_each_channel_says(client, v05, subscribed, fake_youtube):
    first, second = subscribed
    send(client, "POST", path(first), v05, {"channel_overwrites": {SIZES[0]: 1, SIZES[2]: 50}})
    rescan.run()
    catalog = fake_youtube.catalog

    def queued(channel, tab: str) -> list[str]:
        ids = {item.youtube_id for item in QueueItem.scan() if item.channel_id == channel.channel_id}
        return [v.youtube_id for v in catalog.videos_of(channel.channel_id) if v.tab == tab and v.youtube_id in ids]

    newest = [v.youtube_id for v in catalog.videos_of(first.channel_id) if v.tab == "videos"]
    shorts = [v.youtube_id for v in catalog.videos_of(first.channel_id) if v.tab == "shorts"]
    assert queued(first, "videos") == newest[:1] and queued(first, "shorts") == shorts
    second_newest = [v.youtube_id for v in catalog.videos_of(second.channel_id) if v.tab == "videos"]
    assert queued(second, "videos") == second_newest[:2] and queued(second, "shorts") == []  # the app's sizes

    send(client, "POST", path(first), v05, {"channel_overwrites": {SIZES[0]: 0, SIZES[2]: None}})
    for item in QueueItem.scan():
        item.delete()
    assert [row for row in rescan.run()["added"] if row in newest + shorts] == []  # every tab of it at 0
