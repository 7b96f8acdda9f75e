"""/api/download/...: the queue as TubeArchivist clients see it; adding is stored before any slow work."""

import json

import boto3
import pytest

from functions.services.downloads import intake, worker
from functions.storage import counters
from functions.storage.models import Counter, QueueItem
from tests.api.calls import record_dynamodb
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_video, video_id

ITEM_KEYS = {
    "youtube_id",
    "title",
    "channel_id",
    "channel_name",
    "channel_indexed",
    "duration",
    "published",
    "status",
    "timestamp",
    "vid_thumb_url",
    "vid_type",
    "auto_start",
}


def post(client, headers, rows, query: str = ""):
    body = json.dumps({"data": rows})
    return client.http.post(
        f"/api/download/{query}", headers={**headers, "Content-Type": "application/json"}, body=body
    )


def rows(*ids, status="pending"):
    return [{"youtube_id": i, "status": status} for i in ids]


def messages(aws) -> list[dict]:
    sqs = boto3.client("sqs")
    found = []
    while True:
        got = sqs.receive_message(QueueUrl=aws["DownloadQueueUrl"], MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return found
        found += [json.loads(m["Body"]) for m in got]


def count(name: str) -> int:
    try:
        return int(Counter.get(name).count)
    except Counter.DoesNotExist:
        return 0


def test_add_stores_videos_at_once_and_lists_them_oldest_first(client, headers, aws):
    ids = [video_id(n) for n in (3, 1, 2)]
    response = post(client, headers, [*rows(*ids[:2]), {"youtube_id": f"https://youtu.be/{ids[2]}"}])
    assert response.status_code == 200
    assert response.json_body["added"] == ids and response.json_body["skipped"] == []
    listed = client.http.get("/api/download/", headers=headers).json_body
    assert [item["youtube_id"] for item in listed["data"]] == ids  # the order they were pasted in
    assert set(listed["data"][0]) == ITEM_KEYS
    assert listed["data"][0]["status"] == "pending" and listed["data"][0]["auto_start"] is False
    assert listed["data"][0]["vid_thumb_url"] == f"/cache/videos/v/{ids[0]}.jpg"
    assert listed["paginate"]["total_hits"] == 3
    assert set(listed["config"]) >= {"page_size", "downloads"}
    # nothing was downloaded yet: one message asks the download function to fill in their metadata
    assert messages(aws) == [{"action": "expand", "targets": [], "describe": ids, "auto_start": False}]


def test_add_skips_archived_and_queued_videos_and_non_pending_rows(client, headers, aws):
    make_channel(1)
    make_video(1)
    post(client, headers, rows(video_id(2)))
    response = post(client, headers, rows(video_id(1), video_id(2), video_id(3)) + rows(video_id(4), status="ignore"))
    assert response.json_body["added"] == [video_id(3)]
    assert response.json_body["skipped"] == [video_id(1), video_id(2)]
    assert QueueItem.count(video_id(4)) == 0
    assert count("queue#pending") == 2


def test_channels_and_playlists_are_expanded_by_the_download_function(client, headers, aws):
    targets = ["https://www.youtube.com/@somebody/videos", f"{channel_id(5)}", "PL0000000000000007"]
    response = post(client, headers, rows(*targets), query="?autostart=true")
    assert response.status_code == 200
    assert response.json_body["expanding"] == [
        "https://www.youtube.com/@somebody/videos",
        f"https://www.youtube.com/channel/{channel_id(5)}",
        "https://www.youtube.com/playlist?list=PL0000000000000007",
    ]
    (message,) = messages(aws)
    assert message["action"] == "expand" and message["auto_start"] is True
    assert [t["kind"] for t in message["targets"]] == ["channel", "channel", "playlist"]
    assert message["targets"][0] == {"kind": "channel", "youtube_id": None, "handle": "@somebody", "tab": "videos"}


def test_autostart_marks_items_and_sends_one_message_per_video(client, headers, aws):
    post(client, headers, rows(video_id(1)))
    response = post(client, headers, rows(video_id(2), video_id(3)), query="?autostart=true")
    assert response.status_code == 200
    listed = client.http.get("/api/download/", headers=headers).json_body["data"]
    assert [(i["youtube_id"], i["auto_start"]) for i in listed] == [
        (video_id(2), True),
        (video_id(3), True),
        (video_id(1), False),
    ]
    downloads = [m["youtube_id"] for m in messages(aws) if m["action"] == "download"]
    assert downloads == [video_id(2), video_id(3)]


def test_an_unparsable_url_in_a_batch_is_400_and_nothing_is_stored(client, headers, aws):
    batch = rows(video_id(1), "https://vimeo.com/12345", "https://www.youtube.com/playlist?list=PL0000000000000007")
    response = post(client, headers, batch)
    assert response.status_code == 400
    assert "vimeo.com is not a YouTube domain" in response.json_body["error"]
    assert "nothing was added" in response.json_body["error"]
    assert QueueItem.count(video_id(1)) == 0 and messages(aws) == [] and count("queue#pending") == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"data": "x"},
        {"data": [1]},
        {"data": [{"status": "pending"}]},
        {"data": [{"youtube_id": 5}]},
        {"data": [{"youtube_id": "", "status": "pending"}]},
        {"data": [{"youtube_id": "garbage words", "status": "pending"}]},
    ],
)
def test_bad_add_bodies_are_400(client, headers, aws, body):
    response = client.http.post(
        "/api/download/", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body)
    )
    assert response.status_code == 400 and "error" in response.json_body
    assert count("queue#pending") == 0


