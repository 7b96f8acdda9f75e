"""What a search costs in DynamoDB at 100,000 videos: calls and items read per query, and what indexing costs.

    python bench/search.py [--videos 100000] [--no-snapshot]

In a fresh moto (`mock_aws`, the stack created from infra/resources.yaml, as bench/api_cost.py does), an archive
is imported with functions.services.importer: videos whose titles and tags are drawn from a made-up vocabulary with
Zipf-like word frequencies (a few words in many titles, most in few), over 50 channels and 20 playlists; every
tenth video carries an English subtitle track (`subtitles[].vtt`) for `full:`. The importer writes the search
index in bulk. Then each query is asked through chalice's test client with an admin's token, and a botocore
hook on every DynamoDB client (bench/api_cost.py's DynamoCalls) counts the calls, the items they read, and the
read units they would cost on DynamoDB (eventually consistent: half a unit per 4 KB of each item).

The importer's counter recount is replaced by setting the three totals search reads (videos, channels,
playlists): moto answers each recount Query by walking the whole table, which at 100,000 videos takes tens of
minutes and measures nothing about search. Ends with bench/snapshot.py's table when that module is present.
"""

import argparse
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_cost import DynamoCalls, channel_id, create_stack, item_size, measure, playlist_id, video_id  # noqa: E402

VIDEOS = 100_000
CHANNELS = 50
PLAYLISTS = 20
SUBTITLED_EVERY = 10
VOCABULARY = 20_000
TAG_VOCABULARY = 800
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en", "or")]
CALL_BUDGET = 5  # DynamoDB calls of a one- or two-word search, viewer's items included


# ---------------------------------------------------------------- the archive


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


class Corpus:
    """Made-up words with Zipf-like frequencies: the word of rank r is drawn with weight 1 / (r + 1)."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.words = _vocabulary(self.rng, VOCABULARY)
        self.tags = _vocabulary(self.rng, TAG_VOCABULARY)
        self._weights = list(_cumulative(VOCABULARY))
        self._tag_weights = list(_cumulative(TAG_VOCABULARY))

    def phrase(self, low: int, high: int) -> list[str]:
        found = self.rng.choices(self.words, cum_weights=self._weights, k=self.rng.randint(low, high))
        return [w + "s" if self.rng.random() < 0.1 else w for w in found]  # plurals, for the stemmer

    def tag_list(self) -> list[str]:
        return self.rng.choices(self.tags, cum_weights=self._tag_weights, k=self.rng.randint(2, 5))

    def vtt(self, cues: int = 10) -> str:
        lines = ["WEBVTT", ""]
        for n in range(cues):
            lines += [f"00:{n // 6:02d}:{n % 6 * 10:02d}.000 --> 00:{n // 6:02d}:{n % 6 * 10 + 9:02d}.500"]
            lines += [" ".join(self.phrase(6, 10)).capitalize(), ""]
        return "\n".join(lines)


def _cumulative(size: int):
    total = 0.0
    for rank in range(size):
        total += 1 / (rank + 1)
        yield total


def make_document(videos: int, corpus: Corpus) -> dict:
    rows = []
    for i in range(videos):
        row = {
            "youtube_id": video_id(i),
            "title": " ".join(corpus.phrase(4, 8)).title(),
            "published": f"{2010 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "date_downloaded": 1_600_000_000 + i * 60,
            "channel_id": channel_id(i % CHANNELS),
            "duration": 60 + i % 3600,
            "tags": corpus.tag_list(),
            "category": ["Education"],
        }
        if i % SUBTITLED_EVERY == 0:
            row["subtitles"] = [{"lang": "en", "source": "auto", "vtt": corpus.vtt()}]
        rows.append(row)
    return {
        "channels": [
            {"channel_id": channel_id(c), "channel_name": " ".join(corpus.phrase(2, 3)).title()}
            for c in range(CHANNELS)
        ],
        "playlists": [
            {"playlist_id": playlist_id(p), "playlist_name": " ".join(corpus.phrase(2, 4)).title()}
            for p in range(PLAYLISTS)
        ],
        "videos": rows,
    }


def queries(corpus: Corpus) -> list[tuple[str, str]]:
    """(label, query) of each measured search; words picked by rank: common ones are in thousands of titles."""
    common, second, mid, rare = corpus.words[0], corpus.words[1], corpus.words[300], corpus.words[3000]
    return [
        ("one word, common", f"video:{common}"),
        ("one word, rare", f"video:{rare}"),
        ("one word, simple (videos, channels, playlists)", common),
        ("two words, both common", f"video:{common} {second}"),
        ("two words, common + rare", f"video:{common} {rare}"),
        ("two words, simple", f"{mid} {common}"),
        ("prefix, 3 letters", f"video:{common[:3]}"),
        ("two words, second a prefix", f"video:{mid} {second[:4]}"),
        ("fuzzy, one typo", f"video:{_typo(mid)} fuzzy:1"),
        ("full:, one word", f"full:{mid}"),
        ("full:, two words", f"full:{common} {mid}"),
        ("video: channel:<name> (no words)", "video: channel:" + corpus.words[0]),
    ]


def _typo(word: str) -> str:
    return word[:2] + word[3] + word[2] + word[4:] if len(word) > 4 else word + "x"


# ---------------------------------------------------------------- measuring


class ReadUnits(DynamoCalls):
    """DynamoCalls that also sums the read units the items it saw would cost on DynamoDB."""

    def reset(self) -> None:
        super().reset()
        self.read_units = 0.0
        self.read_bytes = 0

    def _after(self, http_response, parsed, model, **kwargs) -> None:
        super()._after(http_response=http_response, parsed=parsed, model=model, **kwargs)
        if model.name == "BatchGetItem":
            items = [item for found in parsed.get("Responses", {}).values() for item in found]
        elif model.name == "GetItem":
            items = [parsed["Item"]] if parsed.get("Item") else []
        else:
            items = []
        sizes = [item_size(item) for item in items]
        self.read_bytes += sum(sizes)
        self.read_units += sum(0.5 * max(1, math.ceil(size / 4096)) for size in sizes)
        if model.name == "Query":
            size = sum(item_size(item) for item in parsed.get("Items", []))
            self.read_bytes += size
            self.read_units += 0.5 * max(1, math.ceil(size / 4096))


def _set_totals(document: dict):
    """Stand-in for counters.recount: the totals search reads, from the document (see the module's docstring)."""
    from functions.storage import counters
    from functions.storage.models import Counter

    def recount(names):
        values = {
            counters.VIDEOS: len(document["videos"]),
            counters.CHANNELS: len(document["channels"]),
            counters.PLAYLISTS: len(document["playlists"]),
        }
        for name, value in values.items():
            Counter(name, count=value).save()
        return values

    return recount


def _table_sizes() -> dict[str, tuple[int, int]]:
    """Items and bytes of the search tables, read from moto's memory (not through the API: not measured)."""
    import os

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from functions.storage.models import SearchTerm, SearchWords, SubtitleChunk

    tables = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].tables
    sizes = {}
    for model in (SearchTerm, SearchWords, SubtitleChunk):
        items = list(tables[model.Meta.table_name].all_items())
        sizes[model.__name__] = (len(items), sum(item.size() for item in items))
    return sizes


