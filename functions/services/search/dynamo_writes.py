"""Writing the DynamoDB search index (functions.services.search.dynamo explains its layout): a change of one
document reads the keys it touches and writes each back on the condition that its `version` is the one read,
reading and merging again the keys another writer changed; the importer merges all its documents in memory
first and writes every key once (`bulk`). Subtitle tracks are stored as chunks beside their fragments' keys."""

import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from functions.services.search import documents as docs
from functions.services.search.backend import Change, Track
from functions.services.search.postings import (
    Merge,
    chunk_fragments,
    chunks_of,
    is_term_key,
    words_bucket,
    write_key,
)
from functions.storage.models import SearchTerm, SearchWords, SubtitleChunk

WRITE_ATTEMPTS = 8
WRITE_THREADS = 8  # a document's keys are written this many at a time


class IndexWrites:
    """The writing half of DynamoBackend: documents' postings and subtitle chunks."""

    def update(self, changes: list[Change], bulk: bool = False) -> None:
        if not changes:
            return
        merge = Merge()
        for change in changes:
            merge.add(change)
        if bulk:
            self._write_bulk(merge)
        else:
            self._write_guarded(merge)

    def _write_bulk(self, merge: Merge) -> None:
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

    def _write_guarded(self, merge: Merge) -> None:
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
                written = list(pool.map(write_key, *zip(*writes, strict=True)))
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
            old_fragments = {f.index: f for chunk in old for f in chunk_fragments(chunk)}
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
            chunks = chunks_of(name, fragments)
            stored = {int(c.chunk): c.fragments for c in old}
            puts += [c for c in chunks if stored.get(int(c.chunk)) != c.fragments]
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
                for fragment in chunk_fragments(chunk):
                    doc = docs.fragment_document(youtube_id, lang, fragment)
                    changes.append(Change(doc.doc_id, None, doc, old_known=True))
        self.update(changes)
        with SubtitleChunk.batch_write() as batch:
            for chunk in chunks:
                batch.delete(chunk)
