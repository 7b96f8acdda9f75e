"""The `index_playlists` channel overwrite: the rescan archives the playlists of the channel's playlists tab (real
yt-dlp over the local media server) and refreshes those it has; channels without it are left alone; a second
rescan adds nothing; the TubeArchivist and Invidious playlist listings of the channel then show them."""

import json

import pytest

from functions.jobs import refresh as refresh_job
from functions.services import rescan, task_runs
from functions.services.archive import channels
from functions.storage import counters, index_keys
from functions.storage.models import UNSUBSCRIBED, Counter, Playlist, PlaylistEntry, QueueItem, TaskRun
from tests.api.calls import record_dynamodb, send
from tests.api.test_refresh import refresh_messages


@pytest.fixture
def catalog(fake_youtube):
    """Two channels of the fake YouTube: the first with two playlists (one holding a video of the other channel),
    the second with one."""
    catalog = fake_youtube.catalog
    first, second = list(catalog.channels.values())[:2]
    mixed = [*catalog.videos_of(first.channel_id)[:2], catalog.videos_of(second.channel_id)[0]]
    catalog.add_playlist("mixed", "Mixed bag", first, mixed)
    return catalog


def channel_of(catalog, n: int):
    return list(catalog.channels.values())[n]


def overwrite(client, admin, channel_id: str, value) -> None:
    body = {"channel_overwrites": {"index_playlists": value}}
    assert send(client, "POST", f"/api/channel/{channel_id}/", admin, body).status_code == 200


def subscribed_with_overwrite(client, admin, catalog) -> tuple:
    first, second = channel_of(catalog, 0), channel_of(catalog, 1)
    for channel in (first, second):
        channels.set_subscribed(channel.channel_id, True)
    overwrite(client, admin, first.channel_id, True)
    return first, second


def playlist_total() -> int:
    try:
        return int(Counter.get(counters.PLAYLISTS).count)
    except Counter.DoesNotExist:
        return 0


def test_the_rescan_archives_the_playlists_of_channels_with_the_overwrite_only(client, admin, catalog):
    first, second = subscribed_with_overwrite(client, admin, catalog)
    made = catalog.playlists_of(first.channel_id)
    summary = rescan.run()
    assert summary["errors"] == []
    assert sorted(summary["playlists_indexed"]) == sorted(p.playlist_id for p in made) and len(made) == 2
    stored = {p.playlist_id: p for p in Playlist.scan()}
    assert set(stored) == {p.playlist_id for p in made}
    unsubscribed = index_keys.playlist_channel_key(second.channel_id, UNSUBSCRIBED)
    assert catalog.playlists_of(second.channel_id) and Playlist.by_channel.count(unsubscribed) == 0
    assert playlist_total() == 2
    for fake in made:
        playlist = stored[fake.playlist_id]
        assert (playlist.playlist_name, playlist.playlist_channel_id) == (fake.title, first.channel_id)
        assert not playlist.playlist_subscribed and playlist.playlist_last_refresh
        entries = sorted(PlaylistEntry.by_position.query(fake.playlist_id), key=lambda e: e.idx)
        assert [e.youtube_id for e in entries] == fake.video_ids
    # the channel's new videos are queued remembering their playlists, so their downloads mark the entries
    mixed = next(p for p in made if p.title == "Mixed bag")
    queued = QueueItem.get(mixed.video_ids[0])
    assert set(queued.playlists) == {p.playlist_id for p in made if mixed.video_ids[0] in p.video_ids}
    # the playlist's video of the other channel is not queued: only the channels' rescans queue videos
    assert QueueItem.get(mixed.video_ids[2]).playlists is None


def test_the_listings_of_the_channel_show_its_playlists(client, admin, catalog):
    first, _ = subscribed_with_overwrite(client, admin, catalog)
    rescan.run()
    expected = sorted(p.title for p in catalog.playlists_of(first.channel_id))
    listed = send(client, "GET", f"/api/playlist/?channel={first.channel_id}", admin).json_body["data"]
    assert sorted(p["playlist_name"] for p in listed) == expected
    assert all(p["playlist_channel_id"] == first.channel_id for p in listed)
    invidious = client.http.get(f"/api/v1/channels/{first.channel_id}/playlists").json_body["playlists"]
    assert sorted(p["title"] for p in invidious) == expected
    counts = {p["title"]: p["videoCount"] for p in invidious}
    assert counts == {p.title: len(p.video_ids) for p in catalog.playlists_of(first.channel_id)}


