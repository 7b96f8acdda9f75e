"""GET|POST /api/v1/auth/notifications: a replayed event stream of the topics' archived videos."""

import json
import time

import pytest

from functions.services.invidious import render
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.invidious.iv_helpers import auth, call

PATH = "/api/v1/auth/notifications"
JAN_10 = 1704844800  # 2024-01-10T00:00:00Z


def events(response) -> tuple[list[tuple[int, dict]], list[str]]:
    """The (id, data) events and the comments of an event-stream body."""
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/event-stream")
    text = response.body.decode()
    assert text.endswith("\n\n")
    found, comments = [], []
    for block in text[:-2].split("\n\n"):
        lines = block.split("\n")
        if lines[0].startswith(":"):
            comments.extend(lines)
            continue
        assert lines[0].startswith("id: ") and lines[1].startswith("data: ") and len(lines) == 2, block
        found.append((int(lines[0][4:]), json.loads(lines[1][6:])))
    return found, comments


@pytest.fixture
def archive(aws):
    make_channel(1, name="One")
    make_channel(2, name="Two")
    for day in range(1, 21):  # channel 1: 20 videos, Jan 1..20
        make_video(day, channel=1, published=f"2024-01-{day:02d}")
    make_video(50, channel=2, published="2024-01-09")
    make_video(51, channel=2, published="2024-01-11")


def test_replays_videos_after_since(client, admin, archive):
    before = int(time.time())
    response = call(client, "GET", f"{PATH}?topics={channel_id(1)},{channel_id(2)}&since={JAN_10}", auth(admin))
    found, comments = events(response)
    assert [n for n, _ in found] == list(range(len(found)))
    # channel 1: Jan 11..20, newest first; channel 2: Jan 11 only (Jan 9 is before since)
    assert [data["videoId"] for _, data in found] == [video_id(d) for d in range(20, 10, -1)] + [video_id(51)]
    first = found[0][1]
    assert first["type"] == "shortVideo"
    assert first["author"] == "One" and first["authorId"] == channel_id(1)
    assert first["published"] == render.published_epoch("2024-01-20")
    assert len(first["videoThumbnails"]) == 9
    assert found[-1][1]["author"] == "Two"
    assert len(comments) == 1 and comments[0].startswith(":keepalive ")
    assert int(comments[0].split()[1]) >= before


def test_since_inside_a_day_excludes_that_day(client, admin, archive):
    found, _ = events(call(client, "GET", f"{PATH}?topics={channel_id(2)}&since={JAN_10 + 3600}", auth(admin)))
    assert [data["videoId"] for _, data in found] == [video_id(51)]
    found, _ = events(call(client, "GET", f"{PATH}?topics={channel_id(2)}&since={JAN_10 + 86400}", auth(admin)))
    assert found == []  # Jan 11 starts exactly at since: not after it


def test_at_most_15_per_topic(client, admin, archive):
    found, _ = events(call(client, "GET", f"{PATH}?topics={channel_id(1)}&since=0", auth(admin)))
    assert [data["videoId"] for _, data in found] == [video_id(d) for d in range(20, 5, -1)]


def test_without_since_only_keepalive(client, admin, archive):
    found, comments = events(call(client, "GET", f"{PATH}?topics={channel_id(1)}", auth(admin)))
    assert found == [] and len(comments) == 1
    found, comments = events(call(client, "GET", PATH, auth(admin)))
    assert found == [] and len(comments) == 1


def test_unknown_and_debug_topics(client, admin, archive):
    found, _ = events(call(client, "GET", f"{PATH}?topics={channel_id(77)},debug&since=0", auth(admin)))
    assert found == []


def test_post_takes_topics_from_the_form(client, admin, archive):
    response = call(client, "POST", f"{PATH}?since={JAN_10}", auth(admin), form=f"topics={channel_id(2)}")
    found, _ = events(response)
    assert [data["videoId"] for _, data in found] == [video_id(51)]
    response = call(client, "POST", PATH, auth(admin), form=f"topics={channel_id(2)}&since={JAN_10}")
    assert [data["videoId"] for _, data in events(response)[0]] == [video_id(51)]
    response = call(client, "POST", PATH, auth(admin), body={"topics": channel_id(2)})
    assert response.status_code == 415 and set(response.json_body) == {"error"}


@pytest.mark.parametrize(
    "query",
    [
        "topics=UCshort&since=0",
        f"topics={channel_id(1)},not-a-channel",
        f"topics={channel_id(1)}&since=yesterday",
        f"topics={channel_id(1)}&since=-5",
        "topics=" + ",".join(channel_id(n) for n in range(1001)),
    ],
)
def test_bad_requests(client, admin, query):
    response = call(client, "GET", f"{PATH}?{query}", auth(admin))
    assert response.status_code == 400
    assert set(response.json_body) == {"error"}


def test_bad_post_topics(client, admin):
    form = "topics=" + ",".join(channel_id(n) for n in range(1001))
    response = call(client, "POST", PATH, auth(admin), form=form)
    assert response.status_code == 400 and set(response.json_body) == {"error"}


def test_1000_topics_are_accepted(client, admin, archive):
    topics = ",".join(channel_id(n) for n in range(1, 1001))
    response = call(client, "POST", f"{PATH}?since={JAN_10}", auth(admin), form=f"topics={topics}")
    found, _ = events(response)
    assert len(found) == 11