def test_bad_autostart_and_filters_are_400(client, headers, aws):
    assert post(client, headers, rows(video_id(1)), query="?autostart=maybe").status_code == 400
    assert client.http.get("/api/download/?filter=done", headers=headers).status_code == 400
    assert client.http.get("/api/download/?channel=nope", headers=headers).status_code == 400
    assert client.http.delete("/api/download/", headers=headers).status_code == 400
    assert client.http.delete("/api/download/?filter=all", headers=headers).status_code == 400


def test_filter_channel_and_pages(client, headers, aws):
    intake.add_entries([{"youtube_id": video_id(n), "channel_id": channel_id(n % 2)} for n in range(30)])
    for n in range(25, 30):
        intake.set_status(video_id(n), "ignore")
    body = client.http.get("/api/download/?filter=pending", headers=headers).json_body
    assert body["paginate"]["total_hits"] == 25 and len(body["data"]) == 12
    assert [i["youtube_id"] for i in body["data"]] == [video_id(n) for n in range(12)]
    third = client.http.get("/api/download/?filter=pending&page=3", headers=headers).json_body
    assert [i["youtube_id"] for i in third["data"]] == [video_id(24)]
    assert third["paginate"]["params"] == "filter=pending"
    past = client.http.get("/api/download/?filter=pending&page=4", headers=headers)
    assert past.status_code == 200 and past.json_body["data"] == []
    ignored = client.http.get("/api/download/?filter=ignore", headers=headers).json_body
    assert [i["status"] for i in ignored["data"]] == ["ignore"] * 5
    channel = client.http.get(f"/api/download/?channel={channel_id(1)}", headers=headers).json_body
    assert channel["paginate"]["total_hits"] == 15
    assert all(i["channel_id"] == channel_id(1) for i in channel["data"])
    both = client.http.get(f"/api/download/?channel={channel_id(1)}&filter=ignore", headers=headers).json_body
    assert [i["youtube_id"] for i in both["data"]] == [video_id(25), video_id(27), video_id(29)]
    everything = client.http.get("/api/download/?page=3", headers=headers).json_body
    assert everything["paginate"]["total_hits"] == 30 and len(everything["data"]) == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["BatchGetItem", "Query", "Query", "BatchGetItem"]),  # counters, each status, items and channels
        ("?filter=pending", ["BatchGetItem", "Query", "BatchGetItem"]),
        (f"?channel={channel_id(1)}", ["BatchGetItem", "Query", "Query", "BatchGetItem"]),
        ("?vid_type=videos", ["BatchGetItem", "Query", "Query", "BatchGetItem"]),  # by_type_status projects channels
        ("?error=false", ["BatchGetItem", "Query", "Query", "BatchGetItem"]),  # and so does by_error_status
    ],
)
def test_a_queue_page_reads_its_items_and_their_channels_in_one_batch(
    client, headers, aws, monkeypatch, query, expected
):
    make_channel(1)  # archived: its items say channel_indexed
    intake.add_entries([{"youtube_id": video_id(n), "channel_id": channel_id(n % 2)} for n in range(6)])
    intake.set_status(video_id(5), "ignore")
    client.http.get("/api/ping/", headers=headers)  # the token records its day of use once a day, not in the count
    calls = record_dynamodb(monkeypatch)
    body = client.http.get(f"/api/download/{query}", headers=headers).json_body
    assert [operation for operation, _ in calls if operation != "GetItem"] == expected  # GetItem: the token's key
    indexed = {item["youtube_id"]: item["channel_indexed"] for item in body["data"]}
    assert indexed and indexed == {youtube_id: youtube_id in map(video_id, (1, 3, 5)) for youtube_id in indexed}