def test_a_second_rescan_refreshes_and_adds_nothing(client, admin, catalog, fake_youtube, monkeypatch):
    first, _ = subscribed_with_overwrite(client, admin, catalog)
    rescan.run()
    entries_before = {p.playlist_id: list(PlaylistEntry.query(p.playlist_id)) for p in Playlist.scan()}
    mixed = next(p for p in catalog.playlists_of(first.channel_id) if p.title == "Mixed bag")
    mixed.title = "Mixed bag, renamed"
    mixed.video_ids = mixed.video_ids[:2]
    calls = record_dynamodb(monkeypatch)
    again = rescan.run()
    # the queued videos already remember their playlists: nothing is written to the queue again
    assert not [kwargs for op, kwargs in calls if op == "UpdateItem" and kwargs["TableName"].endswith("queue")]
    assert again["playlists_indexed"] == [] and again["added"] == [] and again["errors"] == []
    assert playlist_total() == 2 and len(list(Playlist.scan())) == 2
    assert Playlist.get(mixed.playlist_id).playlist_name == "Mixed bag, renamed"  # refreshed from its page
    assert [e.youtube_id for e in PlaylistEntry.query(mixed.playlist_id)] == sorted(mixed.video_ids)
    assert len(entries_before[mixed.playlist_id]) == 3
    others = [i for i in entries_before if i != mixed.playlist_id]
    assert all(len(list(PlaylistEntry.query(i))) == len(entries_before[i]) for i in others)
    # each playlist page read once a rescan: the tab once, no second read of an archived one
    assert fake_youtube.hits[f"/api/playlist/{mixed.playlist_id}"] == 2


def test_removing_the_overwrite_stops_the_indexing(client, admin, catalog):
    first, _ = subscribed_with_overwrite(client, admin, catalog)
    overwrite(client, admin, first.channel_id, False)
    summary = rescan.run()
    assert summary["playlists_indexed"] == [] and list(Playlist.scan()) == []


def test_a_subscribed_playlist_of_the_channel_is_read_once(client, admin, catalog, fake_youtube):
    first, _ = subscribed_with_overwrite(client, admin, catalog)
    rescan.run()
    playlist = catalog.playlists_of(first.channel_id)[0]
    send(client, "POST", f"/api/playlist/{playlist.playlist_id}/", admin, {"playlist_subscribed": True})
    before = fake_youtube.hits[f"/api/playlist/{playlist.playlist_id}"]
    rescan.run()
    assert fake_youtube.hits[f"/api/playlist/{playlist.playlist_id}"] == before + 1
    assert Playlist.get(playlist.playlist_id).playlist_subscribed


def test_a_playlist_that_is_gone_is_reported_and_the_others_archived(client, admin, catalog):
    first, _ = subscribed_with_overwrite(client, admin, catalog)
    gone, kept = catalog.playlists_of(first.channel_id)
    gone.fault = "unavailable"
    summary = rescan.run()
    assert summary["playlists_indexed"] == [kept.playlist_id]
    assert len(summary["errors"]) == 1 and summary["errors"][0].startswith(f"playlist {gone.playlist_id}: ")


def test_a_channel_without_a_playlists_tab_archives_none(client, admin, catalog):
    first, _ = subscribed_with_overwrite(client, admin, catalog)
    for playlist in catalog.playlists_of(first.channel_id):
        del catalog.playlists[playlist.playlist_id]
    summary = rescan.run()
    assert summary["playlists_indexed"] == [] and summary["errors"] == [] and list(Playlist.scan()) == []
    assert summary["added"]  # the channel's videos are still queued


