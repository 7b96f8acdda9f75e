"""The DASH rendition of archived videos: made at download time, its streams' `init`/`index` ranges those of the
files' boxes, `adaptiveFormats` typed as FreeTube, Playlet, Clipious and invidtui read them, the `dashUrl`
manifest served from the signed path without credentials, and the backfill for videos archived before it."""

import struct
import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import pytest
import requests

from functions.services.archive import dash
from functions.storage import s3
from functions.storage.models import Video
from tests.invidious.public_archive import archive_catalog
from tests.invidious.test_public_api import CORS, signed_key

ADAPTIVE_STRINGS = ("init", "index", "bitrate", "url", "itag", "type", "clen", "lmt", "projectionType")
MPD = "{urn:mpeg:dash:schema:mpd:2011}"


@pytest.fixture
def archive(aws, fake_youtube):
    return archive_catalog(aws, fake_youtube)


def boxes(data: bytes) -> dict[str, tuple[int, int]]:
    """The first top-level box of each type: (first byte, last byte)."""
    found: dict[str, tuple[int, int]] = {}
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        found.setdefault(kind.decode(), (offset, offset + size - 1))
        offset += size
    return found


def byte_range(text: str) -> tuple[int, int]:
    first, last = text.split("-")
    return int(first), int(last)


def test_adaptive_formats_name_the_boxes_of_stored_fragmented_streams(client, archive):
    video = next(iter(archive.values()))
    body = client.http.get(f"/api/v1/videos/{video.youtube_id}").json_body
    formats = body["adaptiveFormats"]
    assert sorted(f["type"].split(";")[0] for f in formats) == ["audio/mp4", "video/mp4"]
    for entry in formats:
        assert all(isinstance(entry[k], str) and entry[k] for k in ADAPTIVE_STRINGS), entry
        data = s3.read(signed_key(entry["url"]))
        assert entry["clen"] == str(len(data))
        found = boxes(data)
        assert byte_range(entry["init"]) == (0, found["moov"][1])
        assert byte_range(entry["index"]) == found["sidx"]
        assert "moof" in found and found["moof"][0] == found["sidx"][1] + 1  # fragments follow the index
        assert int(entry["bitrate"]) > 0 and 'codecs="' in entry["type"]
    (picture,) = [f for f in formats if f["type"].startswith("video/")]
    assert picture["size"] == f"{video.media_width}x{video.media_height}" and isinstance(picture["fps"], int)
    (sound,) = [f for f in formats if f["type"].startswith("audio/")]
    assert sound["audioSampleRate"] > 0 and sound["audioChannels"] > 0


def test_the_dash_url_is_a_manifest_of_the_adaptive_streams(client, archive):
    video = next(iter(archive.values()))
    body = client.http.get(f"/api/v1/videos/{video.youtube_id}").json_body
    path = urlsplit(body["dashUrl"]).path
    assert path.endswith(".mpd")
    answer = client.http.get(path + "?local=true")  # Materialious appends local=true
    assert answer.status_code == 200 and answer.headers[CORS] == "*"
    assert answer.headers["Content-Type"] == "application/dash+xml"
    root = ElementTree.fromstring(answer.body)
    representations = root.findall(f".//{MPD}Representation")
    by_url = {f["url"]: f for f in body["adaptiveFormats"]}
    assert {r.findtext(f"{MPD}BaseURL") for r in representations} == set(by_url)
    for rep in representations:
        listed = by_url[rep.findtext(f"{MPD}BaseURL")]
        base = rep.find(f"{MPD}SegmentBase")
        assert base.get("indexRange") == listed["index"]
        assert base.find(f"{MPD}Initialization").get("range") == listed["init"]
        assert rep.get("id") == listed["itag"] and rep.get("bandwidth") == listed["bitrate"]
    head = client.http.request("HEAD", path)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(answer.body))
    # a stream's link answers ranges, as players fetch the init and index ranges
    located = client.http.get(urlsplit(body["adaptiveFormats"][0]["url"]).path).headers["Location"]
    first, last = byte_range(body["adaptiveFormats"][0]["index"])
    ranged = requests.get(located, headers={"Range": f"bytes={first}-{last}"}, timeout=10)
    assert ranged.status_code == 206 and ranged.content[4:8] == b"sidx"


def test_a_video_without_a_rendition_plays_its_file_and_gets_one_from_the_backfill(client, archive, capsys):
    from infra import cli

    video = next(iter(archive.values()))
    stored = [s3.dash_key(video.channel_id, video.youtube_id, s["kind"]) for s in video.dash]
    s3.delete_objects(stored)
    video.update(actions=[Video.dash.set([])])
    body = client.http.get(f"/api/v1/videos/{video.youtube_id}").json_body
    assert body["adaptiveFormats"] == []
    assert signed_key(body["dashUrl"]) == s3.media_key(video.channel_id, video.youtube_id)
    manifest = s3.manifest_key(video.channel_id, video.youtube_id)
    from functions.storage import signing

    assert client.http.get(signing.signed_path(manifest)).status_code == 404

    assert cli.main(["dash"]) == 0  # every video: only this one lacks a rendition
    assert capsys.readouterr().out == "made 1 DASH renditions\n"
    assert dash.backfill(video.youtube_id) is False  # once
    assert all(s3.head(key)["ContentLength"] > 0 for key in stored)
    body = client.http.get(f"/api/v1/videos/{video.youtube_id}").json_body
    assert len(body["adaptiveFormats"]) == 2 and signed_key(body["dashUrl"]) == manifest


def test_a_file_ffmpeg_cannot_remux_keeps_the_download_without_a_rendition(aws, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a movie")
    video = Video("a" * 11, channel_id="UC" + "b" * 22, title="t", published="2024-01-01", date_downloaded=0)
    assert dash.make(video, broken, tmp_path) == []
