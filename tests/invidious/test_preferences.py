"""GET|POST /api/v1/auth/preferences."""

import pytest

from functions.services.invidious.preferences import DEFAULTS
from functions.storage.models import User
from tests.invidious.iv_helpers import auth, call

PATH = "/api/v1/auth/preferences"

EXPECTED_DEFAULTS = {
    "annotations": False,
    "annotations_subscribed": False,
    "autoplay": False,
    "captions": ["", "", ""],
    "comments": ["youtube", ""],
    "continue": False,
    "continue_autoplay": True,
    "dark_mode": "",
    "latest_only": False,
    "listen": False,
    "local": False,
    "locale": "en-US",
    "max_results": 40,
    "notifications_only": False,
    "player_style": "invidious",
    "quality": "hd720",
    "default_home": "Popular",
    "feed_menu": ["Popular", "Trending", "Subscriptions", "Playlists"],
    "related_videos": True,
    "sort": "published",
    "speed": 1.0,
    "thin_mode": False,
    "unseen_only": False,
    "video_loop": False,
    "volume": 100,
    "watch_history": True,
}


def test_defaults_when_unset(client, admin):
    assert DEFAULTS == EXPECTED_DEFAULTS
    response = call(client, "GET", PATH, auth(admin))
    assert response.status_code == 200
    assert response.json_body == EXPECTED_DEFAULTS
    assert isinstance(response.json_body["speed"], float)


def test_post_merges_and_ignores_unknown(client, admin):
    headers = auth(admin)
    response = call(client, "POST", PATH, headers, {"speed": 2, "volume": 10, "no_such_field": "x"})
    assert response.status_code == 204
    assert response.body == b""
    response = call(client, "POST", PATH, headers, {"captions": ["en", "de", ""], "dark_mode": "dark"})
    assert response.status_code == 204
    prefs = call(client, "GET", PATH, headers).json_body
    assert prefs == {
        **EXPECTED_DEFAULTS,
        "speed": 2.0,
        "volume": 10,
        "captions": ["en", "de", ""],
        "dark_mode": "dark",
    }
    assert "no_such_field" not in prefs
    assert isinstance(prefs["speed"], float)
    call(client, "POST", PATH, headers, {"speed": 0.75, "feed_menu": []})
    prefs = call(client, "GET", PATH, headers).json_body
    assert prefs["speed"] == 0.75 and prefs["feed_menu"] == [] and prefs["volume"] == 10


def test_empty_patch_changes_nothing(client, admin):
    assert call(client, "POST", PATH, auth(admin), {}).status_code == 204
    assert call(client, "GET", PATH, auth(admin)).json_body == EXPECTED_DEFAULTS


@pytest.mark.parametrize(
    "body",
    [
        {"autoplay": "true"},
        {"autoplay": 1},
        {"volume": 10.5},
        {"volume": True},
        {"volume": "10"},
        {"volume": 101},
        {"max_results": -1},
        {"speed": "fast"},
        {"speed": True},
        {"captions": "en"},
        {"captions": ["en", 1]},
        {"feed_menu": None},
        {"locale": 5},
        {"dark_mode": False},
        {"speed": 2, "volume": "loud"},  # one bad field: nothing is stored
    ],
)
def test_wrong_type_is_400(client, admin, body):
    response = call(client, "POST", PATH, auth(admin), body)
    assert response.status_code == 400, body
    assert set(response.json_body) == {"error"}
    assert call(client, "GET", PATH, auth(admin)).json_body == EXPECTED_DEFAULTS


def test_malformed_bodies(client, admin):
    headers = {**auth(admin), "Content-Type": "application/json"}
    assert client.http.request("POST", PATH, headers=headers, body=b"{nope").status_code == 400
    assert client.http.request("POST", PATH, headers=headers, body=b"[1, 2]").status_code == 400
    assert client.http.request("POST", PATH, headers=headers, body=b"").status_code == 400


def test_users_are_separate(client, admin, other):
    call(client, "POST", PATH, auth(other), {"volume": 1, "dark_mode": "dark"})
    assert call(client, "GET", PATH, auth(admin)).json_body == EXPECTED_DEFAULTS
    assert call(client, "GET", PATH, auth(other)).json_body["volume"] == 1


def test_scoped_token(client, admin):
    headers = auth(admin, scopes=["GET;POST:preferences"])
    assert call(client, "POST", PATH, headers, {"volume": 3}).status_code == 204
    assert call(client, "GET", PATH, headers).json_body["volume"] == 3
    web = call(client, "GET", PATH, auth(admin, scopes=["GET:preferences"]))
    assert web.status_code == 200


def test_concurrent_first_patches_both_land(aws, admin):
    from functions.schemas.invidious import PreferencesUpdate
    from functions.services.invidious import preferences

    stale = User.get("admin")  # both requests read the user before either wrote
    preferences.update(stale, PreferencesUpdate(volume=7))
    preferences.update(stale, PreferencesUpdate(autoplay=True))
    merged = preferences.of(User.get("admin"))
    assert merged["volume"] == 7 and merged["autoplay"] is True


def test_web_login_cookie_works(client, admin):
    from functions.services.invidious import tokens

    sid = tokens.new_session(admin.user_id, "admin", kind=tokens.WEB)
    headers = {"Cookie": f"SID={sid}"}
    assert call(client, "POST", PATH, headers, {"locale": "de"}).status_code == 204
    assert call(client, "GET", PATH, headers).json_body["locale"] == "de"


@pytest.mark.parametrize(
    "body",
    [
        {"locale": "x" * 201},  # DynamoDB refuses items over 400 KB; moto does not notice nested updates
        {"feed_menu": ["Popular"] * 21},
        {"captions": ["x" * 201]},
        {"speed": 1e308},  # past DynamoDB's number range
        {"speed": 1e-200},
        {"speed": 0},
    ],
)
def test_values_past_the_store_limits_are_400(client, admin, body):
    headers = auth(admin)
    response = call(client, "POST", PATH, headers, body)
    assert response.status_code == 400, body
    assert call(client, "GET", PATH, headers).json_body == EXPECTED_DEFAULTS
    assert call(client, "POST", PATH, headers, {"locale": "x" * 200, "speed": 16}).status_code == 204
