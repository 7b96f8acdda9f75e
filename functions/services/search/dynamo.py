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

A search reads, besides the viewer's own items: (fuzzy only: the word buckets,) every key of every word in one
BatchGetItem, then the best candidates (documents in every word's postings first) in one BatchGetItem, which also
checks them: a candidate counts only if its stored text still matches every word, and its score is recomputed
from that text (idf from the keys' `df`). So postings a document no longer deserves (a retitled video, a key
whose head was full) cost a candidate slot, never a wrong hit. Rendering then reads channels and the viewer's
state in one more batch. No Scan, and the calls do not grow with the archive.

Writes: a change of one document (a download, a delete) reads the keys it touches and writes each back on
the condition that its `version` is the one read, reading and merging again the keys another writer changed;
the importer merges all its documents in memory first and writes every key once (`bulk`).
"""

import heapq
import json
import math
import time
from collections import Counter as Tally
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pynamodb.exceptions import DeleteError, PutError

from functions.services.search import documents as docs
from functions.services.search import query as q
from functions.services.search import text
from functions.services.search.backend import Change, Fetch, Hit, Results, SearchBackend, Track
from functions.storage import totals
from functions.storage.models import (
    ALL_CHANNELS,
    ALL_PLAYLISTS,
    ALL_VIDEOS,
    SUBSCRIBED,
    UNSUBSCRIBED,
    Channel,
    Counter,
    Playlist,
    SearchTerm,
    SearchWords,
    SubtitleChunk,
    Video,
)

HEAD_SIZE = 500  # postings kept per key: keys of up to this many documents are complete
CHUNK_SIZE = 20  # subtitle fragments per SubtitleChunk item
MAX_CANDIDATES = 100  # one BatchGetItem
CHANNEL_FILTER_CANDIDATES = 10
FRAGMENT_CANDIDATES = 45  # a chunk and a video each
PREFIX_FACTOR = 0.6  # a word only completed from what was typed weighs less than one typed in full
MAX_EXPANSIONS = 10  # fuzzy terms per word
BROWSED_CHANNELS = 3  # `video: channel:x` without words lists the videos of this many matching channels
WRITE_ATTEMPTS = 8
WRITE_THREADS = 8  # a document's keys are written this many at a time
MODELS = {docs.VIDEO: Video, docs.CHANNEL: Channel, docs.PLAYLIST: Playlist}
KIND_COUNTERS = {docs.VIDEO: totals.VIDEOS, docs.CHANNEL: totals.CHANNELS, docs.PLAYLIST: totals.PLAYLISTS}
SUBTITLE_FRAGMENTS_PER_VIDEO = 100  # the document count idf assumes for subtitle fragments


# ---------------------------------------------------------------- postings


def parse_postings(value: str | None) -> list[tuple[str, int]]:
    parts = (value or "").split()
    return [(parts[i], int(parts[i + 1])) for i in range(0, len(parts) - 1, 2)]


def encode_postings(pairs) -> str:
    return " ".join(f"{doc} {score}" for doc, score in pairs)


def is_term_key(key: str) -> bool:
    return ":" in key.split(">", 1)[0]


def words_bucket(term: str) -> str:
    return f"{len(term)}:{term[0]}"


class _Merge:
    """Changes to many documents, folded per index key, then merged into each key's stored item."""

    def __init__(self):
        self.adds: dict[str, list[tuple[int, str]]] = defaultdict(list)  # key -> heap of its best new postings
        self.delta: Tally = Tally()  # key -> df change known from the changes alone
        self.unsure: dict[str, list[str]] = defaultdict(list)  # key -> docs counted unless the head holds them
        self.touched: set[str] = set()
        self.docs: set[str] = set()  # documents whose stored postings the changes replace

    def add(self, change: Change) -> None:
        new = docs.postings(change.new) if change.new is not None else {}
        old = docs.postings(change.old) if change.old is not None else ({} if change.old_known else None)
        doc = change.doc_id
        self.docs.add(doc)
        for key, score in new.items():
            heap = self.adds[key]
            if len(heap) < HEAD_SIZE:
                heapq.heappush(heap, (score, doc))
            else:
                heapq.heappushpop(heap, (score, doc))
            if old is None:
                self.unsure[key].append(doc)
            elif key not in old:
                self.delta[key] += 1
        self.touched.update(new)
        for key in old or ():
            if key not in new:
                self.delta[key] -= 1
                self.touched.add(key)

    def merged(self, key: str, stored: SearchTerm | None) -> SearchTerm | None:
        """The key's item after the changes; None when nothing holds the key any more."""
        pairs = parse_postings(stored.postings) if stored is not None else []
        held = {doc for doc, _ in pairs}
        df = (int(stored.df) if stored is not None else 0) + self.delta[key]
        df += sum(1 for doc in self.unsure.get(key, ()) if doc not in held)
        kept = [(score, doc) for doc, score in pairs if doc not in self.docs] + self.adds.get(key, [])
        best = heapq.nlargest(HEAD_SIZE, kept)
        df = max(df, len(best))
        if not best and df <= 0:
            return None
        item = SearchTerm(key, postings=encode_postings((doc, score) for score, doc in best), df=df)
        item.version = (int(stored.version) if stored is not None else 0) + 1
        return item


def _write_key(key: str, old: SearchTerm | None, item: SearchTerm | None) -> bool:
    """Replace (or delete) one key's item unless another writer changed it since `old` was read; False if one did."""
    try:
        if old is None:
            if item is not None:
                item.save(condition=SearchTerm.key.does_not_exist())
        elif item is None:
            old.delete(condition=SearchTerm.version == old.version)
        else:
            item.save(condition=SearchTerm.version == old.version)
    except (PutError, DeleteError) as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


# ---------------------------------------------------------------- queries


@dataclass
class _Word:
    surface: str
    term: str
    prefix: bool  # the last word of a search as you type
    fuzzy: list[tuple[str, int]]  # (term, edits)

    def keys(self, groups) -> dict[str, float]:
        """Index key -> factor: the word's own term, its fuzzy neighbours, its prefix entry."""
        result: dict[str, float] = {}
        for group in groups:
            result[docs.term_key(group.name, self.term)] = 1.0
            for term, edits in self.fuzzy:
                result.setdefault(docs.term_key(group.name, term), 1.0 - edits / (len(self.term) + 1))
            if self.prefix and group.prefixes:
                result.setdefault(docs.prefix_key(group.name, text.prefix_key(self.surface)), PREFIX_FACTOR)
        return result

    def matches(self, document: docs.Document, group: str, key: str) -> bool:
        """Whether a prefix key really matches: entries stop at MAX_PREFIX characters, typed words may not."""
        if ">" not in key or len(self.surface) <= text.MAX_PREFIX:
            return True
        return any(w.startswith(self.surface) for w in docs.group_words(document, group))


def _words(raw: str, prefix_last: bool) -> list[_Word]:
    found = text.words(raw)
    return [_Word(w, text.stem(w), prefix_last and n == len(found) - 1, []) for n, w in enumerate(found)]


def _count(counters: dict, name: str) -> int:
    return int(counters[name].count) if name in counters else 0


def _idf(df: int, total: int) -> float:
    return math.log(1 + max(total, df, 1) / (df + 0.5))


class _Scorer:
    """Scores documents of one kind for a list of words, from postings (estimates) or their text (exact)."""

    def __init__(self, words: list[_Word], groups, heads: dict, total: int):
        self.words = words
        self.groups = tuple(groups)
        self.group_names = {g.name for g in self.groups}
        self.keys = [w.keys(self.groups) for w in words]
        self.heads = heads
        self.idf = {key: _idf(int(heads[key].df) if key in heads else 0, total) for ks in self.keys for key in ks}

    def lists(self) -> tuple[list[dict[str, float]], list[bool]]:
        """Per word: doc -> best estimated score over its keys' postings, and whether those postings are all."""
        lists, complete = [], []
        for keys in self.keys:
            best: dict[str, float] = {}
            whole = True
            for key, factor in keys.items():
                head = self.heads.get(key)
                if head is None:
                    continue
                pairs = parse_postings(head.postings)
                whole = whole and int(head.df) <= len(pairs)
                weight = self.idf[key] * factor
                for doc, score in pairs:
                    value = score * weight
                    if value > best.get(doc, 0.0):
                        best[doc] = value
            lists.append(best)
            complete.append(whole)
        return lists, complete

    def candidates(self, every_word: bool, limit: int) -> list[str]:
        """The documents most likely to match best: in every word's postings first (or, with `every_word` False,
        in the most words), then those the complete postings still allow, by estimated score."""
        if not self.words or limit <= 0:
            return []
        lists, complete = self.lists()
        if every_word:
            sure = [i for i in range(len(lists)) if complete[i]]
            driver = min(sure or range(len(lists)), key=lambda i: len(lists[i]))
            pool = [d for d in lists[driver] if all(d in lists[i] for i in sure)]
        else:
            pool = {d for found in lists for d in found}
        ranked = sorted(
            pool,
            key=lambda d: (-sum(1 for found in lists if d in found), -sum(found.get(d, 0.0) for found in lists), d),
        )
        return ranked[:limit]

    def score(self, document: docs.Document, every_word: bool) -> float | None:
        """The document's exact score from its text; None when it does not match."""
        own = docs.postings(document, self.group_names)
        total, matched = 0.0, 0
        for word, keys in zip(self.words, self.keys, strict=True):
            best = 0.0
            for key, factor in keys.items():
                if key in own and word.matches(document, key.split(">")[0].split(":")[0], key):
                    best = max(best, own[key] * self.idf[key] * factor)
            if best:
                matched += 1
                total += best
            elif every_word:
                return None
        return total if matched else None


def _document(kind: str, item) -> docs.Document:
    if kind == docs.VIDEO:
        return docs.video_document(item)
    if kind == docs.CHANNEL:
        return docs.channel_document(item)
    return docs.playlist_document(item)


def _passes(kind: str, item, query: q.Query) -> bool:
    if query.active is not None:
        active = item.active if kind == docs.VIDEO else getattr(item, f"{kind}_active")
        if bool(active) != query.active:
            return False
    return query.subscribed is None or bool(getattr(item, f"{kind}_subscribed")) == query.subscribed


def _ranked(hits: list[Hit], limit: int) -> list[Hit]:
    return sorted(hits, key=lambda h: (-h.score, h.doc_id))[:limit]


class DynamoBackend(SearchBackend):
    # ------------------------------------------------------------ writing

    def update(self, changes: list[Change], bulk: bool = False) -> None:
        if not changes:
            return
        merge = _Merge()
        for change in changes:
            merge.add(change)
        if bulk:
            self._write_bulk(merge)
        else:
            self._write_guarded(merge)

    def _write_bulk(self, merge: _Merge) -> None:
        keys = sorted(merge.touched)
        stored = {item.key: item for item in SearchTerm.batch_get(keys)} if keys else {}
        new_terms = []
        with SearchTerm.batch_write() as batch:
            for key in keys:
                item = merge.merged(key, stored.get(key))
                if item is not None:
                    batch.save(item)
                    if key not in stored:
                        new_terms.append(key)
                elif key in stored:
                    batch.delete(stored[key])
        self._add_words(new_terms)

    def _write_guarded(self, merge: _Merge) -> None:
        """Write each key on the condition that no one changed it since it was read; read and merge the keys
        that lost a race again. Keys are independent, so no transaction (which costs twice the write units)."""
        pending = sorted(merge.touched)
        if not pending:
            return
        new_terms = []
        delay = 0.05
        for attempt in range(WRITE_ATTEMPTS):
            stored = {item.key: item for item in SearchTerm.batch_get(pending, consistent_read=True)}
            writes = [(key, stored.get(key), merge.merged(key, stored.get(key))) for key in pending]
            with ThreadPoolExecutor(min(WRITE_THREADS, len(writes))) as pool:  # independent keys: in parallel
                written = list(pool.map(_write_key, *zip(*writes, strict=True)))
            lost = [key for (key, _, _), ok in zip(writes, written, strict=True) if not ok]
            new_terms += [key for key in pending if key not in stored and key not in lost]
            if not lost:
                break
            if attempt == WRITE_ATTEMPTS - 1:
                raise RuntimeError(f"search index keys kept changing under this write: {lost[:5]}")
            time.sleep(delay)  # another writer changed these keys: read them again
            delay = min(delay * 2, 1.0)
            pending = lost
        self._add_words(new_terms)

    @staticmethod
    def _add_words(keys: list[str]) -> None:
        """Record new terms for fuzzy matching (a string set ADD: concurrent writers never lose a word)."""
        buckets: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            if is_term_key(key):
                term = key.split(":", 1)[1]
                if not term.isdigit():
                    buckets[words_bucket(term)].add(term)
        for bucket, found in sorted(buckets.items()):
            SearchWords(bucket).update(actions=[SearchWords.words.add(found)])

    # ------------------------------------------------------------ subtitles

    def put_subtitles(self, tracks: list[Track], bulk: bool = False) -> None:
        changes: list[Change] = []
        puts: list[SubtitleChunk] = []
        deletes: list[SubtitleChunk] = []
        for track in tracks:
            youtube_id, lang, fragments = track.youtube_id, track.lang, track.fragments
            name = f"{youtube_id}.{lang}"
            old = [] if track.known_new else list(SubtitleChunk.query(name))
            old_fragments = {f.index: f for chunk in old for f in _chunk_fragments(chunk)}
            for fragment in fragments:
                doc = docs.fragment_document(youtube_id, lang, fragment)
                before = old_fragments.pop(fragment.index, None)
                if before is not None and before.line == fragment.line:
                    continue
                previous = docs.fragment_document(youtube_id, lang, before) if before else None
                changes.append(Change(doc.doc_id, doc, previous, old_known=True))
            for fragment in old_fragments.values():
                doc = docs.fragment_document(youtube_id, lang, fragment)
                changes.append(Change(doc.doc_id, None, doc, old_known=True))
            chunks = _chunks(name, fragments)
            stored = {int(c.chunk): c.fragments for c in old}
            puts += [c for c in chunks if stored.get(c.chunk) != c.fragments]
            deletes += [c for c in old if c.chunk >= len(chunks)]
        with SubtitleChunk.batch_write() as batch:
            for chunk in puts:
                batch.save(chunk)
            for chunk in deletes:
                batch.delete(chunk)
        self.update(changes, bulk=bulk)

    def delete_subtitles(self, youtube_id: str, langs: list[str]) -> None:
        changes, chunks = [], []
        for lang in langs:
            for chunk in SubtitleChunk.query(f"{youtube_id}.{lang}"):
                chunks.append(chunk)
                for fragment in _chunk_fragments(chunk):
                    doc = docs.fragment_document(youtube_id, lang, fragment)
                    changes.append(Change(doc.doc_id, None, doc, old_known=True))
        self.update(changes)
        with SubtitleChunk.batch_write() as batch:
            for chunk in chunks:
                batch.delete(chunk)

    # ------------------------------------------------------------ searching

    def search(self, query: q.Query, fetch: Fetch, limit: int) -> Results:
        searched = docs.SEARCHED[query.query_type]
        words = _words(query.text, prefix_last=query.query_type != q.FULL)
        channel_words = _words(query.channel, prefix_last=True) if query.channel else []
        if not words:
            if len(searched) > 1 or query.query_type == q.FULL:
                return Results(hits={kind: [] for kind in searched})  # nothing but stop words
            return self._browse(query, fetch, limit, searched, channel_words)
        self._expand(words + channel_words, query.fuzziness, fetch)
        keys = {key for kind, groups in searched.items() for w in words for key in w.keys(groups)}
        keys |= {key for w in channel_words for key in w.keys(docs.CHANNEL_FILTER)}
        heads, counts = fetch((SearchTerm, sorted(keys)), (Counter, list(KIND_COUNTERS.values())))
        total = {kind: _count(counts, name) for kind, name in KIND_COUNTERS.items()}
        total[docs.SUBTITLE] = total[docs.VIDEO] * SUBTITLE_FRAGMENTS_PER_VIDEO
        scorers = {kind: _Scorer(words, groups, heads, total[kind]) for kind, groups in searched.items()}
        channel_scorer = _Scorer(channel_words, docs.CHANNEL_FILTER, heads, total[docs.CHANNEL])

        # One batch: the candidates of every kind, and the channels `channel:` may mean.
        every_word = query.query_type != q.FULL
        wanted: dict[str, list[str]] = {}
        filter_channels = channel_scorer.candidates(True, CHANNEL_FILTER_CANDIDATES)
        room = MAX_CANDIDATES - len(filter_channels)
        for kind in (docs.CHANNEL, docs.PLAYLIST):
            if kind in scorers:
                wanted[kind] = scorers[kind].candidates(every_word, min(limit, room))
                room -= len(wanted[kind])
        fragments: list[str] = []
        if docs.SUBTITLE in scorers:
            fragments = scorers[docs.SUBTITLE].candidates(every_word, FRAGMENT_CANDIDATES)
            room = 0
        if docs.VIDEO in scorers:
            wanted[docs.VIDEO] = scorers[docs.VIDEO].candidates(every_word, room)
        parsed = [docs.split_subtitle_doc_id(doc) for doc in fragments]
        chunk_keys = {(f"{vid}.{lang}", (index - 1) // CHUNK_SIZE) for vid, lang, index in parsed}
        video_ids = list(wanted.get(docs.VIDEO, [])) + [vid for vid, _, _ in parsed]
        channel_ids = list(wanted.get(docs.CHANNEL, [])) + filter_channels
        found_videos, found_channels, found_playlists, found_chunks = fetch(
            (Video, video_ids),
            (Channel, channel_ids),
            (Playlist, wanted.get(docs.PLAYLIST, [])),
            (SubtitleChunk, sorted(chunk_keys)),
        )
        items = {docs.VIDEO: found_videos, docs.CHANNEL: found_channels, docs.PLAYLIST: found_playlists}
        results = Results(items=items)

        allowed = None
        if query.channel is not None:
            allowed = {
                channel_id
                for channel_id in filter_channels
                if channel_id in found_channels
                and channel_scorer.score(docs.channel_document(found_channels[channel_id]), True) is not None
            }
        for kind, doc_ids in wanted.items():
            hits = []
            for doc_id in doc_ids:
                item = items[kind].get(doc_id)
                if item is None or not _passes(kind, item, query):
                    continue
                if allowed is not None and kind == docs.VIDEO and item.channel_id not in allowed:
                    continue
                score = scorers[kind].score(_document(kind, item), every_word)
                if score is not None:
                    hits.append(Hit(kind, doc_id, score, item))
            results.hits[kind] = _ranked(hits, limit)
        if docs.SUBTITLE in scorers:
            results.hits[docs.SUBTITLE] = self._fragment_hits(
                query, parsed, found_videos, found_chunks, scorers[docs.SUBTITLE], allowed, limit
            )
        return results

    @staticmethod
    def _fragment_hits(query, parsed, videos: dict, chunks: dict, scorer: _Scorer, allowed, limit) -> list[Hit]:
        hits = []
        for youtube_id, lang, index in parsed:
            video = videos.get(youtube_id)
            chunk = chunks.get((f"{youtube_id}.{lang}", (index - 1) // CHUNK_SIZE))
            if video is None or chunk is None:
                continue
            fragment = next((f for f in _chunk_fragments(chunk) if f.index == index), None)
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
        return _ranked(hits, limit)

    @staticmethod
    def _expand(words: list[_Word], fuzziness, fetch: Fetch) -> None:
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
        hits = [Hit(kind, i, 0.0, found[i]) for i in ids if i in found and _passes(kind, found[i], query)]
        return Results(hits={kind: hits[:limit]}, items={kind: found})

    @staticmethod
    def _newest_videos(channel_words: list[_Word], fetch: Fetch) -> list[str]:
        """Video ids, newest first: of the channels `channel:` names (the best BROWSED_CHANNELS), or of all."""
        if not channel_words:
            keys = Video.by_published.query(ALL_VIDEOS, scan_index_forward=False, limit=MAX_CANDIDATES)
            return [k.youtube_id for k in keys]
        wanted = {key for word in channel_words for key in word.keys(docs.CHANNEL_FILTER)}
        heads, counts = fetch((SearchTerm, sorted(wanted)), (Counter, [totals.CHANNELS]))
        scorer = _Scorer(channel_words, docs.CHANNEL_FILTER, heads, _count(counts, totals.CHANNELS))
        (channels,) = fetch((Channel, scorer.candidates(True, CHANNEL_FILTER_CANDIDATES)))
        named = [c for c, item in channels.items() if scorer.score(docs.channel_document(item), True) is not None]
        browsed = named[:BROWSED_CHANNELS]
        if not browsed:
            return []

        def newest(channel_id: str) -> list:
            return list(Video.by_channel.query(channel_id, scan_index_forward=False, limit=MAX_CANDIDATES))

        with ThreadPoolExecutor(len(browsed)) as pool:  # the channels' Queries side by side: one round trip
            keys = [key for found in pool.map(newest, browsed) for key in found]
        return [k.youtube_id for k in sorted(keys, key=lambda k: k.published_key, reverse=True)][:MAX_CANDIDATES]

    # ------------------------------------------------------------ similar videos

    def similar(self, video, fetch: Fetch, limit: int) -> list[Hit]:
        groups = {g.name for g in docs.SIMILAR}
        own = {k: s for k, s in docs.postings(docs.video_document(video), groups).items() if is_term_key(k)}
        if not own:
            return []
        heads, counts = fetch((SearchTerm, sorted(own)), (Counter, [totals.VIDEOS]))
        total = _count(counts, totals.VIDEOS)
        idf = {key: _idf(int(heads[key].df) if key in heads else 0, total) for key in own}
        estimate: Tally = Tally()
        for key, head in heads.items():
            for doc, score in parse_postings(head.postings):
                if doc != video.youtube_id:
                    estimate[doc] += idf[key] * math.sqrt(own[key] * score)
        candidates = [doc for doc, _ in estimate.most_common(3 * limit)]
        (found,) = fetch((Video, candidates))
        hits = []
        for doc, item in found.items():
            theirs = docs.postings(docs.video_document(item), groups)
            score = sum(idf[k] * math.sqrt(own[k] * theirs[k]) for k in own if k in theirs)
            if score > 0:
                hits.append(Hit(docs.VIDEO, doc, score / 1000, item))
        return _ranked(hits, limit)


# ---------------------------------------------------------------- subtitle chunks


def _chunks(track: str, fragments: list[text.Fragment]) -> list[SubtitleChunk]:
    result = []
    for start in range(0, len(fragments), CHUNK_SIZE):
        rows = [[f.index, f.start, f.end, f.line] for f in fragments[start : start + CHUNK_SIZE]]
        result.append(SubtitleChunk(track, start // CHUNK_SIZE, fragments=json.dumps(rows, ensure_ascii=False)))
    return result


def _chunk_fragments(chunk: SubtitleChunk) -> list[text.Fragment]:
    return [text.Fragment(int(i), start, end, line) for i, start, end, line in json.loads(chunk.fragments)]
