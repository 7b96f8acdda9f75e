"""GET /api/v1/auth/feed: the per-user feed written when videos are archived, its notifications and its budget."""

import json
import re
from urllib.parse import urlsplit

import pytest

from functions.services.archive import videos
from functions.services.invidious import feed, render
from functions.storage import s3, signing
from functions.storage.models import FeedItem
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.invidious.iv_helpers import auth, call, count_dynamo_calls

PATH = "/api/v1/auth/feed"


def subscribe(client, user, *channels):
    for n in channels:
        response = call(client, "POST", f"/api/v1/auth/subscriptions/{channel_id(n)}", auth(user))
        assert response.status_code == 204, response.body


def get_feed(client, user, query=""):
    response = call(client, "GET", PATH + query, auth(user))
    assert response.status_code == 200, response.body
    return response.json_body


def ids(items):
    return [item["videoId"] for item in items]


def test_empty_feed(client, admin):
    assert get_feed(client, admin) == {"notifications": [], "videos": []}


def test_subscribing_backfills_without_notifications(client, admin):
    make_channel(1, name="Alpha")
    make_channel(2)
    for n in range(1, 4):
        make_video(n, channel=1, published=f"2024-02-0{n}")
    make_video(9, channel=2)
    subscribe(client, admin, 1)
    body = get_feed(client, admin)
    assert body["notifications"] == []
    assert ids(body["videos"]) == [video_id(3), video_id(2), video_id(1)]  # newest first, only channel 1
    item = body["videos"][0]
    assert set(item) == {
        "type",
        "title",
        "videoId",
        "videoThumbnails",
        "lengthSeconds",
        "author",
        "authorId",
        "authorUrl",
        "published",
        "publishedText",
        "viewCount",
    }
    assert item["type"] == "shortVideo"
    assert item["title"] == "Video 3"
    assert item["author"] == "Alpha"
    assert item["authorId"] == channel_id(1)
    assert item["authorUrl"] == f"/channel/{channel_id(1)}"
    assert item["lengthSeconds"] == 300
    assert item["published"] == 1706918400  # 2024-02-03T00:00:00Z
    assert re.fullmatch(r"\d+ (second|minute|hour|day|week|month|year)s? ago", item["publishedText"])
    assert item["publishedText"] == render.published_text(item["published"])
    assert [t["quality"] for t in item["videoThumbnails"]] == [
        "maxres",
        "maxresdefault",
        "sddefault",
        "high",
        "medium",
        "default",
        "start",
        "middle",
        "end",
    ]
    assert [(t["width"], t["height"]) for t in item["videoThumbnails"]] == [
        (1280, 720),
        (1280, 720),
        (640, 480),
        (480, 360),
        (320, 180),
        (120, 90),
        (120, 90),
        (120, 90),
        (120, 90),
    ]
    # one absolute signed link to the archived image, which loads without credentials
    (url,) = {t["url"] for t in item["videoThumbnails"]}
    assert url.startswith("http://") and url.endswith(f"/{video_id(3)}.jpg")
    expires, signature, folder, filename = urlsplit(url).path.split("/")[2:]
    assert signing.verify(expires, signature, folder, filename) == s3.video_thumb_key(video_id(3))


def test_backfill_is_capped(client, admin, monkeypatch):
    monkeypatch.setattr(feed, "BACKFILL", 3)
    make_channel(1)
    for n in range(1, 7):
        make_video(n, channel=1, published=f"2024-03-0{n}")
    subscribe(client, admin, 1)
    assert ids(get_feed(client, admin)["videos"]) == [video_id(6), video_id(5), video_id(4)]


def test_archived_video_notifies_subscribers_only(client, admin, other):
    make_channel(1)
    make_channel(2)
    make_video(1, channel=1, published="2024-01-01")
    subscribe(client, admin, 1)
    subscribe(client, other, 2)
    make_video(2, channel=1, published="2024-01-05")  # archived after admin subscribed
    make_video(3, channel=2, published="2024-01-06")
    body = get_feed(client, admin)
    assert ids(body["notifications"]) == [video_id(2)]
    assert ids(body["videos"]) == [video_id(1)]
    assert ids(get_feed(client, other)["notifications"]) == [video_id(3)]
    # archiving the same video again (a retried job) neither duplicates nor re-notifies
    videos.save(videos.get(video_id(2)))
    assert ids(get_feed(client, admin)["notifications"]) == [video_id(2)]
    assert len(list(FeedItem.query(admin.user_id))) == 2