def run_search(videos: int) -> dict:
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from functions.services import importer, search
    from functions.services.auth import users
    from functions.storage import counters
    from infra import moto_cloudformation

    corpus = Corpus()
    result = {"videos": videos, "queries": []}
    calls = ReadUnits()
    with mock_aws():
        moto_cloudformation.register()
        create_stack()
        admin = users.create_user("admin", "bench-password", is_admin=True)
        document = make_document(videos, corpus)
        result["tracks"] = sum(1 for row in document["videos"] if "subtitles" in row)
        indexing = []
        bulk_index = search.index_import

        def timed_index(*args, **kwargs):
            started = time.perf_counter()
            bulk_index(*args, **kwargs)
            indexing.append(time.perf_counter() - started)

        original_recount = counters.recount
        counters.recount = _set_totals(document)
        search.index_import = timed_index
        calls.attach_all()
        calls.reset()
        started = time.perf_counter()
        try:
            importer.import_document(document)
        finally:
            counters.recount = original_recount
            search.index_import = bulk_index
        result["import_s"] = time.perf_counter() - started
        result["index_s"] = sum(indexing)
        result["import_ops"] = calls.summary()
        result["tables"] = _table_sizes()
        print(f"  imported {videos:,} videos in {result['import_s']:.0f} s", file=sys.stderr)
        del document
        headers = {"Authorization": f"Token {admin.api_token}"}
        with Client(app, stage_name="local", project_dir=str(ROOT)) as client:
            client.http.get("/api/search/?query=warm", headers=headers)  # clients created, stemmer loaded
            for label, query in [*queries(corpus), ("similar videos", None)]:
                path = f"/api/video/{video_id(3)}/similar/" if query is None else f"/api/search/?query={query}"
                measured = measure(client, calls, headers, path)
                body = measured.pop("body")
                hits = body["data"] if query is None else body["results"]
                counts = [len(hits)] if query is None else [len(v) for v in hits.values()]
                measured.update(label=label, query=query or path, hits=sum(counts))
                measured.update(read_units=calls.read_units, read_kb=calls.read_bytes / 1024)
                result["queries"].append(measured)
    return result


def print_tables(result: dict) -> None:
    sizes = result["tables"]
    print(f"## Search index at {result['videos']:,} videos (moto, functions.services.importer)\n")
    print("| import s (all) | of which the search index s | subtitle tracks | index items | DynamoDB calls |")
    print("|---:|---:|---:|---|---|")
    items = ", ".join(f"{name} {count:,} ({size / 2**20:.1f} MB)" for name, (count, size) in sizes.items())
    print(
        f"| {result['import_s']:.0f} | {result['index_s']:.0f} | {result['tracks']:,} | {items} | "
        f"{result['import_ops']} |"
    )
    print(f"\n## DynamoDB per search at {result['videos']:,} videos (admin token, chalice.test.Client)\n")
    print("| search | query | hits | calls | operations | items read | KB read | read units | ms | budget |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---|")
    for row in result["queries"]:
        fuzzy = "fuzzy" in row["query"] or "channel:" in row["query"]
        budget = "-" if fuzzy else ("✅" if row["calls"] <= CALL_BUDGET else "❌") + f" ≤ {CALL_BUDGET}"
        print(
            f"| {row['label']} | `{row['query']}` | {row['hits']} | {row['calls']} | {row['ops']} | "
            f"{row['items']:,} | {row['read_kb']:.0f} | {row['read_units']:.1f} | {row['ms']:.0f} | {budget} |"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=VIDEOS, help="archive size")
    parser.add_argument("--no-snapshot", action="store_true", help="skip bench/snapshot.py's table")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print_tables(run_search(args.videos))
    print(f"\nSearch bench: {time.perf_counter() - started:.0f} s.\n", flush=True)
    if args.no_snapshot:
        return
    try:
        from bench import snapshot
    except ImportError:
        return
    snapshot.run()


if __name__ == "__main__":
    main()
