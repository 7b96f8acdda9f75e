"""Move in (infra/move_in/): a folder real yt-dlp filled, a cut-off upload resumed, TubeArchivist v0.5 shapes
with a source that fails for some items, and one running archive of this project moved into another."""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from functions.core.settings import get_settings
from functions.storage import aws, counters, db, s3
from functions.storage.models import Channel, Playlist, PlaylistEntry, QueueItem, SubtitleChunk, UserVideo, Video
from infra.move_in import move_in
from infra.move_in.folder import Folder
from infra.move_in.ta import TubeArchivist
from tests.media_server import media


def objects() -> dict[str, bytes]:
    bucket = get_settings().media_bucket
    client = aws.client("s3")
    keys = [
        o["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in page.get("Contents", [])
    ]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


@pytest.fixture
def admin(aws):
    from functions.services.auth import users

    return users.create_user("admin", "a password of some length", is_admin=True)


# ---------------------------------------------------------------- a folder of yt-dlp downloads


def ytdlp_folder(server, folder: Path) -> None:
    """What `yt-dlp --write-info-json --write-thumbnail --write-subs --write-comments` leaves: one playlist and the
    other videos one by one, from the local media server."""
    from functions.youtube import urls, ytdlp

    options = {
        "paths": {"home": str(folder)},
        "outtmpl": {"default": "%(channel)s/%(title)s [%(id)s].%(ext)s"},
        "format": "18",
        "writeinfojson": True,
        "writethumbnail": True,
        "writesubtitles": True,
        "getcomments": True,
        "noplaylist": False,
    }
    playlist = next(iter(server.catalog.playlists.values()))
    with ytdlp.open_session(options, None) as session:
        session.extract(f"https://www.youtube.com/playlist?list={playlist.playlist_id}")
        for video in server.catalog.videos.values():
            if video.youtube_id not in playlist.video_ids:
                session.extract(urls.watch_url(video.youtube_id))


def test_a_folder_made_by_ytdlp_moves_in_and_a_second_run_skips_it(aws, admin, fake_youtube, tmp_path):
    folder = tmp_path / "downloads"
    ytdlp_folder(fake_youtube, folder)
    (folder / "stray.mp4").write_bytes(b"a file yt-dlp did not describe")
    catalog = fake_youtube.catalog

    report = move_in(Folder(folder))

    assert not report.failures, report.lines()
    assert report.collected.unmatched == [folder / "stray.mp4"]
    videos = {v.youtube_id: v for v in Video.scan()}
    assert set(videos) == set(catalog.videos)
    stored = objects()
    for youtube_id, fake in catalog.videos.items():
        video = videos[youtube_id]
        assert video.channel_id == fake.channel_id and video.title == fake.title and video.published == fake.published
        assert stored[s3.media_key(fake.channel_id, youtube_id)] == media(f"video{fake.variant}.mp4")
        assert s3.video_thumb_key(youtube_id) in stored
        assert stored[s3.subtitle_key(fake.channel_id, youtube_id, "en")].startswith(b"WEBVTT")
        assert video.comment_count == fake.comments
        threads = json.loads(stored[s3.comments_key(youtube_id)])
        assert [c["comment_text"] for c in threads] == [f"comment {n} on {fake.title}" for n in range(fake.comments)]
        assert json.loads(stored[s3.info_json_key(fake.channel_id, youtube_id)])["id"] == youtube_id
    assert {c.channel_id: c.channel_name for c in Channel.scan()} == {i: c.name for i, c in catalog.channels.items()}
    playlist = next(iter(catalog.playlists.values()))
    assert Playlist.get(playlist.playlist_id).playlist_name == playlist.title
    entries = sorted(PlaylistEntry.query(playlist.playlist_id), key=lambda e: int(e.idx))
    assert [e.youtube_id for e in entries] == playlist.video_ids
    assert db.counts([counters.VIDEOS])[counters.VIDEOS] == len(catalog.videos)

    tracks = {chunk.track for chunk in SubtitleChunk.scan()}
    assert tracks == {f"{youtube_id}.en" for youtube_id in catalog.videos}  # indexed for full: searches

    again = move_in(Folder(folder))
    assert not again.failures
    assert again.files["skipped"] == sum(report.files.values()) and again.bytes_sent == 0
    assert again.import_summary["videos"]["unchanged"] == len(catalog.videos)
    assert objects() == stored


def write_video(folder: Path, youtube_id: str, channel_id: str, size: int) -> Path:
    media_path = folder / f"Big one [{youtube_id}].mp4"
    media_path.write_bytes(hashlib.sha256(youtube_id.encode()).digest() * (size // 32))
    info = {"id": youtube_id, "title": "Big one", "channel_id": channel_id, "channel": "Big", "upload_date": "20240102"}
    (folder / f"Big one [{youtube_id}].info.json").write_text(json.dumps(info))
    return media_path


def test_an_upload_cut_off_mid_way_is_finished_by_the_next_run_with_nothing_stored_twice(aws, monkeypatch, tmp_path):
    youtube_id, channel_id = "bigvideo001", "UC" + "b" * 22
    media_path = write_video(tmp_path, youtube_id, channel_id, 12 * 1024 * 1024)  # three parts of 5 MiB
    client = aws_client = aws_s3()
    sent: list[int] = []
    original = aws_client.upload_part

    def cut_after_two(**kwargs):
        if len(sent) == 2:
            raise ConnectionError("the connection was cut")
        sent.append(kwargs["PartNumber"])
        return original(**kwargs)

    monkeypatch.setattr(client, "upload_part", cut_after_two)
    first = move_in(Folder(tmp_path), workers=1, part_size=5 * 1024 * 1024)
    assert [f.why for f in first.failures] == ["the connection was cut"]
    assert list(Video.scan()) == []  # its media is not all there: the video waits
    bucket = get_settings().media_bucket
    (upload,) = client.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert len(client.list_parts(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])["Parts"]) == 2

    sent.clear()
    monkeypatch.setattr(
        client, "upload_part", lambda **kwargs: (sent.append(kwargs["PartNumber"]), original(**kwargs))[1]
    )
    second = move_in(Folder(tmp_path), workers=1, part_size=5 * 1024 * 1024)
    assert not second.failures, second.lines()
    assert sent == [3]  # only the part the first run did not send
    assert second.files["resumed"] == 1
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert objects()[s3.media_key(channel_id, youtube_id)] == media_path.read_bytes()
    assert [v.youtube_id for v in Video.scan()] == [youtube_id]
    assert db.counts([counters.VIDEOS])[counters.VIDEOS] == 1


def aws_s3():
    return aws.client("s3")


def test_a_dry_run_writes_nothing(aws, tmp_path):
    write_video(tmp_path, "smallvideo1", "UC" + "c" * 22, 1024)
    report = move_in(Folder(tmp_path), dry_run=True)
    assert report.files == {"to store": 2}
    assert report.import_summary["videos"]["created"] == 1
    assert list(Video.scan()) == [] and objects() == {}


def test_info_json_that_cannot_move_is_reported(aws, tmp_path):
    write_video(tmp_path, "goodvideo01", "UC" + "d" * 22, 1024)
    (tmp_path / "broken.info.json").write_text("{not json")
    (tmp_path / "broken.mp4").write_bytes(b"x")
    (tmp_path / "nochannel.info.json").write_text(json.dumps({"id": "nochannel01", "upload_date": "20240101"}))
    (tmp_path / "nochannel.mp4").write_bytes(b"x")
    report = move_in(Folder(tmp_path))
    whys = {Path(f.item).name: f.why for f in report.failures}
    assert whys["broken.info.json"].startswith("cannot read it as JSON")
    assert whys["nochannel.info.json"] == "its info JSON names no YouTube channel_id"
    assert [v.youtube_id for v in Video.scan()] == ["goodvideo01"]


# ---------------------------------------------------------------- TubeArchivist v0.5


CHANNEL_V05 = {  # ChannelSerializer's fields (TubeArchivist v0.5)
    "channel_id": "UC" + "e" * 22,
    "channel_active": True,
    "channel_banner_url": "/cache/channels/UC" + "e" * 22 + "_banner.jpg",
    "channel_thumb_url": "/cache/channels/UC" + "e" * 22 + "_thumb.jpg",
    "channel_tvart_url": None,
    "channel_description": "A channel of v0.5",
    "channel_last_refresh": "2025-03-04T10:11:12+00:00",
    "channel_name": "Five",
    # the last key is one this archive does not know (a later TubeArchivist's): dropped with a note
    "channel_overwrites": {
        "autodelete_days": 30,
        "subscriptions_channel_size": 5,
        "index_playlists": True,
        "cast_mode": 1,
    },
    "channel_subs": 1234,
    "channel_subscribed": True,
    "channel_video_count": 3,
    "channel_tags": ["science"],
    "channel_tabs": ["videos"],
}


def video_v05(youtube_id: str, n: int, **extra) -> dict:
    channel_id = CHANNEL_V05["channel_id"]
    return {  # VideoSerializer's fields
        "active": True,
        "category": ["Education"],
        "channel": CHANNEL_V05,
        "comment_count": 1,
        "date_downloaded": "2025-03-05T00:00:00+00:00",
        "description": None,
        "media_size": len(media_bytes(youtube_id)),
        "media_url": f"/media/{channel_id}/{youtube_id}.mp4",
        "player": {
            "watched": n == 0,
            "watched_date": 1741000000,
            "duration": 120,
            "duration_str": "2:00",
            "position": 42.5 if n == 1 else None,
        },
        "playlist": ["PL" + "f" * 16],
        "published": f"2025-01-0{n + 1}T00:00:00+00:00",
        "sponsorblock": None,
        "stats": {"like_count": 5, "average_rating": None, "view_count": 50, "dislike_count": 0},
        "streams": [{"bitrate": 1, "codec": "h264", "index": 0, "type": "video"}],
        "subtitles": [
            {
                "ext": "vtt",
                "lang": "de",
                "media_url": f"/media/{channel_id}/{youtube_id}.de.vtt",
                "name": "Deutsch",
                "source": "user",
                "url": None,
            }
        ],
        "tags": ["t"],
        "title": f"Five #{n}",
        "vid_last_refresh": "2025-03-05T00:00:00+00:00",
        "vid_thumb_url": f"/cache/videos/{youtube_id[0].lower()}/{youtube_id}.jpg",
        "vid_type": "videos",
        "youtube_id": youtube_id,
        **extra,
    }


def media_bytes(youtube_id: str) -> bytes:
    return b"media of " + youtube_id.encode() * 100


class FakeTubeArchivist:
    """TubeArchivist v0.5's API over fixtures; `faults` maps a path to "500" or "malformed"."""

    def __init__(self, videos: list[dict], faults: dict[str, str]):
        playlist = {  # PlaylistSerializer's fields
            "playlist_active": True,
            "playlist_channel": "Five",
            "playlist_channel_id": CHANNEL_V05["channel_id"],
            "playlist_description": "",
            "playlist_entries": [
                {"youtube_id": v["youtube_id"], "title": v["title"], "uploader": "Five", "idx": i, "downloaded": True}
                for i, v in enumerate(videos)
            ],
            "playlist_id": "PL" + "f" * 16,
            "playlist_last_refresh": "2025-03-04T00:00:00+00:00",
            "playlist_name": "Five's best",
            "playlist_subscribed": False,
            "playlist_thumbnail": "/cache/playlists/PL" + "f" * 16 + ".jpg",
            "playlist_type": "regular",
        }
        queue = [  # DownloadItemSerializer's fields
            {
                "auto_start": False,
                "channel_id": CHANNEL_V05["channel_id"],
                "channel_indexed": True,
                "channel_name": "Five",
                "duration": "3:05",
                "published": "2025-02-01T00:00:00+00:00",
                "status": status,
                "timestamp": 1741000000,
                "title": f"queued {status}",
                "vid_thumb_url": None,
                "vid_type": "videos",
                "youtube_id": youtube_id,
            }
            for youtube_id, status in (("queuedpend1", "pending"), ("queuedignr1", "ignore"))
        ]
        self.answers: dict[str, tuple[str, bytes]] = {
            "/api/ping/": ("json", json.dumps({"response": "pong", "user": 1, "version": "v0.5.2"}).encode()),
        }
        for path, rows in (
            ("/api/channel/", [CHANNEL_V05]),
            ("/api/playlist/", [playlist]),
            ("/api/video/", videos),
            ("/api/download/?filter=pending", queue[:1]),
            ("/api/download/?filter=ignore", queue[1:]),
        ):
            joined = "&" if "?" in path else "?"
            page = {"data": rows, "paginate": {"current_page": 1, "last_page": 1, "total_hits": len(rows)}}
            self.answers[f"{path}{joined}page=1"] = ("json", json.dumps(page).encode())
        for video in videos:
            youtube_id = video["youtube_id"]
            comment = {"comment_id": "c1", "comment_text": "first!", "comment_replies": [], "comment_parent": "root"}
            self.answers[f"/api/video/{youtube_id}/comment/"] = ("json", json.dumps([comment]).encode())
            self.answers[video["media_url"]] = ("video/mp4", media_bytes(youtube_id))
            self.answers[video["subtitles"][0]["media_url"]] = (
                "text/vtt",
                b"WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n",
            )
            self.answers[video["vid_thumb_url"]] = ("image/jpeg", b"thumb " + youtube_id.encode())
        for art in ("channel_banner_url", "channel_thumb_url"):
            self.answers[CHANNEL_V05[art]] = ("image/jpeg", art.encode())
        self.answers[playlist["playlist_thumbnail"]] = ("image/jpeg", b"playlist art")
        self.faults = faults
        server = self
        self.seen_tokens: set[str] = set()
        self.hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.seen_tokens.add(self.headers.get("Authorization", ""))
                server.hits.append(self.path)
                fault = server.faults.get(self.path)
                kind, body = server.answers.get(self.path, ("json", b'{"error": "not found"}'))
                status = 404 if self.path not in server.answers else 200
                if fault == "500":
                    status, body = 500, b'{"error": "boom"}'
                elif fault == "malformed":
                    body = b'{"data": [oops'
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if kind == "json" else kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_tubearchivist_v05_shapes_move_in_and_items_that_fail_are_reported(aws, admin, tmp_path):
    ids = ["fivevideo00", "fivevideo01", "fivevideo02", "fivevideo03"]
    videos = [video_v05(youtube_id, n) for n, youtube_id in enumerate(ids)]
    faults = {"/api/video/fivevideo02/comment/": "500", f"/media/{CHANNEL_V05['channel_id']}/fivevideo03.mp4": "500"}
    source = FakeTubeArchivist(videos, faults)
    try:
        report = move_in(TubeArchivist(source.url, "the-token"))
    finally:
        source.stop()
    assert source.seen_tokens == {"Token the-token"}
    whys = {f.item: f.why for f in report.failures}
    assert whys["video fivevideo02"] == "HTTP 500"
    assert whys[f"/media/{CHANNEL_V05['channel_id']}/fivevideo03.mp4"] == "HTTP 500"
    assert len(whys) == 2
    moved = {v.youtube_id: v for v in Video.scan()}
    assert set(moved) == {"fivevideo00", "fivevideo01"}
    first = moved["fivevideo00"]
    assert (first.published, first.vid_last_refresh, first.date_downloaded) == ("2025-01-01", "2025-03-05", 1741132800)
    assert first.duration == 120 and first.playlist == ["PL" + "f" * 16] and first.comment_count == 1
    channel = Channel.get(CHANNEL_V05["channel_id"])
    assert channel.channel_subscribed and channel.channel_last_refresh == "2025-03-04"
    assert channel.channel_overwrites.as_dict() == {
        "autodelete_days": 30,
        "index_playlists": True,
        "subscriptions_channel_size": 5,
    }
    assert any("cast_mode" in note for note in report.collected.notes)
    stored = objects()
    assert stored[s3.media_key(channel.channel_id, "fivevideo00")] == media_bytes("fivevideo00")
    assert stored[s3.subtitle_key(channel.channel_id, "fivevideo01", "de")].startswith(b"WEBVTT")
    assert json.loads(stored[s3.comments_key("fivevideo01")])[0]["comment_text"] == "first!"
    assert stored[s3.channel_art_key(channel.channel_id, "banner")] == b"channel_banner_url"
    assert stored[s3.playlist_thumb_key("PL" + "f" * 16)] == b"playlist art"
    assert s3.media_key(channel.channel_id, "fivevideo03") not in stored
    states = {s.youtube_id: s for s in UserVideo.scan()}
    assert states["fivevideo00"].watched and int(states["fivevideo00"].watched_date) == 1741000000
    assert float(states["fivevideo01"].position) == 42.5 and not states["fivevideo01"].watched
    watched_counter = counters.watched_by(int(admin.user_id))
    assert db.counts([watched_counter])[watched_counter] == 1  # /api/stats/watch/ counts what moved
    queue = {q.youtube_id: q for q in QueueItem.scan()}
    assert queue["queuedpend1"].status == "pending" and queue["queuedignr1"].status == "ignore"
    assert queue["queuedpend1"].duration == "03:05"

    source = FakeTubeArchivist(videos, {})
    try:
        again = move_in(TubeArchivist(source.url, "the-token"))
    finally:
        source.stop()
    assert not again.failures, again.lines()
    assert {v.youtube_id for v in Video.scan()} == set(ids)
    fetched = {path.rsplit("/", 1)[-1] for path in source.hits if path.endswith(".mp4")}
    assert fetched == {"fivevideo02.mp4", "fivevideo03.mp4"}  # the stored media, of their size, are not fetched again
    assert again.import_summary["videos"]["unchanged"] == 2 and again.import_summary["videos"]["created"] == 2


def test_a_listing_answering_malformed_json_is_reported_and_the_rest_moves(aws, admin):
    source = FakeTubeArchivist([video_v05("fivevideo00", 0)], {"/api/playlist/?page=1": "malformed"})
    try:
        report = move_in(TubeArchivist(source.url, "t"))
    finally:
        source.stop()
    assert {f.item: f.why for f in report.failures} == {"page 1 of /api/playlist/": "the answer is not JSON"}
    assert [v.youtube_id for v in Video.scan()] == ["fivevideo00"]
    assert Video.get("fivevideo00").playlist == []  # the playlist was not read: the video is in none


# ---------------------------------------------------------------- one archive of this project into another


def test_a_running_local_archive_moves_into_another_with_every_table_and_object(aws, admin, monkeypatch, tmp_path):
    import os
    import subprocess
    import sys

    from tests import move_in_archive, test_local
    from tests.conftest import ROOT

    ports = [test_local.free_port(), test_local.free_port()]
    monkeypatch.setattr(test_local, "free_port", iter(ports).__next__)
    source = test_local.LocalRun(tmp_path)
    local_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCAL_"))}
    local_env.update(LOCAL_DATA_DIR=str(tmp_path), LOCAL_MOTO_PORT=str(ports[1]))

    def in_source(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "tests.move_in_archive", *args],
            cwd=ROOT,
            env=local_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    try:
        token = source.wait_for_token()
        source.wait_until_up(token)
        in_source("fill")
        video_a, video_b = move_in_archive.VIDEOS[0][0], move_in_archive.VIDEOS[1][0]
        assert source.request("POST", "/api/watched/", token, {"id": video_a, "is_watched": True}) == 200
        assert source.request("POST", f"/api/video/{video_b}/progress/", token, {"position": 12.5}) == 200
        in_source("dump", str(tmp_path / "source.json"))

        report = move_in(TubeArchivist(source.url, token))
        assert not report.failures, report.lines()
        assert source.stop() == 0, source.text
    finally:
        source.kill()
    moved = move_in_archive.dump()
    before = json.loads((tmp_path / "source.json").read_text())
    filled = ("videos", "channels", "playlists", "playlist_entries", "user_videos", "counters", "queue")
    assert all(before["tables"][table] for table in (*filled, "search_terms", "subtitle_chunks"))
    assert len(before["objects"]) == 3 * 4 + 2 * 3 + 1  # media, thumb, comments, subtitle; art; playlist art
    assert moved["objects"] == before["objects"]
    for table, rows in before["tables"].items():
        rows, moved_rows = without_write_counts(table, rows), without_write_counts(table, moved["tables"][table])
        missing = [row for row in rows if row not in moved_rows]
        extra = [row for row in moved_rows if row not in rows]
        assert (missing, extra) == ([], []), table


def without_write_counts(table: str, rows: list[dict]) -> list[dict]:
    """A search term's `version` counts the writes that made it (a queued item's title is indexed when queued,
    again when described): the moved archive writes it once."""
    if table != "search_terms":
        return rows
    return [{key: value for key, value in row.items() if key != "version"} for row in rows]


# ---------------------------------------------------------------- the command line


def test_the_move_in_command_reports_and_its_usage_errors_are_one_line(aws, capsys, tmp_path):
    from infra import cli

    write_video(tmp_path, "clivideo001", "UC" + "g" * 22, 2048)
    (tmp_path / "lonely.webm").write_bytes(b"no info")
    assert cli.main(["move-in", "--from-folder", str(tmp_path), "--dry-run"]) == 0
    out, _ = capsys.readouterr()
    assert "would move:" in out and "videos: 1 new" in out and "files: 2 to store" in out
    assert list(Video.scan()) == []

    assert cli.main(["move-in", "--from-folder", str(tmp_path)]) == 0
    out, _ = capsys.readouterr()
    assert "moved:" in out and "files: 2 uploaded" in out and str(tmp_path / "lonely.webm") in out
    assert [v.youtube_id for v in Video.scan()] == ["clivideo001"]

    for argv, message in (
        (["move-in"], "name one source"),
        (["move-in", "--from-folder", str(tmp_path), "--from-ta", "http://x"], "name one source"),
        (["move-in", "--from-ta", "http://127.0.0.1:9"], "--token"),
        (["move-in", "--from-folder", str(tmp_path / "missing")], "is not a folder"),
        (["move-in", "--from-ta", "http://127.0.0.1:9", "--token", "t"], "no answer"),
    ):
        assert cli.main(argv) == 1
        _, err = capsys.readouterr()
        assert message in err and err.count("\n") == 1, err


def test_media_come_from_the_tubearchivist_media_folder_when_given(aws, admin, tmp_path):
    channel_id = CHANNEL_V05["channel_id"]
    videos = [video_v05("fivevideo00", 0), video_v05("fivevideo01", 1)]
    (tmp_path / channel_id).mkdir()
    (tmp_path / channel_id / "fivevideo00.mp4").write_bytes(b"from the media folder")
    media_urls = {video["media_url"]: "500" for video in videos}  # the instance's files are never read
    source = FakeTubeArchivist(videos, media_urls)
    try:
        report = move_in(TubeArchivist(source.url, "t", media=tmp_path))
    finally:
        source.stop()
    assert {f.item: f.why for f in report.failures} == {"video fivevideo01": f"no file of fivevideo01 in {tmp_path}"}
    assert objects()[s3.media_key(channel_id, "fivevideo00")] == b"from the media folder"
    assert [(v.youtube_id, v.media_size) for v in Video.scan()] == [("fivevideo00", len(b"from the media folder"))]


def test_a_user_the_archive_does_not_have_stops_the_move_before_any_write(aws, tmp_path):
    from functions.core.errors import NotFound

    source = FakeTubeArchivist([video_v05("fivevideo00", 0)], {})
    try:
        with pytest.raises(NotFound, match="user nobody not found"):
            move_in(TubeArchivist(source.url, "t"), username="nobody")
    finally:
        source.stop()
    assert list(Video.scan()) == [] and objects() == {}


def test_new_videos_reach_the_feeds_of_their_channels_subscribers_once(aws, admin, tmp_path):
    from functions.storage.models import FeedItem, Subscription

    channel_id = "UC" + "h" * 22
    write_video(tmp_path, "feedvideo01", channel_id, 1024)
    Subscription(int(admin.user_id), channel_id, created=1).save()
    assert move_in(Folder(tmp_path)).feed_items == 1
    assert [(f.youtube_id, f.notify) for f in FeedItem.query(int(admin.user_id))] == [("feedvideo01", True)]
    assert move_in(Folder(tmp_path)).feed_items == 0  # moved already: not new again


def test_ytdl_sub_thumbnails_move_and_subtitles_the_archive_cannot_serve_are_named(aws, tmp_path):
    media_path = write_video(tmp_path, "kodivideo01", "UC" + "k" * 22, 1024)
    stem = media_path.name.removesuffix(".mp4")
    (tmp_path / f"{stem}-thumb.jpg").write_bytes(b"poster")
    (tmp_path / f"{stem}.en.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    report = move_in(Folder(tmp_path))
    assert not report.failures and not report.collected.unmatched
    assert objects()[s3.video_thumb_key("kodivideo01")] == b"poster"
    assert report.collected.notes == [
        f"{tmp_path / stem}.en.srt: not a WebVTT track the archive can serve (use --convert-subs vtt)"
    ]
    assert Video.get("kodivideo01").subtitles == []
