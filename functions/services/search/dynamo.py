"""The search index in DynamoDB: an inverted index whose reads cost a fixed number of round trips.

Layout (functions.storage.models):
- `SearchTerm`, one item per index key: a term of a field group (`vt:music`, title term "music") or a prefix of
  its words (`vt>mus`, precomputed so search-as-you-type is one key). The item holds `df` (how many documents
  have the key) and the HEAD_SIZE best postings "doc score", best first, each score the term's weight in that
  document (documents.postings). A key held by at most HEAD_SIZE documents is complete; a more common one keeps
  its best documents only.
- `SearchWords`: the terms by length and first letter, what fuzzy matching compares a word with.
- `SubtitleChunk`: subtitle fragments (a few cues each) of a track, CHUNK_SIZE to an item: the lines `full:`
  shows and where they are.
Download queue items are documents of their own kind (`download`, the queue's `?q=`), under keys of their
status's groups (`qpt:` a pending item's title term, `qit:` an ignored one's), so a status filter reads its keys.

A search reads, besides the viewer's own items: (fuzzy only: the word buckets,) every key of every word in one
BatchGetItem, then the best candidates (documents in every word's postings first) in one BatchGetItem, which also
checks them: a candidate counts only if its stored text still matches every word, and its score is recomputed
from that text (idf from the keys' `df`). So postings a document no longer deserves (a retitled video, a key
whose head was full) cost a candidate slot, never a wrong hit. Rendering then reads channels and the viewer's
state in one more batch. No Scan, and the calls do not grow with the archive.

Writes (a download, a delete, an import): functions.services.search.dynamo_writes.
"""

import heapq
import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from functions.services.search import documents as docs
from functions.services.search import query as q
from functions.services.search import text
from functions.services.search.backend import Fetch, Hit, Results, SearchBackend
from functions.services.search.dynamo_writes import IndexWrites
from functions.services.search.postings import (
    CHUNK_SIZE,
    chunk_fragments,
    is_term_key,
    parse_postings,
)
from functions.services.search.scoring import Scorer, Word, count_of, document_of, idf_of, passes, ranked, words_of
from functions.storage import counters, db
from functions.storage.models import (
    ALL_CHANNELS,
    ALL_PLAYLISTS,
    ALL_VIDEOS,
    SUBSCRIBED,
    UNSUBSCRIBED,
    Channel,
    Counter,
    Playlist,
    QueueItem,
    SearchTerm,
    SearchWords,
    SubtitleChunk,
    Video,
)

MAX_CANDIDATES = 100  # one BatchGetItem
CHANNEL_FILTER_CANDIDATES = 10
FRAGMENT_CANDIDATES = 45  # a chunk and a video each
MAX_EXPANSIONS = 10  # fuzzy terms per word
BROWSED_CHANNELS = 3  # `video: channel:x` without words lists the videos of this many matching channels
MODELS: dict[str, Any] = {docs.VIDEO: Video, docs.CHANNEL: Channel, docs.PLAYLIST: Playlist}  # by_name on two
KIND_COUNTERS = {  # the counters whose sum is the number of documents of a kind (idf)
    docs.VIDEO: (counters.VIDEOS,),
    docs.CHANNEL: (counters.CHANNELS,),
    docs.PLAYLIST: (counters.PLAYLISTS,),
    docs.DOWNLOAD: tuple(counters.queue(status) for status in docs.queue.STATUSES),
}
SUBTITLE_FRAGMENTS_PER_VIDEO = 100  # the document count idf assumes for subtitle fragments


@dataclass
class _Plan:
    """A search's scorers: one per kind searched, and one for the channels a `channel:` filter names."""

    scorers: dict[str, Scorer]
    channel_scorer: Scorer
    every_word: bool  # every word must match (all but `full:` searches)


@dataclass
class _Found:
    """The candidates a search fetched: ids wanted per kind, the items found, subtitle fragments and chunks."""

    wanted: dict[str, list[str]] = field(default_factory=dict)
    filter_channels: list[str] = field(default_factory=list)
    fragments: list[tuple[str, str, int]] = field(default_factory=list)  # (youtube_id, lang, index)
    items: dict[str, dict] = field(default_factory=dict)
    chunks: dict = field(default_factory=dict)