def test_empty_queue_is_an_empty_first_page(client, headers, aws):
    body = client.http.get("/api/download/", headers=headers).json_body
    assert body["data"] == [] and body["paginate"]["total_hits"] == 0


def test_item_get_status_changes_and_delete(client, headers, aws):
    make_channel(1)
    intake.add_entries([{"youtube_id": video_id(1), "channel_id": channel_id(1), "title": "One", "duration": 213}])
    item = client.http.get(f"/api/download/{video_id(1)}/", headers=headers).json_body["data"]
    assert item["title"] == "One" and item["duration"] == "03:33" and item["channel_indexed"] is True
    change = client.http.post(
        f"/api/download/{video_id(1)}/",
        headers={**headers, "Content-Type": "application/json"},
        body='{"status": "ignore"}',
    )
    assert change.status_code == 200 and change.json_body == {"youtube_id": video_id(1), "status": "ignore"}
    assert client.http.get(f"/api/download/{video_id(1)}", headers=headers).json_body["data"]["status"] == "ignore"
    assert count("queue#ignore") == 1 and count("queue#pending") == 0
    priority = client.http.post(
        f"/api/download/{video_id(1)}",
        headers={**headers, "Content-Type": "application/json"},
        body='{"status": "priority"}',
    )
    assert priority.status_code == 200
    item = client.http.get(f"/api/download/{video_id(1)}", headers=headers).json_body["data"]
    assert item["status"] == "pending" and item["auto_start"] is True
    (started,) = messages(aws)  # priority starts it now, as a task run task/by-id/ shows
    assert started == {"action": "download", "youtube_id": video_id(1), "task_id": started["task_id"]}
    assert started["task_id"]
    assert client.http.delete(f"/api/download/{video_id(1)}/", headers=headers).status_code == 200
    assert client.http.get(f"/api/download/{video_id(1)}/", headers=headers).status_code == 404
    assert count("queue#pending") == 0 and count(f"queue#channel#{channel_id(1)}#pending") == 0


def test_item_errors(client, headers, aws):
    intake.add_entries([{"youtube_id": video_id(1)}])
    json_headers = {**headers, "Content-Type": "application/json"}
    for path in (f"/api/download/{video_id(9)}/", "/api/download/not-an-id/"):
        response = client.http.get(path, headers=headers)
        assert response.status_code == 404 and response.json_body["data"] is False
        assert client.http.delete(path, headers=headers).status_code == 404
        assert client.http.post(path, headers=json_headers, body='{"status": "ignore"}').status_code == 404
    for body in ('{"status": "done"}', '{"status": 1}', "{}", "[", '{"state": "ignore"}'):
        assert client.http.post(f"/api/download/{video_id(1)}/", headers=json_headers, body=body).status_code == 400
    assert client.http.put(f"/api/download/{video_id(1)}/", headers=json_headers, body="{}").status_code == 405


