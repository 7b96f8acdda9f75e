"""The local run's store and moto gate in this process: what is acknowledged is found after a crash (a restart
with nothing closed), a checkpoint is all or nothing, a write the disk refuses is refused with nothing kept, and
only requests signed with the run's keys and sent by no web page reach moto."""

import json
import os
import socket
import time
import urllib.error
import urllib.request
from contextlib import suppress

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from infra import local, local_stack, moto_server, store
from tests.conftest import wipe_moto

PREFIX = "ytarchive-local-"
BUCKET = "ytarchive-local-media"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Run:
    """One start of the store over the gated moto server: a stack, the data folder loaded, recording on."""

    def __init__(self, folder, credentials=None):
        self.folder = folder
        self.credentials = credentials or moto_server.Credentials.create(folder / "moto-credentials")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = moto_server.start_moto(self.port, self.credentials)
        local_stack.create_stack("local")
        self.dynamodb, self.s3 = self.client("dynamodb"), self.client("s3")
        self.store = store.Store(folder, apply=moto_server.in_process_caller(self.server.moto_app))
        self.loaded = self.store.open(lambda bucket, manifest: local.load_objects(self.s3, folder, bucket, manifest))
        self.server.gate.store = self.store

    def client(self, service: str, secret: str | None = None):
        return boto3.client(
            service,
            config=Config(signature_version="s3v4") if service == "s3" else None,  # as the app presigns
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=self.credentials.access_key,
            aws_secret_access_key=secret or self.credentials.secret_key,
        )

    def crash(self) -> None:
        """Stop as kill -9 would: nothing is written on the way out (closing the journal writes nothing)."""
        self.server.gate.store = None
        self.store.journal.close()
        self.server.shutdown()
        self.server.server_close()
        wipe_moto()

    def tables(self) -> dict:
        def key(item):
            return json.dumps(item, sort_keys=True, default=str)

        names = ("videos", "counters", "playlist_entries")
        return {n: sorted(self.dynamodb.scan(TableName=PREFIX + n)["Items"], key=key) for n in names}

    def objects(self) -> dict:
        listed = self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        found = {}
        for entry in listed:
            got = self.s3.get_object(Bucket=BUCKET, Key=entry["Key"])
            found[entry["Key"]] = (got["Body"].read(), got.get("ContentType"), got["Metadata"])
        return found

    def bump(self, name: str = "videos", by: int = 1) -> None:
        self.dynamodb.update_item(
            TableName=PREFIX + "counters",
            Key={"name": {"S": name}},
            UpdateExpression="ADD #c :n",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":n": {"N": str(by)}},
        )

    def count(self, name: str = "videos") -> int:
        item = self.dynamodb.get_item(TableName=PREFIX + "counters", Key={"name": {"S": name}}, ConsistentRead=True)
        return int(item["Item"]["count"]["N"])


@pytest.fixture
def runs(tmp_path):
    started = []

    def start(credentials=None):
        run = Run(tmp_path, credentials)
        started.append(run)
        return run

    yield start
    for run in started:
        with suppress(Exception):
            run.crash()


def write_a_bit_of_everything(run: Run) -> None:
    table = PREFIX + "videos"
    run.dynamodb.put_item(
        TableName=table,
        Item={
            "youtube_id": {"S": "vid00000001"},
            "title": {"S": "Ünïcode"},
            "raw": {"B": b"\x00\xff"},
            "nested": {"M": {"blobs": {"BS": [b"one", b"two"]}, "list": {"L": [{"N": "2"}, {"NULL": True}]}}},
        },
    )
    rows = [{"PutRequest": {"Item": {"youtube_id": {"S": f"vid{n:08d}"}, "n": {"N": str(n)}}}} for n in range(2, 40)]
    for start in range(0, len(rows), 25):
        run.dynamodb.batch_write_item(RequestItems={table: rows[start : start + 25]})
    run.dynamodb.delete_item(TableName=table, Key={"youtube_id": {"S": "vid00000007"}})
    for _ in range(5):
        run.bump()
    run.dynamodb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": PREFIX + "playlist_entries",
                    "Item": {"playlist_id": {"S": "PL1"}, "youtube_id": {"S": "vid00000001"}, "idx": {"N": "0"}},
                }
            },
            {
                "Update": {
                    "TableName": PREFIX + "counters",
                    "Key": {"name": {"S": "entries"}},
                    "UpdateExpression": "ADD #c :one",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
    )
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):  # refused: replaying it refuses it again
        run.dynamodb.put_item(
            TableName=table,
            Item={"youtube_id": {"S": "vid00000001"}},
            ConditionExpression="attribute_not_exists(title)",
        )
    run.s3.put_object(Bucket=BUCKET, Key="media/UC1/vid00000001.mp4", Body=b"\x00video" * 1000, ContentType="video/mp4")
    run.s3.put_object(Bucket=BUCKET, Key="odd//../key", Body=b"odd", Metadata={"origin": "test"})
    run.s3.put_object(Bucket=BUCKET, Key="gone-1", Body=b"1")
    run.s3.put_object(Bucket=BUCKET, Key="gone-2", Body=b"2")
    run.s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "gone-1"}, {"Key": "gone-2"}]})
    run.s3.put_object(Bucket=BUCKET, Key="replaced", Body=b"old")
    run.s3.put_object(Bucket=BUCKET, Key="replaced", Body=b"new")