def test_notifications_are_the_unseen_items_of_that_page(client, admin):
    make_channel(1)
    subscribe(client, admin, 1)
    for n in range(1, 6):
        make_video(n, channel=1, published=f"2024-01-0{n}")
    page1 = get_feed(client, admin, "?max_results=2&page=1")
    assert ids(page1["notifications"]) == [video_id(5), video_id(4)] and page1["videos"] == []
    page3 = get_feed(client, admin, "?max_results=2&page=3")
    assert ids(page3["notifications"]) == [video_id(1)]
    # reading the feed does not mark anything seen
    assert ids(get_feed(client, admin)["notifications"]) == [video_id(n) for n in (5, 4, 3, 2, 1)]


def test_notifications_only_preference(client, admin, monkeypatch):
    """With `notifications_only` set, pages hold only the notifications (newest first), paged by max_results."""
    make_channel(1)
    for n in (1, 2):
        make_video(n, channel=1, published=f"2024-01-0{n}")
    subscribe(client, admin, 1)  # videos 1 and 2: in the feed, not notifications
    for n in range(3, 8):
        make_video(n, channel=1, published=f"2024-01-0{n}")
    headers = auth(admin)
    call(client, "POST", f"/api/v1/auth/history/{video_id(6)}", headers)  # watched: no longer a notification
    assert call(client, "POST", "/api/v1/auth/preferences", headers, {"notifications_only": True}).status_code == 204
    body = get_feed(client, admin)
    assert ids(body["notifications"]) == [video_id(n) for n in (7, 5, 4, 3)] and body["videos"] == []
    calls = count_dynamo_calls(monkeypatch)
    page2 = call(client, "GET", PATH + "?max_results=3&page=2", headers).json_body
    assert ids(page2["notifications"]) == [video_id(3)] and page2["videos"] == []
    assert calls.count(exclude_sessions=False) == 3  # the session, the preferences, one Query
    assert get_feed(client, admin, "?max_results=3&page=3") == {"notifications": [], "videos": []}
    call(client, "POST", "/api/v1/auth/preferences", headers, {"notifications_only": False})
    assert ids(get_feed(client, admin)["videos"]) == [video_id(n) for n in (6, 2, 1)]


def test_unseen_only_preference(client, admin, monkeypatch):
    """With `unseen_only` set, the feed holds only what the user has not watched, however it was watched (Invidious
    history, TubeArchivist's watched state), before or after subscribing; unwatching brings videos back."""
    make_channel(1)
    for n in (1, 2):
        make_video(n, channel=1, published=f"2024-01-0{n}")
    headers = auth(admin)
    call(client, "POST", f"/api/v1/auth/history/{video_id(1)}", headers)  # watched before subscribing
    subscribe(client, admin, 1)
    for n in range(3, 6):
        make_video(n, channel=1, published=f"2024-01-0{n}")
    call(client, "POST", f"/api/v1/auth/history/{video_id(4)}", headers)
    assert call(client, "POST", "/api/v1/auth/preferences", headers, {"unseen_only": True}).status_code == 204
    calls = count_dynamo_calls(monkeypatch)
    body = call(client, "GET", PATH, headers).json_body
    assert ids(body["notifications"]) == [video_id(5), video_id(3)] and ids(body["videos"]) == [video_id(2)]
    assert calls.count(exclude_sessions=False) == 3  # the session, the preferences, one Query
    assert ids(get_feed(client, admin, "?max_results=1&page=2")["notifications"]) == [video_id(3)]
    call(client, "DELETE", f"/api/v1/auth/history/{video_id(1)}", headers)
    assert ids(get_feed(client, admin)["videos"]) == [video_id(2), video_id(1)]
    watched = {"id": channel_id(1), "is_watched": True}
    client.http.post(
        "/api/watched/", headers={**token_headers(admin), "Content-Type": "application/json"}, body=json.dumps(watched)
    )
    assert get_feed(client, admin) == {"notifications": [], "videos": []}
    watched["is_watched"] = False
    client.http.post(
        "/api/watched/", headers={**token_headers(admin), "Content-Type": "application/json"}, body=json.dumps(watched)
    )
    assert ids(get_feed(client, admin)["videos"]) == [video_id(n) for n in (5, 4, 3, 2, 1)]
    call(client, "POST", "/api/v1/auth/preferences", headers, {"unseen_only": False})
    call(client, "POST", f"/api/v1/auth/history/{video_id(2)}", headers)
    assert ids(get_feed(client, admin)["videos"]) == [video_id(n) for n in (5, 4, 3, 2, 1)]


