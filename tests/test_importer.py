import json

import pytest

from functions.core.errors import BadRequest
from functions.services import importer
from functions.services.archive import playlists
from functions.storage import counters, db
from functions.storage.models import ALL_PLAYLISTS, Channel, Counter, Playlist, PlaylistEntry, Video
from tests.factories import channel_id, make_channel, make_video, playlist_id, video_id

PL1, PL2 = playlist_id(1), playlist_id(2)
NOT_ARCHIVED = "notArchived"


def channel_row(n: int, **extra) -> dict:
    return {"channel_id": channel_id(n), "channel_name": f"Channel {n}", "channel_subscribed": n == 1, **extra}


def video_row(n: int, channel: int = 1, **extra) -> dict:
    row = {
        "youtube_id": video_id(n),
        "title": f"Video {n}",
        "description": f"About video {n}",
        "published": f"2024-02-{n % 28 + 1:02d}",
        "date_downloaded": 1_700_000_000 + n,
        "vid_type": "videos",
        "channel_id": channel_id(channel),
        "player": {"duration": 300 + n},
        "stats": {"view_count": n, "like_count": 1, "dislike_count": 0, "average_rating": 4.5},
        "tags": ["test", f"tag{n}"],
        "category": ["Education"],
        "media_size": 1000 + n,
        "subtitles": [{"ext": "vtt", "lang": "en", "name": "English", "source": "auto"}],
    }
    row.update(extra)
    return row


def document(n_videos: int = 30) -> dict:
    """3 channels (1 subscribed), PL1 listing videos 0-9 and one not archived, PL2 named only by videos 0-4."""
    return {
        "channels": [channel_row(c) for c in (1, 2, 3)],
        "playlists": [
            {
                "playlist_id": PL1,
                "playlist_name": "First",
                "playlist_channel_id": channel_id(1),
                "playlist_entries": [
                    {"youtube_id": video_id(n), "title": f"Video {n}", "uploader": "Channel"} for n in range(10)
                ]
                + [{"youtube_id": NOT_ARCHIVED, "title": "Missing", "uploader": "Someone"}],
            },
            {"playlist_id": PL2, "playlist_name": "Second", "playlist_subscribed": True},
        ],
        "videos": [video_row(n, channel=n % 3 + 1, **({"playlist": [PL2]} if n < 5 else {})) for n in range(n_videos)],
    }


def stored_counts() -> dict[str, int]:
    names = counters.all_counter_names()
    return db.counts(sorted(names))


def assert_counters_exact():
    """Every count as its index says; a playlist's counter also keeps the ids of its archived entries."""
    for name, value in stored_counts().items():
        assert value == counters.count(name), name
    for key in Playlist.by_name.query(ALL_PLAYLISTS):
        archived = {e.youtube_id for e in PlaylistEntry.by_position.query(key.playlist_id) if e.downloaded}
        assert (Counter.get(counters.playlist_videos(key.playlist_id)).members or set()) == archived