def test_every_acknowledged_write_is_found_after_a_crash(runs):
    first = runs()
    write_a_bit_of_everything(first)
    tables, objects = first.tables(), first.objects()
    assert first.count() == 5 and len(tables["videos"]) == 38
    first.crash()

    second = runs()
    assert second.tables() == tables
    assert second.objects() == objects
    assert second.count() == 5
    assert second.objects()["odd//../key"] == (b"odd", "binary/octet-stream", {"origin": "test"})
    assert second.loaded["records"] > 0


def test_a_checkpoint_folds_the_journal_into_a_snapshot(runs, tmp_path):
    first = runs()
    write_a_bit_of_everything(first)
    assert first.store.checkpoint()
    assert (tmp_path / "CURRENT").read_text() == "1"
    assert sorted(p.name for p in (tmp_path / "journal").iterdir()) == ["1.log"]
    assert (tmp_path / "journal" / "1.log").read_bytes() == b""
    first.bump(by=10)
    first.s3.delete_object(Bucket=BUCKET, Key="replaced")
    tables, objects = first.tables(), first.objects()
    object_files = sorted(p.name for p in (tmp_path / "s3" / BUCKET / "objects").iterdir())
    # One per object (replaced versions went with the checkpoint), and the deleted one's until the next.
    assert len(object_files) == 3
    first.crash()

    second = runs()
    assert (second.loaded["items"], second.loaded["records"]) == (41, 2)  # the snapshot, then the journal
    assert (second.tables(), second.objects()) == (tables, objects)
    assert second.count() == 15
    assert second.store.checkpoint()
    # Only the tables written since the last snapshot are dumped again; the others are the same files.
    snapshot = tmp_path / "snapshots" / "2" / "tables"
    assert os.stat(snapshot / f"{PREFIX}videos.jsonl").st_nlink == 1  # new in 1, the folder 1 is gone
    assert not (tmp_path / "snapshots" / "1").exists()
    assert len(list((tmp_path / "s3" / BUCKET / "objects").iterdir())) == len(objects) == 2


def put_videos(run: Run, numbers, **attributes) -> None:
    rows = [
        {"PutRequest": {"Item": {"youtube_id": {"S": f"vid{n:08d}"}, "n": {"N": str(n)}, **attributes}}}
        for n in numbers
    ]
    for start in range(0, len(rows), 25):
        run.dynamodb.batch_write_item(RequestItems={PREFIX + "videos": rows[start : start + 25]})


