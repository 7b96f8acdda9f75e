"""`python -m infra.cli reindex` (functions.services.index_backfill): items an older version wrote, without the
index keys added since (or with a playlist's channel key as it was keyed then), are found by the filters after
it; a second run writes nothing. A snapshot restore sets the keys again too."""

import boto3
import pytest

from functions.services import importer, index_backfill, search
from functions.services.downloads import intake
from functions.services.importer import states
from functions.storage import counters, db
from functions.storage.models import (
    Channel,
    Counter,
    Playlist,
    QueueItem,
    SearchTerm,
    UserVideo,
    Video,
    watch_state_key,
)
from infra import cli
from tests.api.calls import send
from tests.factories import channel_id, playlist_id, video_id

CHANNEL = channel_id(1)
# what each table's items lacked before (a playlist's channel key was the bare channel id)
OLD_ITEMS = {
    Video: ({"channel_type"}, {}),
    Playlist: ({"type_subscription"}, {"channel_key": CHANNEL}),
    QueueItem: ({"type_status"}, {}),
    UserVideo: ({"watch_state", "published_key", "channel_id"}, {}),
}


def as_an_old_version_wrote_them() -> None:
    search.remove_queued(list(QueueItem.scan()))  # the queue was not searched
    dynamodb = boto3.client("dynamodb")
    for model, (missing, old_values) in OLD_ITEMS.items():
        names = [
            attribute.attr_name
            for attribute in (model._hash_key_attribute(), model._range_key_attribute())
            if attribute
        ]
        for item in model.scan():
            raw = item.serialize()
            expression = "REMOVE " + ", ".join(missing)
            values = {}
            if old_values:
                expression += " SET " + ", ".join(f"{name} = :{name}" for name in old_values)
                values = {f":{name}": {"S": value} for name, value in old_values.items()}
            dynamodb.update_item(
                TableName=model.Meta.table_name,
                Key={name: raw[name] for name in names},
                UpdateExpression=expression,
                **({"ExpressionAttributeValues": values} if values else {}),
            )


@pytest.fixture
def old_archive(v05):
    importer.import_document(
        {
            "channels": [{"channel_id": CHANNEL, "channel_name": "One", "channel_subscribed": True}],
            "playlists": [
                {
                    "playlist_id": playlist_id(1),
                    "playlist_name": "Mixed",
                    "playlist_channel_id": CHANNEL,
                    "playlist_entries": [{"youtube_id": video_id(1)}],
                }
            ],
            "videos": [
                {
                    "youtube_id": video_id(n),
                    "title": f"Video {n}",
                    "channel_id": CHANNEL,
                    "published": f"2024-03-0{n}",
                    "date_downloaded": 1_700_000_000 + n,
                    "vid_type": "shorts" if n == 3 else "videos",
                }
                for n in (1, 2, 3)
            ],
        }
    )
    intake.add_entries([{"youtube_id": video_id(20), "title": "Queued", "channel_id": CHANNEL}])
    states.import_states(v05.user_id, [{"youtube_id": video_id(2), "watched": True, "watched_date": 1_700_000_000}])
    as_an_old_version_wrote_them()
    Counter(counters.watched_by(v05.user_id)).update(actions=[Counter.month_count("2024-03").remove()])  # none kept
    return v05


def found(user_id: int) -> dict[str, list[str]]:
    """What each filter's index Query finds."""
    return {
        "channel tab": [key.youtube_id for key in Video.by_channel_type.query(f"{CHANNEL}#videos")],
        "channel playlists": [key.playlist_id for key in Playlist.by_channel.query(f"{CHANNEL}#unsubscribed")],
        "playlist type": [key.playlist_id for key in Playlist.by_type.query("regular#unsubscribed")],
        "queue type": [key.youtube_id for key in QueueItem.by_type_status.query("videos#pending")],
        "watched": [key.youtube_id for key in UserVideo.by_watch_state.query(watch_state_key(user_id, "watched"))],
    }


def stored() -> list[dict]:
    models = (Video, Channel, Playlist, QueueItem, UserVideo, SearchTerm)
    return [item.serialize() for model in models for item in model.scan()]


