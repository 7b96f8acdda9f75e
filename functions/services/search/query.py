"""TubeArchivist's search syntax, parsed into a `Query` any backend can run.

    [video:|channel:|playlist:|full:]words [key:value ...]

The first word may name what to search (`video:`, `channel:`, `playlist:`, `full:` for subtitle text; without one
the search is "simple": video titles, channel and playlist names). `key:value` words then set filters; as in
TubeArchivist, the words after a filter continue its value (`channel:linus tech tips`). Filters by search type:
video `channel:`, `active:`; channel and playlist `active:`, `subscribed:`; full `channel:`, `lang:`, `source:`;
all `fuzzy:` (`no`, `0`, `1`, `2`, `auto`). Words with another colon (`10:30`) are plain text. Matching is
case-insensitive; the last word of a non-`full:` search is also a prefix (search as you type).

The download queue's search (`/api/download/?q=`, TubeArchivist v0.5) is no search-box syntax: its words are
found in queued videos' titles, channel names and ids (`queue_search`), of the statuses the list shows.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from functions.core.errors import BadRequest

SIMPLE, VIDEO, CHANNEL, PLAYLIST, FULL = "simple", "video", "channel", "playlist", "full"
DOWNLOAD = "download"  # the queue's search: never parsed from a search string
TYPES = (VIDEO, CHANNEL, PLAYLIST, FULL)
FILTERS = {
    SIMPLE: ("fuzzy",),
    VIDEO: ("channel", "active", "fuzzy"),
    CHANNEL: ("active", "subscribed", "fuzzy"),
    PLAYLIST: ("active", "subscribed", "fuzzy"),
    FULL: ("channel", "lang", "source", "fuzzy"),
}
ALL_FILTERS = {name for names in FILTERS.values() for name in names}
YES, NO = ("yes", "true", "1"), ("no", "false", "0")
FUZZINESS: dict[str, int | str] = {"no": 0, "0": 0, "1": 1, "2": 2, "auto": "auto"}
SOURCES = ("auto", "user")
LANG = re.compile(r"^[a-z0-9_-]{1,20}$")
ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
MAX_QUERY = 500  # characters; a search box never needs more


@dataclass
class Query:
    query_type: str  # simple | video | channel | playlist | full
    text: str = ""  # the words to find
    channel: str | None = None  # channel name words (video and full searches)
    active: bool | None = None
    subscribed: bool | None = None
    lang: str | None = None
    source: str | None = None
    fuzziness: int | str = 0  # 0, 1, 2 or "auto"
    statuses: tuple[str, ...] = ()  # download searches: the queue statuses searched


def _flag(name: str, value: str) -> bool:
    if value in YES:
        return True
    if value in NO:
        return False
    raise BadRequest(f"{name}: takes yes or no, got {value!r}")


def queue_search(raw: str, statuses: list[str]) -> Query:
    """The Query of the download queue's `?q=`: all its words in an item's title, channel name or id, the last
    word also as a prefix; BadRequest for a query longer than MAX_QUERY. v0.5's web frontend encodes `q` twice
    (encodeURIComponent, then URLSearchParams), so the %XX escapes left in it are undone."""
    if len(raw) > MAX_QUERY:
        raise BadRequest(f"q longer than {MAX_QUERY} characters")
    return Query(DOWNLOAD, text=unquote(raw) if ESCAPE.search(raw) else raw, statuses=tuple(statuses))


def parse(raw) -> Query:
    """The Query of a search string; BadRequest for an empty search or a filter the search type lacks."""
    if not isinstance(raw, str) or not raw.strip():
        raise BadRequest("missing query: send ?query=<words>")
    if len(raw) > MAX_QUERY:
        raise BadRequest(f"query longer than {MAX_QUERY} characters")
    tokens = raw.casefold().split()
    query_type = SIMPLE
    head, colon, rest = tokens[0].partition(":")
    if colon and head in TYPES:
        query_type = head
        tokens[0] = rest
    allowed = FILTERS[query_type]
    parts: dict[str, list[str]] = {"text": []}
    target = "text"
    for token in tokens:
        key, colon, value = token.partition(":")
        if colon and key in ALL_FILTERS:
            if key not in allowed:
                raise BadRequest(f"{key}: is not a filter of a {query_type} search (filters: {', '.join(allowed)})")
            if key in parts:
                raise BadRequest(f"{key}: given twice")
            parts[key] = []
            target = key
            token = value
        if token:
            parts[target].append(token)
    for key, values in parts.items():
        if key != "text" and not values:
            raise BadRequest(f"{key}: needs a value")
    query = Query(query_type, text=" ".join(parts["text"]))
    if "channel" in parts:
        query.channel = " ".join(parts["channel"])
    for name in ("active", "subscribed"):
        if name in parts:
            setattr(query, name, _flag(name, " ".join(parts[name])))
    if "lang" in parts:
        query.lang = " ".join(parts["lang"])
        if not LANG.match(query.lang):
            raise BadRequest(f"lang: takes a language code, got {query.lang!r}")
    if "source" in parts:
        query.source = " ".join(parts["source"])
        if query.source not in SOURCES:
            raise BadRequest(f"source: takes auto or user, got {query.source!r}")
    if "fuzzy" in parts:
        value = " ".join(parts["fuzzy"])
        if value not in FUZZINESS:
            raise BadRequest(f"fuzzy: takes no, 0, 1, 2 or auto, got {value!r}")
        query.fuzziness = FUZZINESS[value]
    if query_type == SIMPLE and not query.text.strip():
        raise BadRequest("nothing to search for")
    if query_type == FULL and not query.text.strip():
        raise BadRequest("full: needs words to find in subtitles")
    return query
