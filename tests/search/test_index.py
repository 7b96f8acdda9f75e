"""The DynamoDB index (functions.services.search.dynamo, postings): heads of postings, counts, bulk and guarded writes,
subtitles."""

import pytest

from functions.services import importer, search
from functions.services.search import postings, service
from functions.services.search.query import parse
from functions.storage.models import SearchTerm, SearchWords, SubtitleChunk
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.search.dynamo_calls import counting


def head(key: str) -> SearchTerm | None:
    try:
        return SearchTerm.get(key)
    except SearchTerm.DoesNotExist:
        return None


def index_dump(prefixes=("vt", "vm")) -> dict:
    return {item.key: (item.postings, int(item.df)) for item in SearchTerm.scan() if item.key[:2] in prefixes}


def hit_ids(query: str, kind: str = "video") -> list[str]:
    from functions.storage import db

    results = search.backend().search(parse(query), db.batch_get, service.LIMIT)
    return [hit.doc_id for hit in results.hits[kind]]


def test_keys_hold_terms_and_prefixes_with_scores(aws):
    make_channel(1)
    make_video(1, title="Guitar guitar lesson", tags=["music"])
    make_video(2, title="Guitar", tags=[])
    term = head("vt:guitar")
    pairs = postings.parse_postings(term.postings)
    assert [doc for doc, _ in pairs] == [video_id(2), video_id(1)]  # a shorter title weighs more per word
    assert int(term.df) == 2
    assert postings.parse_postings(head("vt>gui").postings)[0][0] == video_id(2)
    assert head("vm:music") is not None and head("vm>mu") is not None
    assert head("vt:the") is None  # stop words are not indexed


def test_a_common_key_keeps_its_best_postings_and_counts_all(aws, monkeypatch):
    monkeypatch.setattr(postings, "HEAD_SIZE", 3)
    make_channel(1)
    for n in range(6):
        make_video(n, title="Common " + " ".join(["filler"] * n) + (" rare" if n == 5 else ""))
    common = head("vt:common")
    assert int(common.df) == 6 and len(postings.parse_postings(common.postings)) == 3
    assert video_id(5) not in common.postings  # the longest title has the weakest posting
    assert hit_ids("common rare") == [video_id(5)]  # found through the complete key, checked on its text
    assert len(hit_ids("common")) == 3


def test_removing_a_video_takes_its_postings_and_counts(aws):
    from functions.services.archive import videos

    make_channel(1)
    make_video(1, title="Unique snowflake", tags=["winter"])
    make_video(2, title="Snowflake melts", tags=["winter"])
    videos.delete(video_id(1))
    assert head("vt:uniqu") is None and head("vt>uniq") is None
    snowflake = head("vt:snowflak")
    assert [doc for doc, _ in postings.parse_postings(snowflake.postings)] == [video_id(2)]
    assert int(snowflake.df) == 1
    assert int(head("vm:winter").df) == 1


def _document(titles: dict[int, str]) -> dict:
    return {
        "channels": [{"channel_id": channel_id(1), "channel_name": "Channel 1"}],
        "videos": [
            {
                "youtube_id": video_id(n),
                "title": title,
                "published": "2024-01-01",
                "date_downloaded": 1_700_000_000 + n,
                "channel_id": channel_id(1),
                "tags": ["test", f"tag{n % 3}"],
            }
            for n, title in titles.items()
        ],
    }


TITLES = {n: f"Episode {n} of the {('red', 'green', 'blue')[n % 3]} series about running" for n in range(12)}


def test_bulk_import_builds_the_index_one_by_one_writes_build(aws, monkeypatch):
    monkeypatch.setattr(postings, "HEAD_SIZE", 5)
    importer.import_document(_document(TITLES))
    bulk = index_dump()
    for item in SearchTerm.scan():
        item.delete()
    for n, title in TITLES.items():
        make_video(n, title=title, tags=["test", f"tag{n % 3}"], published="2024-01-01")
    assert index_dump() == bulk


def test_reimport_with_a_new_title_forgets_the_old_words(aws):
    importer.import_document(_document({1: "Alpha beta", 2: "Beta gamma"}))
    importer.import_document(_document({1: "Delta beta", 2: "Beta gamma"}))
    assert head("vt:alpha") is None and head("vt>alp") is None
    assert int(head("vt:beta").df) == 2
    assert hit_ids("delta") == [video_id(1)]
    with counting() as calls:
        importer.import_document(_document({1: "Delta beta", 2: "Beta gamma"}))
    assert "BatchWriteItem" not in calls and "TransactWriteItems" not in calls  # nothing changed, nothing written


def test_concurrent_writer_is_retried_not_lost(aws, monkeypatch):
    make_channel(1)
    make_video(1, title="Shared word")
    original = SearchTerm.batch_get
    raced = []

    def batch_get(keys, **kwargs):
        items = list(original(keys, **kwargs))
        if not raced:
            raced.append(True)
            make_video(2, title="Shared word too")  # lands between this read and its write
        return items

    monkeypatch.setattr(SearchTerm, "batch_get", batch_get)
    make_video(3, title="Shared word three")
    monkeypatch.setattr(SearchTerm, "batch_get", original)
    shared = head("vt:share")
    assert sorted(doc for doc, _ in postings.parse_postings(shared.postings)) == [video_id(1), video_id(2), video_id(3)]
    assert int(shared.df) == 3


def test_new_terms_are_recorded_for_fuzzy_matching(aws):
    make_channel(1)
    make_video(1, title="Xylophone 2024")
    assert "xylophon" in SearchWords.get("8:x").words
    assert all("2024" not in (bucket.words or ()) for bucket in SearchWords.scan())  # numbers are not fuzzed


def _vtt(lines: int, word: str = "line") -> str:
    cues = [
        f"00:{n // 60:02d}:{n % 60:02d}.000 --> 00:{n // 60:02d}:{n % 60:02d}.900\n{word} {n}" for n in range(lines)
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def test_subtitle_tracks_are_chunked_and_replaced(aws):
    make_channel(1)
    make_video(1, title="Talk", subtitles=[{"lang": "en", "source": "user"}])
    search.index_subtitles(video_id(1), "en", _vtt(225))  # 225 cues: 45 fragments, 3 chunks
    chunks = list(SubtitleChunk.query(f"{video_id(1)}.en"))
    assert [int(c.chunk) for c in chunks] == [0, 1, 2]
    with counting() as calls:
        search.index_subtitles(video_id(1), "en", _vtt(225))
    assert set(calls) == {"Query"}  # the same text again: read, nothing written
    search.index_subtitles(video_id(1), "en", _vtt(10, word="other"))
    assert [int(c.chunk) for c in SubtitleChunk.query(f"{video_id(1)}.en")] == [0]
    assert head("st:line") is None
    assert int(head("st:other").df) == 2


@pytest.mark.parametrize("query", ["video:shared word", "video:shar", "full:shared"])
def test_searches_never_scan(aws, query):
    make_channel(1)
    make_video(1, title="Shared word", subtitles=[{"lang": "en", "source": "user"}])
    search.index_subtitles(video_id(1), "en", _vtt(3, word="shared"))
    with counting() as calls:
        hits = hit_ids(query, "subtitle" if query.startswith("full") else "video")
    assert hits and "Scan" not in calls and sum(calls.values()) <= 3, calls
