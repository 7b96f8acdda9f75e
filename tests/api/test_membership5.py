"""v0.5's members platform paths, as the Application settings page calls them (MembershipAppsettings.tsx): the
page reads `GET /api/appsettings/membership/token/` when it loads (walked: a 404 on every visit), stores and
deletes the key, reads the profile and syncs the subscriptions; the platform here is a local HTTP server."""

import http.server
import json

import pytest

from functions.core.settings import get_settings
from tests.api.calls import send
from tests.factories import channel_id, make_channel
from tests.http_stand_in import serving

PROFILE = {
    "id": 7,
    "user": {"id": 3, "username": "sponsor"},
    "sponsor_tier": {"tier_id": 1, "name": "Basic", "description": "real time", "max_subs": 50},
    "subscription_count": 2,
    "subscription_is_max": False,
    "is_connected": True,
}


class FakePlatform(http.server.BaseHTTPRequestHandler):
    requests: list = []

    def _answer(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        FakePlatform.requests.append(("GET", self.path, self.headers["Authorization"], None))
        if self.headers["Authorization"] != "Token good-key":
            return self._answer(403, {"detail": "Invalid token."})
        return self._answer(200, PROFILE)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakePlatform.requests.append(("POST", self.path, self.headers["Authorization"], body))
        return self._answer(200, {"created": len(body)})

    def log_message(self, *args):
        pass


@pytest.fixture
def platform(monkeypatch):
    FakePlatform.requests = []
    with serving(FakePlatform, monkeypatch, "MEMBERSHIP_URL"):
        yield FakePlatform


TOKEN = "/api/appsettings/membership/token/"


def test_the_key_is_stored_shown_and_deleted(client, v05):
    assert send(client, "GET", TOKEN, v05).json_body == {"token": None}  # what the page reads before any key
    stored = send(client, "POST", TOKEN, v05, {"token": "good-key"})
    assert (stored.status_code, stored.json_body) == (200, {"token": "good-key"})
    assert send(client, "GET", TOKEN, v05).json_body == {"token": "good-key"}
    for refused in (" ", "a\nb", "clé", "a b", "k" * 201):  # blank, or not one HTTP header's value
        answer = send(client, "POST", TOKEN, v05, {"token": refused})
        assert answer.status_code == 400 and send(client, "GET", TOKEN, v05).json_body == {"token": "good-key"}
    deleted = send(client, "DELETE", TOKEN, v05)
    assert (deleted.status_code, deleted.body) == (204, b"")
    assert send(client, "GET", TOKEN, v05).json_body == {"token": None}


def test_the_profile_is_the_platforms(client, v05, platform):
    missing = send(client, "GET", "/api/appsettings/membership/profile/", v05)
    assert (missing.status_code, missing.json_body) == (400, {"error": "expected MB_API_KEY"})
    send(client, "POST", TOKEN, v05, {"token": "bad-key"})
    refused = send(client, "GET", "/api/appsettings/membership/profile/", v05)
    assert (refused.status_code, refused.json_body) == (400, {"error": "Invalid token."})
    send(client, "POST", TOKEN, v05, {"token": "good-key"})
    answer = send(client, "GET", "/api/appsettings/membership/profile/", v05)
    assert (answer.status_code, answer.json_body) == (200, PROFILE)
    assert platform.requests[-1] == ("GET", "/api/profile/me/", "Token good-key", None)


def test_sync_sends_the_subscribed_channels_with_what_to_notify(client, v05, platform):
    for n in (1, 2, 3):
        make_channel(n)
    for n in (1, 2):
        send(client, "POST", f"/api/channel/{channel_id(n)}/", v05, {"channel_subscribed": True})
    send(client, "POST", "/api/appsettings/config/", v05, {"subscriptions": {"shorts_channel_size": 0}})
    send(client, "POST", TOKEN, v05, {"token": "good-key"})
    synced = send(client, "POST", "/api/appsettings/membership/sync/", v05)
    assert (synced.status_code, synced.body) == (204, b"")
    method, path, key, body = platform.requests[-1]
    assert (method, path, key) == ("POST", "/api/profile/subscription/?delete=true", "Token good-key")
    every = {"notify_videos": True, "notify_streams": True, "notify_shorts": False}  # the app scans no shorts
    assert sorted(body, key=lambda row: row["channel_id"]) == sorted(
        [{"channel_id": channel_id(1), **every}, {"channel_id": channel_id(2), **every}],
        key=lambda row: row["channel_id"],
    )


def test_an_unreachable_platform_is_a_400(client, v05, monkeypatch):
    monkeypatch.setenv("MEMBERSHIP_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    get_settings.cache_clear()
    try:
        send(client, "POST", TOKEN, v05, {"token": "good-key"})
        answer = send(client, "POST", "/api/appsettings/membership/sync/", v05)
        assert answer.status_code == 400 and answer.json_body["error"].startswith("Connection to remote server failed")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_only_admins(client, other):
    for method, path in (("GET", TOKEN), ("GET", "/api/appsettings/membership/profile/")):
        assert send(client, method, path, other).status_code == 403


def test_sync_notifies_the_tabs_each_channel_scans(client, v05, platform):
    for n in (1, 2):
        make_channel(n)
        send(client, "POST", f"/api/channel/{channel_id(n)}/", v05, {"channel_subscribed": True})
    send(client, "POST", "/api/appsettings/config/", v05, {"subscriptions": {"shorts_channel_size": 0}})
    overwrites = {"subscriptions_channel_size": 0, "subscriptions_shorts_channel_size": 5}
    send(client, "POST", f"/api/channel/{channel_id(1)}/", v05, {"channel_overwrites": overwrites})
    send(client, "POST", TOKEN, v05, {"token": "good-key"})
    assert send(client, "POST", "/api/appsettings/membership/sync/", v05).status_code == 204
    body = platform.requests[-1][3]
    assert sorted(body, key=lambda row: row["channel_id"]) == [
        {"channel_id": channel_id(1), "notify_videos": False, "notify_streams": True, "notify_shorts": True},
        {"channel_id": channel_id(2), "notify_videos": True, "notify_streams": True, "notify_shorts": False},
    ]
