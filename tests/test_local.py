"""The local run: which moto requests write, the event-handler machinery, and real restarts and crashes."""

import calendar
import functools
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest
from chalice import Chalice
from moto import mock_aws

from infra import local, local_stack, moto_server
from tests.conftest import ROOT

PREFIX = "ytarchive-local-"
BUCKET = "ytarchive-local-media"


def signed(service: str) -> str:
    return f"AWS4-HMAC-SHA256 Credential=key/20260101/us-east-1/{service}/aws4_request, Signature=abc"


@pytest.mark.parametrize(
    ("environ", "writes"),
    [
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, True),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.TransactWriteItems"}, True),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query"}, False),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "AmazonSQS.ReceiveMessage"}, False),
        ({"REQUEST_METHOD": "PUT", "HTTP_AUTHORIZATION": signed("s3")}, True),
        ({"REQUEST_METHOD": "DELETE", "HTTP_AUTHORIZATION": signed("s3")}, True),
        ({"REQUEST_METHOD": "POST", "HTTP_AUTHORIZATION": signed("s3"), "QUERY_STRING": "uploads"}, True),
        ({"REQUEST_METHOD": "GET", "HTTP_AUTHORIZATION": signed("s3")}, False),
        (
            {"REQUEST_METHOD": "PUT", "QUERY_STRING": "X-Amz-Credential=k%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"},
            True,
        ),
        ({"REQUEST_METHOD": "PUT", "QUERY_STRING": "AWSAccessKeyId=k&Signature=s&Expires=1"}, True),
        ({"REQUEST_METHOD": "POST", "HTTP_AUTHORIZATION": signed("cloudformation")}, False),
        ({"REQUEST_METHOD": "POST", "HTTP_AUTHORIZATION": signed("sqs")}, False),
    ],
)
def test_which_moto_requests_mark_the_data_dirty(environ, writes):
    assert moto_server.is_write(environ) is writes


# ---------------------------------------------------------------- event handlers


def jobs_app(fail: bool = False):
    app = Chalice(app_name="jobs")
    app.received = []

    @app.on_sqs_message(queue="download", batch_size=5)
    def consume(event):
        app.received.extend(record.body for record in event)
        if fail:
            raise RuntimeError("download failed")

    @app.schedule("rate(2 minutes)")
    def heartbeat(event):  # no schedule of the settings (those are infra/local_schedules.py's)
        app.received.append(event.detail_type)
        app.fired_at = event.time

    @app.schedule("cron(0 3 * * ? *)")
    def snapshot(event):
        pass

    return app


def queue_counts(sqs, url: str) -> tuple[int, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


def test_plan_finds_queue_consumers_and_schedules():
    consumers, schedules = local.plan_jobs(jobs_app())
    assert consumers == [local.QueueConsumer("consume", "download", 5)]
    assert schedules == [local.ScheduledJob("heartbeat", 120.0), local.ScheduledJob("snapshot", 3600.0)]
    assert local.plan_jobs(Chalice(app_name="none")) == ([], [])


def test_a_batch_is_handled_then_deleted(aws):
    sqs = boto3.client("sqs")
    url = local.resolve_queue_url(sqs, "download", PREFIX)
    assert url == aws["DownloadQueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"vid{n}")
    app = jobs_app()
    assert local.process_batch(sqs, url, app.handler_map["consume"], batch_size=5, wait_seconds=0) == 3
    assert sorted(app.received) == ["vid0", "vid1", "vid2"]
    assert queue_counts(sqs, url) == (0, 0)
    assert local.process_batch(sqs, url, app.handler_map["consume"], batch_size=5, wait_seconds=0) == 0


def test_a_failing_handler_leaves_the_message_for_redelivery(aws):
    sqs = boto3.client("sqs")
    url = local.resolve_queue_url(sqs, "download", PREFIX)
    sqs.send_message(QueueUrl=url, MessageBody="vid0")
    app = jobs_app(fail=True)
    assert local.process_batch(sqs, url, app.handler_map["consume"], batch_size=5, wait_seconds=0) == 1
    assert app.received == ["vid0"]
    assert queue_counts(sqs, url) == (0, 1)  # invisible until the visibility timeout, then redelivered


def test_started_jobs_poll_the_queue_and_fire_schedules(aws, monkeypatch):
    from chalice.cli.factory import CLIFactory

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name="local")
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=aws["DownloadQueueUrl"], MessageBody="vid9")
    app, stop = jobs_app(), threading.Event()
    monkeypatch.setitem(local.RATE_UNITS, "minute", 0.05)  # rate(2 minutes) every 0.1 s
    threads = local.start_jobs(app, config, stop, workers=2)
    try:
        deadline = time.monotonic() + 20
        while not ("vid9" in app.received and "Scheduled Event" in app.received) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert "vid9" in app.received and "Scheduled Event" in app.received
    assert abs(calendar.timegm(time.strptime(app.fired_at, "%Y-%m-%dT%H:%M:%SZ")) - time.time()) < 60
    assert len(threads) == 4
    assert not any(thread.is_alive() for thread in threads)
    assert queue_counts(sqs, aws["DownloadQueueUrl"]) == (0, 0)


