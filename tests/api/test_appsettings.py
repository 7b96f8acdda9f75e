"""GET and POST /api/appsettings/config/: the config envelope's settings, changed key by key, validated."""

import pytest

from functions.core.settings import DEFAULT_APP_CONFIG
from functions.services import app_settings
from functions.storage.models import AppSetting
from tests.api.calls import send


def test_defaults_until_changed(client, admin, other):
    for user in (admin, other):
        response = send(client, "GET", "/api/appsettings/config/", user)
        assert response.status_code == 200 and response.json_body == DEFAULT_APP_CONFIG


def test_partial_update_keeps_the_other_keys_and_reaches_every_envelope(client, admin):
    response = send(client, "POST", "/api/appsettings/config/", admin, {"downloads": {"autodelete_days": 30}})
    assert response.status_code == 200
    assert response.json_body["downloads"]["autodelete_days"] == 30
    response = send(client, "POST", "/api/appsettings/config/", admin, {"subscriptions": {"channel_size": 5}})
    assert response.json_body["downloads"]["autodelete_days"] == 30
    assert response.json_body["subscriptions"]["channel_size"] == 5
    assert send(client, "GET", "/api/video/", admin).json_body["config"]["downloads"]["autodelete_days"] == 30
    assert app_settings.current()["subscriptions"]["channel_size"] == 5


def test_null_puts_an_optional_setting_back_to_off(client, admin):
    send(client, "POST", "/api/appsettings/config/", admin, {"downloads": {"format": "bestvideo+bestaudio"}})
    response = send(client, "POST", "/api/appsettings/config/", admin, {"downloads": {"format": None}})
    assert response.json_body["downloads"]["format"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"downloads": {"nonsense": 1}},
        {"nonsense": {"a": 1}},
        {"downloads": {"autodelete_days": "30"}},
        {"downloads": {"autodelete_days": 0}},
        {"downloads": {"autodelete_days": True}},
        {"downloads": {"add_metadata": "yes"}},
        {"downloads": {"sleep_interval": None}},
        {"downloads": {"comment_sort": "best"}},
        {"downloads": {"subtitle": "en;rm -rf"}},
        {"downloads": {"comment_max": "all,x"}},
        {"subscriptions": {"channel_size": -1}},
        {"subscriptions": {"auto_start": 1}},
        {"downloads": {"integrate_ryd": True}},  # removed: nothing would read it
        {"downloads": {"format": "best", "limit_speed": "fast"}},  # one bad key: the good one is not stored
        {"downloads": 5},
        {},
        [],
    ],
)
def test_bad_settings_are_400_and_nothing_is_stored(client, admin, body):
    send(client, "POST", "/api/appsettings/config/", admin, {"downloads": {"limit_speed": 500}})
    before = AppSetting.get("app").value.as_dict()
    response = send(client, "POST", "/api/appsettings/config/", admin, body)
    assert response.status_code == 400 and "error" in response.json_body
    assert AppSetting.get("app").value.as_dict() == before
    assert app_settings.current()["downloads"]["format"] is None


def test_only_admins_change_settings(client, other):
    response = send(client, "POST", "/api/appsettings/config/", other, {"downloads": {"autodelete_days": 3}})
    assert response.status_code == 403
    assert app_settings.current()["downloads"]["autodelete_days"] is None
    assert send(client, "GET", "/api/appsettings/config/").status_code == 403


def test_wrong_media_type_is_415(client, admin):
    response = send(client, "POST", "/api/appsettings/config/", admin, "a=1", {"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_an_update_made_meanwhile_is_not_lost(aws, monkeypatch):
    """Two writers: the one whose read went stale retries on top of the other's write."""
    app_settings.update({"downloads": {"format": "best"}})
    real_read = app_settings._read
    raced = []

    def read_then_race():
        result = real_read()
        if not raced:
            raced.append(True)
            app_settings.update({"subscriptions": {"auto_start": True}})
        return result

    monkeypatch.setattr(app_settings, "_read", read_then_race)
    app_settings.update({"downloads": {"sleep_interval": 7}})
    config = app_settings.current()
    assert config["subscriptions"]["auto_start"] is True
    assert config["downloads"]["sleep_interval"] == 7 and config["downloads"]["format"] == "best"


def test_keys_no_longer_known_are_not_shown(aws):
    AppSetting("app", value={"downloads": {"integrate_ryd": True, "format": "best"}}).save()
    assert "integrate_ryd" not in app_settings.current()["downloads"]
    assert app_settings.update({"downloads": {"sleep_interval": 1}})["downloads"]["format"] == "best"
