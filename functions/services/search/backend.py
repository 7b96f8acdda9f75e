"""The one interface between the archive and its search index, so the index can live elsewhere.

The DynamoDB backend (functions.services.search.dynamo) keeps an inverted index in tables of its own; an OpenSearch
backend
would implement the same methods over an OpenSearch domain. Writers describe what changed as `Change`s of
search `Document`s; readers get `Hit`s, ranked, with the archive item each one names when the backend read it.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.services.search.documents import Document
from functions.services.search.query import Query
from functions.services.search.text import Fragment

# fetch(*(Model, keys)) -> [{key: item}] in one round trip: db.batch_get, or a viewer's fetch
Fetch = Callable[..., list[dict]]


@dataclass
class Change:
    """One document to (re)index or remove: `new` None removes it; `old` is the document as indexed before,
    when the writer knows it (None: unknown), so what it no longer says leaves the index."""

    doc_id: str
    new: Document | None
    old: Document | None = None
    old_known: bool = False  # True with old None: the document is new


@dataclass
class Track:
    """A subtitle track's text as fragments; `known_new`: the writer knows no earlier version is stored."""

    youtube_id: str
    lang: str
    fragments: list[Fragment]
    known_new: bool = False


@dataclass
class Hit:
    kind: str  # video | channel | playlist | subtitle
    doc_id: str
    score: float
    item: Any = None  # the archive item (Video, Channel, Playlist), when the backend read it
    fragment: Fragment | None = None  # subtitle hits: the line found and where
    lang: str | None = None


@dataclass
class Results:
    hits: dict[str, list[Hit]] = field(default_factory=dict)  # kind -> hits, best first
    items: dict[str, dict] = field(default_factory=dict)  # kind -> {id: item} the backend read on the way


class SearchBackend(ABC):
    @abstractmethod
    def update(self, changes: list[Change], bulk: bool = False) -> None:
        """Index new and changed documents and remove deleted ones. `bulk`: many documents from one writer (the
        importer), written without concurrency guards."""

    @abstractmethod
    def put_subtitles(self, tracks: list[Track], bulk: bool = False) -> None:
        """Store subtitle tracks' fragments and index their lines, each replacing its track's earlier version."""

    @abstractmethod
    def delete_subtitles(self, youtube_id: str, langs: list[str]) -> None:
        """Forget the subtitle tracks of a video (its lines are no longer found)."""

    @abstractmethod
    def held(self, documents: list[Document], groups: set[str]) -> set[str]:
        """The ids of the documents the index holds, by their words of `groups` (a field each has)."""

    @abstractmethod
    def search(self, query: Query, fetch: Fetch, limit: int) -> Results:
        """The best `limit` hits per kind the query's type searches, filters applied."""

    @abstractmethod
    def similar(self, video, fetch: Fetch, limit: int) -> list[Hit]:
        """Other videos sharing the most tags and title terms with `video`, best first."""