@pytest.mark.parametrize("how", ["progress", "watched", "history"])
def test_watching_clears_the_notification(client, admin, other, how):
    make_channel(1)
    subscribe(client, admin, 1)
    subscribe(client, other, 1)
    make_video(1, channel=1, published="2024-01-01", duration=100)
    make_video(2, channel=1, published="2024-01-02", duration=100)
    youtube_id = video_id(1)
    if how == "progress":
        response = client.http.post(
            f"/api/video/{youtube_id}/progress",
            headers={**token_headers(admin), "Content-Type": "application/json"},
            body=b'{"position": 95}',
        )
    elif how == "watched":
        response = client.http.post(
            "/api/watched/",
            headers={**token_headers(admin), "Content-Type": "application/json"},
            body=f'{{"id": "{youtube_id}", "is_watched": true}}'.encode(),
        )
    else:
        response = call(client, "POST", f"/api/v1/auth/history/{youtube_id}", auth(admin))
    assert response.status_code in (200, 204), response.body
    body = get_feed(client, admin)
    assert ids(body["notifications"]) == [video_id(2)]
    assert ids(body["videos"]) == [youtube_id]
    assert ids(get_feed(client, other)["notifications"]) == [video_id(2), youtube_id]  # other's are their own


def test_watching_a_channel_clears_its_notifications(client, admin):
    make_channel(1)
    subscribe(client, admin, 1)
    for n in range(1, 4):
        make_video(n, channel=1)
    response = client.http.post(
        "/api/watched/",
        headers={**token_headers(admin), "Content-Type": "application/json"},
        body=f'{{"id": "{channel_id(1)}", "is_watched": true}}'.encode(),
    )
    assert response.status_code == 200, response.body
    body = get_feed(client, admin)
    assert body["notifications"] == [] and len(body["videos"]) == 3


def test_progress_below_threshold_keeps_the_notification(client, admin):
    make_channel(1)
    subscribe(client, admin, 1)
    make_video(1, channel=1, duration=100)
    client.http.post(
        f"/api/video/{video_id(1)}/progress",
        headers={**token_headers(admin), "Content-Type": "application/json"},
        body=b'{"position": 10}',
    )
    assert ids(get_feed(client, admin)["notifications"]) == [video_id(1)]


def test_unsubscribing_and_deleting_take_videos_out(client, admin):
    make_channel(1)
    make_channel(2)
    make_video(1, channel=1)
    make_video(2, channel=2)
    subscribe(client, admin, 1, 2)
    make_video(3, channel=2)
    assert len(get_feed(client, admin, "?max_results=10")["videos"]) == 2
    response = call(client, "DELETE", f"/api/v1/auth/subscriptions/{channel_id(2)}", auth(admin))
    assert response.status_code == 204
    body = get_feed(client, admin)
    assert body["notifications"] == [] and ids(body["videos"]) == [video_id(1)]
    videos.delete(video_id(1))
    assert get_feed(client, admin) == {"notifications": [], "videos": []}


def test_paging_and_default_max_results(client, admin):
    make_channel(1)
    for n in range(1, 46):
        make_video(n, channel=1, published=f"2023-{(n - 1) // 28 + 1:02d}-{(n - 1) % 28 + 1:02d}")
    subscribe(client, admin, 1)
    newest_first = [video_id(n) for n in range(45, 0, -1)]
    first = get_feed(client, admin)
    assert ids(first["videos"]) == newest_first[:40]  # the preference's default, 40
    assert ids(get_feed(client, admin, "?page=2")["videos"]) == newest_first[40:]
    assert get_feed(client, admin, "?page=3") == {"notifications": [], "videos": []}
    assert ids(get_feed(client, admin, "?max_results=7&page=2")["videos"]) == newest_first[7:14]
    assert get_feed(client, admin, "?max_results=0") == {"notifications": [], "videos": []}
    call(client, "POST", "/api/v1/auth/preferences", auth(admin), {"max_results": 5})
    assert ids(get_feed(client, admin)["videos"]) == newest_first[:5]
    assert ids(get_feed(client, admin, "?page=9")["videos"]) == newest_first[40:45]


