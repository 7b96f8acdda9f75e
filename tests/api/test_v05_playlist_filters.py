"""TubeArchivist v0.5's filters of `/api/playlist/`: `channel`, `subscribed`, `type`, alone or together, each a
Query on an index partition with its total from a counter; without them the list is v0.4's."""

import pytest

from functions.services.archive import custom_playlists, playlist_subscriptions, playlists
from functions.storage.models import Playlist
from tests.api.calls import send, spy_on_storage
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id


@pytest.fixture
def archive(aws):
    make_channel(1)
    make_channel(2)
    make_video(1)
    make_playlist(1, [1], "Alpha")  # channel 1
    make_playlist(2, [1], "Bravo")  # channel 1, subscribed below
    other = Playlist(playlist_id(3), playlist_name="Charlie", playlist_channel_id=channel_id(2))
    playlists.save(other, [])
    playlist_subscriptions.set_subscribed(playlist_id(2), True)
    return custom_playlists.create("Delta").playlist_id


def names(client, user, query=""):
    response = send(client, "GET", f"/api/playlist/{query}", user)
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["paginate"]["total_hits"] == len(body["data"])
    return [playlist["playlist_name"] for playlist in body["data"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("?subscribed=true", ["Bravo"]),
        ("?subscribed=false", ["Alpha", "Charlie", "Delta"]),
        ("?type=custom", ["Delta"]),
        ("?type=regular", ["Alpha", "Bravo", "Charlie"]),
        ("?type=regular&subscribed=false", ["Alpha", "Charlie"]),
        (f"?channel={channel_id(1)}", ["Alpha", "Bravo"]),
        (f"?channel={channel_id(1)}&subscribed=true", ["Bravo"]),
        (f"?channel={channel_id(1)}&subscribed=false", ["Alpha"]),
        (f"?channel={channel_id(2)}&type=regular", ["Charlie"]),
        (f"?channel={channel_id(1)}&type=custom", []),
        (f"?channel={channel_id(3)}", []),
    ],
)
def test_filters(client, v05, archive, query, expected):
    assert names(client, v05, query) == expected


def test_filters_follow_subscription_changes(client, v05, archive):
    playlist_subscriptions.set_subscribed(playlist_id(1), True)
    assert names(client, v05, f"?channel={channel_id(1)}&subscribed=true") == ["Alpha", "Bravo"]
    assert names(client, v05, "?type=regular&subscribed=false") == ["Charlie"]
    custom_playlists.delete(archive, False)
    assert names(client, v05, "?type=custom") == []


def test_v04_list_is_unchanged(client, admin, archive):
    body = send(client, "GET", "/api/playlist/", admin).json_body
    assert set(body) == {"data", "config", "paginate"}
    assert [playlist["playlist_name"] for playlist in body["data"]] == ["Alpha", "Bravo", "Charlie", "Delta"]


@pytest.mark.parametrize("query", ["?type=smart", "?channel=nope", "?subscribed=maybe"])
def test_bad_filters_are_400(client, v05, archive, query):
    assert send(client, "GET", f"/api/playlist/{query}", v05).status_code == 400


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("?subscribed=true", 1),
        ("?type=custom", 2),
        (f"?channel={channel_id(1)}", 2),
        ("?type=custom&subscribed=false", 1),
    ],
)
def test_each_filter_costs_one_batch_and_a_query_a_partition(client, v05, archive, monkeypatch, query, queries):
    send(client, "GET", "/api/ping/", v05)  # the token records its day of use once a day, not in this count
    spy = spy_on_storage(monkeypatch)
    assert send(client, "GET", f"/api/playlist/{query}", v05).status_code == 200
    operations = [call.split()[0] for call in spy.calls if not call.startswith("GetItem")]  # the token's key
    assert operations.count("Query") == queries and "Scan" not in operations
    assert operations.count("BatchGetItem") == 2  # the counters (with the user), the playlists with theirs
