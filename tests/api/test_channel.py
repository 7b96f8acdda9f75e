"""/api/channel/...: list and filter, item, videos, subscribe and unsubscribe by id, search, delete, over moto."""

import pytest
from botocore.exceptions import ClientError

from functions.core.settings import DEFAULT_APP_CONFIG, get_settings
from functions.http.ta import channel as channel_api
from functions.services.auth.viewer import NOT_ADMIN
from functions.storage import counters, db, s3
from functions.storage.aws import client as bucket_client
from functions.storage.models import Channel, Video
from tests.api.calls import (
    BAD_TOKEN,
    INVALID_TOKEN,
    NO_CREDENTIALS,
    OVER_ONE_MB,
    other_methods,
    routes,
    send,
    spy_on_storage,
)
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_video, video_id

CONFIG = {"page_size": 12, **DEFAULT_APP_CONFIG}
CHANNEL = channel_id(1)
CHANNEL_KEYS = {
    "channel_id",
    "channel_name",
    "channel_description",
    "channel_subscribed",
    "channel_active",
    "channel_last_refresh",
    "channel_subs",
    "channel_views",
    "channel_thumb_url",
    "channel_banner_url",
    "channel_tvart_url",
    "channel_overwrites",
}


def get(client, path, user):
    return client.http.get(path, headers=token_headers(user))


def ids(response) -> list[str]:
    return [c["channel_id"] for c in response.json_body["data"]]


def subscribe(client, user, *rows):
    return send(client, "POST", "/api/channel/", user, {"data": list(rows)})


# ---------------------------------------------------------------- every route


@pytest.mark.parametrize(("method", "path"), [*routes(channel_api.router), ("GET", "/api/channel/search?q=x")])
def test_every_route_needs_credentials(client, method, path):
    response = client.http.request(method, path, body=b"")
    assert (response.status_code, response.json_body) == (403, NO_CREDENTIALS)
    response = client.http.request(method, path, headers=BAD_TOKEN, body=b"")
    assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)


@pytest.mark.parametrize(
    "path", ["/api/channel", f"/api/channel/{CHANNEL}", f"/api/channel/{CHANNEL}/video", "/api/channel/search"]
)
def test_every_path_answers_with_and_without_trailing_slash(client, admin, path):
    make_channel(1)
    make_video(1)
    query = f"?q={CHANNEL}" if path.endswith("search") else ""
    bare = get(client, path + query, admin)
    slashed = get(client, path + "/" + query, admin)
    assert bare.status_code == slashed.status_code == 200
    assert bare.json_body == slashed.json_body


def test_post_and_delete_answer_with_and_without_trailing_slash(client, admin, aws):
    make_channel(1)
    make_channel(2)
    row = {"channel_id": CHANNEL, "channel_subscribed": True}
    for path in ("/api/channel", "/api/channel/"):
        assert send(client, "POST", path, admin, {"data": [row]}).status_code == 200
    assert send(client, "DELETE", f"/api/channel/{CHANNEL}", admin).status_code == 204
    assert send(client, "DELETE", f"/api/channel/{channel_id(2)}/", admin).status_code == 204


@pytest.mark.parametrize(("method", "path", "allowed"), other_methods(channel_api.router))
def test_undeclared_methods_are_405(client, admin, method, path, allowed):
    response = send(client, method, path + "/", admin)
    assert response.status_code == 405 and "error" in response.json_body
    assert response.headers["Allow"] == ", ".join(allowed)


# ---------------------------------------------------------------- list and filter


