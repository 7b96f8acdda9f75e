"""A running TubeArchivist, read through its API with a user's token: v0.4.x and v0.5.x shapes, told apart by
the `version` of GET /api/ping/ (this archive answers as v0.4, so one archive moves into another).

What the versions differ in (TubeArchivist's serializers): v0.4 wraps a single object in `{"data": ...}` and
answers a video's position at /api/video/<id>/progress/; v0.5 answers objects bare and puts `position` in the
video's `player`; v0.5 dates may carry a time (ISO 8601) where v0.4 has `YYYY-MM-DD`, and its channels have no
`channel_views`. Media come from `--media` (TubeArchivist's media folder, found by the video's `media_url` or by
its id) or from the instance's /media/ URLs; thumbnails, art and subtitles from its /cache/ and /media/ URLs.
A media file fetched from the instance is not fetched again once the bucket holds it whole with the video's
`media_size` (a second run of a 2 TB move does not read 2 TB again); from `--media` it is verified by checksum.

A page, video or file that answers an error or malformed JSON is a failure of that item (reported); the rest
moves. A video whose media, subtitles, comments or position cannot be read does not move (a second run tries
it again).
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from functions.core.ids import is_video_id
from functions.schemas.ta import Overwrites
from functions.storage import s3
from infra.move_in.items import Collected, File, content_type

V04, V05 = "v0.4", "v0.5"
PAGE_LIMIT = 100_000  # pages of one listing read at most: a source that never ends its listing is cut there
TIMEOUT = 60


class SourceError(Exception):
    """One request the source answered badly: an HTTP error, no answer, or not the JSON expected."""


class _SameHostAuth(urllib.request.HTTPRedirectHandler):
    """Follows redirects (the /media/ 302 to a presigned URL) without sending the token to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


def _day(value) -> str | None:
    """A date as YYYY-MM-DD from v0.4's day, v0.5's ISO time, or epoch seconds; None for none (false, null)."""
    if value is None or value is False or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).date().isoformat()
    if isinstance(value, str) and value.isdigit():
        return datetime.fromtimestamp(int(value), UTC).date().isoformat()
    if isinstance(value, str) and len(value) >= 10:
        return value[:10]
    return value  # the importer names what is wrong with it