def test_the_task_run_shows_the_playlists(client, admin, catalog, monkeypatch):
    first, _ = subscribed_with_overwrite(client, admin, catalog)
    shown: list[list[str]] = []
    real = task_runs.Run.progress

    def progress(self, lines, fraction=None):
        shown.append(lines)
        real(self, lines, fraction)

    monkeypatch.setattr(task_runs.Run, "progress", progress)
    (task_id,) = task_runs.queue(task_runs.UPDATE_SUBSCRIBED)
    task_runs.record(task_runs.UPDATE_SUBSCRIBED, rescan.run, task_id)
    names = [p.title for p in catalog.playlists_of(first.channel_id)]
    playlist_lines = [lines[1] for lines in shown if len(lines) == 2]
    assert playlist_lines == [f"Playlist {name} ({n + 1}/2)" for n, name in enumerate(names)]
    assert all(lines[0].startswith(f"Scanning channel {first.channel_id} ") for lines in shown if len(lines) == 2)
    run = TaskRun.get(task_id)
    assert run.status == task_runs.SUCCESS and "Indexed 2 new playlists." in run.result


def test_turning_the_overwrite_on_looks_for_the_playlists_at_once(client, admin, v05, catalog, aws):
    first = channel_of(catalog, 0)
    channels.set_subscribed(first.channel_id, True)
    overwrite(client, admin, first.channel_id, False)
    assert refresh_messages(aws) == []  # turning it off asks for nothing
    overwrite(client, admin, first.channel_id, True)
    (message,) = refresh_messages(aws)
    assert (message["action"], message["id"]) == ("index_playlists", first.channel_id)
    pending = TaskRun.get(message["task_id"])
    assert (pending.name, pending.status) == (task_runs.INDEX_PLAYLISTS, task_runs.PENDING)
    assert refresh_job.handle(json.dumps(message)) == "indexed"
    made = catalog.playlists_of(first.channel_id)
    assert {p.playlist_id for p in Playlist.scan()} == {p.playlist_id for p in made}
    assert list(QueueItem.scan()) == []  # only the playlists: the rescan queues videos
    run = TaskRun.get(message["task_id"])
    assert run.status == task_runs.SUCCESS and run.result == "Indexed 2 new playlists, refreshed 0."
    assert send(client, "GET", f"/api/task/by-id/{message['task_id']}/", admin).json_body["name"] == "index_playlists"
    (board,) = send(client, "GET", "/api/notification/?filter=channel", v05).json_body  # v0.5's channel page polls
    assert (board["title"], board["group"], board["id"]) == (
        "Index Channel Playlist",
        "channel:indexplaylist",
        message["task_id"],
    )
    overwrite(client, admin, first.channel_id, True)  # asked again: the ones archived now are refreshed
    (again,) = [m for m in refresh_messages(aws) if m["task_id"] != message["task_id"]]  # read, not taken
    refresh_job.handle(json.dumps(again))
    assert TaskRun.get(again["task_id"]).result == "Indexed 0 new playlists, refreshed 2."


def test_a_pass_for_a_channel_removed_meanwhile_does_nothing(aws):
    (task_id,) = task_runs.queue(task_runs.INDEX_PLAYLISTS)
    body = {"action": "index_playlists", "id": "UC" + "z" * 22, "task_id": task_id}
    assert refresh_job.handle(json.dumps(body)) == "skipped"
    assert TaskRun.get(task_id).result == f"channel {body['id']} is not archived" and list(Playlist.scan()) == []


def test_a_stop_asked_for_ends_the_channels_playlists_before_the_next(client, admin, catalog, monkeypatch):
    subscribed_with_overwrite(client, admin, catalog)
    real = task_runs.Run.progress

    def progress(self, lines, fraction=None):
        real(self, lines, fraction)
        if lines[-1].startswith("Playlist "):  # the first playlist begins: the user stops the rescan
            task_runs.command(self.task_id, "stop")

    monkeypatch.setattr(task_runs.Run, "progress", progress)
    (task_id,) = task_runs.queue(task_runs.UPDATE_SUBSCRIBED)
    summary = task_runs.record(task_runs.UPDATE_SUBSCRIBED, rescan.run, task_id)
    assert summary["playlists_indexed"] == [] and list(Playlist.scan()) == []
    assert TaskRun.get(task_id).status == task_runs.REVOKED