def test_import_counts_and_api(client, headers):
    summary = importer.import_document(document())
    assert summary["channels"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert summary["playlists"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert summary["videos"] == {"created": 30, "updated": 0, "unchanged": 0}
    assert summary["entries"] == {"written": 16, "removed": 0}
    assert summary["totals"] == {"videos": 30, "channels": 3, "playlists": 2}
    expected = {
        counters.VIDEOS: 30,
        counters.CHANNELS: 3,
        counters.PLAYLISTS: 2,
        counters.channels_by("subscribed"): 1,
        counters.channels_by("unsubscribed"): 2,
        counters.playlists_by("subscribed"): 1,
        counters.playlists_by("unsubscribed"): 1,
        counters.channel_videos(channel_id(1)): 10,
        counters.channel_videos(channel_id(2)): 10,
        counters.channel_videos(channel_id(3)): 10,
        counters.playlist_videos(PL1): 10,
        counters.playlist_videos(PL2): 5,
        counters.videos_of_type("videos"): 30,  # the stats' counters: by type, by day of download
        counters.downloads_on("2023-11-14"): 30,
        # v0.5's channel navigation and playlist filters
        **{counters.channel_videos_of_type(channel_id(n), "videos"): 10 for n in (1, 2, 3)},
        counters.playlists_of_type("regular", "subscribed"): 1,
        counters.playlists_of_type("regular", "unsubscribed"): 1,
        counters.channel_playlists(channel_id(1), "unsubscribed"): 1,
        counters.USERS: 1,  # the admin who imports
    }
    assert {name: value for name, value in stored_counts().items() if value} == expected
    assert_counters_exact()

    def get(path):
        response = client.http.get(path, headers=headers)
        assert response.status_code == 200, response.body
        return response.json_body

    listing = get("/api/video/")
    assert listing["paginate"]["total_hits"] == 30
    assert len(listing["data"]) == 12
    published = [video["published"] for video in listing["data"]]
    assert published == sorted(published, reverse=True)
    assert get("/api/video/?page=3")["data"][-1]["youtube_id"] in {video_id(n) for n in range(30)}
    assert get("/api/channel/")["paginate"]["total_hits"] == 3
    assert [c["channel_id"] for c in get("/api/channel/?filter=subscribed")["data"]] == [channel_id(1)]
    assert get(f"/api/channel/{channel_id(2)}/video/")["paginate"]["total_hits"] == 10
    assert get(f"/api/playlist/{PL1}/video/")["paginate"]["total_hits"] == 10
    assert get(f"/api/playlist/{PL2}/video/")["paginate"]["total_hits"] == 5
    entries = get(f"/api/playlist/{PL1}/")["data"]["playlist_entries"]
    assert [e["youtube_id"] for e in entries] == [video_id(n) for n in range(10)] + [NOT_ARCHIVED]
    assert [e["downloaded"] for e in entries] == [True] * 10 + [False]
    second = get(f"/api/playlist/{PL2}/")["data"]
    assert second["playlist_subscribed"] is True
    assert [e["youtube_id"] for e in second["playlist_entries"]] == [video_id(n) for n in range(5)]
    assert second["playlist_entries"][0]["uploader"] == "Channel 1"

    video = get(f"/api/video/{video_id(3)}/")["data"]
    assert video["playlist"] == [PL2, PL1]
    assert video["channel"]["channel_name"] == "Channel 1"
    assert video["player"]["duration"] == 303
    assert video["stats"] == {"view_count": 3, "like_count": 1, "dislike_count": 0, "average_rating": 4.5}
    assert video["subtitles"][0]["lang"] == "en"
    assert video["media_size"] == 1003
    assert get(f"/api/video/{video_id(20)}/")["data"]["playlist"] == []


def test_reimport_is_idempotent(aws):
    importer.import_document(document())
    before = stored_counts()
    stored = {v.youtube_id: v.serialize() for v in Video.scan()}
    playlists_before = {p.playlist_id: p.serialize() for p in Playlist.scan()}
    summary = importer.import_document(document())
    assert summary["videos"] == {"created": 0, "updated": 0, "unchanged": 30}
    assert summary["channels"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert summary["playlists"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert summary["entries"] == {"written": 0, "removed": 0}
    assert stored_counts() == before
    assert {v.youtube_id: v.serialize() for v in Video.scan()} == stored
    assert {p.playlist_id: p.serialize() for p in Playlist.scan()} == playlists_before  # listings too


def test_reimport_of_a_json_file(aws, tmp_path):
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(document(5)))
    assert importer.import_file(path)["totals"]["videos"] == 5
    assert importer.import_file(str(path))["videos"]["unchanged"] == 5


def test_changes_move_counts(aws):
    make_channel(9)
    outside = make_video(100, channel=9)  # archived before, not in the file
    first = document()
    first["playlists"][0]["playlist_entries"].append({"youtube_id": outside.youtube_id, "title": "Old", "uploader": ""})
    importer.import_document(first)
    assert db.counts([counters.playlist_videos(PL1)]) == {counters.playlist_videos(PL1): 11}
    assert Video.get(outside.youtube_id).playlist == [PL1]

    second = document()
    second["videos"][0]["channel_id"] = channel_id(2)  # moves from channel 1
    second["videos"][1]["title"] = "Renamed"
    second["channels"][1]["channel_subscribed"] = True
    entries = second["playlists"][0]["playlist_entries"]
    second["playlists"][0]["playlist_entries"] = [e for e in entries if e["youtube_id"] != video_id(2)]
    summary = importer.import_document(second)
    assert summary["videos"] == {"created": 0, "updated": 3, "unchanged": 27}  # 0 moved, 1 renamed, 2 left PL1
    assert summary["channels"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert summary["entries"]["removed"] == 2  # video 2, and the outside video no longer listed
    counts = db.counts(
        [
            counters.channel_videos(channel_id(1)),
            counters.channel_videos(channel_id(2)),
            counters.playlist_videos(PL1),
            counters.channels_by("subscribed"),
            counters.VIDEOS,
        ]
    )
    assert counts == {
        counters.channel_videos(channel_id(1)): 9,
        counters.channel_videos(channel_id(2)): 11,
        counters.playlist_videos(PL1): 9,
        counters.channels_by("subscribed"): 2,
        counters.VIDEOS: 31,
    }
    assert_counters_exact()
    assert Video.get(video_id(2)).playlist == [PL2]
    assert Video.get(outside.youtube_id).playlist == []
    assert Video.get(video_id(1)).title == "Renamed"


def test_video_naming_an_archived_playlist_joins_it(aws):
    importer.import_document(document())
    later = {"videos": [video_row(50, channel=2, playlist=[PL1])]}
    summary = importer.import_document(later)
    assert summary["entries"]["written"] == 1
    entries = list(PlaylistEntry.by_position.query(PL1))
    assert entries[-1].youtube_id == video_id(50)
    assert entries[-1].idx == 11 and entries[-1].downloaded
    assert entries[-1].uploader == "Channel 2"
    assert db.counts([counters.playlist_videos(PL1)])[counters.playlist_videos(PL1)] == 11
    assert Video.get(video_id(50)).playlist == [PL1]
    assert playlists.unpack(Playlist.get(PL1).entries_packed, set())[-1]["youtube_id"] == video_id(
        50
    )  # the listing too
    assert_counters_exact()


def test_import_on_top_of_archived_videos(aws):
    make_channel(1)
    for n in range(200, 205):
        make_video(n)
    importer.import_document(document())
    assert db.counts([counters.VIDEOS, counters.channel_videos(channel_id(1))]) == {
        counters.VIDEOS: 35,
        counters.channel_videos(channel_id(1)): 15,
    }
    assert_counters_exact()


def test_nested_channel_and_alternative_fields(client, headers):
    row = {
        "youtube_id": video_id(1),
        "title": "Nested",
        "published": "2023-05-06",
        "date_downloaded": 1_690_000_000,
        "channel": {"channel_id": channel_id(7), "channel_name": "Seven", "channel_subs": 12},
        "duration": 42.0,
        "view_count": 9,
        "stats": {"view_count": 1},
        "media_url": f"/media/{channel_id(7)}/{video_id(1)}.webm",
        "comment_count": 3,
        "sponsorblock": {"is_enabled": True, "segments": []},
    }
    summary = importer.import_document({"videos": [row]})
    assert summary["channels"]["created"] == 1
    video = client.http.get(f"/api/video/{video_id(1)}/", headers=headers).json_body["data"]
    assert video["channel"]["channel_name"] == "Seven"
    assert video["channel"]["channel_subs"] == 12
    assert video["player"]["duration"] == 42
    assert video["stats"]["view_count"] == 9
    assert video["media_url"].endswith(".webm")
    assert video["comment_count"] == 3
    assert video["sponsorblock"] == {"is_enabled": True, "segments": []}


def nothing_written():
    assert list(Video.scan()) == []
    assert list(Channel.scan()) == []
    assert list(Playlist.scan()) == []
    assert list(PlaylistEntry.scan()) == []
    assert list(Counter.scan()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["videos"][2].update(published="2024-13-01"),
            f"videos[2] ({video_id(2)}): published: invalid RFC3339 encoded date",
        ),
        (
            lambda d: d["videos"][4].update(youtube_id="short"),
            "videos[4] (short): youtube_id: expected str matching regex",
        ),
        (lambda d: d["videos"][5].pop("title"), f"videos[5] ({video_id(5)}): object missing required field title"),
        (lambda d: d["videos"][6].update(date_downloaded="yesterday"), "date_downloaded: expected int, got str"),
        (lambda d: d["videos"][7].update(vid_type="movies"), "vid_type: invalid enum value 'movies'"),
        (lambda d: d["videos"][8].update(tags="x"), "tags: expected array | null, got str"),
        (lambda d: d["videos"][9].update(playlist=["nope"]), "playlist[0]: expected str matching regex"),
        (
            lambda d: d["videos"][1].update(subtitles=[{"lang": "../x"}]),
            "subtitles[0].lang: expected str matching regex",
        ),
        (lambda d: d["videos"][1].update(channel_id="UCbad"), "channel_id: expected str matching regex"),
        (lambda d: d["videos"].append(d["videos"][0]), f"videos[30] ({video_id(0)}): duplicate of videos[0]"),
        (
            lambda d: d["channels"][0].pop("channel_name"),
            f"channels[0] ({channel_id(1)}): object missing required field channel_name",
        ),
        (
            lambda d: d["channels"][1].update(channel_subscribed="yes"),
            "channel_subscribed: expected bool | null, got str",
        ),
        (
            lambda d: d["playlists"][0]["playlist_entries"].append({"youtube_id": 5}),
            "playlist_entries[11].youtube_id: expected str, got int",
        ),
        (
            lambda d: d["playlists"][1].update(playlist_id="XX123"),
            "playlists[1] (XX123): playlist_id: expected str matching regex",
        ),
        (lambda d: d.update(videos={}), "videos: must be a list"),
        (lambda d: d["videos"].append(video_row(77, channel=8)), f"channel {channel_id(8)} is neither in the file"),
        (lambda d: d["videos"].append(video_row(78, playlist=[playlist_id(9)])), "is neither in the file"),
    ],
)
def test_invalid_record_writes_nothing(aws, change, message):
    bad = document()
    change(bad)
    with pytest.raises(BadRequest) as raised:
        importer.import_document(bad)
    assert "nothing written" in raised.value.message
    assert message in raised.value.message
    nothing_written()


def test_errors_are_listed_up_to_a_limit(aws):
    bad = document()
    for row in bad["videos"]:
        row["published"] = "never"
    with pytest.raises(BadRequest) as raised:
        importer.import_document(bad)
    assert raised.value.message.count("published: invalid RFC3339 encoded date") == importer.MAX_ERRORS
    assert raised.value.message.endswith("and 20 more")
    nothing_written()


def test_document_must_be_an_object(aws):
    with pytest.raises(BadRequest):
        importer.import_document([])


def test_unreadable_files(aws, tmp_path):
    with pytest.raises(BadRequest, match="cannot read"):
        importer.import_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(BadRequest, match="not valid JSON"):
        importer.import_file(broken)


def test_recount_repairs_counters(admin):
    importer.import_document(document())
    exact = stored_counts()
    Counter(counters.VIDEOS, count=999).save()
    Counter(counters.channel_videos(channel_id(2)), count=-4).save()
    Counter(counters.playlist_videos(PL1), count=0).save()
    Counter(counters.channel_videos(channel_id(42)), count=3).save()  # a channel since removed
    values = counters.recount_all()
    assert values[counters.channel_videos(channel_id(42))] == 0
    assert stored_counts() == {**exact, counters.channel_videos(channel_id(42)): 0}
    assert "user_id" not in values
    assert Counter.get("user_id").count == admin.user_id  # the id allocator is not a total: left alone
    assert_counters_exact()  # the playlist's archived ids are back with its count


def test_count_rejects_unknown_counters(aws):
    with pytest.raises(ValueError):
        counters.count("user_id")
    with pytest.raises(ValueError):
        counters.count("videos#shelf#x")
