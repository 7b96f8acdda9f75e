"""POST /api/channel/<id>/ sets a channel's overwrites as TubeArchivist does; the download job and autodelete
apply them in place of the app settings."""

import pytest

from functions.services import app_settings
from functions.services.archive import channel_overwrites
from functions.storage.models import Channel
from tests.api.calls import send
from tests.factories import channel_id, make_channel

PATH = f"/api/channel/{channel_id(1)}/"


@pytest.fixture
def channel(aws):
    return make_channel(1)


def stored() -> dict:
    overwrites = Channel.get(channel_id(1)).channel_overwrites
    return overwrites.as_dict() if overwrites else {}


def test_set_and_remove(client, admin, channel):
    body = {"channel_overwrites": {"download_format": "worst", "autodelete_days": 7}}
    response = send(client, "POST", PATH, admin, body)
    assert response.status_code == 200
    assert response.json_body["data"]["channel_overwrites"] == {"download_format": "worst", "autodelete_days": 7}
    assert send(client, "GET", PATH, admin).json_body["data"]["channel_overwrites"]["autodelete_days"] == 7
    send(client, "POST", PATH, admin, {"channel_overwrites": {"download_format": False}})
    assert stored() == {"autodelete_days": 7}
    send(client, "POST", PATH, admin, {"channel_overwrites": {"autodelete_days": None}})
    assert stored() == {}


@pytest.mark.parametrize("removal", [False, None])
def test_index_playlists_round_trip_in_both_dialects(client, admin, v05, channel, removal):
    body = {"channel_overwrites": {"index_playlists": True, "autodelete_days": 5}}
    response = send(client, "POST", PATH, admin, body)
    assert response.status_code == 200
    assert response.json_body["data"]["channel_overwrites"] == {"index_playlists": True, "autodelete_days": 5}
    assert stored() == {"index_playlists": True, "autodelete_days": 5}
    shown5 = send(client, "GET", PATH, v05).json_body  # v0.5: the channel itself, the same overwrites
    assert shown5["channel_overwrites"] == {"index_playlists": True, "autodelete_days": 5}
    listed = send(client, "GET", "/api/channel/", admin).json_body["data"]
    assert listed[0]["channel_overwrites"]["index_playlists"] is True
    send(client, "POST", PATH, admin, {"channel_overwrites": {"index_playlists": removal}})
    assert stored() == {"autodelete_days": 5}
    assert send(client, "GET", PATH, admin).json_body["data"]["channel_overwrites"] == {"autodelete_days": 5}


def test_a_wrong_index_playlists_type_says_which_field(client, admin, channel):
    response = send(client, "POST", PATH, admin, {"channel_overwrites": {"index_playlists": "true"}})
    assert response.status_code == 400
    assert response.json_body == {"error": "$.channel_overwrites.index_playlists: expected bool | null, got str"}
    assert stored() == {}


@pytest.mark.parametrize(
    "body",
    [
        {"channel_overwrites": {"index_playlists": "yes"}},
        {"channel_overwrites": {"index_playlists": 1}},
        {"channel_overwrites": {"index_playlist": True}},
        {"channel_overwrites": {"autodelete_days": "7"}},
        {"channel_overwrites": {"autodelete_days": 0}},
        {"channel_overwrites": {"download_format": ""}},
        {"channel_overwrites": {"integrate_sponsorblock": "yes"}},
        {"channel_overwrites": {"download_format": "worst", "autodelete_days": -1}},
        {"channel_overwrites": []},
        {"something": {}},
    ],
)
def test_bad_overwrites_are_400_and_change_nothing(client, admin, channel, body):
    send(client, "POST", PATH, admin, {"channel_overwrites": {"autodelete_days": 3}})
    response = send(client, "POST", PATH, admin, body)
    assert response.status_code == 400 and "error" in response.json_body
    assert stored() == {"autodelete_days": 3}


def test_unknown_channel_is_404_and_users_are_403(client, admin, other, channel):
    body = {"channel_overwrites": {"autodelete_days": 3}}
    assert send(client, "POST", f"/api/channel/{channel_id(2)}/", admin, body).status_code == 404
    assert send(client, "POST", PATH, other, body).status_code == 403
    assert stored() == {}


def test_the_download_job_uses_the_channels_format(client, admin, channel):
    app_settings.update({"downloads": {"format": "best", "integrate_sponsorblock": False}})
    body = {"channel_overwrites": {"download_format": "worst", "integrate_sponsorblock": True}}
    send(client, "POST", PATH, admin, body)
    effective = channel_overwrites.for_channel(app_settings.current(), channel_id(1))["downloads"]
    assert effective["format"] == "worst" and effective["integrate_sponsorblock"] is True
    others = channel_overwrites.for_channel(app_settings.current(), channel_id(2))["downloads"]
    assert others["format"] == "best" and others["integrate_sponsorblock"] is False
