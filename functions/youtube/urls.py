"""What users paste: YouTube ids and URLs read into video, channel and playlist targets, and the URLs built back.

Pure (no yt-dlp, no network), so the API function can check every pasted line before it stores anything.
Accepted forms:
- videos: `<11-char id>`, `youtube.com/watch?v=<id>`, `youtu.be/<id>`, `/shorts/<id>`, `/live/<id>`,
  `/embed/<id>`, `/v/<id>` (also on m., music. and youtube-nocookie.com);
- channels: `UC<22 chars>`, `/channel/<id>[/<tab>]`, `@handle`, `/@handle[/<tab>]`, legacy `/c/<name>` and
  `/user/<name>`; the tab `videos`, `shorts` or `streams` is kept, other tabs (featured, about...) are dropped;
- playlists: a playlist id (`PL...`, `UU...`, `OLAK5uy_...`, ...), `/playlist?list=<id>`.
A URL without a scheme is read as https. Anything else, other domains included, is BadRequest.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id

VIDEO, CHANNEL, PLAYLIST = "video", "channel", "playlist"
TABS = ("videos", "shorts", "streams")  # the tabs whose videos the archive downloads; also Video.vid_type
YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
SHORT_HOSTS = {"youtu.be", "www.youtu.be"}
HANDLE = re.compile(r"^@[\w.-]{3,30}$")
LEGACY_NAME = re.compile(r"^[\w.-]{1,100}$")
VIDEO_PATHS = ("shorts", "live", "embed", "v", "e")
MAX_INPUT = 2000


@dataclass(frozen=True)
class Target:
    """A video, channel or playlist to archive.

    A channel is known by `youtube_id` (its UC id) or, until yt-dlp resolves it, by `handle`: `@name`, or
    `c/name` / `user/name` for legacy custom URLs. `tab` narrows a channel to one of TABS.
    """

    kind: str
    youtube_id: str | None = None
    handle: str | None = None
    tab: str | None = None

    @property
    def url(self) -> str:
        key = self.youtube_id or self.handle or ""  # parse_target sets one of them
        if self.kind == VIDEO:
            return watch_url(key)
        if self.kind == PLAYLIST:
            return playlist_url(key)
        return channel_url(key, self.tab)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "youtube_id": self.youtube_id, "handle": self.handle, "tab": self.tab}

    @classmethod
    def from_dict(cls, data: dict) -> "Target":
        return cls(data["kind"], data.get("youtube_id"), data.get("handle"), data.get("tab"))


def _refuse(text: str, why: str) -> BadRequest:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return BadRequest(f"cannot read {shown!r}: {why}")


def parse_target(text: str) -> Target:
    """The target of one pasted id or URL; BadRequest saying why when it is none."""
    if not isinstance(text, str):
        raise BadRequest(f"expected a YouTube id or URL as a string, got {type(text).__name__}")
    text = text.strip()
    if not text:
        raise BadRequest("empty YouTube id or URL")
    if len(text) > MAX_INPUT:
        raise _refuse(text, f"longer than {MAX_INPUT} characters")
    if is_video_id(text):
        return Target(VIDEO, text)
    if is_channel_id(text):
        return Target(CHANNEL, text)
    if is_playlist_id(text) or _is_other_list_id(text):
        return Target(PLAYLIST, text)
    if HANDLE.match(text):
        return Target(CHANNEL, handle=text)
    if "/" in text or "." in text:
        return _parse_url(text)
    raise _refuse(text, "not a YouTube video, channel or playlist id, @handle or URL")


def _is_other_list_id(text: str) -> bool:
    """Playlist ids outside ids.PLAYLIST_ID's prefixes that YouTube still hands out (album lists)."""
    return re.match(r"^OLAK5uy_[A-Za-z0-9_-]{33}$", text) is not None