@pytest.mark.parametrize("query", ["?page=0", "?page=-1", "?page=x", "?max_results=abc", "?max_results=-5"])
def test_bad_paging_is_400(client, admin, query):
    response = call(client, "GET", PATH + query, auth(admin))
    assert response.status_code == 400
    assert set(response.json_body) == {"error"}


def test_feed_budget(client, admin, monkeypatch):
    """A page costs at most 3 DynamoDB calls, the session read of authentication included, whatever the number of
    channels followed."""
    for n in range(1, 31):
        make_channel(n)
        make_video(100 + n, channel=n, published=f"2024-01-{n:02d}")
    subscribe(client, admin, *range(1, 31))
    for n in range(1, 31):
        make_video(200 + n, channel=n, published=f"2024-02-{(n % 28) + 1:02d}")
    headers = auth(admin)
    call(client, "GET", PATH, headers)  # the day's first request records the user's activity (auth.activity)
    calls = count_dynamo_calls(monkeypatch)
    for query, expected in [("", 40), ("?page=2", 20), ("?max_results=25&page=2", 25), ("?max_results=100", 60)]:
        calls.reset()
        response = call(client, "GET", PATH + query, headers)
        assert response.status_code == 200
        body = response.json_body
        assert len(body["notifications"]) + len(body["videos"]) == expected
        assert calls.count(exclude_sessions=False) <= 3, (query, calls.calls)
        assert calls.count(exclude_sessions=False) == calls.count() + 1  # the one session read of authentication
    calls.reset()
    call(client, "GET", PATH, headers)
    assert calls.summary() == {"BatchGetItem": 1, "Query": 1}  # the user's preferences, then the page
    calls.reset()
    body = call(client, "GET", PATH + "?max_results=100", headers).json_body
    assert len(body["notifications"]) == 30 and len(body["videos"]) == 30
    assert calls.summary() == {"BatchGetItem": 1, "Query": 1}  # max_results given: notifications_only still counts


def test_fan_out_many_for_bulk_writes(client, admin, other, monkeypatch):
    """Bulk writers (an import) hand their new videos over at once: one subscriber Query per channel."""
    from functions.storage.models import Subscription, Video

    make_channel(1)
    make_channel(2)
    Subscription(admin.user_id, channel_id(1), created=1).save()
    Subscription(other.user_id, channel_id(1), created=1).save()
    new = [
        Video(video_id(n), title=f"V{n}", published="2024-05-01", channel_id=channel_id(1 + n % 2), published_key="")
        for n in range(1, 5)
    ]
    for video in new:
        video.published_key = f"2024-05-01#{video.youtube_id}"
    calls = count_dynamo_calls(monkeypatch)
    assert feed.fan_out_many(new) == 4  # two videos of channel 1, two subscribers each
    assert calls.summary()["Query"] == 2  # one per channel
    assert ids(get_feed(client, admin)["notifications"]) == [video_id(4), video_id(2)]
    assert ids(get_feed(client, other)["notifications"]) == [video_id(4), video_id(2)]


def test_archiving_without_subscribers_costs_one_query(aws, monkeypatch):
    make_channel(1)
    calls = count_dynamo_calls(monkeypatch)
    make_video(1, channel=1)
    assert [op for op, table in calls.calls if table and table.endswith("subscriptions")] == ["Query"]
    assert not any(table and table.endswith("feed") for _, table in calls.calls)


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (0, "0 seconds ago"),
        (1, "1 second ago"),
        (59, "59 seconds ago"),
        (61, "1 minute ago"),
        (3599, "59 minutes ago"),
        (3601, "1 hour ago"),
        (86399, "23 hours ago"),
        (86401, "1 day ago"),
        (3 * 86400 + 5, "3 days ago"),
        (8 * 86400, "1 week ago"),
        (29 * 86400, "4 weeks ago"),
        (31 * 86400, "1 month ago"),
        (364 * 86400, "12 months ago"),
        (366 * 86400, "1 year ago"),
        (800 * 86400, "2 years ago"),
    ],
)
def test_published_text(age, text):
    assert render.published_text(1_000_000_000 - age, now=1_000_000_000) == text