def test_list_is_sorted_by_name_with_an_exact_shape(client, admin):
    make_channel(1, name="beta")
    make_channel(2, name="Alpha", subscribed=True)
    make_channel(3, name="gamma")
    response = get(client, "/api/channel/", admin)
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config", "paginate"} and body["config"] == CONFIG
    assert ids(response) == [channel_id(2), channel_id(1), channel_id(3)]
    assert body["paginate"]["total_hits"] == 3 and body["paginate"]["prev_pages"] is False
    first = body["data"][0]
    assert set(first) == CHANNEL_KEYS
    assert first == {
        "channel_id": channel_id(2),
        "channel_name": "Alpha",
        "channel_description": "",
        "channel_subscribed": True,
        "channel_active": True,
        "channel_last_refresh": False,
        "channel_subs": 0,
        "channel_views": 0,
        "channel_thumb_url": f"/cache/channels/{channel_id(2)}_thumb.jpg",
        "channel_banner_url": f"/cache/channels/{channel_id(2)}_banner.jpg",
        "channel_tvart_url": f"/cache/channels/{channel_id(2)}_tvart.jpg",
        "channel_overwrites": {},
    }


def test_filter_subscribed_and_unsubscribed(client, admin):
    make_channel(1, subscribed=True)
    make_channel(2)
    make_channel(3, subscribed=True)
    subscribed = get(client, "/api/channel/?filter=subscribed", admin)
    assert ids(subscribed) == [channel_id(1), channel_id(3)]
    assert subscribed.json_body["paginate"]["total_hits"] == 2
    assert subscribed.json_body["paginate"]["params"] == "filter=subscribed"
    assert ids(get(client, "/api/channel?filter=unsubscribed", admin)) == [channel_id(2)]
    for bad in ("other", "", "Subscribed"):
        response = get(client, f"/api/channel/?filter={bad}", admin)
        assert response.status_code == 400 and set(response.json_body) == {"error"}, bad


def test_empty_list_and_pages(client, admin):
    empty = get(client, "/api/channel/", admin)
    assert empty.status_code == 200 and empty.json_body["data"] == []
    assert get(client, "/api/channel/?page=2", admin).status_code == 404
    for n in range(14):
        make_channel(n, name=f"c{n:02d}")
    second = get(client, "/api/channel/?page=2", admin)
    assert ids(second) == [channel_id(12), channel_id(13)]
    assert second.json_body["paginate"]["page_from"] == 12
    assert get(client, "/api/channel/?page=3", admin).status_code == 404
    filtered = get(client, "/api/channel/?filter=unsubscribed&page=2", admin).json_body["paginate"]
    assert filtered["params"] == "filter=unsubscribed" and filtered["current_page"] == 2


# ---------------------------------------------------------------- item and videos


def test_item(client, admin):
    make_channel(1, name="One")
    response = get(client, f"/api/channel/{CHANNEL}/", admin)
    assert response.status_code == 200
    assert set(response.json_body) == {"data", "config"} and response.json_body["config"] == CONFIG
    assert set(response.json_body["data"]) == CHANNEL_KEYS
    assert response.json_body["data"]["channel_name"] == "One"


def test_videos_of_a_channel_sorted_by_published_desc(client, admin, other):
    make_channel(1)
    make_channel(2)
    make_video(1, published="2024-01-01")
    make_video(2, published="2024-03-01")
    make_video(3, published="2024-02-01")
    make_video(4, channel=2)
    response = get(client, f"/api/channel/{CHANNEL}/video/", admin)
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config", "paginate"}
    assert [v["youtube_id"] for v in body["data"]] == [video_id(2), video_id(3), video_id(1)]
    assert body["paginate"]["total_hits"] == 3
    send(client, "POST", "/api/watched/", admin, {"id": video_id(2), "is_watched": True})
    assert get(client, f"/api/channel/{CHANNEL}/video", admin).json_body["data"][0]["player"]["watched"] is True
    assert get(client, f"/api/channel/{CHANNEL}/video", other).json_body["data"][0]["player"]["watched"] is False
    empty = get(client, f"/api/channel/{channel_id(2)}/video?page=2", admin)
    assert empty.status_code == 404


def test_unknown_channel_is_404(client, admin):
    make_channel(1)
    for path in (f"/api/channel/{channel_id(2)}", f"/api/channel/{channel_id(2)}/video/"):
        response = get(client, path, admin)
        assert response.status_code == 404
        assert response.json_body == {"data": False, "error": f"channel {channel_id(2)} not found"}
    assert send(client, "DELETE", f"/api/channel/{channel_id(2)}", admin).status_code == 404


