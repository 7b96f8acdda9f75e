"""Scoring search candidates: the words of a query with the index keys they read, estimates from postings
(which documents to fetch) and exact scores from a fetched document's text (which hits count)."""

import math
from dataclasses import dataclass

from functions.services.search import documents as docs
from functions.services.search import query as q
from functions.services.search import text
from functions.services.search.backend import Hit
from functions.services.search.postings import parse_postings

PREFIX_FACTOR = 0.6  # a word only completed from what was typed weighs less than one typed in full


@dataclass
class Word:
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


def words_of(raw: str, prefix_last: bool) -> list[Word]:
    found = text.words(raw)
    return [Word(w, text.stem(w), prefix_last and n == len(found) - 1, []) for n, w in enumerate(found)]


def count_of(counters: dict, name: str) -> int:
    return int(counters[name].count) if name in counters else 0


def idf_of(df: int, total: int) -> float:
    return math.log(1 + max(total, df, 1) / (df + 0.5))


class Scorer:
    """Scores documents of one kind for a list of words, from postings (estimates) or their text (exact)."""

    def __init__(self, words: list[Word], groups, heads: dict, total: int):
        self.words = words
        self.groups = tuple(groups)
        self.group_names = {g.name for g in self.groups}
        self.keys = [w.keys(self.groups) for w in words]
        self.heads = heads
        self.idf = {key: idf_of(int(heads[key].df) if key in heads else 0, total) for ks in self.keys for key in ks}

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
            pool = list({d for found in lists for d in found})
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


def document_of(kind: str, item) -> docs.Document:
    if kind == docs.VIDEO:
        return docs.video_document(item)
    if kind == docs.CHANNEL:
        return docs.channel_document(item)
    if kind == docs.DOWNLOAD:
        return docs.queue_document(item)
    return docs.playlist_document(item)


def passes(kind: str, item, query: q.Query) -> bool:
    if query.active is not None:
        active = item.active if kind == docs.VIDEO else getattr(item, f"{kind}_active")
        if bool(active) != query.active:
            return False
    return query.subscribed is None or bool(getattr(item, f"{kind}_subscribed")) == query.subscribed


def ranked(hits: list[Hit], limit: int) -> list[Hit]:
    return sorted(hits, key=lambda h: (-h.score, h.doc_id))[:limit]
