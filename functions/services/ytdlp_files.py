"""Reading a folder of yt-dlp downloads (plain yt-dlp, Pinchflat, ytdl-sub), wherever it is: a local folder
(infra/move_in/folder.py) or the media bucket's `import/` prefix (functions.services.manual_import).

Every media file with its `.info.json` beside it, named as yt-dlp names them (`NAME.mp4`, `NAME.info.json`,
`NAME.jpg`, `NAME.LANG.vtt`), becomes an import document's video (functions/services/importer), with its channel
and playlist made from the info JSON's fields; its comments (`comments`, with `--write-comments`) become the
archive's threads. A media file without an info JSON is listed, not guessed at.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.services import comments
from functions.storage import s3
from functions.youtube.rows import day_of, vid_type_of

MEDIA_EXTS = ("mp4", "webm", "mkv", "m4a")
THUMB_EXTS = ("jpg", "jpeg", "png", "webp")
INFO = ".info.json"
THUMB_SUFFIX = "-thumb"
OTHER_SUBTITLES = ("srt", "ass", "ssa", "ttml", "srv3", "json3", "lrc")  # the archive serves WebVTT only


def group(folders: Iterable[tuple[PurePath, Iterable[str]]]) -> tuple[dict[PurePath, list[PurePath]], list[PurePath]]:
    """Per info JSON (by its NAME: the path without `.info.json`), the files named NAME.*; and the media files
    that belong to no info JSON. `folders`: each directory with the names of the files in it."""
    grouped: dict[PurePath, list[PurePath]] = {}
    alone: list[PurePath] = []
    for directory, listed in folders:
        names = list(listed)
        stems = {name[: -len(INFO)] for name in names if name.endswith(INFO)}
        for stem in stems:
            grouped[directory / stem] = []
        for name in names:
            # NAME.ext, NAME.LANG.vtt, NAME.info.json, NAME-thumb.jpg (ytdl-sub's, Kodi's): a title may hold
            # dots, so try each cut from the right
            parts = name.split(".")
            cuts = [".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
            owner = (
                next((cut for cut in [*cuts, cuts[0].removesuffix(THUMB_SUFFIX)] if cut in stems), None)
                if cuts
                else None
            )
            if owner is not None:
                grouped[directory / owner].append(directory / name)
            elif parts[-1].lower() in MEDIA_EXTS:
                alone.append(directory / name)
    return grouped, alone


def companions(stem: PurePath, files: list[PurePath]) -> dict[str, PurePath]:
    """NAME.ext by its role: "media", "info", "thumb", or a subtitle's "sub:LANG"."""
    found: dict[str, PurePath] = {}
    for path in sorted(files):
        rest = path.name[len(stem.name) :].split(".")[1:]
        if path.name == stem.name + INFO:
            found["info"] = path
        elif len(rest) == 1 and rest[0].lower() in MEDIA_EXTS:
            found.setdefault("media", path)
        elif (
            rest and rest[-1].lower() in THUMB_EXTS and path.name[len(stem.name) :].split(".")[0] in ("", THUMB_SUFFIX)
        ):
            found.setdefault("thumb", path)
        elif len(rest) == 2 and rest[1].lower() == "vtt":
            found["sub:" + rest[0]] = path
        elif len(rest) == 2 and rest[1].lower() in OTHER_SUBTITLES:
            found["other:" + rest[0]] = path
    return found


def _channel(info: dict) -> dict:
    return {
        "channel_id": info["channel_id"],
        "channel_name": info.get("channel") or info.get("uploader") or info["channel_id"],
        "channel_description": "",
        "channel_subs": int(info.get("channel_follower_count") or 0),
    }


def _playlist_fields(info: dict) -> tuple[str, dict] | None:
    playlist_id = info.get("playlist_id")
    if not is_playlist_id(playlist_id):
        return None
    owner = info.get("playlist_channel_id") or info.get("playlist_uploader_id")
    return playlist_id, {
        "playlist_id": playlist_id,
        "playlist_name": info.get("playlist_title") or info.get("playlist") or playlist_id,
        "playlist_channel": info.get("playlist_channel") or info.get("playlist_uploader") or "",
        "playlist_channel_id": owner if is_channel_id(owner) else "",
        "playlist_entries": [],
    }


def _source(info: dict, lang: str) -> str:
    automatic = set(info.get("automatic_captions") or {}) - set(info.get("subtitles") or {})
    return "auto" if lang in automatic else "user"


