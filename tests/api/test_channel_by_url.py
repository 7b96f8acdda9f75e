"""Channels named by URL or @handle: POST /api/channel/ and GET /api/channel/search/, handles resolved by the
real yt-dlp (lookup function, in-process here) against the local stand-in YouTube."""

import json
from urllib.parse import quote

from functions.storage.models import Channel
from tests.factories import channel_id, make_channel


def subscribe(client, headers, *rows):
    return client.http.post(
        "/api/channel/", headers={**headers, "Content-Type": "application/json"}, body=json.dumps({"data": list(rows)})
    )


def first_channel(fake):
    return next(iter(fake.catalog.channels.values()))


def test_subscribe_by_handle_archives_the_channel_with_its_name(client, headers, fake_youtube):
    source = first_channel(fake_youtube)
    response = subscribe(client, headers, {"channel_id": source.handle, "channel_subscribed": True})
    assert response.status_code == 200
    (row,) = response.json_body["data"]
    assert row["channel_id"] == source.channel_id and row["channel_subscribed"] is True
    assert row["channel_name"] == source.name
    listed = client.http.get("/api/channel/?filter=subscribed", headers=headers).json_body["data"]
    assert [c["channel_id"] for c in listed] == [source.channel_id]
    # and off again, by its URL with a tab
    url = f"https://www.youtube.com/{source.handle}/videos"
    response = subscribe(client, headers, {"channel_id": url, "channel_subscribed": False})
    assert response.status_code == 200 and response.json_body["data"][0]["channel_subscribed"] is False
    assert Channel.get(source.channel_id).channel_subscribed is False


def test_subscribe_by_channel_url_needs_no_lookup(client, headers, aws):
    url = f"https://www.youtube.com/channel/{channel_id(5)}/streams"
    response = subscribe(client, headers, {"channel_id": url, "channel_subscribed": True})
    assert response.status_code == 200 and response.json_body["data"][0]["channel_id"] == channel_id(5)
    assert Channel.get(channel_id(5)).channel_subscribed


def test_bad_rows_store_nothing(client, headers, fake_youtube):
    source = first_channel(fake_youtube)
    good = {"channel_id": source.handle, "channel_subscribed": True}
    cases = [
        {"channel_id": "https://www.youtube.com/watch?v=aaaaaaaaaaa", "channel_subscribed": True},
        {"channel_id": "https://example.com/@someone", "channel_subscribed": True},
        {"channel_id": None, "channel_subscribed": True},
        {"channel_id": source.handle, "channel_subscribed": "yes"},
        {"channel_id": "@nobodyhere", "channel_subscribed": True},  # YouTube has no such handle
    ]
    for bad in cases:
        response = subscribe(client, headers, good, bad)
        assert response.status_code == 400 and "error" in response.json_body, bad
    assert Channel.count() == 0


def test_search_by_handle_url_and_id(client, headers, fake_youtube):
    source = first_channel(fake_youtube)
    subscribe(client, headers, {"channel_id": source.handle, "channel_subscribed": True})
    for query in (source.handle, f"https://www.youtube.com/{source.handle}", source.channel_id):
        response = client.http.get(f"/api/channel/search/?q={quote(query)}", headers=headers)
        assert response.status_code == 200, query
        assert response.json_body["data"]["channel_id"] == source.channel_id


def test_search_misses_and_bad_queries(client, headers, fake_youtube):
    make_channel(1)
    other = list(fake_youtube.catalog.channels.values())[1]

    def search(query):
        return client.http.get(f"/api/channel/search/?q={quote(query)}", headers=headers)

    assert search(channel_id(1)).status_code == 200
    for query in ("@nobodyhere", other.handle, channel_id(2)):  # no such handle; not archived; not archived
        response = search(query)
        assert response.status_code == 404 and response.json_body["data"] is False, query
    for query in ("https://www.youtube.com/watch?v=aaaaaaaaaaa", "not a channel at all"):
        assert search(query).status_code == 400, query
    assert client.http.get("/api/channel/search/", headers=headers).status_code == 400