class DynamoBackend(IndexWrites, SearchBackend):
    """Searching here; writing the index in functions.services.search.dynamo_writes."""

    # ------------------------------------------------------------ searching

    def search(self, query: q.Query, fetch: Fetch, limit: int) -> Results:
        searched = docs.searched(query)
        words = words_of(query.text, prefix_last=query.query_type != q.FULL)
        channel_words = words_of(query.channel, prefix_last=True) if query.channel else []
        if not words:
            if len(searched) > 1 or query.query_type in (q.FULL, q.DOWNLOAD):
                return Results(hits={kind: [] for kind in searched})  # nothing but stop words
            return self._browse(query, fetch, limit, searched, channel_words)
        self._expand(words + channel_words, query.fuzziness, fetch)
        plan = self._plan_keys(query, searched, words, channel_words, fetch)
        found = self._fetch_candidates(plan, fetch, limit)
        return self._score(query, plan, found, limit)

    @staticmethod
    def _plan_keys(query: q.Query, searched: dict, words: list[Word], channel_words: list[Word], fetch) -> _Plan:
        """Phase 1: every index key of every word, and the totals idf needs, in one batch; a scorer per kind."""
        keys = {key for kind, groups in searched.items() for w in words for key in w.keys(groups)}
        keys |= {key for w in channel_words for key in w.keys(docs.CHANNEL_FILTER)}
        names = [name for kind_names in KIND_COUNTERS.values() for name in kind_names]
        heads, counts = fetch((SearchTerm, sorted(keys)), (Counter, names))
        total = {kind: sum(count_of(counts, name) for name in KIND_COUNTERS[kind]) for kind in KIND_COUNTERS}
        total[docs.SUBTITLE] = total[docs.VIDEO] * SUBTITLE_FRAGMENTS_PER_VIDEO
        return _Plan(
            scorers={kind: Scorer(words, groups, heads, total[kind]) for kind, groups in searched.items()},
            channel_scorer=Scorer(channel_words, docs.CHANNEL_FILTER, heads, total[docs.CHANNEL]),
            every_word=query.query_type != q.FULL,
        )

    @staticmethod
    def _fetch_candidates(plan: _Plan, fetch, limit: int) -> _Found:
        """Phase 2: one batch: the best candidates of every kind, and the channels `channel:` may mean."""
        found = _Found()
        found.filter_channels = plan.channel_scorer.candidates(True, CHANNEL_FILTER_CANDIDATES)
        room = MAX_CANDIDATES - len(found.filter_channels)
        for kind in (docs.CHANNEL, docs.PLAYLIST, docs.DOWNLOAD):
            if kind in plan.scorers:
                found.wanted[kind] = plan.scorers[kind].candidates(plan.every_word, min(limit, room))
                room -= len(found.wanted[kind])
        fragments: list[str] = []
        if docs.SUBTITLE in plan.scorers:
            fragments = plan.scorers[docs.SUBTITLE].candidates(plan.every_word, FRAGMENT_CANDIDATES)
            room = 0
        if docs.VIDEO in plan.scorers:
            found.wanted[docs.VIDEO] = plan.scorers[docs.VIDEO].candidates(plan.every_word, room)
        found.fragments = [docs.split_subtitle_doc_id(doc) for doc in fragments]
        chunk_keys = {(f"{vid}.{lang}", (index - 1) // CHUNK_SIZE) for vid, lang, index in found.fragments}
        video_ids = list(found.wanted.get(docs.VIDEO, [])) + [vid for vid, _, _ in found.fragments]
        channel_ids = list(found.wanted.get(docs.CHANNEL, [])) + found.filter_channels
        videos, channels, playlists, queued, found.chunks = fetch(
            (Video, video_ids),
            (Channel, channel_ids),
            (Playlist, found.wanted.get(docs.PLAYLIST, [])),
            (QueueItem, found.wanted.get(docs.DOWNLOAD, [])),
            (SubtitleChunk, sorted(chunk_keys)),
        )
        found.items = {docs.VIDEO: videos, docs.CHANNEL: channels, docs.PLAYLIST: playlists, docs.DOWNLOAD: queued}
        return found

    def _score(self, query: q.Query, plan: _Plan, found: _Found, limit: int) -> Results:
        """Phase 3: each candidate scored from its stored text (dropped when it no longer matches), ranked."""
        results = Results(items=found.items)
        channels = found.items[docs.CHANNEL]
        allowed = None
        if query.channel is not None:
            allowed = {
                channel_id
                for channel_id in found.filter_channels
                if channel_id in channels
                and plan.channel_scorer.score(docs.channel_document(channels[channel_id]), True) is not None
            }
        for kind, doc_ids in found.wanted.items():
            hits = []
            for doc_id in doc_ids:
                item = found.items[kind].get(doc_id)
                if item is None or not passes(kind, item, query):
                    continue
                if allowed is not None and kind == docs.VIDEO and item.channel_id not in allowed:
                    continue
                score = plan.scorers[kind].score(document_of(kind, item), plan.every_word)
                if score is not None:
                    hits.append(Hit(kind, doc_id, score, item))
            results.hits[kind] = ranked(hits, limit)
        if docs.SUBTITLE in plan.scorers:
            results.hits[docs.SUBTITLE] = self._fragment_hits(
                query,
                found.fragments,
                found.items[docs.VIDEO],
                found.chunks,
                plan.scorers[docs.SUBTITLE],
                allowed,
                limit,
            )
        return results

    @staticmethod
    def _fragment_hits(query, parsed, videos: dict, chunks: dict, scorer: Scorer, allowed, limit) -> list[Hit]:
        hits = []
        for youtube_id, lang, index in parsed:
            video = videos.get(youtube_id)
            chunk = chunks.get((f"{youtube_id}.{lang}", (index - 1) // CHUNK_SIZE))
            if video is None or chunk is None:
                continue
            fragment = next((f for f in chunk_fragments(chunk) if f.index == index), None)
            if fragment is None or (allowed is not None and video.channel_id not in allowed):
                continue
            if query.lang is not None and lang.casefold() != query.lang:
                continue
            source = next((s.get("source") for s in video.subtitles or [] if s.get("lang") == lang), None)
            if source is None or (query.source is not None and source != query.source):
                continue  # a track the video no longer lists
            score = scorer.score(docs.fragment_document(youtube_id, lang, fragment), False)
            if score is not None:
                doc_id = docs.subtitle_doc_id(youtube_id, lang, index)
                hits.append(Hit(docs.SUBTITLE, doc_id, score, video, fragment, lang))
        return ranked(hits, limit)

    @staticmethod
    def _expand(words: list[Word], fuzziness, fetch: Fetch) -> None:
        """Give each word the indexed terms within its edit distance (same first letter), from one batch."""
        if not fuzziness:
            return
        wanted: dict[int, list[str]] = {}
        for n, word in enumerate(words):
            edits = text.auto_fuzziness(word.term) if fuzziness == "auto" else int(fuzziness)
            if edits and not word.term.isdigit():
                lengths = range(max(1, len(word.term) - edits), len(word.term) + edits + 1)
                wanted[n] = [f"{length}:{word.term[0]}" for length in lengths]
        if not wanted:
            return
        (buckets,) = fetch((SearchWords, sorted({b for names in wanted.values() for b in names})))
        for n, names in wanted.items():
            word = words[n]
            edits = text.auto_fuzziness(word.term) if fuzziness == "auto" else int(fuzziness)
            near = []
            for name in names:
                known = buckets[name].words or set() if name in buckets else set()
                for term in known:
                    distance = text.edit_distance(word.term, term, edits)
                    if 0 < distance <= edits:
                        near.append((distance, term))
            word.fuzzy = [(term, distance) for distance, term in sorted(near)[:MAX_EXPANSIONS]]

    def _browse(self, query: q.Query, fetch: Fetch, limit: int, searched: dict, channel_words) -> Results:
        """A typed search with filters only (`video: channel:foo`): the newest videos, or channels and playlists
        by name, that pass the filters."""
        (kind,) = searched
        model = MODELS[kind]
        if kind == docs.VIDEO:
            ids = self._newest_videos(channel_words, fetch)
        elif query.subscribed is None:
            everything = ALL_CHANNELS if kind == docs.CHANNEL else ALL_PLAYLISTS
            ids = [getattr(k, f"{kind}_id") for k in model.by_name.query(everything, limit=MAX_CANDIDATES)]
        else:
            subscription = SUBSCRIBED if query.subscribed else UNSUBSCRIBED
            keys = model.by_subscription.query(subscription, limit=MAX_CANDIDATES)
            ids = [getattr(k, f"{kind}_id") for k in keys]
        (found,) = fetch((model, ids))
        hits = [Hit(kind, i, 0.0, found[i]) for i in ids if i in found and passes(kind, found[i], query)]
        return Results(hits={kind: hits[:limit]}, items={kind: found})

    @staticmethod
    def _newest_videos(channel_words: list[Word], fetch: Fetch) -> list[str]:
        """Video ids, newest first: of the channels `channel:` names (the best BROWSED_CHANNELS), or of all."""
        if not channel_words:
            keys = Video.by_published.query(ALL_VIDEOS, scan_index_forward=False, limit=MAX_CANDIDATES)
            return [k.youtube_id for k in keys]
        wanted = {key for word in channel_words for key in word.keys(docs.CHANNEL_FILTER)}
        heads, counts = fetch((SearchTerm, sorted(wanted)), (Counter, [counters.CHANNELS]))
        scorer = Scorer(channel_words, docs.CHANNEL_FILTER, heads, count_of(counts, counters.CHANNELS))
        (channels,) = fetch((Channel, scorer.candidates(True, CHANNEL_FILTER_CANDIDATES)))
        named = [c for c, item in channels.items() if scorer.score(docs.channel_document(item), True) is not None]
        browsed = named[:BROWSED_CHANNELS]
        if not browsed:
            return []

        def newest(channel_id: str) -> list:
            return list(Video.by_channel.query(channel_id, scan_index_forward=False, limit=MAX_CANDIDATES))

        with ThreadPoolExecutor(len(browsed)) as pool:  # the channels' Queries side by side: one round trip
            newest_keys = [key for found in pool.map(newest, browsed) for key in found]
        ordered = sorted(newest_keys, key=lambda k: k.published_key, reverse=True)
        return [k.youtube_id for k in ordered][:MAX_CANDIDATES]

    # ------------------------------------------------------------ what is indexed

    def held(self, documents: list[docs.Document], groups: set[str]) -> set[str]:
        """One term key of each document (the first of its words in `groups`) read in one batch: a document is
        held when that key's postings name it (keys of ids are held by one document, so complete)."""
        wanted = {}
        for document in documents:
            keys = sorted(k for k in docs.postings(document, groups) if is_term_key(k))
            if keys:
                wanted[document.doc_id] = keys[0]
        if not wanted:
            return set()
        (heads,) = db.batch_get((SearchTerm, sorted(set(wanted.values()))))
        return {
            doc_id
            for doc_id, key in wanted.items()
            if key in heads and doc_id in {doc for doc, _ in parse_postings(heads[key].postings)}
        }

    # ------------------------------------------------------------ similar videos

    def similar(self, video, fetch: Fetch, limit: int) -> list[Hit]:
        groups = {g.name for g in docs.SIMILAR}
        own = {k: s for k, s in docs.postings(docs.video_document(video), groups).items() if is_term_key(k)}
        if not own:
            return []
        heads, counts = fetch((SearchTerm, sorted(own)), (Counter, [counters.VIDEOS]))
        total = count_of(counts, counters.VIDEOS)
        idf = {key: idf_of(int(heads[key].df) if key in heads else 0, total) for key in own}
        estimate: dict[str, float] = defaultdict(float)
        for key, head in heads.items():
            for doc, score in parse_postings(head.postings):
                if doc != video.youtube_id:
                    estimate[doc] += idf[key] * math.sqrt(own[key] * score)
        candidates = heapq.nlargest(3 * limit, estimate, key=estimate.__getitem__)
        (found,) = fetch((Video, candidates))
        hits = []
        for doc, item in found.items():
            theirs = docs.postings(docs.video_document(item), groups)
            similarity = sum(idf[k] * math.sqrt(own[k] * theirs[k]) for k in own if k in theirs)
            if similarity > 0:
                hits.append(Hit(docs.VIDEO, doc, similarity / 1000, item))
        return ranked(hits, limit)
