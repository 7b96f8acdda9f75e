"""How the DynamoDB search index stores its keys: postings ("doc score" pairs, best first) in `SearchTerm`
items, the merge of many documents' changes into those items, and subtitle fragments in `SubtitleChunk` items
(the layout is in functions.services.search.dynamo)."""

import heapq
import json
from collections import Counter as Tally
from collections import defaultdict

from functions.services.search import documents as docs
from functions.services.search import text
from functions.services.search.backend import Change
from functions.storage import db
from functions.storage.models import SearchTerm, SubtitleChunk

HEAD_SIZE = 500  # postings kept per key: keys of up to this many documents are complete
CHUNK_SIZE = 20  # subtitle fragments per SubtitleChunk item


def parse_postings(value: str | None) -> list[tuple[str, int]]:
    parts = (value or "").split()
    return [(parts[i], int(parts[i + 1])) for i in range(0, len(parts) - 1, 2)]


def encode_postings(pairs) -> str:
    return " ".join(f"{doc} {score}" for doc, score in pairs)


def is_term_key(key: str) -> bool:
    return ":" in key.split(">", 1)[0]


def words_bucket(term: str) -> str:
    return f"{len(term)}:{term[0]}"


class Merge:
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


def write_key(key: str, old: SearchTerm | None, item: SearchTerm | None) -> bool:
    """Replace (or delete) one key's item unless another writer changed it since `old` was read; False if one did."""
    if old is None:
        return item is None or db.conditional(item.save, condition=SearchTerm.key.does_not_exist())
    if item is None:
        return db.conditional(old.delete, condition=SearchTerm.version == old.version)
    return db.conditional(item.save, condition=SearchTerm.version == old.version)


def chunks_of(track: str, fragments: list[text.Fragment]) -> list[SubtitleChunk]:
    result = []
    for start in range(0, len(fragments), CHUNK_SIZE):
        rows = [[f.index, f.start, f.end, f.line] for f in fragments[start : start + CHUNK_SIZE]]
        result.append(SubtitleChunk(track, start // CHUNK_SIZE, fragments=json.dumps(rows, ensure_ascii=False)))
    return result


def chunk_fragments(chunk: SubtitleChunk) -> list[text.Fragment]:
    return [text.Fragment(int(i), start, end, line) for i, start, end, line in json.loads(chunk.fragments)]