def test_delete_by_filter(client, headers, aws):
    intake.add_entries([{"youtube_id": video_id(n)} for n in range(4)])
    intake.set_status(video_id(0), "ignore")
    response = client.http.delete("/api/download/?filter=ignore", headers=headers)
    assert response.status_code == 200 and response.json_body["removed"] == 1
    assert [i["youtube_id"] for i in client.http.get("/api/download/", headers=headers).json_body["data"]] == [
        video_id(1),
        video_id(2),
        video_id(3),
    ]
    assert client.http.delete("/api/download/?filter=pending", headers=headers).json_body["removed"] == 3
    assert count("queue#pending") == 0 and count("queue#ignore") == 0


def test_a_failed_download_shows_its_error_and_progress_shows_while_running(client, headers, aws):
    intake.add_entries([{"youtube_id": video_id(1)}, {"youtube_id": video_id(2)}])
    assert worker.claim(video_id(1), "m-1", 60) is not None
    worker.record_progress(video_id(1), "m-1", 42.5, 123456.0)
    running = client.http.get(f"/api/download/{video_id(1)}/", headers=headers).json_body["data"]
    assert running["progress"] == 42.5 and running["speed"] == 123456
    worker.record_failure(video_id(1), "m-1", "download failed (attempt 1 of 3): HTTP Error 500")
    failed = client.http.get(f"/api/download/{video_id(1)}/", headers=headers).json_body["data"]
    assert failed["message"].endswith("HTTP Error 500") and "progress" not in failed
    idle = client.http.get(f"/api/download/{video_id(2)}/", headers=headers).json_body["data"]
    assert "message" not in idle and "progress" not in idle


def test_queue_needs_a_user(client, other, aws):
    assert client.http.get("/api/download/").status_code == 403
    assert client.http.post("/api/download/", body="{}").status_code == 403
    assert client.http.get(f"/api/download/{video_id(1)}/").status_code == 403
    assert client.http.get("/api/download/", headers=token_headers(other)).status_code == 200
    response = client.http.get("/api/download/", headers={"Authorization": "Token " + "0" * 40})
    assert response.status_code == 403 and response.json_body == {"detail": "Invalid token."}


def test_api_function_never_imports_yt_dlp(client, headers, aws):
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import app, sys; import functions.http.ta.download, functions.services.downloads.intake; "
        "print('yt_dlp' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_error_filter_lists_the_failed_items_or_the_others(client, headers, aws):
    """v0.5's ?error=true|false: one Query of the by_error_status index, its total a counter; the items move
    between the two as a download fails and a retry clears the error."""
    intake.add_entries([{"youtube_id": video_id(n)} for n in range(6)])
    for n in (1, 4):
        assert worker.claim(video_id(n), f"m-{n}", 60) is not None
        worker.record_failure(video_id(n), f"m-{n}", "download failed (attempt 1 of 3): HTTP Error 500")
    worker.record_failure(video_id(4), "m-4", "a second failure of a message that let go: not recorded")
    intake.set_status(video_id(5), "ignore")

    def listed(query: str) -> tuple[int, list[str]]:
        body = client.http.get(f"/api/download/?{query}", headers=headers).json_body
        return body["paginate"]["total_hits"], [i["youtube_id"] for i in body["data"]]

    assert listed("error=true") == (2, [video_id(1), video_id(4)])
    assert listed("error=true&filter=pending") == (2, [video_id(1), video_id(4)])
    assert listed("error=false&filter=pending") == (3, [video_id(0), video_id(2), video_id(3)])
    assert listed("error=false") == (4, [video_id(0), video_id(2), video_id(3), video_id(5)])
    assert listed("error=true&filter=ignore") == (0, [])
    assert QueueItem.get(video_id(4)).message.startswith("download failed")
    intake.set_status(video_id(1), "pending")  # a retry starts clean
    assert listed("error=true") == (1, [video_id(4)])
    assert listed("error=false&filter=pending")[0] == 4
    intake.delete(video_id(4))
    assert listed("error=true") == (0, [])
    for query in ("error=maybe", f"error=true&channel={channel_id(1)}", "error=true&vid_type=videos"):
        assert client.http.get(f"/api/download/?{query}", headers=headers).status_code == 400, query