def _video(info: dict, media: PurePath, size: int, mtime: float, subtitles: dict[str, str], count: int | None) -> dict:
    published = day_of(info.get("upload_date")) or day_of(info.get("release_date"))
    row = {
        "youtube_id": info["id"],
        "title": info.get("title") or info["id"],
        "description": info.get("description") or "",
        "published": published,
        "date_downloaded": int(info.get("epoch") or mtime),
        "vid_type": vid_type_of(info.get("webpage_url"), info.get("live_status")),
        "category": [c for c in info.get("categories") or [] if isinstance(c, str)],
        "tags": [t for t in info.get("tags") or [] if isinstance(t, str)],
        "channel_id": info["channel_id"],
        "duration": info.get("duration") or 0,
        "view_count": int(info.get("view_count") or 0),
        "like_count": int(info.get("like_count") or 0),
        "dislike_count": int(info.get("dislike_count") or 0),
        "average_rating": info.get("average_rating"),
        "playlist": [info["playlist_id"]] if is_playlist_id(info.get("playlist_id")) else [],
        "media_ext": media.suffix[1:].lower(),
        "media_size": size,
        "subtitles": [
            {"ext": "vtt", "lang": lang, "name": lang, "source": _source(info, lang), "vtt": text}
            for lang, text in sorted(subtitles.items())
        ],
    }
    if count is not None:
        row["comment_count"] = count
    return row


def _problem(info, found: dict) -> str | None:
    """Why a video cannot move, None when it can."""
    if not isinstance(info, dict):
        return "its info JSON is not an object"
    if not is_video_id(info.get("id")):
        return f"its info JSON's id {info.get('id')!r} is not a YouTube video id"
    if not is_channel_id(info.get("channel_id")):
        return "its info JSON names no YouTube channel_id"
    if "media" not in found:
        return "no media file beside its info JSON"
    if not (day_of(info.get("upload_date")) or day_of(info.get("release_date"))):
        return "its info JSON has no upload_date"
    return None


@dataclass
class Found:
    """One video's files in the folder: what to store at which key (its media, info JSON, thumbnail), and its
    comment threads (None: the info JSON holds no comments)."""

    youtube_id: str
    channel_id: str
    media: PurePath
    info: PurePath
    thumb: PurePath | None
    threads: list[dict] | None


@dataclass
class Read:
    document: dict = field(default_factory=lambda: {"channels": [], "playlists": [], "videos": []})
    videos: list[Found] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    notes: list[str] = field(default_factory=list)  # what was left behind on purpose (formats the archive lacks)


def read(
    grouped: dict[PurePath, list[PurePath]],
    read_text: Callable[[PurePath], str],
    stat: Callable[[PurePath], tuple[int, float]],
    advance: Callable[..., None] = lambda n=1: None,
) -> Read:
    """The import document of every info JSON with its media; `read_text` reads a file (raising OSError or
    ValueError when it cannot), `stat` gives its size and modification time."""
    result = Read()
    channels: dict[str, dict] = {}
    playlists: dict[str, dict] = {}
    positions: dict[str, list[tuple[float, str, dict]]] = {}
    videos: dict[str, dict] = {}
    for stem, files in sorted(grouped.items()):
        found = companions(stem, files)
        advance()
        where = str(found["info"])
        try:
            info = json.loads(read_text(found["info"]))
        except (OSError, ValueError, UnicodeDecodeError) as error:
            result.failures.append((where, f"cannot read it as JSON: {error}"))
            continue
        if isinstance(info, dict) and info.get("_type") == "playlist":
            fields = _playlist_fields({**info, "playlist_id": info.get("id"), "playlist_title": info.get("title")})
            if fields:
                playlists.setdefault(fields[0], fields[1]).update(
                    {k: v for k, v in fields[1].items() if k != "playlist_entries" and v}
                )
            continue
        problem = _problem(info, found)
        if problem:
            result.failures.append((where, problem))
            continue
        youtube_id, channel_id = info["id"], info["channel_id"]
        if youtube_id in videos:
            result.failures.append((where, f"video {youtube_id} is in the folder twice; the first one moves"))
            continue
        subtitles = {}
        for role, path in found.items():
            lang = role.removeprefix("sub:")
            if role.startswith("sub:") and s3.MEDIA_FILE.match(f"{youtube_id}.{lang}.vtt"):
                subtitles[lang] = read_text(path)
            elif role.startswith(("sub:", "other:")):
                result.notes.append(f"{path}: not a WebVTT track the archive can serve (use --convert-subs vtt)")
        threads = comments.threads(info["comments"]) if isinstance(info.get("comments"), list) else None
        media = found["media"]
        size, mtime = stat(media)
        count = None if threads is None else comments.count(threads)
        videos[youtube_id] = _video(info, media, size, mtime, subtitles, count)
        channels.setdefault(channel_id, _channel(info))
        fields = _playlist_fields(info)
        if fields:
            playlist = playlists.setdefault(fields[0], fields[1])
            index = info.get("playlist_index")
            order = float(index) if isinstance(index, int | float) else float("inf")
            entry = {
                "youtube_id": youtube_id,
                "title": info.get("title") or "",
                "uploader": _channel(info)["channel_name"],
            }
            positions.setdefault(playlist["playlist_id"], []).append((order, youtube_id, entry))
        result.videos.append(Found(youtube_id, channel_id, media, found["info"], found.get("thumb"), threads))
    for playlist_id, rows in positions.items():
        playlists[playlist_id]["playlist_entries"] = [entry for _, _, entry in sorted(rows, key=lambda r: r[:2])]
    result.document = {
        "channels": list(channels.values()),
        "playlists": list(playlists.values()),
        "videos": list(videos.values()),
    }
    return result