def test_idle_pollers_wait_on_the_queue_without_receiving(aws, monkeypatch):
    from chalice.cli.factory import CLIFactory

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name="local")
    receives, idle_waits = [], threading.Semaphore(0)
    real_batch, real_wait = local.process_batch, local.wait_for_message

    def waited(*args):
        found = real_wait(*args)
        if not found:
            idle_waits.release()
        return found

    monkeypatch.setattr(
        local, "process_batch", lambda *args, **kwargs: receives.append(1) or real_batch(*args, **kwargs)
    )
    monkeypatch.setattr(local, "wait_for_message", waited)
    app, stop = jobs_app(), threading.Event()
    threads = local.start_jobs(app, config, stop, workers=2)
    try:
        for _ in range(4):  # both pollers woke from an empty wait, twice each or one of them four times
            assert idle_waits.acquire(timeout=20)
        assert receives == []  # no ReceiveMessage while nothing was there
        boto3.client("sqs").send_message(QueueUrl=aws["DownloadQueueUrl"], MessageBody="vid8")
        deadline = time.monotonic() + 20
        while "vid8" not in app.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert "vid8" in app.received
    assert not any(thread.is_alive() for thread in threads)


# ---------------------------------------------------------------- the real thing, restarted


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def limit_file_size(limit: int) -> None:
    """In the child: no file may grow past `limit` bytes (EFBIG, as a full disk gives ENOSPC)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # stays ignored across exec: writes fail instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


class LocalRun:
    """`python -m infra.local` in a subprocess; a thread collects its output."""

    def __init__(self, data_dir, max_file_bytes: int | None = None, **environ):
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TA_", "LOCAL_"))}
        environment.update(
            LOCAL_DATA_DIR=str(data_dir),
            LOCAL_PORT=str(free_port()),
            LOCAL_MOTO_PORT=str(free_port()),
            PYTHONUNBUFFERED="1",
            **environ,
        )
        self.data_dir = data_dir
        self.url = f"http://127.0.0.1:{environment['LOCAL_PORT']}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=None if max_file_bytes is None else functools.partial(limit_file_size, max_file_bytes),
        )
        self.output: list[str] = []
        self.reader = threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True)
        self.reader.start()

    @property
    def text(self) -> str:
        return "".join(self.output)

    def wait_for_token(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"API token: ([0-9a-f]+)", self.text)
            if found:
                return found[1]
            assert self.process.poll() is None, self.text
            time.sleep(0.1)
        raise AssertionError("no token printed:\n" + self.text)

    def request(self, method: str, path: str, token: str, body: dict | None = None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def get(self, path: str, token: str) -> dict:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def channel_ids(self, token: str, query: str = "") -> tuple[set[str], int]:
        """Every channel the listing pages through, and the total its counter gives."""
        found, total = set(), None
        for number in range(1, 500):
            page = self.get(f"/api/channel/?page={number}{query}", token)
            total = page["paginate"]["total_hits"]
            found |= {row["channel_id"] for row in page["data"]}
            if not page["data"] or len(found) >= total:
                break
        return found, total

    def wait_until_up(self, token: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/api/ping/", token) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.url} never answered /api/ping/:\n{self.text}")

    def invidious_token(self) -> dict:
        """Sign in as Invidious apps do (POST /login, the SID cookie of its 302), then register a token."""

        class KeepRedirects(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args):
                return None

        password = (self.data_dir / "admin-password").read_text().strip()
        form = urllib.parse.urlencode({"email": "admin", "password": password}).encode()
        login = urllib.request.Request(self.url + "/login", form, method="POST")
        try:
            urllib.request.build_opener(KeepRedirects).open(login, timeout=10)
            raise AssertionError("POST /login did not redirect")
        except urllib.error.HTTPError as answer:
            assert answer.code == 302, answer.read()
            sid = answer.headers["Set-Cookie"].split(";")[0]
        body = json.dumps({"scopes": ["GET:tokens"]}).encode()
        headers = {"Cookie": sid, "Content-Type": "application/json"}
        register = urllib.request.Request(self.url + "/api/v1/auth/tokens/register", body, headers, method="POST")
        with urllib.request.urlopen(register, timeout=10) as response:
            return json.loads(response.read())

    def invidious_status(self, token: dict) -> int:
        request = urllib.request.Request(
            self.url + "/api/v1/auth/tokens", headers={"Authorization": "Bearer " + json.dumps(token)}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self, timeout: float = 30) -> int:
        """SIGINT, as Ctrl-C sends; the exit code, once all output is read."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def test_an_archive_survives_a_restart(tmp_path):
    """The archive, the admin and the Invidious tokens: the data folder's HMAC key signs them, whatever HMAC_KEY
    the shell exports (a different one in each run here)."""
    channel_id = "UC" + secrets.token_hex(11)
    first = LocalRun(tmp_path, HMAC_KEY="exported-by-the-first-shell")
    try:
        token = first.wait_for_token()
        first.wait_until_up(token)
        body = {"data": [{"channel_id": channel_id, "channel_subscribed": True}]}
        assert first.request("POST", "/api/channel/", token, body) == 200
        invidious = first.invidious_token()
        assert first.invidious_status(invidious) == 200
        assert first.stop() == 0, first.text
    finally:
        first.kill()
    assert "Traceback" not in first.text

    second = LocalRun(tmp_path, HMAC_KEY="exported-by-the-second-shell")
    try:
        assert second.wait_for_token() == token  # the same admin, loaded from the data folder
        second.wait_until_up(token)
        assert second.request("GET", f"/api/channel/{channel_id}/", token) == 200
        assert second.invidious_status(invidious) == 200  # same key: the token is still valid
        forged = {**invidious, "scopes": [":*"]}
        assert second.invidious_status(forged) == 403  # and the signature is still checked
        assert second.stop() == 0, second.text
    finally:
        second.kill()


