"""TubeArchivist v0.5's bulk subscribe (`POST /api/playlist/`): YouTube playlists by id or URL, all checked before
any changes; those not archived yet are archived and subscribed by a task (through the local YouTube)."""

import pytest

from functions.core.dialects import V05
from functions.services import task_runs
from functions.services.auth import users
from functions.storage import s3
from functions.storage.models import Playlist, PlaylistEntry, QueueItem, TaskRun
from tests.api.calls import send
from tests.api.test_task5 import drain
from tests.factories import make_channel, make_playlist, make_video, playlist_id, video_id
from tests.jobs.test_download import objects


@pytest.fixture
def archive(aws):
    make_channel(1)
    for n in (1, 2, 3):
        make_video(n)
    make_playlist(1, [1, 2, 3])
    make_playlist(2, [2])


def post(client, user, path, body):
    return send(client, "POST", path, user, body)


def test_bulk_subscribe(client, v05, archive):
    rows = [
        {"playlist_id": playlist_id(1), "playlist_subscribed": True},
        {"playlist_id": f"https://www.youtube.com/playlist?list={playlist_id(2)}", "playlist_subscribed": True},
    ]
    answer = post(client, v05, "/api/playlist/", {"data": rows})
    assert answer.status_code == 200, answer.json_body
    assert [row["playlist_id"] for row in answer.json_body["data"]] == [playlist_id(1), playlist_id(2)]
    assert all(Playlist.get(playlist_id(n)).playlist_subscribed for n in (1, 2))
    listed = send(client, "GET", "/api/playlist/?subscribed=true", v05).json_body["data"]
    assert {row["playlist_id"] for row in listed} == {playlist_id(1), playlist_id(2)}


@pytest.mark.parametrize(
    ("rows", "status"),
    [
        ([], 400),  # nothing to subscribe
        ([{"playlist_id": video_id(1), "playlist_subscribed": True}], 400),  # a video
        ([{"playlist_id": playlist_id(1), "playlist_subscribed": False}], 400),  # v0.5 only subscribes here
        (
            [
                {"playlist_id": playlist_id(1), "playlist_subscribed": True},
                {"playlist_id": "TA_playlist_nope", "playlist_subscribed": True},  # a custom one: not YouTube's
            ],
            400,
        ),
    ],
)
def test_bulk_subscribe_refuses_before_any_change(client, v05, archive, rows, status):
    assert post(client, v05, "/api/playlist/", {"data": rows}).status_code == status
    assert not Playlist.get(playlist_id(1)).playlist_subscribed


def test_bulk_subscribe_is_for_admins(client, aws, archive):
    reader = users.create_user("reader", "reader-password", dialect=V05)
    rows = [{"playlist_id": playlist_id(1), "playlist_subscribed": True}]
    assert post(client, reader, "/api/playlist/", {"data": rows}).status_code == 403


def test_playlists_not_archived_yet_are_archived_and_subscribed_by_a_task(client, v05, archive, fake_youtube):
    fresh = next(iter(fake_youtube.catalog.playlists.values()))
    rows = [
        {"playlist_id": playlist_id(1), "playlist_subscribed": True},
        {"playlist_id": f"https://www.youtube.com/playlist?list={fresh.playlist_id}", "playlist_subscribed": True},
        {"playlist_id": "PL" + "z" * 16, "playlist_subscribed": True},  # YouTube has no such playlist
    ]
    answer = post(client, v05, "/api/playlist/", {"data": rows})
    assert answer.status_code == 200, answer.json_body
    body = answer.json_body
    assert [row["playlist_id"] for row in body["data"]] == [playlist_id(1)]  # archived: subscribed at once
    assert Playlist.get(playlist_id(1)).playlist_subscribed and Playlist.count(fresh.playlist_id) == 0
    run = send(client, "GET", f"/api/task/by-id/{body['task_id']}/", v05).json_body
    assert run["name"] == "subscribe_to" and run["status"] == "PENDING"
    assert drain("refresh", "refresh") == 1
    stored = Playlist.get(fresh.playlist_id)
    assert stored.playlist_subscribed and stored.playlist_name == fresh.title and stored.playlist_thumb
    assert [e.youtube_id for e in PlaylistEntry.by_position.query(fresh.playlist_id)] == fresh.video_ids
    assert s3.playlist_thumb_key(fresh.playlist_id) in objects()
    assert QueueItem.count() == 0  # its videos are the rescan's to queue, as v0.5 leaves them
    done = TaskRun.get(body["task_id"])
    assert done.status == task_runs.SUCCESS and done.result.startswith("subscribed to 1 playlists; not read: PLzzz")
    listed = send(client, "GET", "/api/playlist/?subscribed=true", v05).json_body["data"]
    assert {row["playlist_id"] for row in listed} == {playlist_id(1), fresh.playlist_id}
    shown = send(client, "GET", f"/api/playlist/{fresh.playlist_id}/", v05).json_body
    assert shown["playlist_thumbnail"] == f"/cache/playlists/{fresh.playlist_id}.jpg"
    # its channel, not archived before, is archived with it (not subscribed), as v0.5 indexes it
    owner = fake_youtube.catalog.channels[fresh.channel_id]
    assert shown["playlist_channel_id"] == owner.channel_id
    channel = send(client, "GET", f"/api/channel/{owner.channel_id}/", v05)
    assert channel.status_code == 200, channel.json_body
    assert channel.json_body["channel_name"] == owner.name and channel.json_body["channel_subscribed"] is False
    assert s3.channel_art_key(owner.channel_id, "thumb") in objects()


def test_a_bulk_subscribe_of_archived_playlists_starts_no_task(client, v05, archive):
    rows = [{"playlist_id": playlist_id(2), "playlist_subscribed": True}]
    assert post(client, v05, "/api/playlist/", {"data": rows}).json_body["task_id"] is None
    assert TaskRun.count() == 0
