"""Planning an import: every read it needs, then every write decided, section by section; nothing written."""

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from functions.services import search
from functions.services.archive import playlists
from functions.services.importer.parse import Document, Errors
from functions.services.search import text as search_text
from functions.storage import counters, db, index_keys
from functions.storage.models import Channel, Playlist, PlaylistEntry, Video

# Attributes derived from the others (index keys): left out when comparing with the stored item.
CHANNEL_KEYS = {"all_channels", "name_key", "subscription"}
PLAYLIST_KEYS = {"all_playlists", "name_key", "subscription", "channel_key", "type_subscription"}


@dataclass
class Plan:
    channels: list[Channel] = field(default_factory=list)  # new or changed
    playlists: list[Playlist] = field(default_factory=list)
    entries_put: list[PlaylistEntry] = field(default_factory=list)
    entries_delete: list[PlaylistEntry] = field(default_factory=list)
    videos_put: list[Video] = field(default_factory=list)
    playlist_lists: list[tuple[Video, list[str]]] = field(default_factory=list)  # archived videos not in the file
    stored: dict[str, Video | Playlist] = field(default_factory=dict)  # what the written videos and playlists were
    tracks: list[tuple[Video, search.Track, str]] = field(default_factory=list)  # subtitle texts of written videos
    counters: set[str] = field(default_factory=set)
    listings: dict[str, str | None] = field(default_factory=dict)  # packed listings of playlists not rewritten
    summary: dict = field(default_factory=dict)


@dataclass
class _Archive:
    """What the import reads from the archive, and the playlist listings it works out from it."""

    videos: dict[str, Video]
    channels: dict[str, Channel]
    playlists: dict[str, Playlist]
    touched: list[str] = field(default_factory=list)  # playlists whose entries may change
    entries: dict[str, dict[str, PlaylistEntry]] = field(default_factory=dict)  # stored, per touched playlist
    listings: dict[str, dict[str, dict]] = field(default_factory=dict)  # wanted rows, in order
    removed: dict[str, list[PlaylistEntry]] = field(default_factory=dict)
    outside: dict[str, Video] = field(default_factory=dict)  # archived videos outside the file they touch
    members: dict[str, list[str]] = field(default_factory=dict)  # video -> playlists whose entries hold it


def _differs(old, new, derived: AbstractSet[str] = frozenset()) -> bool:
    if old is None:
        return True
    before = {k: v for k, v in old.serialize(null_check=False).items() if k not in derived}
    after = {k: v for k, v in new.serialize(null_check=False).items() if k not in derived}
    return before != after


def _tally(items, olds: dict, changed) -> dict:
    result = {"created": 0, "updated": 0, "unchanged": 0}
    for key in items:
        if key not in olds:
            result["created"] += 1
        elif key in changed:
            result["updated"] += 1
        else:
            result["unchanged"] += 1
    return result


def _read(parsed: Document) -> _Archive:
    """The stored videos, and the channels and playlists the file names or the stored videos were in;
    BadRequest when a video's channel or playlist is neither in the file nor archived."""
    (old_videos,) = db.batch_get((Video, list(parsed.videos)))
    wanted_channels = set(parsed.channels) | {video.channel_id for video in parsed.videos.values()}
    named = {p for video in parsed.videos.values() for p in video.playlist}
    formerly = {p for video in old_videos.values() for p in video.playlist or []}
    stored_channels, stored_playlists = db.batch_get(
        (Channel, sorted(wanted_channels)), (Playlist, sorted(set(parsed.playlists) | named | formerly))
    )
    errors = Errors()
    for youtube_id, video in parsed.videos.items():
        if video.channel_id not in parsed.channels and video.channel_id not in stored_channels:
            errors.add(parsed.where[youtube_id], f"channel {video.channel_id} is neither in the file nor archived")
        for playlist_id in video.playlist:
            if playlist_id not in parsed.playlists and playlist_id not in stored_playlists:
                errors.add(parsed.where[youtube_id], f"playlist {playlist_id} is neither in the file nor archived")
    errors.raise_any()
    archive = _Archive(old_videos, stored_channels, stored_playlists)
    touched = list(parsed.playlists) + sorted((named | formerly) - set(parsed.playlists))
    archive.touched = [p for p in touched if p in parsed.playlists or p in stored_playlists]
    archive.entries = {p: {e.youtube_id: e for e in playlists.entries(p)} for p in archive.touched}
    return archive


