"""The yt-dlp adapter against the local media server: real yt-dlp, offline."""

import glob
import json
import subprocess
import sys
import tempfile

import pytest

from functions.youtube import media, rows, urls, ytdlp
from tests.conftest import ROOT

COOKIE_HEADER = "# Netscape HTTP Cookie File\n"


def cookie(value: str) -> str:
    return COOKIE_HEADER + f".youtube.com\tTRUE\t/\tTRUE\t2147483647\tSID\t{value}\n"


def first(server, tab: str = "videos"):
    return next(v for v in server.catalog.videos.values() if v.tab == tab)


def test_video_info(fake_youtube):
    video = first(fake_youtube)
    info = ytdlp.video_info(video.youtube_id)
    assert info["id"] == video.youtube_id and info["title"] == video.title
    assert info["channel_id"] == video.channel_id and info["upload_date"] == video.published.replace("-", "")
    json.dumps(info)  # JSON-safe: it is stored and sent around


def test_channel_info_resolves_handles(fake_youtube):
    channel = next(iter(fake_youtube.catalog.channels.values()))
    for given in (channel.handle, f"https://www.youtube.com/{channel.handle}/shorts", channel.channel_id):
        info = ytdlp.channel_info(given)
        assert info["channel_id"] == channel.channel_id and info["channel_name"] == channel.name
    info = ytdlp.channel_info(urls.Target("channel", handle=channel.handle))
    assert info["handle"] == channel.handle and info["channel_subs"] == channel.followers
    assert info["channel_thumb_url"].endswith(f"/avatar/{channel.channel_id}.jpg")
    assert info["channel_banner_url"].endswith(f"/banner/{channel.channel_id}.jpg")
    with pytest.raises(ytdlp.ExtractionFailed, match="not a channel"):
        ytdlp.channel_info(urls.watch_url(first(fake_youtube).youtube_id))


def test_playlist_info_lists_entries_in_order(fake_youtube):
    playlist = next(iter(fake_youtube.catalog.playlists.values()))
    info = ytdlp.playlist_info(playlist.playlist_id)
    assert info["playlist_id"] == playlist.playlist_id and info["playlist_name"] == playlist.title
    assert info["playlist_channel_id"] == playlist.channel_id
    assert [e["youtube_id"] for e in info["entries"]] == playlist.video_ids


def test_list_entries_per_tab_and_limit(fake_youtube):
    channel = next(iter(fake_youtube.catalog.channels.values()))
    videos = ytdlp.list_entries(urls.channel_url(channel.channel_id, "videos"))
    expected = [v.youtube_id for v in fake_youtube.catalog.videos_of(channel.channel_id) if v.tab == "videos"]
    assert [e["youtube_id"] for e in videos] == expected
    assert all(e["vid_type"] == "videos" and e["channel_id"] == channel.channel_id for e in videos)
    shorts = ytdlp.list_entries(urls.channel_url(channel.handle, "shorts"))
    assert [e["vid_type"] for e in shorts] == ["shorts"]
    assert len(ytdlp.list_entries(urls.channel_url(channel.channel_id, "videos"), limit=1)) == 1
    with pytest.raises(ytdlp.TabMissing, match="does not have a streams tab"):
        ytdlp.list_entries(urls.channel_url(channel.channel_id, "streams"))


def test_channel_playlists_lists_the_playlists_tab(fake_youtube):
    catalog = fake_youtube.catalog
    channel, other = list(catalog.channels.values())[:2]
    made = catalog.add_playlist("second", "Second list", channel, catalog.videos_of(channel.channel_id)[:1])
    listed = ytdlp.channel_playlists(channel.channel_id)
    expected = [(p.playlist_id, p.title) for p in catalog.playlists.values() if p.channel_id == channel.channel_id]
    assert [(p["playlist_id"], p["playlist_name"]) for p in listed] == expected and len(expected) == 2
    assert made.playlist_id in {p["playlist_id"] for p in listed}
    assert fake_youtube.hits[f"/api/playlist/{made.playlist_id}"] == 0  # flat: the playlists are not read
    for playlist in catalog.playlists_of(other.channel_id):
        del catalog.playlists[playlist.playlist_id]
    assert ytdlp.channel_playlists(other.channel_id) == []  # no playlists tab: nothing listed
    with pytest.raises(ytdlp.VideoGone, match="This channel does not exist"):
        ytdlp.channel_playlists("UC" + "x" * 22)