def _epoch(value):
    if isinstance(value, str) and len(value) >= 10 and not value.isdigit():
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return value
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _seconds(text) -> int | None:
    """A queue item's duration ("1:02:03", "02:03") in seconds; None when it is not one."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return int(text)
    if not isinstance(text, str) or not all(part.isdigit() for part in text.split(":")):
        return None
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


class TubeArchivist:
    def __init__(self, url: str, token: str, media: Path | None = None, workers: int = 8):
        self.base = url.rstrip("/")
        self.token = token
        self.media = media
        self.workers = workers
        self.opener = urllib.request.build_opener(_SameHostAuth)
        self.version = V04
        self._media_index: dict[str, Path] | None = None

    # ------------------------------------------------------------ requests

    def _request(self, path_or_url: str):
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        request = urllib.request.Request(url, headers={"Authorization": f"Token {self.token}"})
        try:
            return self.opener.open(request, timeout=TIMEOUT)
        except urllib.error.HTTPError as error:
            error.close()
            raise SourceError(f"HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise SourceError(f"no answer: {getattr(error, 'reason', error)}") from None

    def get(self, path: str):
        with self._request(path) as response:
            body = response.read()
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise SourceError("the answer is not JSON") from None

    def _object(self, path: str):
        """A single object: v0.4 wraps it in {"data": ...}."""
        body = self.get(path)
        if self.version == V04:
            if not isinstance(body, dict) or "data" not in body:
                raise SourceError('the answer has no "data"')
            body = body["data"]
        return body

    def fetch_to(self, path: str, target: Path) -> None:
        with self._request(path) as response, open(target, "wb") as handle:
            while chunk := response.read(1024 * 1024):
                handle.write(chunk)

    def listing(self, path: str, collected: Collected, advance=lambda n: None) -> list[dict]:
        """Every row of a paged listing; a page that fails is reported and the next one read (while the last
        page answered says there are more)."""
        rows: list[dict] = []
        separator = "&" if "?" in path else "?"
        last = 1
        for number in range(1, PAGE_LIMIT + 1):
            where = f"page {number} of {path}"
            try:
                page = self.get(f"{path}{separator}page={number}")
                if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                    raise SourceError('the answer has no "data" list')
            except SourceError as error:
                collected.fail(where, str(error))
                if number >= last:
                    break
                continue
            data = page["data"]
            good = [row for row in data if isinstance(row, dict)]
            if len(good) < len(data):
                collected.fail(where, f"{len(data) - len(good)} of its rows are not objects")
            rows += good
            advance(len(good))
            last_page = _mapping(page.get("paginate")).get("last_page")
            last = last_page if isinstance(last_page, int) else number
            if not data or number >= last:
                break
        return rows

    # ------------------------------------------------------------ shapes

    def ping(self) -> str:
        body = self.get("/api/ping/")
        if not isinstance(body, dict) or body.get("response") != "pong":
            raise SourceError("GET /api/ping/ did not answer pong: is this a TubeArchivist?")
        version = str(body.get("version") or "")
        self.version = V05 if version.startswith(("v0.5", "0.5")) else V04
        return version

    def channel(self, row: dict, collected: Collected) -> dict:
        overwrites = {}
        for key, value in (row.get("channel_overwrites") or {}).items():
            if key in Overwrites.__struct_fields__ and value is not None:
                overwrites[key] = value
            elif value is not None:
                collected.notes.append(
                    f"channel {row.get('channel_id')}: overwrite {key} is not kept (no such setting)"
                )
        channel_id = row.get("channel_id")
        for kind in ("thumb", "banner", "tvart"):
            url = row.get(f"channel_{kind}_url")
            if isinstance(url, str) and url and isinstance(channel_id, str):
                collected.files.append(File(s3.channel_art_key(channel_id, kind), "image/jpeg", url=url))
        return {
            "channel_id": channel_id,
            "channel_name": row.get("channel_name"),
            "channel_description": row.get("channel_description") or "",
            "channel_subscribed": row.get("channel_subscribed"),
            "channel_active": row.get("channel_active"),
            "channel_last_refresh": _day(row.get("channel_last_refresh")),
            "channel_subs": row.get("channel_subs"),
            "channel_views": row.get("channel_views"),
            "channel_overwrites": overwrites or None,
        }

    def playlist(self, row: dict, collected: Collected) -> dict:
        thumb = row.get("playlist_thumbnail")
        has_thumb = isinstance(thumb, str) and bool(thumb) and isinstance(row.get("playlist_id"), str)
        if has_thumb:
            collected.files.append(File(s3.playlist_thumb_key(row["playlist_id"]), "image/jpeg", url=thumb))
        return {
            "playlist_thumb": has_thumb or None,
            **{k: row.get(k) for k in ("playlist_id", "playlist_name", "playlist_channel", "playlist_channel_id")},
            "playlist_description": row.get("playlist_description") or "",
            "playlist_subscribed": row.get("playlist_subscribed"),
            "playlist_active": row.get("playlist_active"),
            "playlist_last_refresh": _day(row.get("playlist_last_refresh")),
            "playlist_type": row.get("playlist_type"),
            "playlist_entries": [
                {k: e.get(k) for k in ("youtube_id", "title", "uploader")}
                for e in row.get("playlist_entries") or []
                if isinstance(e, dict)
            ],
        }

    def _local_media(self, media_url: str, youtube_id: str) -> Path | None:
        """The file in TubeArchivist's media folder: at the media_url's path, else any NAME.ext named by the id."""
        assert self.media is not None
        relative = media_url.removeprefix("/media/").lstrip("/")
        if relative and (self.media / relative).is_file():
            return self.media / relative
        if self._media_index is None:
            self._media_index = {}
            for directory, _, names in os.walk(self.media):
                for name in names:
                    self._media_index.setdefault(name.split(".", 1)[0], Path(directory) / name)
        return self._media_index.get(youtube_id)

    def video(self, row: dict, collected: Collected) -> tuple[dict, list[File], dict | None]:
        """The import row, the files and the user's state of one video; SourceError when a part of it fails."""
        youtube_id = row["youtube_id"]
        channel = _mapping(row.get("channel"))
        channel_id = channel.get("channel_id") or row.get("channel_id")
        if not isinstance(channel_id, str):
            raise SourceError("it names no channel")
        player = _mapping(row.get("player"))
        media_url = row.get("media_url") or ""
        ext = media_url.rsplit(".", 1)[-1].lower() if "." in media_url.rsplit("/", 1)[-1] else "mp4"
        files = []
        if self.media is not None:
            path = self._local_media(media_url, youtube_id)
            if path is None:
                raise SourceError(f"no file of {youtube_id} in {self.media}")
            files.append(File(s3.media_key(channel_id, youtube_id, ext), content_type(ext), path=path))
        else:
            size = row.get("media_size") if isinstance(row.get("media_size"), int) and row["media_size"] > 0 else None
            key = s3.media_key(channel_id, youtube_id, ext)
            files.append(File(key, content_type(ext), url=media_url, expected_size=size))
        for file in files:
            file.video, file.required = youtube_id, True
        if row.get("vid_thumb_url"):
            files.append(File(s3.video_thumb_key(youtube_id), "image/jpeg", url=row["vid_thumb_url"], video=youtube_id))
        subtitles = []
        for sub in row.get("subtitles") or []:
            if not isinstance(sub, dict):
                continue
            if sub.get("ext", "vtt") != "vtt" or not sub.get("media_url"):
                collected.notes.append(
                    f"video {youtube_id}: subtitle {sub.get('lang')} ({sub.get('ext')}) is not WebVTT"
                )
                continue
            with self._request(sub["media_url"]) as response:
                text = response.read().decode("utf-8", errors="replace")
            subtitles.append({**{k: sub.get(k) for k in ("lang", "name", "source")}, "ext": "vtt", "vtt": text})
        if row.get("comment_count"):
            threads = self._object(f"/api/video/{youtube_id}/comment/")
            if not isinstance(threads, list):
                raise SourceError("its comments are not a list")
            body = json.dumps(threads, ensure_ascii=False, separators=(",", ":")).encode()
            files.append(File(s3.comments_key(youtube_id), "application/json", data=body, video=youtube_id))
        position = player.get("position")
        if self.version == V04:
            progress = self.get(f"/api/video/{youtube_id}/progress/")
            if not isinstance(progress, dict):
                raise SourceError("its progress is not an object")
            position = progress.get("position")
        state = None
        if player.get("watched") or position:
            state = {
                "youtube_id": youtube_id,
                "watched": bool(player.get("watched")),
                "watched_date": _epoch(player.get("watched_date")),
                "position": position or None,
            }
        stats = _mapping(row.get("stats"))
        imported = {
            **{k: row.get(k) for k in ("youtube_id", "title", "vid_type", "active", "category", "tags", "playlist")},
            "description": row.get("description") or "",
            "published": _day(row.get("published")),
            "vid_last_refresh": _day(row.get("vid_last_refresh")),
            "date_downloaded": _epoch(row.get("date_downloaded")),
            "channel": {**channel, "channel_last_refresh": _day(channel.get("channel_last_refresh"))}
            if channel.get("channel_name")
            else None,
            "channel_id": channel_id,
            "duration": player.get("duration"),
            **{k: stats.get(k) for k in ("view_count", "like_count", "dislike_count", "average_rating")},
            "media_ext": ext,
            "media_size": files[0].size() if files[0].path is not None else row.get("media_size"),
            "subtitles": subtitles,
            "comment_count": row.get("comment_count"),
            "sponsorblock": row.get("sponsorblock") if isinstance(row.get("sponsorblock"), dict) else None,
        }
        if imported["channel"] is not None:  # only the importer's channel fields
            imported["channel"] = {k: v for k, v in self.channel(channel, Collected()).items() if v is not None}
        return imported, files, state

    # ------------------------------------------------------------ everything

    def collect(self, collected: Collected, advance=lambda n: None) -> Collected:
        self.ping()
        channels = [self.channel(row, collected) for row in self.listing("/api/channel/", collected, advance)]
        playlists = [self.playlist(row, collected) for row in self.listing("/api/playlist/", collected, advance)]
        rows = [r for r in self.listing("/api/video/", collected, advance) if is_video_id(r.get("youtube_id"))]

        def one(row):
            try:
                return self.video(row, collected)
            except SourceError as error:
                collected.fail(f"video {row['youtube_id']}", str(error))
            except (TypeError, KeyError, AttributeError, ValueError) as error:
                collected.fail(f"video {row['youtube_id']}", f"malformed: {error!r}")
            return None

        videos = []
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="move-in-read") as pool:
            for result in pool.map(one, rows):
                advance(1)
                if result is not None:
                    video, files, state = result
                    videos.append(video)
                    collected.files += files
                    if state is not None:
                        collected.states.append(state)
        for status in ("pending", "ignore"):
            for row in self.listing(f"/api/download/?filter={status}", collected, advance):
                if is_video_id(row.get("youtube_id")):
                    fields = ("youtube_id", "title", "channel_id", "channel_name", "vid_type")
                    queued = {k: row.get(k) for k in fields}
                    queued.update(
                        status=status, published=_day(row.get("published")), duration=_seconds(row.get("duration"))
                    )
                    collected.queue.append(queued)
        collected.document = {"channels": channels, "playlists": playlists, "videos": videos}
        return collected