def test_a_recount_restores_the_error_filters_totals(client, headers, aws):
    """An archive whose queue counters are lost or wrong (one older than the error filter, after
    `infra.cli reindex`) gets them back from `infra.cli recount`."""
    intake.add_entries([{"youtube_id": video_id(n)} for n in range(3)])
    assert worker.claim(video_id(1), "m-1", 60) is not None
    worker.record_failure(video_id(1), "m-1", "download failed (attempt 1 of 3): HTTP Error 500")
    for has_error in (True, False):
        Counter(counters.queue_by_error("pending", has_error), count=99).save()
    counters.recount_all()
    assert Counter.get(counters.queue_by_error("pending", True)).count == 1
    assert Counter.get(counters.queue_by_error("pending", False)).count == 2
    total = client.http.get("/api/download/?error=false&filter=pending", headers=headers).json_body["paginate"]
    assert total["total_hits"] == 2


def test_v05_force_queues_archived_videos_to_be_downloaded_again(client, v05, aws):
    """The web frontend's "Redownload": its exact request, the selected ids in one row, separated by spaces."""
    make_channel(1)
    make_video(1)
    make_video(2)
    post(client, token_headers(v05), rows(video_id(3)))
    selected = " ".join([video_id(1), video_id(2), video_id(3), video_id(4)])
    response = post(client, token_headers(v05), rows(selected), query="?autostart=true&force=true")
    assert response.status_code == 200
    # archived ones are queued again; one queued already stays as it is (TubeArchivist skips it too)
    assert response.json_body["added"] == [video_id(1), video_id(2), video_id(4)]
    assert response.json_body["skipped"] == [video_id(3)]
    assert [QueueItem.get(video_id(n)).redownload for n in (1, 2, 3, 4)] == [True, True, None, None]
    assert QueueItem.get(video_id(1)).auto_start is True
    assert count("queue#pending") == 4 and count(counters.VIDEOS) == 2  # the archive counts each video once still
    sent = [m for m in messages(aws) if m["action"] == "download"]
    assert sorted(m["youtube_id"] for m in sent) == [video_id(1), video_id(2), video_id(4)]
    # the v0.5 queue lists them as any other item: TubeArchivist's item has no such field
    listed = client.http.get("/api/download/?filter=pending", headers=token_headers(v05)).json_body
    assert all("redownload" not in item and "force" not in item for item in listed["data"])


def test_v05_force_must_be_a_boolean_and_v04_has_no_force(client, headers, v05, aws):
    make_channel(1)
    make_video(1)
    refused = post(client, token_headers(v05), rows(video_id(1)), query="?force=maybe")
    assert refused.status_code == 400 and "force" in refused.json_body["error"]
    assert QueueItem.count(video_id(1)) == 0
    plain = post(client, token_headers(v05), rows(video_id(1)), query="?force=false")
    assert plain.status_code == 200 and plain.json_body["skipped"] == [video_id(1)]
    # v0.4.13 has no `force`: a v0.4 token's request adds as it always did, whatever the parameter says
    for query in ("?force=true", "?force=maybe"):
        response = post(client, headers, rows(video_id(1)), query=query)
        assert response.status_code == 200 and response.json_body["skipped"] == [video_id(1)]
    assert QueueItem.count(video_id(1)) == 0
