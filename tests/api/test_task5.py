"""v0.5's task runs (/api/task/by-name/, by-id/), notification URLs (/api/task/notification/ + test/) and the
notification poll (/api/notification/), with runs recorded by the real job handlers."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

from functions.services import task_runs
from functions.services.downloads import intake
from functions.storage.models import AppSetting, QueueItem, TaskRun
from infra import local
from tests.conftest import token_headers

HOOK_PORT = 8201  # this helper's ports: 8200-8209
DEAD_PORT = 8202  # nothing listens here


def send(client, method: str, path: str, headers: dict, body=None):
    payload = json.dumps(body) if body is not None else None
    return getattr(client.http, method)(path, headers={**headers, "Content-Type": "application/json"}, body=payload)


def drain(queue: str, handler: str) -> int:
    from app import app

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=f"ytarchive-local-{queue}")["QueueUrl"]
    handled = 0
    while received := local.process_batch(sqs, url, app.handler_map[handler], 1, wait_seconds=0):
        handled += received
    return handled


@pytest.fixture
def hook():
    """A webhook receiver on this helper's port: the JSON bodies POSTed to it, by path."""
    received: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, json.loads(body)))
            self.send_response(500 if self.path.startswith("/broken") else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", HOOK_PORT), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received
    server.shutdown()
    server.server_close()


def sent_to_topic(aws) -> list[tuple[str, str, dict]]:
    """(subject, message, attributes) of what was published to the stage's notification topic, in moto."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    topics = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].topics
    (topic,) = [t for arn, t in topics.items() if arn.endswith(":ytarchive-local-notify")]
    return [(n[2], n[1], n[3]) for n in topic.sent_notifications]


# ---------------------------------------------------------------- runs


def test_unknown_task_names_and_ids_are_404(client, headers):
    assert client.http.get("/api/task/by-name/reboot/", headers=headers).json_body == {"error": "task name not found"}
    assert send(client, "post", "/api/task/by-name/reboot/", headers).status_code == 404
    response = client.http.get("/api/task/by-id/nope/", headers=headers)
    assert response.status_code == 404 and response.json_body == {"error": "task ID not found"}
    assert send(client, "post", "/api/task/by-id/nope/", headers, {"command": "stop"}).status_code == 404


def test_tasks_that_cannot_be_started_through_the_api_are_404(client, headers):
    response = send(client, "post", "/api/task/by-name/check_reindex/", headers)
    assert response.status_code == 404 and response.json_body == {"error": "can not start task through this endpoint"}
    assert client.http.get("/api/task/by-name/check_reindex/", headers=headers).json_body == []


def test_runs_are_for_admins_only(client, other):
    assert client.http.get("/api/task/by-name/", headers=token_headers(other)).status_code == 403
    assert send(client, "post", "/api/task/by-name/update_subscribed/", token_headers(other)).status_code == 403
    assert client.http.get("/api/task/notification/", headers=token_headers(other)).status_code == 403
    assert client.http.get("/api/notification/", headers=token_headers(other)).status_code == 200


def test_a_rescan_started_through_the_api_is_the_run_the_job_records(client, headers, aws):
    response = send(client, "post", "/api/task/by-name/update_subscribed/", headers)
    assert response.status_code == 200
    started = response.json_body
    assert started["status"] == "PENDING" and set(started) == {"task_id", "status"}
    pending = client.http.get(f"/api/task/by-id/{started['task_id']}/", headers=headers).json_body
    assert pending["status"] == "PENDING" and pending["name"] == "update_subscribed" and pending["date_done"] is None
    again = send(client, "post", "/api/task/by-name/update_subscribed/", headers).json_body
    assert again == {"task_id": started["task_id"], "status": "PENDING", "message": "Rescan already in progress."}
    assert drain("refresh", "refresh") == 1
    done = client.http.get(f"/api/task/by-id/{started['task_id']}/", headers=headers).json_body
    assert done["status"] == "SUCCESS" and done["date_done"] and done["date_started"] and done["traceback"] is None
    listed = client.http.get("/api/task/by-name/update_subscribed/", headers=headers).json_body
    assert [run["task_id"] for run in listed] == [started["task_id"]]
    assert client.http.get("/api/task/by-name/", headers=headers).json_body == listed


def test_download_pending_starts_one_run_per_video_and_a_pending_one_can_be_stopped(client, headers, aws):
    response = send(client, "post", "/api/task/by-name/download_pending/", headers)
    assert response.status_code == 200, response.json_body  # TubeArchivist's run finds nothing and ends
    empty = response.json_body
    assert empty["status"] == "SUCCESS" and empty["message"] == "no pending videos to download"
    done = client.http.get(f"/api/task/by-id/{empty['task_id']}/", headers=headers).json_body
    assert done["status"] == "SUCCESS" and done["result"] == "no pending videos to download"
    listed = client.http.get("/api/task/by-name/download_pending/", headers=headers).json_body
    assert [run["task_id"] for run in listed] == [empty["task_id"]]
    intake.add_entries([{"youtube_id": "aaaaaaaaaaa"}, {"youtube_id": "bbbbbbbbbbb"}])
    started = send(client, "post", "/api/task/by-name/download_pending/", headers).json_body
    assert started["status"] == "PENDING" and started["message"] == "2 video(s) sent to download"
    runs = client.http.get("/api/task/by-name/download_pending/", headers=headers).json_body[:2]
    assert started["task_id"] in {run["task_id"] for run in runs}
    for run in runs:
        path = f"/api/task/by-id/{run['task_id']}/"
        assert send(client, "post", path, headers, {"command": "stop"}).status_code == 204
        stopped = client.http.get(path, headers=headers).json_body
        assert stopped["status"] == "REVOKED" and stopped["command"] == "STOP"
        response = send(client, "post", path, headers, {"command": "kill"})
        assert response.status_code == 400 and "ended already" in response.json_body["error"]
    assert drain("download", "download") == 2  # the job takes the stopped runs' messages and downloads nothing
    assert all(QueueItem.get(i).status == "pending" for i in ("aaaaaaaaaaa", "bbbbbbbbbbb"))
    assert [
        run["status"] for run in client.http.get("/api/task/by-name/download_pending/", headers=headers).json_body
    ] == ["REVOKED", "REVOKED", "SUCCESS"]


def test_commands_are_checked_and_a_task_that_cannot_be_stopped_says_so(client, headers, aws):
    (task_id,) = task_runs.queue(task_runs.CHECK_REINDEX)
    path = f"/api/task/by-id/{task_id}/"
    for body in ({"command": "pause"}, {}, {"command": 1}):
        assert send(client, "post", path, headers, body).status_code == 400, body
    response = send(client, "post", path, headers, {"command": "stop"})
    assert response.status_code == 400 and response.json_body == {"error": "task can not be stopped"}
    response = send(client, "post", path, headers, {"command": "kill"})
    assert response.json_body == {"error": "task can not be killed"}
    assert TaskRun.get(task_id).status == "PENDING"


def test_a_running_rescan_stops_before_its_next_step(client, headers, aws):
    seen = []

    def work(run):
        run.progress(["Scanning channel one (1/2)"], 0.5)
        seen.append(client.http.get("/api/notification/?filter=download", headers=headers).json_body)
        assert send(client, "post", f"/api/task/by-id/{run.task_id}/", headers, {"command": "stop"}).status_code == 204
        return "stopped early" if run.stop_asked() else "ran on"

    assert task_runs.record(task_runs.UPDATE_SUBSCRIBED, work) == "stopped early"
    (message,) = seen[0]
    assert message["messages"] == ["Scanning channel one (1/2)"] and message["progress"] == 0.5
    assert message["title"] == "Rescan your Subscriptions" and message["group"] == "download:scan"
    assert message["level"] == "info" and message["api_stop"] is True
    (run,) = client.http.get("/api/task/by-name/update_subscribed/", headers=headers).json_body
    assert run["status"] == "REVOKED" and run["result"] == "stopped early"


def test_a_snapshot_through_the_job_handler_is_recorded(client, headers, aws):
    response = client.http.post("/api/appsettings/snapshot/", headers=headers)
    assert response.status_code == 200
    assert drain("snapshot", "snapshot") == 1
    (run,) = client.http.get("/api/task/by-name/create_snapshot/", headers=headers).json_body
    assert run["status"] == "SUCCESS" and run["result"] and run["date_done"]
    polled = client.http.get("/api/notification/?filter=settings", headers=headers).json_body
    assert [m["id"] for m in polled] == [run["task_id"]] and polled[0]["level"] == "info"
    assert client.http.get("/api/notification/?filter=channel", headers=headers).json_body == []
    assert client.http.get("/api/notification/?filter=nothing", headers=headers).status_code == 400


def test_a_failed_run_records_its_error_and_polls_as_an_error(client, headers, aws):
    def work(run):
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        task_runs.record(task_runs.AUTODELETE, work)
    (run,) = client.http.get("/api/task/by-name/autodelete/", headers=headers).json_body
    assert run["status"] == "FAILURE" and run["traceback"] == "RuntimeError: the disk is full"
    (message,) = client.http.get("/api/notification/", headers=headers).json_body
    assert message["level"] == "error" and message["messages"] == ["Task failed: RuntimeError: the disk is full"]


def test_ended_runs_leave_the_poll(client, headers, aws):
    task_runs.record(task_runs.AUTODELETE, lambda run: "nothing due")
    (run,) = TaskRun.by_name.query(task_runs.AUTODELETE)
    assert len(client.http.get("/api/notification/", headers=headers).json_body) == 1
    run.update(actions=[TaskRun.shown_until.set(run.shown_until - 3600)])
    assert client.http.get("/api/notification/", headers=headers).json_body == []


# ---------------------------------------------------------------- notification URLs


def test_notification_urls_are_stored_per_task_and_bad_ones_refused(client, headers, aws):
    path = "/api/task/notification/"
    assert client.http.get(path, headers=headers).json_body == {}
    for url in ("discord://abc/def", "mailto://not-an-address", "json://", "sns://bad topic", "json://h:port/"):
        response = send(client, "post", path, headers, {"task_name": "download_pending", "url": url})
        assert response.status_code == 400 and response.json_body["error"].startswith("Invalid notification URL"), url
    assert send(client, "post", path, headers, {"task_name": "reboot", "url": "json://h/"}).status_code == 404
    assert send(client, "post", path, headers, {"task_name": "download_pending"}).status_code == 400
    assert client.http.get(path, headers=headers).json_body == {}
    hook_url = f"json://127.0.0.1:{HOOK_PORT}/hook"
    for _ in range(2):  # the same URL twice is stored once
        answer = send(client, "post", path, headers, {"task_name": "download_pending", "url": hook_url}).json_body
    assert answer == {"download_pending": {"urls": [hook_url], "title": "Downloading"}}
    send(client, "post", path, headers, {"task_name": "update_subscribed", "url": "sns://"})
    assert set(client.http.get(path, headers=headers).json_body) == {"download_pending", "update_subscribed"}
    assert send(client, "delete", path, headers, {"task_name": "download_pending", "url": hook_url}).status_code == 204
    assert send(client, "delete", path, headers, {"task_name": "update_subscribed"}).status_code == 204
    assert client.http.get(path, headers=headers).json_body == {}


def test_a_webhook_gets_the_json_body_when_a_run_ends_and_a_failing_one_is_recorded(client, headers, aws, hook):
    path = "/api/task/notification/"
    for url in (f"json://127.0.0.1:{HOOK_PORT}/hook?key=1", f"json://127.0.0.1:{DEAD_PORT}/", "jsons://[::1/"):
        send(client, "post", path, headers, {"task_name": "update_subscribed", "url": url})
    started = send(client, "post", "/api/task/by-name/update_subscribed/", headers).json_body
    assert drain("refresh", "refresh") == 1
    ((hook_path, body),) = hook
    assert hook_path == "/hook?key=1"
    assert body == {
        "version": "1.0",
        "title": "[TA] Rescan your Subscriptions process ended with SUCCESS",
        "message": "rescanned",
        "type": "success",
        "task_id": started["task_id"],
        "task_name": "update_subscribed",
        "status": "SUCCESS",
    }
    run = client.http.get(f"/api/task/by-id/{started['task_id']}/", headers=headers).json_body
    assert run["status"] == "SUCCESS"  # the unreachable webhook did not fail the run: it is recorded
    (problem,) = run["notification_errors"]
    assert problem.startswith(f"json://127.0.0.1:{DEAD_PORT}/: could not reach the server")


def test_mailto_subscribes_the_address_and_a_run_mails_it_through_sns(client, headers, aws):
    path = "/api/task/notification/"
    send(client, "post", path, headers, {"task_name": "create_snapshot", "url": "mailto://me@example.com"})
    sns = boto3.client("sns")
    (subscription,) = sns.list_subscriptions()["Subscriptions"]
    assert subscription["Protocol"] == "email" and subscription["Endpoint"] == "me@example.com"
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"recipient": ["me@example.com"]}
    client.http.post("/api/appsettings/snapshot/", headers=headers)
    drain("snapshot", "snapshot")
    ((subject, message, attributes),) = sent_to_topic(aws)  # conftest empties the topic between tests
    assert subject == "[TA] Create a snapshot process ended with SUCCESS" and message
    assert attributes["recipient"]["Value"] == "me@example.com"
    send(client, "delete", path, headers, {"task_name": "create_snapshot"})
    assert sns.list_subscriptions()["Subscriptions"] == []  # no task mails the address any more
    assert AppSetting.get("notifications").value["urls"] == {}


def test_the_test_endpoint_says_whether_the_message_was_delivered(client, headers, aws, hook):
    path = "/api/task/notification/test/"
    response = send(
        client, "post", path, headers, {"url": f"json://127.0.0.1:{HOOK_PORT}/t", "task_name": "autodelete"}
    )
    assert response.status_code == 200 and response.json_body["success"] is True
    ((_, body),) = hook
    assert body["title"] == "[TA] Delete watched videos process ended with SUCCESS" and body["type"] == "success"
    response = send(client, "post", path, headers, {"url": f"json://127.0.0.1:{HOOK_PORT}/broken"})
    assert response.status_code == 400 and response.json_body["success"] is False
    assert "answered 500" in response.json_body["message"]
    response = send(client, "post", path, headers, {"url": f"json://127.0.0.1:{DEAD_PORT}/"})
    assert response.status_code == 400 and "could not reach" in response.json_body["message"]
    response = send(client, "post", path, headers, {"url": "sns://"})
    assert response.status_code == 200 and len(sent_to_topic(aws)) == 1
    response = send(client, "post", path, headers, {"url": "gotify://x"})
    assert response.status_code == 400 and "Invalid notification URL" in response.json_body["error"]