def _plan_listings(parsed: Document, archive: _Archive) -> None:
    """Playlist entries: the file's listing (or the stored one), plus the videos that name the playlist."""
    for playlist_id in archive.touched:
        if playlist_id in parsed.playlists:
            rows = parsed.playlists[playlist_id][1]
        else:
            ordered = sorted(archive.entries[playlist_id].values(), key=lambda e: int(e.idx))
            rows = [{"youtube_id": e.youtube_id, "title": e.title, "uploader": e.uploader} for e in ordered]
        archive.listings[playlist_id] = {row["youtube_id"]: row for row in rows}
    channel_names = {i: c.channel_name for i, c in archive.channels.items()}
    channel_names.update({i: c.channel_name for i, c in parsed.channels.items()})
    for video in parsed.videos.values():
        for playlist_id in video.playlist:
            archive.listings[playlist_id].setdefault(
                video.youtube_id,
                {
                    "youtube_id": video.youtube_id,
                    "title": video.title,
                    "uploader": channel_names.get(video.channel_id, ""),
                },
            )
    archive.removed = {
        p: [e for i, e in archive.entries[p].items() if i not in archive.listings[p]]
        for p in archive.touched
        if p in parsed.playlists
    }


def _plan_playlists(parsed: Document, archive: _Archive, result: Plan) -> None:
    """Playlists: written when new or changed, their packed listing with them; the listing alone otherwise."""
    packed = {p: playlists.pack(list(rows.values())) for p, rows in archive.listings.items()}
    for playlist_id, (playlist, _) in parsed.playlists.items():
        playlist.entries_packed = packed[playlist_id]
        if _differs(archive.playlists.get(playlist_id), playlist, PLAYLIST_KEYS):
            result.playlists.append(playlist)
    for playlist_id in set(packed) - set(parsed.playlists):
        if archive.playlists[playlist_id].entries_packed != packed[playlist_id]:
            result.listings[playlist_id] = packed[playlist_id]


def _read_outside(parsed: Document, archive: _Archive) -> None:
    """Archived videos outside the file whose membership may change, or whose entry does not say yet."""
    outside = set()
    for playlist_id in archive.touched:
        for youtube_id in archive.listings[playlist_id]:
            old = archive.entries[playlist_id].get(youtube_id)
            if youtube_id not in parsed.videos and (old is None or not old.downloaded):
                outside.add(youtube_id)
        outside.update(e.youtube_id for e in archive.removed.get(playlist_id, []) if e.downloaded)
    outside -= set(parsed.videos)
    (archive.outside,) = db.batch_get((Video, sorted(outside)))


def _plan_entries(parsed: Document, archive: _Archive, result: Plan) -> None:
    """Entries written where they differ (their video's sort key and channel when it is archived)."""
    for video in parsed.videos.values():
        index_keys.set_video_keys(video)
    for playlist_id in archive.touched:
        stored = archive.entries[playlist_id]
        for idx, (youtube_id, row) in enumerate(archive.listings[playlist_id].items()):
            source = parsed.videos.get(youtube_id)
            if source is None:
                source = archive.outside.get(youtube_id)
            old = stored.get(youtube_id)
            if source is not None:
                key, channel_id = source.published_key, source.channel_id
            elif old is not None and old.downloaded:
                key, channel_id = old.published_key, old.channel_id
            else:
                key, channel_id = None, None
            entry = PlaylistEntry(
                playlist_id,
                youtube_id,
                idx=idx,
                title=row["title"],
                uploader=row["uploader"],
                channel_id=channel_id,
                published_key=key,
            )
            if _differs(old, entry):
                result.entries_put.append(entry)
            if source is not None:
                archive.members.setdefault(youtube_id, []).append(playlist_id)
        result.entries_delete.extend(archive.removed.get(playlist_id, []))