def test_a_checkpoint_writes_only_the_items_that_changed(runs, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "MAX_CHANGE_FILES", 4)
    first = runs()
    put_videos(first, range(200), title={"S": "a title long enough to weigh something in the table's file"})
    assert first.store.checkpoint()
    whole = tmp_path / "snapshots" / "1" / "tables" / f"{PREFIX}videos.jsonl"
    written_whole = os.stat(whole).st_ino
    first.dynamodb.update_item(
        TableName=PREFIX + "videos", Key={"youtube_id": {"S": "vid00000003"}}, UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "-3"}},
    )  # fmt: skip
    first.dynamodb.delete_item(TableName=PREFIX + "videos", Key={"youtube_id": {"S": "vid00000004"}})
    put_videos(first, [500])
    assert first.store.checkpoint()
    snapshot = tmp_path / "snapshots" / "2"
    assert os.stat(snapshot / "tables" / f"{PREFIX}videos.jsonl").st_ino == written_whole  # linked, not written
    changes = snapshot / "changes" / f"{PREFIX}videos"
    changed = sorted(json.loads(line)["youtube_id"]["S"] for line in (changes / "2.jsonl").read_text().splitlines())
    assert changed == ["vid00000003", "vid00000500"]
    assert [json.loads(line) for line in (changes / "2.gone").read_text().splitlines()] == [
        {"youtube_id": {"S": "vid00000004"}}
    ]
    for step in range(3):  # change files pile up to MAX_CHANGE_FILES, then are folded into one
        first.dynamodb.delete_item(TableName=PREFIX + "videos", Key={"youtube_id": {"S": f"vid{10 + step:08d}"}})
        put_videos(first, [4])  # back, then gone again, then back: the last state wins
        first.dynamodb.delete_item(TableName=PREFIX + "videos", Key={"youtube_id": {"S": "vid00000004"}})
        put_videos(first, [4])
        assert first.store.checkpoint()
    changes = tmp_path / "snapshots" / "5" / "changes" / f"{PREFIX}videos"
    assert sorted(p.name for p in changes.iterdir()) == ["4.gone", "4.jsonl", "5.gone", "5.jsonl"]  # 2, 3 in 4
    gone = sorted(json.loads(line)["youtube_id"]["S"] for line in (changes / "4.gone").read_text().splitlines())
    assert gone == ["vid00000010", "vid00000011"]  # vid00000004 was deleted in 2 and is back
    assert os.stat(tmp_path / "snapshots" / "5" / "tables" / f"{PREFIX}videos.jsonl").st_ino == written_whole
    tables = first.tables()
    first.bump()  # in the journal only
    first.crash()

    second = runs()
    assert (second.loaded["items"], second.loaded["records"]) == (200 - 3 + 1, 1)  # 10, 11, 12 gone; 500 new
    assert second.tables() == {**tables, "counters": second.tables()["counters"]} and second.count() == 1
    # More than half of the table's bytes in change files: the table is written whole again.
    put_videos(second, range(100, 200), title={"S": "renamed"}, more={"S": "x" * 100})
    assert second.store.checkpoint()
    snapshot = tmp_path / "snapshots" / "6"
    assert (snapshot / "tables" / f"{PREFIX}videos.jsonl").read_bytes().count(b'"renamed"') == 100
    assert not (snapshot / "changes" / f"{PREFIX}videos").exists()
    tables = second.tables()
    second.crash()
    assert runs().tables() == tables


class Killed(BaseException):
    """kill -9 in the middle of a checkpoint: nothing after it runs, nothing is cleaned up."""


def test_a_crash_before_a_checkpoint_switches_loses_nothing(runs, tmp_path, monkeypatch):
    first = runs()
    put_videos(first, range(100))
    assert first.store.checkpoint()
    put_videos(first, [3, 200], title={"S": "changed"})
    first.dynamodb.delete_item(TableName=PREFIX + "videos", Key={"youtube_id": {"S": "vid00000004"}})
    tables = first.tables()
    real_write = store.write_atomic

    def killed_at_the_switch(path, chunks):
        if path.name == "CURRENT":
            raise Killed
        real_write(path, chunks)

    monkeypatch.setattr(store, "write_atomic", killed_at_the_switch)
    with pytest.raises(Killed):
        first.store.checkpoint()
    monkeypatch.undo()
    assert (tmp_path / "snapshots" / "2" / "changes" / f"{PREFIX}videos" / "2.gone").exists()  # written, not in use
    first.crash()

    second = runs()
    assert second.loaded["records"] == 2 and second.tables() == tables  # snapshot 1 and its journal
    assert second.store.checkpoint()
    assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == ["3"]
    second.crash()
    assert runs().tables() == tables


