"""GET /api/v1/auth/subscriptions, POST|DELETE /api/v1/auth/subscriptions/{ucid}."""

import json

import pytest

from functions.storage.models import Channel
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.invidious.iv_helpers import auth, call

PATH = "/api/v1/auth/subscriptions"
INVALID = {"error": "Deleted or invalid channel"}


def listed(client, user):
    response = call(client, "GET", PATH, auth(user))
    assert response.status_code == 200
    return response.json_body


def test_subscribe_list_unsubscribe(client, admin):
    make_channel(1, name="beta")
    make_channel(2, name="Alpha")
    make_channel(3, name="gamma")
    assert listed(client, admin) == []
    for n in (1, 2):
        response = call(client, "POST", f"{PATH}/{channel_id(n)}", auth(admin))
        assert response.status_code == 204 and response.body == b""
    assert listed(client, admin) == [
        {"author": "Alpha", "authorId": channel_id(2)},
        {"author": "beta", "authorId": channel_id(1)},
    ]
    # the archive is subscribed too, so rescans fetch the channel
    assert Channel.get(channel_id(1)).channel_subscribed
    assert not Channel.get(channel_id(3)).channel_subscribed
    response = call(client, "DELETE", f"{PATH}/{channel_id(1)}", auth(admin))
    assert response.status_code == 204 and response.body == b""
    assert listed(client, admin) == [{"author": "Alpha", "authorId": channel_id(2)}]
    assert Channel.get(channel_id(1)).channel_subscribed  # the archive keeps its own subscription


def test_subscribe_is_idempotent(client, admin):
    make_channel(1)
    make_video(1, channel=1)
    for _ in range(3):
        assert call(client, "POST", f"{PATH}/{channel_id(1)}", auth(admin)).status_code == 204
    assert listed(client, admin) == [{"author": "Channel 1", "authorId": channel_id(1)}]
    feed = call(client, "GET", "/api/v1/auth/feed", auth(admin)).json_body
    assert len(feed["videos"]) == 1


def test_subscribing_an_archive_subscribed_channel(client, admin):
    make_channel(1, subscribed=True)
    assert call(client, "POST", f"{PATH}/{channel_id(1)}", auth(admin)).status_code == 204
    assert Channel.get(channel_id(1)).channel_subscribed


@pytest.mark.parametrize("ucid", [channel_id(99), "UCshort", "not-a-channel", "UC" + "x" * 23, "uc" + "A" * 22])
def test_unknown_or_malformed_channel_is_403(client, admin, ucid):
    make_channel(1)
    response = call(client, "POST", f"{PATH}/{ucid}", auth(admin))
    assert response.status_code == 403
    assert response.json_body == INVALID
    assert listed(client, admin) == []
    assert list(Channel.scan(Channel.channel_id == ucid)) == []  # nothing recorded for it


@pytest.mark.parametrize("ucid", [channel_id(1), channel_id(99), "garbage"])
def test_delete_is_always_204(client, admin, ucid):
    response = call(client, "DELETE", f"{PATH}/{ucid}", auth(admin))
    assert response.status_code == 204
    assert response.body == b""


def test_users_are_separate(client, admin, other):
    make_channel(1)
    make_channel(2)
    call(client, "POST", f"{PATH}/{channel_id(1)}", auth(admin))
    call(client, "POST", f"{PATH}/{channel_id(2)}", auth(other))
    assert [row["authorId"] for row in listed(client, admin)] == [channel_id(1)]
    assert [row["authorId"] for row in listed(client, other)] == [channel_id(2)]
    # another user's token never reaches the admin's subscription
    assert call(client, "DELETE", f"{PATH}/{channel_id(1)}", auth(other)).status_code == 204
    assert [row["authorId"] for row in listed(client, admin)] == [channel_id(1)]


def test_scoped_tokens(client, admin):
    make_channel(1)
    headers = auth(admin, scopes=["POST:subscriptions/*", "GET:subscriptions"])
    assert call(client, "POST", f"{PATH}/{channel_id(1)}", headers).status_code == 204
    assert call(client, "GET", PATH, headers).status_code == 200
    denied = call(client, "DELETE", f"{PATH}/{channel_id(1)}", headers)
    assert denied.status_code == 403 and denied.json_body == {"error": "Invalid scope"}
    assert len(listed(client, admin)) == 1


def test_channels_subscribed_through_the_tubearchivist_api_fill_the_subscribers_feed(client, admin):
    make_channel(1)
    make_video(1, channel=1)
    body = json.dumps({"data": [{"channel_id": channel_id(1), "channel_subscribed": True}]}).encode()
    headers = {**token_headers(admin), "Content-Type": "application/json"}
    assert client.http.post("/api/channel/", headers=headers, body=body).status_code == 200
    feed = client.http.get("/api/v1/auth/feed", headers=auth(admin)).json_body
    assert [v["videoId"] for v in feed["videos"] + feed["notifications"]] == [video_id(1)]
    listed = client.http.get("/api/v1/auth/subscriptions", headers=auth(admin)).json_body
    assert [s["authorId"] for s in listed] == [channel_id(1)]
    # subscribing again through either API changes nothing
    assert client.http.post("/api/channel/", headers=headers, body=body).status_code == 200
    again = client.http.get("/api/v1/auth/feed", headers=auth(admin)).json_body
    assert len(again["videos"] + again["notifications"]) == 1