def _plan_videos(parsed: Document, archive: _Archive, result: Plan) -> None:
    """Videos: their playlists are the ones whose entries hold them, those they name first."""
    for youtube_id, video in parsed.videos.items():
        held = archive.members.get(youtube_id, [])
        video.playlist = [p for p in video.playlist if p in held] + [p for p in held if p not in video.playlist]
        if _differs(archive.videos.get(youtube_id), video):
            result.videos_put.append(video)
            texts = parsed.subtitle_texts.get(youtube_id, {})
            for lang in [sub["lang"] for sub in video.subtitles if sub["lang"] in texts]:
                new = youtube_id not in archive.videos
                track = search.Track(youtube_id, lang, search_text.fragments(texts[lang]), new)
                result.tracks.append((video, track, texts[lang]))
    result.stored = {**archive.videos, **archive.playlists}
    for youtube_id, video in archive.outside.items():
        held = archive.members.get(youtube_id, [])
        current = list(video.playlist or [])
        listings = archive.listings
        wanted = [p for p in current if p not in listings or p in held] + [p for p in held if p not in current]
        if wanted != current:
            result.playlist_lists.append((video, wanted))


def _plan_counters(archive: _Archive, result: Plan) -> None:
    """Counters: the totals the writes above can change (none when the file matches the archive)."""
    names = result.counters
    if result.videos_put:
        names.add(counters.VIDEOS)
    for video in result.videos_put:
        names.add(counters.channel_videos(video.channel_id))
        if video.youtube_id in archive.videos:
            names.add(counters.channel_videos(archive.videos[video.youtube_id].channel_id))
    if result.channels:
        names.update(counters.subscription_totals(counters.CHANNELS))
    if result.playlists:
        names.update(counters.subscription_totals(counters.PLAYLISTS))
    for playlist in result.playlists:  # its type's and channel's counters, before and after
        for version in (playlist, archive.playlists.get(playlist.playlist_id)):
            if version is None:
                continue
            for subscription in counters.SUBSCRIPTIONS:
                names.add(counters.playlists_of_type(version.playlist_type or "regular", subscription))
                if version.playlist_channel_id:
                    names.add(counters.channel_playlists(version.playlist_channel_id, subscription))
    names.update(counters.playlist_videos(e.playlist_id) for e in result.entries_put + result.entries_delete)


def plan(parsed: Document) -> Plan:
    """Read what the import needs (stored versions, entries, referenced channels and playlists) and decide
    every write; BadRequest, before any write, when a video's channel or playlist is unknown."""
    result = Plan()
    archive = _read(parsed)
    # Channels: written when new or changed.
    result.channels = [c for i, c in parsed.channels.items() if _differs(archive.channels.get(i), c, CHANNEL_KEYS)]
    _plan_listings(parsed, archive)
    _plan_playlists(parsed, archive, result)
    _read_outside(parsed, archive)
    _plan_entries(parsed, archive, result)
    _plan_videos(parsed, archive, result)
    _plan_counters(archive, result)
    result.summary = {
        "channels": _tally(parsed.channels, archive.channels, {c.channel_id for c in result.channels}),
        "playlists": _tally(parsed.playlists, archive.playlists, {p.playlist_id for p in result.playlists}),
        "videos": _tally(parsed.videos, archive.videos, {v.youtube_id for v in result.videos_put}),
        "entries": {"written": len(result.entries_put), "removed": len(result.entries_delete)},
    }
    return result
