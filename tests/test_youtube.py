"""Reading what users paste into targets, and building URLs back."""

import pytest

from functions.core.errors import BadRequest
from functions.youtube.urls import Target, channel_url, parse_target, parse_targets, playlist_url, watch_url

VIDEO = "dQw4w9WgXcQ"
CHANNEL = "UCuAXFkgsw1L7xaCfnd5JJOw"
PLAYLIST = "PLBCF2DAC6FFB574DE"
ALBUM = "OLAK5uy_kGRDkLO6OnZqYUz4Dy3n6iZ0yMa_Mo3ak"

ACCEPTED = [
    (VIDEO, Target("video", VIDEO)),
    (f"  {VIDEO}\n", Target("video", VIDEO)),
    (f"https://www.youtube.com/watch?v={VIDEO}", Target("video", VIDEO)),
    (f"https://www.youtube.com/watch?v={VIDEO}&list={PLAYLIST}&index=3", Target("video", VIDEO)),
    (f"http://youtube.com/watch?feature=share&v={VIDEO}", Target("video", VIDEO)),
    (f"youtube.com/watch?v={VIDEO}", Target("video", VIDEO)),
    (f"https://m.youtube.com/watch?v={VIDEO}", Target("video", VIDEO)),
    (f"https://music.youtube.com/watch?v={VIDEO}", Target("video", VIDEO)),
    (f"https://youtu.be/{VIDEO}", Target("video", VIDEO)),
    (f"https://youtu.be/{VIDEO}?t=42&si=abc", Target("video", VIDEO)),
    (f"youtu.be/{VIDEO}", Target("video", VIDEO)),
    (f"https://www.youtube.com/shorts/{VIDEO}", Target("video", VIDEO)),
    (f"https://youtube.com/shorts/{VIDEO}?feature=share", Target("video", VIDEO)),
    (f"https://www.youtube.com/live/{VIDEO}", Target("video", VIDEO)),
    (f"https://www.youtube.com/embed/{VIDEO}", Target("video", VIDEO)),
    (f"https://www.youtube-nocookie.com/embed/{VIDEO}", Target("video", VIDEO)),
    (f"https://www.youtube.com/v/{VIDEO}", Target("video", VIDEO)),
    (CHANNEL, Target("channel", CHANNEL)),
    (f"https://www.youtube.com/channel/{CHANNEL}", Target("channel", CHANNEL)),
    (f"https://www.youtube.com/channel/{CHANNEL}/", Target("channel", CHANNEL)),
    (f"https://www.youtube.com/channel/{CHANNEL}/videos", Target("channel", CHANNEL, tab="videos")),
    (f"https://www.youtube.com/channel/{CHANNEL}/shorts", Target("channel", CHANNEL, tab="shorts")),
    (f"https://www.youtube.com/channel/{CHANNEL}/streams", Target("channel", CHANNEL, tab="streams")),
    (f"https://www.youtube.com/channel/{CHANNEL}/featured", Target("channel", CHANNEL)),
    ("@veritasium", Target("channel", handle="@veritasium")),
    ("@some.name-with_marks", Target("channel", handle="@some.name-with_marks")),
    ("https://www.youtube.com/@veritasium", Target("channel", handle="@veritasium")),
    ("https://www.youtube.com/@veritasium/videos", Target("channel", handle="@veritasium", tab="videos")),
    ("https://www.youtube.com/@veritasium/shorts", Target("channel", handle="@veritasium", tab="shorts")),
    ("https://www.youtube.com/@veritasium/streams", Target("channel", handle="@veritasium", tab="streams")),
    ("https://m.youtube.com/@veritasium/Videos?view=0", Target("channel", handle="@veritasium", tab="videos")),
    ("https://www.youtube.com/c/Veritasium", Target("channel", handle="c/Veritasium")),
    ("https://www.youtube.com/user/1veritasium/videos", Target("channel", handle="user/1veritasium", tab="videos")),
    (PLAYLIST, Target("playlist", PLAYLIST)),
    ("UUuAXFkgsw1L7xaCfnd5JJOw", Target("playlist", "UUuAXFkgsw1L7xaCfnd5JJOw")),
    (ALBUM, Target("playlist", ALBUM)),
    (f"https://www.youtube.com/playlist?list={PLAYLIST}", Target("playlist", PLAYLIST)),
    (f"https://music.youtube.com/playlist?list={ALBUM}", Target("playlist", ALBUM)),
]