def test_the_hmac_secret_survives_a_restart(tmp_path):
    """The stack generates a new key each start; the data folder keeps the first, so tokens stay valid."""
    keys = []
    for _ in range(2):
        with mock_aws():
            outputs = local_stack.create_stack("local")
            secretsmanager = boto3.client("secretsmanager")
            kept = local.keep_secret(secretsmanager, outputs["HmacSecretArn"], tmp_path / "hmac-key")
            keys.append(secretsmanager.get_secret_value(SecretId="ytarchive-local-hmac")["SecretString"])
            assert kept == keys[-1]
    assert len(keys[0]) == 64 and keys[0] == keys[1] == (tmp_path / "hmac-key").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["hmac-key"]  # written atomically: no temp file left


def test_kill_9_during_steady_writes_loses_no_acknowledged_write(tmp_path):
    """Four clients subscribe channels and delete some, the run is killed with SIGKILL in the middle: after a
    restart every acknowledged subscription is there, no acknowledged deletion came back, and the counters
    equal what they count."""
    first = LocalRun(tmp_path)
    try:
        token = first.wait_for_token()
        first.wait_until_up(token)
        attempted, acknowledged, deleted, unknown, refused = set(), set(), set(), set(), []
        lock = threading.Lock()

        def send(method: str, path: str, body=None) -> int | None:
            """The status, or None when the answer never came (killed, or timed out on a loaded machine)."""
            try:
                status = first.request(method, path, token, body)
            except OSError:
                return None
            if status not in (200, 204):
                refused.append((method, path, status))
            return status

        def writer(number: int) -> None:
            mine = []
            for step in range(100_000):
                if first.process.poll() is not None:
                    return
                channel_id = f"UC{number:02d}{step:020d}"
                with lock:
                    attempted.add(channel_id)
                body = {"data": [{"channel_id": channel_id, "channel_subscribed": True}]}
                status = send("POST", "/api/channel/", body)
                with lock:
                    (acknowledged if status == 200 else unknown).add(channel_id)
                if status == 200:
                    mine.append(channel_id)
                if step % 2 == 1 and mine:  # delete an older one
                    gone = mine.pop(0)
                    status = send("DELETE", f"/api/channel/{gone}/")
                    with lock:
                        acknowledged.discard(gone)
                        (deleted if status == 204 else unknown).add(gone)

        writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and (len(acknowledged | deleted) < 12 or len(deleted) < 2) and not refused:
            time.sleep(0.05)
        time.sleep(secrets.randbelow(300) / 1000)  # somewhere in the middle of the next writes
        first.process.kill()  # SIGKILL: nothing runs on the way out
        first.process.wait(timeout=10)
        for thread in writers:
            thread.join(timeout=30)
    finally:
        first.kill()
    assert len(acknowledged | deleted) >= 6 and deleted, (len(acknowledged), refused, first.text)

    second = LocalRun(tmp_path)
    try:
        assert second.wait_for_token() == token
        second.wait_until_up(token)
        present, total = second.channel_ids(token)
        subscribed, subscribed_total = second.channel_ids(token, "&filter=subscribed")
        second.stop()
    finally:
        second.kill()
    print(
        f"crash test: {len(acknowledged)} subscriptions kept and {len(deleted)} deletions acknowledged before "
        f"SIGKILL; after restart {len(present)} channels, counter {total}; "
        f"{len(present & unknown)} of {len(unknown)} writes without an answer landed"
    )
    assert not refused, refused
    assert acknowledged <= present  # every acknowledged subscription is there
    assert not deleted & present  # no acknowledged deletion came back
    assert present - acknowledged <= unknown  # nothing else: only writes whose answer the kill cut
    assert total == len(present) == subscribed_total == len(subscribed)