@pytest.mark.parametrize("bad", ["UCshort", "XX" + "a" * 22, "UC" + "a" * 21 + "*", "..%2F..%2Fsecret"])
def test_malformed_ids_never_reach_storage(client, admin, monkeypatch, bad):
    make_channel(1)
    spy = spy_on_storage(monkeypatch)
    for method, path in (
        ("GET", f"/api/channel/{bad}"),
        ("GET", f"/api/channel/{bad}/video/"),
        ("DELETE", f"/api/channel/{bad}"),
    ):
        response = send(client, method, path, admin)
        assert response.status_code in (400, 404) and "error" in response.json_body, path
    assert not spy.reached(bad) and not spy.reached(bad.replace("%2F", "/"))


# ---------------------------------------------------------------- subscribe and unsubscribe


def test_subscribe_and_unsubscribe_by_id(client, admin):
    make_channel(1)
    make_channel(2, subscribed=True)
    response = subscribe(
        client,
        admin,
        {"channel_id": CHANNEL, "channel_subscribed": True},
        {"channel_id": channel_id(2), "channel_subscribed": False},
    )
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config"}
    assert [(c["channel_id"], c["channel_subscribed"]) for c in body["data"]] == [
        (CHANNEL, True),
        (channel_id(2), False),
    ]
    assert ids(get(client, "/api/channel/?filter=subscribed", admin)) == [CHANNEL]
    assert ids(get(client, "/api/channel/?filter=unsubscribed", admin)) == [channel_id(2)]
    # repeating it changes nothing, and counts stay exact
    subscribe(client, admin, {"channel_id": CHANNEL, "channel_subscribed": True})
    assert db.counts([counters.channels_by("subscribed"), counters.channels_by("unsubscribed"), counters.CHANNELS]) == {
        counters.channels_by("subscribed"): 1,
        counters.channels_by("unsubscribed"): 1,
        counters.CHANNELS: 2,
    }


def test_subscribe_to_a_channel_not_archived_yet_records_it(client, admin, aws):
    response = subscribe(client, admin, {"channel_id": channel_id(7), "channel_subscribed": True})
    assert response.status_code == 200
    assert response.json_body["data"][0]["channel_id"] == channel_id(7)
    assert Channel.get(channel_id(7)).channel_subscribed is True
    assert ids(get(client, "/api/channel/?filter=subscribed", admin)) == [channel_id(7)]


def test_subscribe_by_channel_url(client, admin, aws):
    make_channel(1)
    url = f"https://www.youtube.com/channel/{CHANNEL}"
    response = subscribe(client, admin, {"channel_id": url, "channel_subscribed": True})
    assert response.status_code == 200 and response.json_body["data"][0]["channel_subscribed"] is True


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b"{}",
        b'{"data": {}}',
        b'{"data": "UC0000000000000000000001"}',
        b'{"data": [1]}',
        b'{"data": [{"channel_subscribed": true}]}',
        b'{"data": [{"channel_id": "UC0000000000000000000001"}]}',
        b'{"data": [{"channel_id": "UC0000000000000000000001", "channel_subscribed": "true"}]}',
        b'{"data": [{"channel_id": 5, "channel_subscribed": true}]}',
        b'{"data": [{"channel_id": "vid00000001", "channel_subscribed": true}]}',
        b'{"data": [{"channel_id": "not a channel", "channel_subscribed": true}]}',
    ],
)
def test_subscribe_bad_input_is_400_and_stores_nothing(client, admin, aws, body):
    good = b'{"channel_id": "UC0000000000000000000002", "channel_subscribed": true}'
    sent = body.replace(b"[{", b"[" + good + b", {") if b"[{" in body else body
    response = send(client, "POST", "/api/channel/", admin, sent)
    assert response.status_code == 400 and set(response.json_body) == {"error"}
    assert Channel.count() == 0