REFUSED = [
    ("", "empty"),
    ("   ", "empty"),
    ("hello", "not a YouTube"),
    ("dQw4w9WgXc", "not a YouTube"),  # 10 characters
    ("dQw4w9WgXcQQ", "not a YouTube"),  # 12 characters
    ("UCshort", "not a YouTube"),
    ("@a", "not a YouTube"),
    ("https://vimeo.com/12345", "vimeo.com is not a YouTube domain"),
    (f"https://www.youtube.com.evil.example/watch?v={VIDEO}", "not a YouTube domain"),
    (f"https://evil.example/?u=https://youtu.be/{VIDEO}", "not a YouTube domain"),
    (f"ftp://www.youtube.com/watch?v={VIDEO}", "only http and https"),
    ("https://www.youtube.com/watch?v=short", "without a valid v="),
    ("https://www.youtube.com/watch", "without a valid v="),
    ("https://youtu.be/", "needs a video id"),
    ("https://www.youtube.com/shorts/", "without a valid video id"),
    ("https://www.youtube.com/channel/UCbad", "without a valid channel id"),
    ("https://www.youtube.com/playlist?list=XX123", "without a valid list="),
    ("https://www.youtube.com/", "no video, channel or playlist"),
    ("https://www.youtube.com/feed/subscriptions", "no video, channel or playlist"),
    ("https://www.youtube.com/@a", "not a valid @handle"),
    ("https://[::1/watch", "not a valid URL"),
    ("x" * 3000, "longer than"),
]


@pytest.mark.parametrize(("text", "target"), ACCEPTED)
def test_accepted_forms(text, target):
    assert parse_target(text) == target


@pytest.mark.parametrize(("text", "why"), REFUSED)
def test_refused_forms_say_why(text, why):
    with pytest.raises(BadRequest) as raised:
        parse_target(text)
    assert why in raised.value.message


def test_non_strings_are_refused():
    for value in (None, 5, ["x"], {"a": 1}):
        with pytest.raises(BadRequest, match="as a string"):
            parse_target(value)


def test_parse_targets_checks_every_line_first():
    assert parse_targets([VIDEO, CHANNEL]) == [Target("video", VIDEO), Target("channel", CHANNEL)]
    with pytest.raises(BadRequest) as raised:
        parse_targets([VIDEO, "https://vimeo.com/1", "nope", CHANNEL])
    assert "vimeo.com" in raised.value.message and "'nope'" in raised.value.message
    assert raised.value.message.endswith("nothing was added")


def test_urls_built_back_parse_to_the_same_target():
    assert watch_url(VIDEO) == f"https://www.youtube.com/watch?v={VIDEO}"
    assert playlist_url(PLAYLIST) == f"https://www.youtube.com/playlist?list={PLAYLIST}"
    assert channel_url(CHANNEL) == f"https://www.youtube.com/channel/{CHANNEL}"
    assert channel_url("@veritasium", "shorts") == "https://www.youtube.com/@veritasium/shorts"
    assert channel_url("veritasium") == "https://www.youtube.com/@veritasium"
    assert channel_url("c/Veritasium", "videos") == "https://www.youtube.com/c/Veritasium/videos"
    for _, target in ACCEPTED:
        assert parse_target(target.url) == target
        assert Target.from_dict(target.as_dict()) == target


def test_streams_from_what_ffmpeg_prints():
    from functions.youtube.media import parse_streams

    printed = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 00:00:02.00, start: 0.000000, bitrate: 125 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1920x1080 [SAR 1:1], 4500 kb/s, 30 fps
  Stream #0:1[0x2](eng): Audio: opus, 48000 Hz, stereo, fltp (default)
  Stream #0:2: Data: bin_data (text / 0x74786574)
  Stream #0:3: Video: mjpeg (Baseline), yuvj420p(pc), 320x180, 90k tbr (attached pic)
"""
    assert parse_streams(printed) == [
        {"type": "video", "index": 0, "codec": "h264", "width": 1920, "height": 1080, "bitrate": 4_500_000},
        {"type": "audio", "index": 1, "codec": "opus", "bitrate": 0},
    ]
    assert parse_streams("x.txt: Invalid data found when processing input") == []