def test_a_failed_checkpoint_keeps_every_write_once(runs, tmp_path, monkeypatch):
    first = runs()
    for _ in range(3):
        first.bump()
    real_write = store.write_atomic

    def disk_full(path, chunks):
        if path.suffix == ".jsonl":
            raise OSError(28, "No space left on device")
        real_write(path, chunks)

    monkeypatch.setattr(store, "write_atomic", disk_full)
    assert not first.store.checkpoint()
    assert not (tmp_path / "CURRENT").exists() and not (tmp_path / "snapshots" / "1").exists()
    first.bump(by=2)
    first.crash()

    second = runs()
    assert second.count() == 5  # the journal before the failed checkpoint and the one after, each once
    assert not second.store.checkpoint()  # still full
    monkeypatch.undo()
    second.bump()
    assert second.store.checkpoint()
    second.crash()

    third = runs()
    assert third.count() == 6
    assert third.loaded["records"] == 0


def test_a_torn_last_record_is_dropped(runs, tmp_path):
    first = runs()
    first.bump()
    first.crash()
    journal = tmp_path / "journal" / "0.log"
    whole = journal.read_bytes()
    with journal.open("ab") as file:  # a crash in the middle of an append: never acknowledged
        file.write(b'{"t":"DynamoDB_20120810.UpdateItem","b":"{\\"Tab')
    second = runs()
    assert second.count() == 1
    assert journal.read_bytes() == whole
    second.bump()
    assert second.count() == 2


def test_a_write_the_disk_refuses_is_refused_and_not_kept(runs, tmp_path):
    run = runs()
    run.bump()
    run.s3.put_object(Bucket=BUCKET, Key="thumb.jpg", Body=b"first")
    full = os.open("/dev/full", os.O_WRONLY)  # every write: ENOSPC, as a full disk answers
    os.dup2(full, run.store.journal._handle)
    os.close(full)
    for attempt in (
        lambda: run.bump(by=5),
        lambda: run.dynamodb.put_item(TableName=PREFIX + "videos", Item={"youtube_id": {"S": "vid00000009"}}),
        lambda: run.s3.put_object(Bucket=BUCKET, Key="thumb.jpg", Body=b"second"),
        lambda: run.s3.put_object(Bucket=BUCKET, Key="new.jpg", Body=b"new"),
        lambda: run.s3.delete_object(Bucket=BUCKET, Key="thumb.jpg"),
    ):
        with pytest.raises(ClientError) as refused:
            attempt()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
        assert refused.value.response["Error"]["Code"] == "LocalStoreUnavailable"
    # Nothing of them in moto either: reads still answer, with what was acknowledged.
    assert run.count() == 1
    assert run.dynamodb.scan(TableName=PREFIX + "videos")["Items"] == []
    assert run.objects() == {"thumb.jpg": (b"first", "binary/octet-stream", {})}
    assert len(list((tmp_path / "s3" / BUCKET / "objects").iterdir())) == 1  # no copy of a refused object left
    run.crash()

    after = runs()
    assert after.count() == 1
    assert after.objects() == {"thumb.jpg": (b"first", "binary/octet-stream", {})}


# ---------------------------------------------------------------- queues


QUEUE = PREFIX + "download"


def queue_state(run: Run) -> dict:
    url = run.client("sqs").get_queue_url(QueueName=QUEUE)["QueueUrl"]
    names = ["ApproximateNumberOfMessages"] + [f"ApproximateNumberOfMessages{s}" for s in ("NotVisible", "Delayed")]
    attributes = run.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return {name.removeprefix("ApproximateNumberOfMessages") or "visible": int(attributes[name]) for name in names}


def test_queued_messages_survive_a_crash_with_their_receives_and_delays(runs):
    first = runs()
    sqs = first.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    bodies = [json.dumps({"youtube_id": f"vid{n:08d}"}) for n in range(3)]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)])
    sqs.send_message(QueueUrl=url, MessageBody='{"retry": true}', DelaySeconds=600)  # a retry, held back
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=600)["Messages"][0]
    done = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=600)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=done["ReceiptHandle"])
    before = queue_state(first)
    assert before == {"visible": 1, "NotVisible": 1, "Delayed": 1}
    first.crash()

    second = runs()
    assert second.loaded["messages"] == 3
    assert queue_state(second) == before
    sqs = second.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in left] == bodies[2:]
    # The in-flight one comes back when its visibility timeout ends, counted as received once already.
    message = {m["id"]: m for m in store.queue_messages()[QUEUE]}[received["MessageId"]]
    assert message["approximate_receive_count"] == 1 and message["visible_at"] > time.time() * 1000


