"""/api/refresh/: asking for refreshes (validated before anything is queued) and reading what waits."""

import json

import boto3

from functions.storage.models import RefreshItem
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id


def refresh_messages(aws) -> list[dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="ytarchive-local-refresh")["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return sorted((json.loads(m["Body"]) for m in got), key=lambda body: body["id"])


def post(client, headers, body, query: str = ""):
    return client.http.post(
        f"/api/refresh/{query}", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body)
    )


def test_nothing_queued(client, headers):
    response = client.http.get("/api/refresh/", headers=headers)
    assert response.status_code == 200
    assert response.json_body == {"total_queued": 0, "type": "all", "state": "empty"}


def test_queued_items_are_counted_by_type_and_id(client, headers, aws):
    make_channel(1)
    make_video(1)
    make_video(2)
    response = post(client, headers, {"videos": [video_id(1), video_id(2)], "channel": channel_id(1)})
    assert response.status_code == 200
    assert response.json_body == {"videos": [video_id(1), video_id(2)], "channels": [channel_id(1)], "playlists": []}
    assert [(m["kind"], m["id"]) for m in refresh_messages(aws)] == [
        ("channel", channel_id(1)),
        ("video", video_id(1)),
        ("video", video_id(2)),
    ]
    get = client.http.get
    assert get("/api/refresh/", headers=headers).json_body == {"total_queued": 3, "type": "all", "state": "running"}
    assert get("/api/refresh/?type=video", headers=headers).json_body == {
        "total_queued": 2,
        "type": "video",
        "state": "running",
    }
    assert get(f"/api/refresh/?type=video&id={video_id(1)}", headers=headers).json_body == {
        "total_queued": 2,
        "type": "video",
        "id": video_id(1),
        "state": "in_queue",
    }
    assert get(f"/api/refresh/?type=video&id={video_id(3)}", headers=headers).json_body["state"] is False
    assert get("/api/refresh/?type=playlist", headers=headers).json_body["state"] == "empty"


def test_extract_videos_travels_with_each_message(client, headers, aws):
    make_video(1)
    make_playlist(1, [1])
    response = post(client, headers, {"playlists": [playlist_id(1)]}, "?extract_videos=true")
    assert response.status_code == 200
    assert refresh_messages(aws) == [
        {"action": "refresh", "kind": "playlist", "id": playlist_id(1), "extract_videos": True}
    ]
    assert RefreshItem.get("playlist", playlist_id(1)).extract_videos is True


def test_bad_requests_queue_nothing(client, headers, aws):
    make_video(1)
    cases = [
        ({"video": ["not-an-id"]}, 400),
        ({"songs": [video_id(1)]}, 400),
        ({"videos": {"id": video_id(1)}}, 400),
        ({}, 400),
        ([video_id(1)], 400),
        ({"videos": [video_id(1), video_id(9)]}, 404),
    ]
    for body, status in cases:
        response = post(client, headers, body)
        assert response.status_code == status and "error" in response.json_body, body
    assert (
        client.http.post(
            "/api/refresh/", headers={**headers, "Content-Type": "application/json"}, body="{oops"
        ).status_code
        == 400
    )
    assert post(client, headers, {"videos": [video_id(1)]}, "?extract_videos=maybe").status_code == 400
    assert refresh_messages(aws) == [] and RefreshItem.count("video") == 0
    for query in ("?id=" + video_id(1), "?type=song", "?type=song&id=x"):
        response = client.http.get(f"/api/refresh/{query}", headers=headers)
        assert response.status_code == 400 and "error" in response.json_body, query


def test_refresh_is_for_admins_only(client, other):
    assert client.http.get("/api/refresh/", headers=token_headers(other)).status_code == 403
    assert post(client, token_headers(other), {"videos": [video_id(1)]}).status_code == 403
