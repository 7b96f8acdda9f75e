"""A folder of yt-dlp downloads (plain yt-dlp, Pinchflat, ytdl-sub): every media file with its `.info.json`
beside it, named as yt-dlp names them (`NAME.mp4`, `NAME.info.json`, `NAME.jpg`, `NAME.LANG.vtt`).

The video, its channel and its playlist are made from the info JSON's fields; its comments (`comments`, with
`--write-comments`) become the archive's threads. A media file without an info JSON is listed, not guessed at.
"""

import json
import os
from pathlib import Path

from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.services import comments
from functions.storage import s3
from functions.youtube import ytdlp
from infra.move_in.items import Collected, File, content_type

MEDIA_EXTS = ("mp4", "webm", "mkv", "m4a")
THUMB_EXTS = ("jpg", "jpeg", "png", "webp")
INFO = ".info.json"
THUMB_SUFFIX = "-thumb"
OTHER_SUBTITLES = ("srt", "ass", "ssa", "ttml", "srv3", "json3", "lrc")  # the archive serves WebVTT only


def _groups(folder: Path) -> tuple[dict[Path, list[Path]], list[Path]]:
    """Per info JSON (by its NAME: the path without `.info.json`), the files named NAME.*; and the media files
    that belong to no info JSON."""
    grouped: dict[Path, list[Path]] = {}
    alone: list[Path] = []
    for directory, _, names in os.walk(folder):
        stems = {name[: -len(INFO)] for name in names if name.endswith(INFO)}
        for stem in stems:
            grouped[Path(directory) / stem] = []
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
                grouped[Path(directory) / owner].append(Path(directory) / name)
            elif parts[-1].lower() in MEDIA_EXTS:
                alone.append(Path(directory) / name)
    return grouped, alone


def _companions(stem: Path, files: list[Path]) -> dict[str, Path]:
    """NAME.ext by its role: "media", "info", "thumb", or a subtitle's "sub:LANG"."""
    found: dict[str, Path] = {}
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


def _video(info: dict, media: Path, subtitles: dict[str, str], comment_count: int | None) -> dict:
    published = ytdlp.day_of(info.get("upload_date")) or ytdlp.day_of(info.get("release_date"))
    row = {
        "youtube_id": info["id"],
        "title": info.get("title") or info["id"],
        "description": info.get("description") or "",
        "published": published,
        "date_downloaded": int(info.get("epoch") or media.stat().st_mtime),
        "vid_type": ytdlp.vid_type_of(info.get("webpage_url"), info.get("live_status")),
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
        "media_size": media.stat().st_size,
        "subtitles": [
            {"ext": "vtt", "lang": lang, "name": lang, "source": _source(info, lang), "vtt": text}
            for lang, text in sorted(subtitles.items())
        ],
    }
    if comment_count is not None:
        row["comment_count"] = comment_count
    return row


def _source(info: dict, lang: str) -> str:
    automatic = set(info.get("automatic_captions") or {}) - set(info.get("subtitles") or {})
    return "auto" if lang in automatic else "user"


def _problem(info, companions: dict) -> str | None:
    """Why a video cannot move, None when it can."""
    if not isinstance(info, dict):
        return "its info JSON is not an object"
    if not is_video_id(info.get("id")):
        return f"its info JSON's id {info.get('id')!r} is not a YouTube video id"
    if not is_channel_id(info.get("channel_id")):
        return "its info JSON names no YouTube channel_id"
    if "media" not in companions:
        return "no media file beside its info JSON"
    if not (ytdlp.day_of(info.get("upload_date")) or ytdlp.day_of(info.get("release_date"))):
        return "its info JSON has no upload_date"
    return None


def read(folder: Path, collected: Collected, advance=lambda n=1: None) -> Collected:
    """Read the folder: every info JSON with its media; the files to store; media without an info JSON listed."""
    channels: dict[str, dict] = {}
    playlists: dict[str, dict] = {}
    positions: dict[str, list[tuple[float, str, dict]]] = {}
    videos: dict[str, dict] = {}
    grouped, collected.unmatched = _groups(folder)
    for stem, files in sorted(grouped.items()):
        companions = _companions(stem, files)
        advance()
        where = str(companions["info"])
        try:
            info = json.loads(companions["info"].read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as error:
            collected.fail(where, f"cannot read it as JSON: {error}")
            continue
        if isinstance(info, dict) and info.get("_type") == "playlist":
            fields = _playlist_fields({**info, "playlist_id": info.get("id"), "playlist_title": info.get("title")})
            if fields:
                playlists.setdefault(fields[0], fields[1]).update(
                    {k: v for k, v in fields[1].items() if k != "playlist_entries" and v}
                )
            continue
        problem = _problem(info, companions)
        if problem:
            collected.fail(where, problem)
            continue
        youtube_id, channel_id = info["id"], info["channel_id"]
        if youtube_id in videos:
            collected.fail(where, f"video {youtube_id} is in the folder twice; the first one moves")
            continue
        subtitles = {}
        for role, path in companions.items():
            lang = role.removeprefix("sub:")
            if role.startswith("sub:") and s3.MEDIA_FILE.match(f"{youtube_id}.{lang}.vtt"):
                subtitles[lang] = path.read_text(encoding="utf-8", errors="replace")
            elif role.startswith(("sub:", "other:")):
                collected.notes.append(f"{path}: not a WebVTT track the archive can serve (use --convert-subs vtt)")
        threads = comments.threads(info["comments"]) if isinstance(info.get("comments"), list) else None
        media = companions["media"]
        videos[youtube_id] = _video(info, media, subtitles, None if threads is None else comments.count(threads))
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
        ext = media.suffix[1:].lower()
        collected.files.append(
            File(
                s3.media_key(channel_id, youtube_id, ext),
                content_type(ext),
                path=media,
                video=youtube_id,
                required=True,
            )
        )
        collected.files.append(
            File(
                s3.info_json_key(channel_id, youtube_id), "application/json", path=companions["info"], video=youtube_id
            )
        )
        if "thumb" in companions:
            thumb = companions["thumb"]
            collected.files.append(
                File(s3.video_thumb_key(youtube_id), content_type(thumb.name), path=thumb, video=youtube_id)
            )
        if threads is not None:
            body = json.dumps(threads, ensure_ascii=False, separators=(",", ":")).encode()
            collected.files.append(File(s3.comments_key(youtube_id), "application/json", data=body, video=youtube_id))
    for playlist_id, rows in positions.items():
        playlists[playlist_id]["playlist_entries"] = [entry for _, _, entry in sorted(rows, key=lambda r: r[:2])]
    collected.document = {
        "channels": list(channels.values()),
        "playlists": list(playlists.values()),
        "videos": list(videos.values()),
    }
    return collected


class Folder:
    def __init__(self, path: Path):
        if not Path(path).is_dir():
            raise FileNotFoundError(f"{path} is not a folder")
        self.path = Path(path)

    def collect(self, collected: Collected, advance=lambda n=1: None) -> Collected:
        return read(self.path, collected, advance)