def test_subscribe_limits(client, admin, aws):
    assert send(client, "POST", "/api/channel/", admin, OVER_ONE_MB).status_code == 413
    row = b'{"data": [{"channel_id": "UC0000000000000000000001", "channel_subscribed": true}]}'
    assert send(client, "POST", "/api/channel/", admin, row, {"Content-Type": "text/plain"}).status_code == 415
    assert Channel.count() == 0


def test_only_admins_subscribe_and_delete(client, admin, other):
    make_channel(1)
    make_video(1)
    for method, path, body in (
        ("POST", "/api/channel/", {"data": [{"channel_id": CHANNEL, "channel_subscribed": True}]}),
        ("POST", "/api/channel/", b"{"),  # refused before the body is read
        ("DELETE", f"/api/channel/{CHANNEL}/", None),
    ):
        response = send(client, method, path, other, body)
        assert (response.status_code, response.json_body) == (403, {"detail": NOT_ADMIN}), method
    assert Channel.get(CHANNEL).channel_subscribed is False and Video.count() == 1
    assert get(client, f"/api/channel/{CHANNEL}", other).status_code == 200


# ---------------------------------------------------------------- search


def test_search_by_id_and_url(client, admin):
    make_channel(1, name="Found")
    for query in (CHANNEL, f"https://www.youtube.com/channel/{CHANNEL}/videos"):
        response = get(client, f"/api/channel/search/?q={query}", admin)
        assert response.status_code == 200, query
        assert set(response.json_body) == {"data", "config"}
        assert response.json_body["data"]["channel_name"] == "Found"


def test_search_misses(client, admin):
    make_channel(1)
    unknown = get(client, f"/api/channel/search/?q={channel_id(2)}", admin)
    assert unknown.status_code == 404 and unknown.json_body["data"] is False
    for query in ("", "?q=", "?query=x"):
        response = get(client, f"/api/channel/search/{query}", admin)
        assert response.status_code == 400 and set(response.json_body) == {"error"}, query
    video = get(client, f"/api/channel/search/?q={video_id(1)}", admin)
    assert video.status_code == 400 and "error" in video.json_body
    nonsense = get(client, "/api/channel/search/?q=not%20a%20channel", admin)
    assert nonsense.status_code in (400, 404) and "error" in nonsense.json_body


# ---------------------------------------------------------------- delete


def test_delete_removes_the_channel_its_videos_and_files(client, admin, other):
    make_channel(1)
    make_channel(2)
    make_video(1)
    make_video(2)
    make_video(3, channel=2)
    bucket = get_settings().media_bucket
    keys = s3.channel_keys(CHANNEL) + s3.video_keys(Video.get(video_id(1))) + s3.video_keys(Video.get(video_id(2)))
    kept = s3.channel_keys(channel_id(2)) + s3.video_keys(Video.get(video_id(3)))
    for key in keys + kept:
        bucket_client("s3").put_object(Bucket=bucket, Key=key, Body=b"x")
    response = send(client, "DELETE", f"/api/channel/{CHANNEL}/", admin)
    assert response.status_code == 204 and not response.body
    assert get(client, f"/api/channel/{CHANNEL}", admin).status_code == 404
    assert ids(get(client, "/api/channel/", other)) == [channel_id(2)]
    assert [v["youtube_id"] for v in get(client, "/api/video/", admin).json_body["data"]] == [video_id(3)]
    remaining = {o["Key"] for o in bucket_client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert remaining == set(kept)
    assert db.counts(
        [counters.CHANNELS, counters.VIDEOS, counters.channel_videos(CHANNEL), counters.channels_by("unsubscribed")]
    ) == {
        counters.CHANNELS: 1,
        counters.VIDEOS: 1,
        counters.channel_videos(CHANNEL): 0,
        counters.channels_by("unsubscribed"): 1,
    }
    with pytest.raises(ClientError):
        bucket_client("s3").head_object(Bucket=bucket, Key=s3.channel_art_key(CHANNEL, "thumb"))
