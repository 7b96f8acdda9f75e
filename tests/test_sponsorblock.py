"""functions/services/sponsorblock.py against a local stand-in of SponsorBlock's API (no network)."""

import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest

from functions.core.errors import BadRequest, NotFound
from functions.core.settings import DEFAULT_APP_CONFIG, get_settings
from functions.schemas import decode
from functions.schemas.ta import SponsorPost
from functions.services import sponsorblock
from tests.factories import make_video, video_id
from tests.http_stand_in import serving

SEGMENTS = [
    {
        "segment": [5, 10.5],
        "UUID": "uuid-locked",
        "category": "sponsor",
        "actionType": "skip",
        "videoDuration": 300,
        "locked": 1,
        "votes": 4,
        "description": "",
        "userID": "someone",  # not kept
    },
    {"segment": [100.25, 130], "UUID": "uuid-open", "category": "outro", "actionType": "skip", "locked": 0},
    {"segment": ["bad"], "UUID": "not a segment"},
]


class FakeSponsorBlock(BaseHTTPRequestHandler):
    """Answers /api/skipSegments like SponsorBlock: segments of known videos, 404 for the rest."""

    answers: dict = {}
    requests: list = []

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        type(self).requests.append((url.path, query))
        status, body = self.answers.get(query.get("videoID", [""])[0], (404, b"Not Found"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def sponsor_server(monkeypatch):
    FakeSponsorBlock.answers = {
        video_id(1): (200, json.dumps(SEGMENTS).encode()),
        video_id(2): (500, b"oops"),
        video_id(3): (200, b"not json"),
    }
    FakeSponsorBlock.requests = []
    with serving(FakeSponsorBlock, monkeypatch, "SPONSORBLOCK_URL"):
        yield FakeSponsorBlock


def test_segments_are_fetched_and_kept_in_the_stored_shape(sponsor_server):
    data = sponsorblock.fetch_segments(video_id(1))
    assert set(data) == {"last_refresh", "has_unlocked", "is_enabled", "segments"}
    assert data["is_enabled"] is True and data["has_unlocked"] is True
    assert isinstance(data["last_refresh"], int)
    assert data["segments"] == [
        {
            "segment": [5.0, 10.5],
            "UUID": "uuid-locked",
            "category": "sponsor",
            "actionType": "skip",
            "videoDuration": 300,
            "locked": 1,
            "votes": 4,
            "description": "",
        },
        {"segment": [100.25, 130.0], "UUID": "uuid-open", "category": "outro", "actionType": "skip", "locked": 0},
    ]
    path, query = sponsor_server.requests[0]
    assert path == "/api/skipSegments" and query["videoID"] == [video_id(1)]
    assert "sponsor" in json.loads(query["categories"][0])


def test_a_video_sponsorblock_does_not_know_has_no_segments(sponsor_server):
    assert sponsorblock.fetch_segments(video_id(9))["segments"] == []
    assert sponsorblock.fetch_segments(video_id(9))["has_unlocked"] is False


def test_errors_and_unreachable_servers_give_none(sponsor_server, monkeypatch):
    assert sponsorblock.fetch_segments(video_id(2)) is None  # 500
    assert sponsorblock.fetch_segments(video_id(3)) is None  # not JSON
    monkeypatch.setenv("SPONSORBLOCK_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    get_settings.cache_clear()
    assert sponsorblock.fetch_segments(video_id(1)) is None


def test_the_download_asks_only_when_the_app_integrates_sponsorblock(sponsor_server):
    config = json.loads(json.dumps(DEFAULT_APP_CONFIG))
    assert sponsorblock.for_download(video_id(1), config) is None
    assert sponsor_server.requests == []
    config["downloads"]["integrate_sponsorblock"] = True
    assert len(sponsorblock.for_download(video_id(1), config)["segments"]) == 2


def test_stored_segments_survive_dynamodb(aws, sponsor_server):
    data = sponsorblock.fetch_segments(video_id(1))
    make_video(1, sponsorblock=data)
    assert sponsorblock.stored(video_id(1)) == data
    make_video(2)
    assert sponsorblock.stored(video_id(2)) is None
    with pytest.raises(NotFound):
        sponsorblock.stored(video_id(7))


@pytest.mark.parametrize(
    "body",
    [
        {"vote": {"uuid": "u", "yourVote": 0}},
        {"vote": {"uuid": "u", "yourVote": 1}},
        {"vote": {"uuid": "u", "yourVote": 20}},
        {"segment": {"startTime": 5, "endTime": 10}},
        {"segment": {"startTime": 5.5, "endTime": 5.5}},
    ],
)
def test_valid_votes_and_segments_are_simulated(aws, body):
    make_video(1)
    assert sponsorblock.simulate(video_id(1), decode(body, SponsorPost)) == {"success": True}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"vote": {"uuid": "u", "yourVote": 1}, "segment": {"startTime": 1, "endTime": 2}},
        {"vote": {"uuid": "u", "yourVote": 2}},
        {"vote": {"uuid": "u", "yourVote": True}},
        {"vote": {"uuid": "u", "yourVote": "1"}},
        {"vote": {"uuid": "", "yourVote": 1}},
        {"vote": {"yourVote": 1}},
        {"vote": [1]},
        {"segment": {"startTime": 10, "endTime": 5}},
        {"segment": {"startTime": -1, "endTime": 5}},
        {"segment": {"startTime": "5", "endTime": 10}},
        {"segment": {"startTime": 5}},
        {"segment": {"startTime": float("nan"), "endTime": 10}},
        {"segment": None},
    ],
)
def test_invalid_votes_and_segments_are_400(aws, body):
    make_video(1)
    with pytest.raises(BadRequest):  # the Struct refuses most as the router decodes them, the service the rest
        sponsorblock.simulate(video_id(1), decode(body, SponsorPost))


def test_a_download_stores_segments_when_the_app_integrates_sponsorblock(fake_youtube, aws, sponsor_server):
    from functions.storage.models import Video
    from tests.test_comments import download

    youtube_id = next(iter(fake_youtube.catalog.videos))
    sponsor_server.answers[youtube_id] = (200, json.dumps(SEGMENTS).encode())
    download(fake_youtube, aws, integrate_sponsorblock=True)
    stored = Video.get(youtube_id).sponsorblock.as_dict()
    assert [s["UUID"] for s in stored["segments"]] == ["uuid-locked", "uuid-open"]
    assert [query["videoID"] for _, query in sponsor_server.requests] == [[youtube_id]]


def test_a_download_without_sponsorblock_never_asks(fake_youtube, aws, sponsor_server):
    from functions.storage.models import Video
    from tests.test_comments import download

    youtube_id = download(fake_youtube, aws)
    assert Video.get(youtube_id).sponsorblock is None
    assert sponsor_server.requests == []