def test_a_send_the_disk_refuses_is_refused_and_taken_back(runs, monkeypatch):
    run = runs()
    sqs = run.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="kept")

    def full(path, chunks):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "write_atomic", full)
    for attempt in (
        lambda: sqs.send_message(QueueUrl=url, MessageBody="refused"),
        lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "refused too"}]),
    ):
        with pytest.raises(ClientError) as refused:
            attempt()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
    monkeypatch.undo()
    assert queue_state(run)["visible"] == 1
    run.crash()
    left = runs().client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in left] == ["kept"]


# ---------------------------------------------------------------- the lock on the endpoint


def raw(run: Run, method: str = "POST", headers: dict | None = None, body: bytes = b"{}", path: str = "/"):
    request = urllib.request.Request(run.url + path, body if method != "GET" else None, headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_only_this_runs_keys_reach_moto(runs, tmp_path):
    run = runs()
    assert PREFIX + "users" in run.dynamodb.list_tables()["TableNames"]
    with pytest.raises(ClientError, match="signature does not match"):
        run.client("dynamodb", secret="guessed").list_tables()
    for access_key in ("testing", "local"):  # what moto accepts, and what the local run used to sign with
        stranger = boto3.client(
            "dynamodb", endpoint_url=run.url, region_name="us-east-1", aws_access_key_id=access_key,
            aws_secret_access_key=access_key,
        )  # fmt: skip
        with pytest.raises(ClientError, match="unknown access key"):
            stranger.scan(TableName=PREFIX + "users")
    unsigned = raw(run, headers={"X-Amz-Target": "DynamoDB_20120810.Scan"}, body=b'{"TableName": "x"}')
    assert unsigned[0] == 403 and b"not signed" in unsigned[2]
    # A new run makes new keys: the old ones stop working.
    assert json.loads((tmp_path / "moto-credentials").read_text())["secret_key"] == run.credentials.secret_key
    assert oct((tmp_path / "moto-credentials").stat().st_mode & 0o777) == "0o600"


def test_requests_from_web_pages_are_refused(runs):
    run = runs()
    request = run.dynamodb._endpoint  # a correctly signed request, sent with an Origin as a page's fetch would be
    assert request is not None
    signed = {}

    def keep(request, **_):
        signed.update(request.headers)

    run.dynamodb.meta.events.register("before-send.dynamodb.ListTables", keep)
    run.dynamodb.list_tables()
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in signed.items()}
    assert raw(run, headers=headers)[0] == 200
    status, answer_headers, body = raw(run, headers={**headers, "Origin": "http://127.0.0.1:9999"})
    assert status == 403 and b"web pages" in body
    preflight = raw(run, "OPTIONS", {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight[0] == 403
    assert not [name for name in answer_headers | preflight[1] if name.lower().startswith("access-control-")]
    answered = raw(run, headers=headers)[1]
    assert not [name for name in answered if name.lower().startswith("access-control-")]  # moto's CORS removed


def test_presigned_urls_work_until_they_expire(runs):
    run = runs()
    run.s3.put_object(Bucket=BUCKET, Key="cache/videos/v/vid00000001.jpg", Body=b"jpeg bytes")
    presigner = run.client("s3")
    url = presigner.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "cache/videos/v/vid00000001.jpg"}
    )
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == b"jpeg bytes"
    other_key = url.replace("vid00000001.jpg", "vid00000002.jpg")
    assert raw(run, "GET", path=other_key[len(run.url) :])[0] == 403
    brief = presigner.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "cache/videos/v/vid00000001.jpg"}, ExpiresIn=1
    )
    time.sleep(1.5)
    status, _, body = raw(run, "GET", path=brief[len(run.url) :])
    assert status == 403 and b"expired" in body