def test_a_full_disk_refuses_writes_with_503_and_keeps_what_was_acknowledged(tmp_path):
    """The journal may not grow past 48 kB: writes get 503 once it is full, reads go on, Ctrl-C stops cleanly,
    and the next start (with room) has every acknowledged write and nothing of the refused ones."""
    first = LocalRun(tmp_path, max_file_bytes=48 * 1024)
    try:
        token = first.wait_for_token()
        first.wait_until_up(token)
        answers = {}
        for n in range(200):
            channel_id = f"UC{n:022d}"
            body = {"data": [{"channel_id": channel_id, "channel_subscribed": True}]}
            answers[channel_id] = first.request("POST", "/api/channel/", token, body)
            if list(answers.values())[-3:] == [503] * 3:
                break
        acknowledged = {c for c, status in answers.items() if status == 200}
        assert set(answers.values()) == {200, 503}, answers
        assert first.request("GET", "/api/ping/", token) == 200
        present, total = first.channel_ids(token)
        assert acknowledged <= present and total == len(present)  # a channel and its counters: one transaction
        assert first.stop() == 0, first.text
    finally:
        first.kill()
    assert "Traceback" not in first.text and "write refused" in first.text

    second = LocalRun(tmp_path)
    try:
        second.wait_for_token()
        second.wait_until_up(token)
        assert second.channel_ids(token) == (present, total)  # what the full run answered, nothing lost since
        channel_id = "UC" + "z" * 22
        body = {"data": [{"channel_id": channel_id, "channel_subscribed": True}]}
        assert second.request("POST", "/api/channel/", token, body) == 200  # room again: writes go on
        assert second.stop() == 0
    finally:
        second.kill()
