"""The stand-in for yt-dlp's YouTube extractors in tests, benchmarks and the demo.

Selected by `YTDLP_TEST_EXTRACTOR=tests.fake_youtube:FakeYoutubeIE` (functions/youtube/ytdlp.py adds it to each
YoutubeDL and makes it read every URL); it reads the catalog of the media server at FAKE_YOUTUBE_URL and returns
info dicts whose formats, thumbnails and subtitles point at that server, so yt-dlp's real download path (HTTP
downloader, progress hooks, thumbnail and subtitle writers, info JSON, comments) runs offline. A channel's
playlists tab lists the server's playlists of that channel, as YouTube's does (flat: url entries).
"""

import os
from urllib.parse import urlsplit

from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import ExtractorError

from functions.youtube import urls

SERVER_ENV = "FAKE_YOUTUBE_URL"
EXTRACTOR = "tests.fake_youtube:FakeYoutubeIE"


class FakeYoutubeIE(InfoExtractor):
    IE_NAME = "fakeyoutube"
    _VALID_URL = r"https?://(?:www\.)?youtube\.com/.+"

    def _real_extract(self, url):
        base = os.environ[SERVER_ENV].rstrip("/")
        target = urls.parse_target(url)
        if target.kind == urls.VIDEO:
            return self._video(base, target.youtube_id)
        if target.kind == urls.PLAYLIST:
            return self._playlist(base, target.youtube_id)
        return self._channel(base, target, url)

    def _api(self, base: str, path: str, item_id: str) -> dict:
        data = self._download_json(f"{base}/api/{path}", item_id, expected_status=404)
        if not data or "error" in data:
            raise ExtractorError((data or {}).get("error") or f"{item_id}: not found", expected=True)
        return data

    def _video(self, base: str, video_id: str) -> dict:
        data = self._api(base, f"video/{video_id}", video_id)
        if data.get("bot_check"):
            raise ExtractorError(
                "Sign in to confirm you\u2019re not a bot. Use --cookies for the authentication",
                expected=True,
            )
        if data["needs_login"]:
            sid = self._get_cookies("https://www.youtube.com").get("SID")
            if sid is None or sid.value == "expired":
                raise ExtractorError(
                    "Sign in to confirm your age. The provided YouTube account cookies are no longer valid",
                    expected=True,
                )
        info = {
            "id": video_id,
            "title": data["title"],
            "description": data["description"],
            "channel_id": data["channel_id"],
            "channel": data["channel"],
            "uploader": data["channel"],
            "uploader_id": data["handle"],
            "upload_date": data["upload_date"],
            "duration": data["duration"],
            "view_count": data["view_count"],
            "like_count": data["like_count"],
            "tags": data["tags"],
            "categories": ["Education"],
            "webpage_url": urls.watch_url(video_id)
            if data["tab"] != "shorts"
            else f"https://www.youtube.com/shorts/{video_id}",
            "thumbnails": [{"id": "maxres", "url": data["thumbnail_url"], "width": 320, "height": 180}],
            "formats": [
                {
                    "format_id": "18",
                    "url": data["media_url"],
                    "ext": "mp4",
                    "vcodec": "avc1.42c00d",
                    "acodec": "mp4a.40.2",
                    "width": 160,
                    "height": 90,
                    "filesize": data["media_size"],
                }
            ],
            "subtitles": {lang: [{"url": sub_url, "ext": "vtt"}] for lang, sub_url in data["subtitles"].items()},
            "live_status": "was_live" if data["tab"] == "streams" else "not_live",
        }
        if self.get_param("getcomments"):
            comments = [
                {
                    "id": c["id"],
                    "text": c["text"],
                    "author": c["author"],
                    "author_id": c["author_id"],
                    "like_count": c["like_count"],
                    "timestamp": c["timestamp"],
                    "parent": c["parent"],
                }
                for c in data["comments"]
            ]
            info["__post_extractor"] = lambda: {"comments": comments, "comment_count": len(comments)}
        return info

    def _entries(self, rows: list[dict]) -> list[dict]:
        return [
            self.url_result(
                urls.watch_url(row["id"]) if row["tab"] != "shorts" else f"https://www.youtube.com/shorts/{row['id']}",
                ie=self.ie_key(),
                video_id=row["id"],
                video_title=row["title"],
                duration=row["duration"],
                channel_id=row["channel_id"],
                channel=row["channel"],
                thumbnails=[{"url": row["thumbnail_url"]}] if row.get("thumbnail_url") else None,
            )
            for row in rows
        ]

    def _playlist(self, base: str, playlist_id: str) -> dict:
        data = self._api(base, f"playlist/{playlist_id}", playlist_id)
        return {
            "_type": "playlist",
            "id": playlist_id,
            "title": data["title"],
            "channel_id": data["channel_id"],
            "channel": data["channel"],
            "uploader": data["channel"],
            "thumbnails": [{"url": data["thumbnail_url"]}],
            "entries": self._entries(data["entries"]),
        }

    def _channel(self, base: str, target: urls.Target, url: str) -> dict:
        key = target.youtube_id or target.handle
        data = self._api(base, f"channel/{key}", key)
        if urlsplit(url).path.rstrip("/").endswith("/playlists"):  # urls.parse_target keeps only the video tabs
            if not data["playlists"]:
                raise ExtractorError("This channel does not have a playlists tab", expected=True)
            entries = [
                self.url_result(urls.playlist_url(p["id"]), ie=self.ie_key(), video_id=p["id"], video_title=p["title"])
                for p in data["playlists"]
            ]
        elif target.tab is None:  # as YouTube's: a channel's page lists its tabs
            entries = [
                self.url_result(urls.channel_url(data["channel_id"], tab), ie=self.ie_key()) for tab in data["tabs"]
            ]
        elif target.tab in data["tabs"]:
            entries = self._entries([row for row in data["entries"] if row["tab"] == target.tab])
        else:
            raise ExtractorError(f"This channel does not have a {target.tab} tab", expected=True)
        name = data["name"] + {"videos": " - Videos", "shorts": " - Shorts", "streams": " - Live"}.get(target.tab, "")
        return {
            "_type": "playlist",
            "id": data["channel_id"],
            "title": name,
            "channel_id": data["channel_id"],
            "channel": data["name"],
            "uploader": data["name"],
            "uploader_id": data["handle"],
            "description": data["description"],
            "channel_follower_count": data["followers"],
            "tags": ["demo"],
            "thumbnails": [
                {"id": "avatar_uncropped", "url": data["avatar_url"]},
                {"id": "banner_uncropped", "url": data["banner_url"]},
            ],
            "entries": entries,
        }
