"""v0.5's PATCH /api/download/?filter=[&channel=]: every queued item of one status (and channel) changes status,
its counters with it."""

from functions.services.downloads import intake
from functions.storage.models import Counter, QueueItem
from tests.api.calls import send, spy_on_storage
from tests.factories import channel_id, video_id


def queue(rows: list[tuple[int, int]]) -> None:
    intake.add_entries([{"youtube_id": video_id(n), "channel_id": channel_id(c), "title": f"V{n}"} for n, c in rows])


def statuses() -> dict[str, str]:
    return {item.youtube_id: item.status for item in QueueItem.scan()}


def test_patch_by_filter_and_channel(client, admin, monkeypatch):
    queue([(1, 1), (2, 1), (3, 2)])
    spy = spy_on_storage(monkeypatch)
    answer = send(
        client, "PATCH", f"/api/download/?filter=pending&channel={channel_id(1)}", admin, body={"status": "ignore"}
    )
    assert (answer.status_code, answer.body) == (204, b"")
    assert not spy.reached("Scan ")
    assert statuses() == {video_id(1): "ignore", video_id(2): "ignore", video_id(3): "pending"}
    assert Counter.get("queue#pending").count == 1 and Counter.get("queue#ignore").count == 2
    assert Counter.get(f"queue#channel#{channel_id(1)}#ignore").count == 2
    send(client, "PATCH", "/api/download/?filter=ignore", admin, body={"status": "pending"})
    assert set(statuses().values()) == {"pending"} and Counter.get("queue#ignore").count == 0
    listed = send(client, "GET", "/api/download/?filter=pending", admin).json_body
    assert listed["paginate"]["total_hits"] == 3


def test_patch_refusals_change_nothing(client, admin, other):
    queue([(1, 1)])
    bad = [
        ("/api/download/", {"status": "ignore"}),  # the filter is required
        ("/api/download/?filter=done", {"status": "ignore"}),
        ("/api/download/?filter=pending", {"status": "archived"}),
        ("/api/download/?filter=pending&channel=nope", {"status": "ignore"}),
    ]
    for path, body in bad:
        assert send(client, "PATCH", path, admin, body=body).status_code == 400, path
    assert send(client, "PATCH", "/api/download/?filter=pending", other, body={"status": "ignore"}).status_code == 403
    assert statuses() == {video_id(1): "pending"}
