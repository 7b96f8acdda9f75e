"""/api/task/: what runs, as the functions record it; starting the download queue and a rescan."""

import json

import boto3

from functions.services import tasks
from functions.services.archive import channels
from functions.services.downloads import intake
from functions.storage.models import QueueItem
from infra import local
from tests.conftest import token_headers


def json_headers(headers: dict) -> dict:
    return {**headers, "Content-Type": "application/json"}


def drain_refresh(aws) -> int:
    from app import app

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="ytarchive-local-refresh")["QueueUrl"]
    return local.process_batch(sqs, url, app.handler_map["refresh"], 1, wait_seconds=0)


def test_nothing_runs_on_a_fresh_archive(client, headers):
    response = client.http.get("/api/task/", headers=headers)
    assert response.status_code == 200
    assert response.json_body == {"rescan": False, "downloading": False}


def test_unknown_or_missing_task_name_is_400(client, headers):
    for body in ({"run": "reboot"}, {"run": 3}, {}, {"task": "rescan_pending"}):
        response = client.http.post("/api/task/", headers=json_headers(headers), body=json.dumps(body))
        assert response.status_code == 400 and "error" in response.json_body, body
    response = client.http.post("/api/task/", headers=json_headers(headers), body="{not json")
    assert response.status_code == 400


def test_tasks_are_for_admins_only(client, other):
    assert client.http.get("/api/task/", headers=token_headers(other)).status_code == 403
    response = client.http.post(
        "/api/task/", headers=json_headers(token_headers(other)), body=json.dumps({"run": "rescan_pending"})
    )
    assert response.status_code == 403
    assert client.http.get("/api/task/").status_code == 403


def test_download_pending_starts_the_queue_and_reads_as_downloading(client, headers, aws):
    intake.add_entries([{"youtube_id": "aaaaaaaaaaa"}, {"youtube_id": "bbbbbbbbbbb"}])
    response = client.http.post(
        "/api/task/", headers=json_headers(headers), body=json.dumps({"run": "download_pending"})
    )
    assert response.status_code == 200 and response.json_body == {"success": True, "task": "download_pending"}
    sqs = boto3.client("sqs")
    got = sqs.receive_message(QueueUrl=aws["DownloadQueueUrl"], MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert sorted(json.loads(m["Body"])["youtube_id"] for m in got["Messages"]) == ["aaaaaaaaaaa", "bbbbbbbbbbb"]
    assert client.http.get("/api/task", headers=headers).json_body == {"rescan": False, "downloading": True}


def test_rescan_pending_runs_in_the_refresh_function(client, headers, fake_youtube):
    channel = next(iter(fake_youtube.catalog.channels.values()))
    channels.set_subscribed(channel.channel_id, True)
    response = client.http.post("/api/task/", headers=json_headers(headers), body=json.dumps({"run": "rescan_pending"}))
    assert response.status_code == 200 and response.json_body == {"success": True, "task": "rescan_pending"}
    # asked for: busy before any function picked it up, and nothing queued yet
    assert client.http.get("/api/task/", headers=headers).json_body["rescan"] is True
    assert QueueItem.count() == 0
    assert drain_refresh(None) == 1
    assert client.http.get("/api/task/", headers=headers).json_body["rescan"] is False
    assert QueueItem.count() == len(fake_youtube.catalog.videos_of(channel.channel_id))


def test_rescan_reads_as_running_while_a_function_holds_it(client, headers, aws):
    owner = tasks.acquire(tasks.RESCAN, 60)
    assert client.http.get("/api/task/", headers=headers).json_body["rescan"] is True
    # asking again while it runs starts nothing new
    assert (
        client.http.post(
            "/api/task/", headers=json_headers(headers), body=json.dumps({"run": "rescan_pending"})
        ).status_code
        == 200
    )
    assert drain_refresh(aws) == 0
    tasks.release(tasks.RESCAN, owner)
    assert client.http.get("/api/task/", headers=headers).json_body["rescan"] is False