def test_download_writes_media_thumbnail_subtitles_info_and_comments(fake_youtube, tmp_path):
    video = first(fake_youtube)
    progress = []
    result = media.download(
        video.youtube_id, tmp_path, {"subtitle": "en", "comment_max": "10"}, progress=progress.append
    )
    assert result.media_path == tmp_path / f"{video.youtube_id}.mp4"
    assert result.media_path.read_bytes()[4:8] == b"ftyp"
    assert result.thumbnail_path.read_bytes()[:2] == b"\xff\xd8"  # jpeg
    assert result.subtitle_paths["en"].read_text().startswith("WEBVTT")
    stored = json.loads(result.info_json_path.read_text())
    assert stored["id"] == video.youtube_id and len(stored["comments"]) == video.comments
    assert [c["text"] for c in result.comments] == [f"comment {n} on {video.title}" for n in range(video.comments)]
    assert progress[-1]["status"] == "finished" and progress[-1]["percent"] == 100.0
    assert any(p["status"] == "downloading" and p["speed"] for p in progress)


def test_download_without_extras(fake_youtube, tmp_path):
    result = media.download(first(fake_youtube).youtube_id, tmp_path, {})
    assert result.subtitle_paths == {} and result.comments is None and result.info_json_path.is_file()


def test_throttled_download_reports_partial_progress(fake_youtube, tmp_path):
    fake_youtube.rate = 8_000
    progress = []
    media.download(first(fake_youtube).youtube_id, tmp_path, {}, progress=progress.append)
    partial = [p["percent"] for p in progress if p["status"] == "downloading" and p["percent"] < 100]
    assert partial and partial == sorted(partial)


def test_failures_are_typed_and_readable(fake_youtube, tmp_path):
    video = first(fake_youtube)
    video.fault = "unavailable"
    with pytest.raises(ytdlp.ExtractionFailed, match="Video unavailable"):
        ytdlp.video_info(video.youtube_id)
    video.fault = "broken"
    with pytest.raises(ytdlp.ExtractionFailed, match="500"):
        media.download(video.youtube_id, tmp_path, {})
    with pytest.raises(ytdlp.ExtractionFailed, match="This channel does not exist"):
        ytdlp.channel_info("@nobody-here")


def test_cookies(fake_youtube, tmp_path):
    video = first(fake_youtube)
    video.fault = "login"
    with pytest.raises(ytdlp.ExtractionFailed, match="Sign in"):
        ytdlp.video_info(video.youtube_id)  # no cookie: not the cookie's fault
    with pytest.raises(ytdlp.CookieRejected, match="YouTube refused the cookie"):
        ytdlp.video_info(video.youtube_id, cookie("expired"))
    with pytest.raises(ytdlp.CookieRejected, match=r"not a Netscape cookies\.txt file"):
        ytdlp.video_info(video.youtube_id, "SID=abc; HSID=def")
    assert ytdlp.video_info(video.youtube_id, cookie("fresh"))["id"] == video.youtube_id
    assert media.download(video.youtube_id, tmp_path, {}, cookie("fresh")).media_path.is_file()
    assert glob.glob(f"{tempfile.gettempdir()}/cookies-*.txt") == []  # the credential never stays on disk