def _parse_url(text: str) -> Target:
    raw = text if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) else "https://" + text
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise _refuse(text, "not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise _refuse(text, "only http and https YouTube URLs are accepted")
    segments = [segment for segment in parts.path.split("/") if segment]
    query = parse_qs(parts.query)
    if host in SHORT_HOSTS:
        if segments and is_video_id(segments[0]):
            return Target(VIDEO, segments[0])
        raise _refuse(text, "a youtu.be link needs a video id")
    if host not in YOUTUBE_HOSTS:
        raise _refuse(text, f"{host or 'this'} is not a YouTube domain")
    if not segments:
        raise _refuse(text, "no video, channel or playlist in this URL")
    head = segments[0]
    if head == "watch":
        video_id = (query.get("v") or [""])[0]
        if is_video_id(video_id):
            return Target(VIDEO, video_id)
        raise _refuse(text, "watch URL without a valid v= video id")
    if head in VIDEO_PATHS:
        if len(segments) > 1 and is_video_id(segments[1]):
            return Target(VIDEO, segments[1])
        raise _refuse(text, f"/{head}/ URL without a valid video id")
    if head == "playlist":
        list_id = (query.get("list") or [""])[0]
        if is_playlist_id(list_id) or _is_other_list_id(list_id):
            return Target(PLAYLIST, list_id)
        raise _refuse(text, "playlist URL without a valid list= playlist id")
    tab = _tab(segments)
    if head == "channel":
        if len(segments) > 1 and is_channel_id(segments[1]):
            return Target(CHANNEL, segments[1], tab=tab)
        raise _refuse(text, "/channel/ URL without a valid channel id (UC + 22 characters)")
    if head.startswith("@"):
        if HANDLE.match(head):
            return Target(CHANNEL, handle=head, tab=tab)
        raise _refuse(text, "not a valid @handle")
    if head in ("c", "user"):
        if len(segments) > 1 and LEGACY_NAME.match(segments[1]):
            return Target(CHANNEL, handle=f"{head}/{segments[1]}", tab=tab)
        raise _refuse(text, f"/{head}/ URL without a channel name")
    raise _refuse(text, "no video, channel or playlist in this URL")


def _tab(segments: list[str]) -> str | None:
    """The channel tab after /channel/<id> or /@handle (one segment further for /c/ and /user/)."""
    position = 1 if segments[0].startswith("@") else 2
    if len(segments) > position and segments[position].lower() in TABS:
        return segments[position].lower()
    return None


def parse_targets(texts) -> list[Target]:
    """Every line read, or BadRequest naming each that is not a target: all are checked before any is used."""
    targets, problems = [], []
    for text in texts:
        try:
            targets.append(parse_target(text))
        except BadRequest as error:
            problems.append(error.message)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BadRequest("; ".join(problems[:5]) + more + "; nothing was added")
    return targets


# ---------------------------------------------------------------- URLs


def watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def thumbnail_url(video_id: str) -> str:
    """YouTube's own 16:9 thumbnail of a video (every video has one at this address)."""
    return f"https://i.ytimg.com/vi/{video_id}/mqdefault.jpg"


def channel_url(channel_id_or_handle: str, tab: str | None = None) -> str:
    """The channel's page (or one tab of it) by UC id, `@handle`, or legacy `c/name` / `user/name`."""
    name = channel_id_or_handle
    if is_channel_id(name):
        base = f"https://www.youtube.com/channel/{name}"
    elif name.startswith("@") or name.startswith(("c/", "user/")):
        base = f"https://www.youtube.com/{name}"
    else:
        base = f"https://www.youtube.com/@{name}"
    return f"{base}/{tab}" if tab else base


def channel_playlists_url(channel_id: str) -> str:
    """The channel's playlists tab: the playlists it made (view=1), newest first, as one list (no shelves)."""
    return channel_url(channel_id, "playlists") + "?view=1&sort=dd&shelf_id=0"


def playlist_url(playlist_id: str) -> str:
    return f"https://www.youtube.com/playlist?list={playlist_id}"
