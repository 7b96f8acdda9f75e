"""TubeArchivist v0.5's search of the download queue (`/api/download/?q=`): words of the queued videos' titles,
channel names and ids, from the archive's search index (kept by every write of the queue), alone or with the
status filter and v0.5's other filters, listed in queue order; a few DynamoDB calls, no Scan."""

import pytest

from functions.services import search
from functions.services.downloads import intake, items, worker
from functions.storage.models import QueueItem
from tests.api.calls import send, spy_on_storage
from tests.factories import channel_id, video_id

QUEUED = [
    {"youtube_id": video_id(1), "title": "Learning Rust in a weekend", "channel_name": "Code Corner"},
    {"youtube_id": video_id(2), "title": "Sourdough bread, step by step", "channel_name": "Kitchen Table"},
    {"youtube_id": video_id(3), "title": "Rusty bikes restored", "channel_name": "Garage Days"},
    {"youtube_id": video_id(4), "title": "Bread machines compared", "channel_name": "Code Corner"},
    {"youtube_id": "a-b_cdefghi", "title": "A video with dashes in its id", "channel_name": "Kitchen Table"},
]


@pytest.fixture
def queue(aws):
    for n, row in enumerate(QUEUED):
        row["channel_id"] = channel_id(1 + n % 2)
    intake.add_entries(QUEUED)


def found(client, user, query: str) -> list[str]:
    response = send(client, "GET", f"/api/download/?{query}", user)
    assert response.status_code == 200, response.json_body
    return [item["youtube_id"] for item in response.json_body["data"]]


def test_words_of_titles_channels_and_ids_are_found_in_queue_order(client, v05, queue):
    assert found(client, v05, "q=bread") == [video_id(2), video_id(4)]  # queue order, not relevance
    assert found(client, v05, "q=BREAD+step") == [video_id(2)]  # every word, any case
    assert found(client, v05, "q=bread%2520step") == [video_id(2)]  # as v0.5's frontend sends it: encoded twice
    assert found(client, v05, "q=rus") == [video_id(1), video_id(3)]  # the last word as typed so far
    assert found(client, v05, "q=code+corner") == [video_id(1), video_id(4)]  # the channel's name
    assert found(client, v05, f"q={video_id(3)}") == [video_id(3)]  # a pasted id
    assert found(client, v05, "q=a-b_cdefghi") == ["a-b_cdefghi"]
    assert found(client, v05, "q=nothing+like+it") == []
    assert found(client, v05, "q=") == found(client, v05, "") != []  # as v0.5, an empty q filters nothing


def test_q_with_the_status_and_other_filters(client, v05, queue):
    intake.set_status(video_id(4), items.IGNORE)
    assert found(client, v05, "filter=pending&q=bread") == [video_id(2)]
    assert found(client, v05, "filter=ignore&q=bread") == [video_id(4)]
    assert found(client, v05, "q=bread") == [video_id(2), video_id(4)]
    intake.set_status(video_id(4), items.PENDING)  # back: found among the pending again, not the ignored
    assert found(client, v05, "filter=ignore&q=bread") == []
    assert found(client, v05, "filter=pending&q=bread") == [video_id(2), video_id(4)]
    assert found(client, v05, f"q=bread&channel={channel_id(2)}") == [video_id(2), video_id(4)]
    assert found(client, v05, f"q=code&channel={channel_id(2)}") == [video_id(4)]
    assert found(client, v05, "q=bread&vid_type=shorts") == []
    worker.claim(video_id(2), "message-1", 60)
    worker.record_failure(video_id(2), "message-1", "HTTP Error 500")
    assert found(client, v05, "q=bread&error=true") == [video_id(2)]
    assert found(client, v05, "q=bread&error=false") == [video_id(4)]


def test_the_index_follows_every_write_of_the_queue(client, v05, queue, fake_youtube):
    intake.delete(video_id(1))
    assert found(client, v05, "q=rust") == [video_id(3)]
    worker.finish(video_id(3))  # downloaded: out of the queue
    assert found(client, v05, "q=rust") == []
    intake.delete_by_filter(items.PENDING)
    assert found(client, v05, "q=bread") == []

    video = next(iter(fake_youtube.catalog.videos.values()))
    intake.add([video.youtube_id])  # queued by id: no title until the download function describes it
    first_word = video.title.split()[0]
    assert found(client, v05, f"q={first_word}") == []
    worker.describe([video.youtube_id])
    assert found(client, v05, f"q={first_word}") == [video.youtube_id]


def test_pages_of_many_matches(client, v05, aws):
    intake.add_entries([{"youtube_id": video_id(n), "title": f"Episode {n}"} for n in range(30)])
    v05.page_size = 12
    v05.save()
    body = send(client, "GET", "/api/download/?q=episode&page=3", v05).json_body
    assert [item["youtube_id"] for item in body["data"]] == [video_id(n) for n in range(24, 30)]
    assert body["paginate"]["total_hits"] == 30 and body["paginate"]["current_page"] == 3


def test_a_query_too_long_is_400(client, v05, queue):
    response = send(client, "GET", "/api/download/?q=" + "x" * 501, v05)
    assert response.status_code == 400 and "q longer than" in response.json_body["error"]


def test_a_search_costs_three_batches(client, v05, queue, monkeypatch):
    """Keys and counters, then the matching items, then their channels: BatchGetItems, never a Query or Scan."""
    spy = spy_on_storage(monkeypatch)
    assert found(client, v05, "filter=pending&q=bread+step") == [video_id(2)]
    operations = [call.split()[0] for call in spy.calls if not call.startswith("GetItem")]  # the token's key
    assert operations == ["BatchGetItem"] * 3


def test_reindex_backfills_items_queued_before_the_queue_was_searchable(client, v05, queue):
    search.remove_queued(list(QueueItem.scan()))  # as an older version left them: never indexed
    assert found(client, v05, "q=bread") == []
    assert sum(search.backfill_queue([item]) for item in QueueItem.scan()) == len(QUEUED)
    assert found(client, v05, "q=bread") == [video_id(2), video_id(4)]
    assert search.backfill_queue(list(QueueItem.scan())) == 0  # all held now: nothing written again