def test_the_api_answers_503_when_storage_refuses_a_write(client, headers, monkeypatch):
    """What the local run's 507 (or DynamoDB's 503 after botocore's retries) becomes for the API's client."""
    from botocore.client import BaseClient

    real_call = BaseClient._make_api_call

    def full_disk(self, operation, params):
        if operation in ("PutItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem"):
            error = {"Code": "LocalStoreUnavailable", "Message": "No space left on device"}
            raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": 507}}, operation)
        return real_call(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", full_disk)
    body = {"data": [{"channel_id": "UC" + "a" * 22, "channel_subscribed": True}]}
    answer = client.http.post(
        "/api/channel/", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body)
    )
    assert answer.status_code == 503, answer.body
    assert "nothing was saved" in answer.json_body["error"]
    assert answer.headers.get("Content-Type") == "application/json"
    monkeypatch.undo()
    assert client.http.get(f"/api/channel/UC{'a' * 22}/", headers=headers).status_code == 404


def test_a_snapshot_loads_back_the_items_moto_stored():
    from moto import mock_aws

    item = {"blob": {"B": b"\x00\xff"}, "set": {"SS": ["a", "b"]}, "map": {"M": {"l": {"L": [{"N": "1"}]}}}}
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        for name, keys in (("ranged", ("pk", "sk")), ("hashed", ("pk",))):
            kinds = ("HASH", "RANGE")[: len(keys)]
            dynamodb.create_table(
                TableName=name, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
                KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, kinds, strict=True)],
            )  # fmt: skip
            for n in range(5):
                dynamodb.put_item(TableName=name, Item={**item, **{key: {"S": f"{key}{n}"} for key in keys}})
        backend = store.dynamodb_backend()
        for table in backend.tables.values():
            lines = store.table_lines(table)
            before = {(i.hash_key, i.range_key): (i.to_json(), i.size()) for i in table.all_items()}
            table.items.clear()
            assert store.load_table_lines(table, lines) == 5
            assert {(i.hash_key, i.range_key): (i.to_json(), i.size()) for i in table.all_items()} == before
            assert sorted(store.table_lines(table)) == sorted(lines)
        got = dynamodb.get_item(TableName="ranged", Key={"pk": {"S": "pk3"}, "sk": {"S": "sk3"}})["Item"]
        assert got["blob"] == {"B": b"\x00\xff"} and got["map"] == item["map"]
        dynamodb.update_item(TableName="hashed", Key={"pk": {"S": "pk1"}}, UpdateExpression="SET x = :x",
                             ExpressionAttributeValues={":x": {"S": "y"}})  # fmt: skip
        assert dynamodb.get_item(TableName="hashed", Key={"pk": {"S": "pk1"}})["Item"]["x"] == {"S": "y"}


def test_a_loaded_item_is_parsed_when_first_read_and_written_back_as_it_then_is():
    from moto import mock_aws
    from moto.dynamodb.models.dynamo_type import DynamoType

    from infra import dynamo_index

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="things", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "group")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_group", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "group", "KeyType": "HASH"}]}],
        )  # fmt: skip
        table = store.dynamodb_backend().get_table("things")
        lines = [
            json.dumps({"pk": {"S": f"p{n}"}, "group": {"S": "g"}, "n": {"N": str(n)}, "raw": {"B": "AAE="}}).encode()
            + b"\n"
            for n in range(3)
        ]
        assert store.load_table_lines(table, lines) == 3
        dynamo_index.install()
        dynamo_index.build()  # the index keys come from the lines' keys: no item is parsed for them
        assert all("attrs" not in item.__dict__ for item in table.items.values())
        found = dynamodb.query(
            TableName="things", IndexName="by_group", KeyConditionExpression="#g = :g",
            ExpressionAttributeNames={"#g": "group"}, ExpressionAttributeValues={":g": {"S": "g"}},
        )  # fmt: skip
        assert sorted(item["n"]["N"] for item in found["Items"]) == ["0", "1", "2"]
        assert found["Items"][0]["raw"] == {"B": b"\x00\x01"}
        dynamodb.update_item(TableName="things", Key={"pk": {"S": "p1"}}, UpdateExpression="SET n = :n",
                             ExpressionAttributeValues={":n": {"N": "7"}})  # fmt: skip
        written = {json.loads(line)["pk"]["S"]: json.loads(line) for line in store.table_lines(table)}
        assert written["p1"]["n"] == {"N": "7"} and written["p1"]["raw"] == {"B": "AAE="}
        assert written["p0"] == json.loads(lines[0]) and written["p2"] == json.loads(lines[2])
        assert table.items[DynamoType({"S": "p2"})].attrs["raw"].value == b"\x00\x01"  # as PutItem stores it