def test_download_settings_become_yt_dlp_parameters():
    params = media.download_params(
        {
            "format": "best[height<=720]",
            "format_sort": "res,codec:avc1",
            "limit_speed": 500,
            "subtitle": "en, de",
            "subtitle_source": "auto",
            "comment_max": "all,100",
            "comment_sort": "new",
            "extractor_lang": "de",
        }
    )
    assert params["format"] == "best[height<=720]" and params["format_sort"] == ["res", "codec:avc1"]
    assert params["ratelimit"] == 500 * 1024
    assert params["subtitleslangs"] == ["en", "de"] and params["writeautomaticsub"] is True
    assert params["getcomments"] is True
    assert params["extractor_args"] == {
        "youtube": {"max_comments": ["all,100"], "comment_sort": ["new"], "lang": ["de"]}
    }
    defaults = media.download_params({})
    assert defaults["format"] == media.DEFAULT_FORMAT and "getcomments" not in defaults
    assert defaults["writethumbnail"] and defaults["writeinfojson"] and defaults["ffmpeg_location"]


def test_sleep_metadata_and_thumbnail_settings_reach_yt_dlp():
    params = media.download_params({"sleep_interval": 4, "add_metadata": True, "add_thumbnail": True})
    assert params["sleep_interval"] == 4
    keys = [processor["key"] for processor in params["postprocessors"]]
    assert keys == ["FFmpegThumbnailsConvertor", "FFmpegMetadata", "EmbedThumbnail"]
    plain = media.download_params({"sleep_interval": 0, "add_metadata": False, "add_thumbnail": False})
    assert "sleep_interval" not in plain
    assert [processor["key"] for processor in plain["postprocessors"]] == ["FFmpegThumbnailsConvertor"]


def test_without_ffmpeg_only_single_files_are_asked_for(monkeypatch):
    monkeypatch.setattr(media, "ffmpeg_location", lambda: None)
    params = media.download_params({})
    assert params["format"] == media.SINGLE_FILE_FORMAT and "ffmpeg_location" not in params


def test_yt_dlp_is_imported_only_when_used():
    code = (
        "import sys, functions.youtube.ytdlp, functions.youtube.media, functions.services.downloads.intake, "
        "functions.services.downloads.worker, "
        "functions.services.archive.archiving, functions.jobs.download; "
        "print('yt_dlp' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_without_the_test_extractor_youtube_urls_go_to_yt_dlp_s_own(monkeypatch):
    monkeypatch.delenv(ytdlp.TEST_EXTRACTOR_ENV, raising=False)
    assert ytdlp._test_extractor() is None


def test_rows_come_back_normalised():
    assert rows.day_of("20240131") == "2024-01-31"
    assert rows.day_of(None) is None and rows.day_of("2024") is None
    assert rows.vid_type_of("https://www.youtube.com/shorts/abcdefghijk") == "shorts"
    assert rows.vid_type_of("https://www.youtube.com/watch?v=abcdefghijk", "was_live") == "streams"
    assert rows.vid_type_of(None, None, "streams") == "streams" and rows.vid_type_of(None) == "videos"
    info = {"id": "abcdefghijk", "title": "T", "uploader": "U", "channel_id": "UC" + "x" * 22}
    info.update(upload_date="20200102", duration=61.5, webpage_url="https://www.youtube.com/shorts/abcdefghijk")
    assert rows.video_row(info) == {
        "youtube_id": "abcdefghijk",
        "title": "T",
        "channel_id": "UC" + "x" * 22,
        "channel_name": "U",
        "duration": 61,
        "published": "2020-01-02",
        "vid_type": "shorts",
        "thumbnail_url": None,
    }


def test_failures_are_the_adapters_own_errors_not_http_ones():
    from functions.core.errors import DomainError

    assert not issubclass(ytdlp.YtDlpError, DomainError)  # callers catch what they mean, not a 400
    gone = ytdlp._classify(Exception("ERROR: [youtube] x: Video unavailable"), None)
    assert type(gone) is ytdlp.VideoGone and isinstance(gone, ytdlp.ExtractionFailed)
    assert type(ytdlp._classify(Exception("HTTP Error 500"), None)) is ytdlp.ExtractionFailed
    refused = ytdlp._classify(Exception("Private video. Sign in"), "cookie text")
    assert type(refused) is ytdlp.CookieRejected  # with a cookie, a private video means the cookie was refused