def test_reindex_finds_what_an_old_version_wrote_and_a_second_run_changes_nothing(client, old_archive, capsys):
    assert all(not ids for ids in found(old_archive.user_id).values())
    tab = send(client, "GET", f"/api/video/?channel={CHANNEL}&type=videos", old_archive).json_body
    assert tab["data"] == []

    assert cli.main(["reindex"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Video: 3 read, 3 rewritten",
        "Channel: 1 read, 0 rewritten",
        "Playlist: 1 read, 1 rewritten",
        "QueueItem: 1 read, 1 rewritten, 1 put into the search index",
        "UserVideo: 1 read, 1 rewritten",
        "rewrote 6 of 7 items",
    ]
    assert found(old_archive.user_id) == {
        "channel tab": [video_id(1), video_id(2)],
        "channel playlists": [playlist_id(1)],
        "playlist type": [playlist_id(1)],
        "queue type": [video_id(20)],
        "watched": [video_id(2)],
    }
    tab = send(client, "GET", f"/api/video/?channel={CHANNEL}&type=videos", old_archive).json_body
    assert sorted(video["youtube_id"] for video in tab["data"]) == [video_id(1), video_id(2)]
    queue = send(client, "GET", "/api/download/?q=queued", old_archive).json_body
    assert [item["youtube_id"] for item in queue["data"]] == [video_id(20)]
    watched = counters.watched_by(old_archive.user_id)
    (kept,) = db.batch_get((Counter, [watched]))
    assert kept[watched].months == {"2024-03": 1}  # its state rekeyed: the user's watched counter recounted
    unwatched = send(client, "GET", "/api/video/?watch=unwatched", old_archive).json_body
    assert [video["youtube_id"] for video in unwatched["data"]] == [video_id(3), video_id(1)]

    before = stored()
    assert cli.main(["reindex"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "rewrote 0 of 7 items"
    assert stored() == before


def test_only_the_derived_attributes_are_written(old_archive):
    """A rekeyed item keeps what was written meanwhile: the update names the keys alone."""
    (video,) = [v for v in Video.scan() if v.youtube_id == video_id(1)]
    boto3.client("dynamodb").update_item(
        TableName=Video.Meta.table_name,
        Key={"youtube_id": {"S": video_id(1)}},
        UpdateExpression="SET title = :t",
        ExpressionAttributeValues={":t": {"S": "Renamed meanwhile"}},
    )
    page = [video]
    before = [item.serialize() for item in page]
    index_backfill.REKEYED[0][1](page)
    assert index_backfill._rewrite(Video, video, before[0])
    assert Video.get(video_id(1)).title == "Renamed meanwhile"
    assert Video.get(video_id(1)).channel_type == f"{CHANNEL}#videos"


def test_a_restored_old_snapshot_gets_its_keys(old_archive):
    from functions.services import app_settings, snapshots
    from tests.test_snapshots import run_snapshot_jobs

    snapshot_id = snapshots.start(app_settings.current())
    assert run_snapshot_jobs() == 1
    index_backfill.run()  # the archive is current again; the snapshot holds the old items
    snapshots.request_restore(snapshot_id)
    assert run_snapshot_jobs() == 1
    assert all(found(old_archive.user_id).values())


def test_a_restored_current_snapshot_is_not_scanned_again(old_archive, monkeypatch):
    """The restored items carry every key already: no run's five Scans after the restore."""
    from functions.services import app_settings, snapshots
    from tests.test_snapshots import run_snapshot_jobs

    index_backfill.run()
    snapshot_id = snapshots.start(app_settings.current())
    assert run_snapshot_jobs() == 1
    as_an_old_version_wrote_them()  # the archive changed since; the snapshot is current
    assert index_backfill.stale_tables(stored_tables()) == ["Video", "Playlist", "QueueItem", "UserVideo"]
    runs = []
    real_run = index_backfill.run
    monkeypatch.setattr(index_backfill, "run", lambda *args: runs.append(args) or real_run(*args))
    snapshots.request_restore(snapshot_id)
    assert run_snapshot_jobs() == 1
    assert runs == []
    assert all(found(old_archive.user_id).values())
    assert index_backfill.stale_tables(stored_tables()) == []
    assert sum(len(items) for items in stored_tables().values()) == 7


def stored_tables() -> dict:
    return {model: [item.serialize() for item in model.scan()] for model, *_ in index_backfill.REKEYED}
