"""What of the archive is searchable: each item as a search document of weighted field groups.

A group is a set of fields searched together, with one weight: a video's title, its tags and category; a
channel's name and description; a playlist's name and description; a subtitle fragment's line; a queued video's
title, channel name and id (in groups of its status, so a status filter reads only its keys). Which groups a
search type reads mirrors TubeArchivist's queries (titles and names weigh double, as its `^2` boosts say).
Backends index `Document`s; how they store them is theirs.
"""

import math
from collections import Counter
from dataclasses import dataclass

from functions.services.downloads import items as queue
from functions.services.search import query as q
from functions.services.search import text

VIDEO, CHANNEL, PLAYLIST, SUBTITLE, DOWNLOAD = "video", "channel", "playlist", "subtitle", "download"


@dataclass(frozen=True)
class Group:
    name: str  # short: it starts every index key of the group
    kind: str
    weight: float
    prefixes: bool  # listed under its words' prefixes too (search as you type)


VIDEO_TITLE = Group("vt", VIDEO, 2.0, True)
VIDEO_TAGS = Group("vm", VIDEO, 1.0, True)  # tags and category
CHANNEL_NAME = Group("cn", CHANNEL, 2.0, True)
CHANNEL_ABOUT = Group("cd", CHANNEL, 1.0, False)
PLAYLIST_NAME = Group("pn", PLAYLIST, 2.0, True)
PLAYLIST_ABOUT = Group("pd", PLAYLIST, 1.0, False)
SUBTITLE_LINE = Group("st", SUBTITLE, 1.0, False)


@dataclass(frozen=True)
class QueueGroups:
    """A queue status's groups: an item's postings move to the other status's groups when its status changes."""

    title: Group
    channel: Group
    youtube_id: Group  # whole ids (or their parts between - and _): pasted, not typed

    def all(self) -> tuple[Group, ...]:
        return (self.title, self.channel, self.youtube_id)


QUEUED = {
    status: QueueGroups(
        Group(f"q{status[0]}t", DOWNLOAD, 2.0, True),
        Group(f"q{status[0]}c", DOWNLOAD, 1.0, True),
        Group(f"q{status[0]}i", DOWNLOAD, 1.0, False),
    )
    for status in queue.STATUSES
}
GROUPS = {
    g.name: g
    for g in (
        VIDEO_TITLE,
        VIDEO_TAGS,
        CHANNEL_NAME,
        CHANNEL_ABOUT,
        PLAYLIST_NAME,
        PLAYLIST_ABOUT,
        SUBTITLE_LINE,
        *(g for groups in QUEUED.values() for g in groups.all()),
    )
}

# What each search type reads, per kind of result.
SEARCHED: dict[str, dict[str, tuple[Group, ...]]] = {
    q.SIMPLE: {VIDEO: (VIDEO_TITLE,), CHANNEL: (CHANNEL_NAME,), PLAYLIST: (PLAYLIST_NAME,)},
    q.VIDEO: {VIDEO: (VIDEO_TITLE, VIDEO_TAGS)},
    q.CHANNEL: {CHANNEL: (CHANNEL_NAME, CHANNEL_ABOUT)},
    q.PLAYLIST: {PLAYLIST: (PLAYLIST_NAME, PLAYLIST_ABOUT)},
    q.FULL: {SUBTITLE: (SUBTITLE_LINE,)},
}


def searched(query: q.Query) -> dict[str, tuple[Group, ...]]:
    """What a query reads, per kind of result: the queue's groups of the statuses it names."""
    if query.query_type == q.DOWNLOAD:
        return {DOWNLOAD: tuple(g for status in query.statuses for g in QUEUED[status].all())}
    return SEARCHED[query.query_type]


CHANNEL_FILTER = (CHANNEL_NAME,)  # what `channel:` matches
SIMILAR = (VIDEO_TITLE, VIDEO_TAGS)  # what similar videos share


@dataclass(frozen=True)
class Document:
    kind: str
    doc_id: str
    fields: dict  # group name -> text


def term_key(group: str, term: str) -> str:
    return f"{group}:{term}"


def prefix_key(group: str, prefix: str) -> str:
    return f"{group}>{prefix}"


def subtitle_doc_id(youtube_id: str, lang: str, index: int) -> str:
    return f"{youtube_id}.{lang}.{index}"


def split_subtitle_doc_id(doc_id: str) -> tuple[str, str, int]:
    youtube_id, lang, index = doc_id.rsplit(".", 2)
    return youtube_id, lang, int(index)


def video_document(video) -> Document:
    meta = " ".join(list(video.tags or []) + list(video.category or []))
    return Document(VIDEO, video.youtube_id, {VIDEO_TITLE.name: video.title or "", VIDEO_TAGS.name: meta})


def channel_document(channel) -> Document:
    fields = {CHANNEL_NAME.name: channel.channel_name or "", CHANNEL_ABOUT.name: channel.channel_description or ""}
    return Document(CHANNEL, channel.channel_id, fields)


def playlist_document(playlist) -> Document:
    fields = {
        PLAYLIST_NAME.name: playlist.playlist_name or "",
        PLAYLIST_ABOUT.name: playlist.playlist_description or "",
    }
    return Document(PLAYLIST, playlist.playlist_id, fields)


def queue_document(item) -> Document:
    """A queue item in its status's groups."""
    groups = QUEUED[item.status]
    fields = {
        groups.title.name: item.title or "",
        groups.channel.name: item.channel_name or "",
        groups.youtube_id.name: item.youtube_id,
    }
    return Document(DOWNLOAD, item.youtube_id, fields)


def fragment_document(youtube_id: str, lang: str, fragment: text.Fragment) -> Document:
    return Document(SUBTITLE, subtitle_doc_id(youtube_id, lang, fragment.index), {SUBTITLE_LINE.name: fragment.line})


def _score(weight: float, count: int, length: int) -> int:
    """A term's weight in one field group: more for repeats, less in long fields (a BM25-like shape); 1..2000."""
    return max(1, round(1000 * weight * math.sqrt(count / length)))


def postings(document: Document, groups=None) -> dict[str, int]:
    """Index key -> score of a document: one key per term of each group, and per prefix of its words where the
    group has prefixes. `groups` limits it to some group names."""
    result: dict[str, int] = {}
    for name, value in document.fields.items():
        if groups is not None and name not in groups:
            continue
        group = GROUPS[name]
        found = text.words(value)
        if not found:
            continue
        length = len(found)
        for term, count in Counter(text.stem(w) for w in found).items():
            result[term_key(name, term)] = _score(group.weight, count, length)
        if group.prefixes:
            starts = Counter(p for w in set(found) for p in text.prefixes(w))
            for prefix, count in starts.items():
                result[prefix_key(name, prefix)] = _score(group.weight, count, length)
    return result


def group_words(document: Document, group: str) -> list[str]:
    return text.words(document.fields.get(group, ""))
