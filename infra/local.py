"""The local run (`python -m infra.local`): the whole product on this machine, over moto, with a data folder.

One process: a moto server on loopback holding the resources of infra/resources.yaml, the Chalice local server,
SQS poller threads and schedule timers for the app's event handlers, and a flusher that saves every table and
S3 object to the data folder (loaded back at start), so restarting never loses an archive.
"""

import base64
import errno
import functools
import hashlib
import json
import logging
import os
import re
import secrets
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import boto3

ROOT = Path(__file__).resolve().parent.parent
STAGE = "local"
HOST = "127.0.0.1"
FLUSH_SECONDS = 3
CRON_SECONDS = 3600  # cron schedules fire hourly locally: reading cron expressions is not worth it here
RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
DYNAMODB_WRITES |= {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}  # PartiQL may write
PATH_CLASHES = {errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG}

log = logging.getLogger("ytarchive.local")


# ---------------------------------------------------------------- files


def write_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    """Write to a fresh temp file beside `path`, then rename it over: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


# ---------------------------------------------------------------- DynamoDB tables: one file of DynamoDB-JSON lines each


def _binary_to_text(value):
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot store {type(value).__name__}")


def _text_to_binary(attribute: dict) -> dict:
    """Undo `_binary_to_text` inside one DynamoDB-JSON attribute value (B and BS, also nested in M and L)."""
    ((kind, value),) = attribute.items()
    if kind == "B":
        return {kind: base64.b64decode(value)}
    if kind == "BS":
        return {kind: [base64.b64decode(v) for v in value]}
    if kind == "M":
        return {kind: {name: _text_to_binary(v) for name, v in value.items()}}
    if kind == "L":
        return {kind: [_text_to_binary(v) for v in value]}
    return attribute


def dump_tables(dynamodb, folder: Path) -> None:
    for page in dynamodb.get_paginator("list_tables").paginate():
        for table in page["TableNames"]:
            items = (
                json.dumps(item, sort_keys=True, default=_binary_to_text).encode() + b"\n"
                for scan in dynamodb.get_paginator("scan").paginate(TableName=table)
                for item in scan["Items"]
            )
            write_atomic(folder / "tables" / f"{table}.jsonl", items)


def load_tables(dynamodb, folder: Path) -> None:
    existing = {name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]}
    for path in sorted((folder / "tables").glob("*.jsonl")):
        if path.stem not in existing:  # the file stays, untouched by flushes, until the table is back
            log.warning("not loading %s: no table %s in the stack", path, path.stem)
            continue
        with path.open() as lines:
            items = [{k: _text_to_binary(v) for k, v in json.loads(line).items()} for line in lines if line.strip()]
        for start in range(0, len(items), 25):
            requests = {path.stem: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
            while requests:
                requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems")


# ---------------------------------------------------------------- S3 objects: files named by key, plus a manifest


def _hashed_file(key: str) -> str:
    return "_hashed/" + hashlib.sha256(key.encode()).hexdigest()


def _new_object_file(key: str, folder: Path) -> str:
    """Where a new object goes in its bucket's folder: its key, when that is a plain relative path that no other
    file takes (on a case-insensitive disk "A.jpg" takes "a.jpg"), else a hash of the key."""
    plain = all(part not in ("", ".", "..") for part in key.split("/"))
    return key if plain and not (folder / key).exists() else _hashed_file(key)


def _copy_object(s3, bucket: str, key: str, folder: Path, name: str) -> dict:
    """Copy one object to a file; its manifest entry."""
    response = s3.get_object(Bucket=bucket, Key=key)
    write_atomic(folder / name, response["Body"].iter_chunks(1024 * 1024))
    return {
        "file": name,
        "etag": response["ETag"],
        "content_type": response.get("ContentType"),
        "metadata": response.get("Metadata", {}),
    }


def _save_object(s3, bucket: str, key: str, folder: Path, previous: dict | None) -> dict:
    name = previous["file"] if previous else _new_object_file(key, folder)
    try:
        return _copy_object(s3, bucket, key, folder, name)
    except OSError as error:  # a key whose path crosses a file of another key ("a" and "a/b"), or a name too long
        if error.errno not in PATH_CLASHES or name == _hashed_file(key):
            raise
        return _copy_object(s3, bucket, key, folder, _hashed_file(key))


def _write_manifest(path: Path, manifest: dict) -> None:
    write_atomic(path, [json.dumps(manifest, indent=1, sort_keys=True).encode()])


def dump_objects(s3, folder: Path) -> int:
    """Save every bucket's objects; only objects whose ETag changed are copied. The number of copies."""
    copied = 0
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        manifest_path = folder / "s3" / f"{bucket}.json"
        bucket_folder = folder / "s3" / bucket
        previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        current = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for listed in page.get("Contents", []):
                key, entry = listed["Key"], previous.get(listed["Key"])
                if entry and entry["etag"] == listed["ETag"] and (bucket_folder / entry["file"]).exists():
                    current[key] = entry
                else:
                    current[key] = _save_object(s3, bucket, key, bucket_folder, entry)
                    copied += 1
        _write_manifest(manifest_path, current)
        for key in previous.keys() - current.keys():  # only once the manifest no longer names them
            (bucket_folder / previous[key]["file"]).unlink(missing_ok=True)
    return copied


def load_objects(s3, folder: Path) -> None:
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for manifest_path in sorted((folder / "s3").glob("*.json")):
        bucket = manifest_path.stem
        if bucket not in existing:
            log.warning("not loading %s: no bucket %s in the stack", manifest_path, bucket)
            continue
        manifest = json.loads(manifest_path.read_text())
        for key, entry in manifest.items():
            extra = {"ContentType": entry["content_type"]} if entry.get("content_type") else {}
            with (folder / "s3" / bucket / entry["file"]).open("rb") as body:
                etag = s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=entry["metadata"], **extra)["ETag"]
            entry["etag"] = etag  # a multipart upload's ETag is not one PUT's: keep the next flush from copying it
        _write_manifest(manifest_path, manifest)


def dump_all(dynamodb, s3, folder: Path) -> None:
    dump_tables(dynamodb, folder)
    dump_objects(s3, folder)


# ---------------------------------------------------------------- moto


def create_stack(cloudformation, stage: str) -> dict:
    """Create infra/resources.yaml for this stage; its outputs."""
    from infra import moto_cloudformation

    moto_cloudformation.register()
    name = f"ytarchive-{stage}-infra"
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=(ROOT / "infra" / "resources.yaml").read_text(),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
    )
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {name}: {stack['StackStatus']} {stack.get('StackStatusReason', '')}")
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def keep_secret(secretsmanager, secret_id: str, path: Path) -> str:
    """The secret the stack generated, kept in the data folder: the first run saves it, later runs restore it
    (a new HMAC key on every start would invalidate every Invidious token issued before). Returns it."""
    if path.exists():
        value = path.read_text()
        secretsmanager.put_secret_value(SecretId=secret_id, SecretString=value)
    else:
        value = secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"]
        write_atomic(path, [value.encode()])
    return value


def is_write(environ: dict) -> bool:
    """Whether a request to moto may change what the data folder holds: a DynamoDB write, or an S3 PUT, DELETE
    or POST (multipart uploads, batch deletes). Other services here either name their operation in X-Amz-Target
    (SQS) or POST with their own name in the signature (CloudFormation)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.startswith("DynamoDB_") and target.rpartition(".")[2] in DYNAMODB_WRITES
    method = environ.get("REQUEST_METHOD")
    scope = re.search(
        r"/([\w-]+)/aws4_request", unquote(environ.get("HTTP_AUTHORIZATION", "") + environ.get("QUERY_STRING", ""))
    )
    return method in ("PUT", "DELETE") or (method == "POST" and (scope is None or scope[1] == "s3"))


def start_moto(port: int, dirty: threading.Event):
    """moto's server on loopback in a thread; `dirty` is set after every request that wrote something."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class CachingDispatcher(DomainDispatcherApplication):
        """moto's dispatcher lists its package folder under a global lock to find each request's service; the
        answer for a host never changes, so it is looked up once per host."""

        @functools.cache  # noqa: B019 (one dispatcher per server, kept for the process's life)
        def get_backend_for_host(self, host):
            return super().get_backend_for_host(host)

    moto_app = CachingDispatcher(create_backend_app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request to moto is noise, and costs CPU
    # moto's TransactWriteItems deep-copies every table to roll back, and fails (500, then botocore retries) when
    # another thread writes meanwhile, as parallel download workers do: DynamoDB writes take turns.
    dynamodb_writes = threading.Lock()

    def tracking_app(environ, start_response):
        if is_write(environ) and environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with dynamodb_writes:
                response = moto_app(environ, start_response)
        else:
            response = moto_app(environ, start_response)
        if is_write(environ):
            dirty.set()  # after the write, so a flush that clears the flag first always sees it
        return response

    server = make_server(HOST, port, tracking_app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, name="moto", daemon=True).start()
    return server


# ---------------------------------------------------------------- event handlers: SQS pollers and schedule timers


@dataclass(frozen=True)
class QueueConsumer:
    handler: str
    queue: str
    batch_size: int


@dataclass(frozen=True)
class ScheduledJob:
    handler: str
    interval_seconds: float


def schedule_seconds(expression) -> float:
    text = expression if isinstance(expression, str) else expression.to_string()
    rate = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", text.strip())
    return int(rate[1]) * RATE_UNITS[rate[2]] if rate else CRON_SECONDS


def plan_jobs(app, scale: float = 1.0) -> tuple[list[QueueConsumer], list[ScheduledJob]]:
    """What the app's SQS and schedule handlers need locally; other event sources are not run."""
    from chalice.app import ScheduledEventConfig, SQSEventConfig

    consumers, schedules = [], []
    for source in app.event_sources:
        if isinstance(source, SQSEventConfig):
            queue = source.queue or source.queue_arn.rpartition(":")[2]
            consumers.append(QueueConsumer(source.name, queue, source.batch_size))
        elif isinstance(source, ScheduledEventConfig):
            schedules.append(ScheduledJob(source.name, schedule_seconds(source.schedule_expression) / scale))
        else:
            log.warning("event handler %s is not run locally", source.name)
    return consumers, schedules


def resolve_queue_url(sqs, queue: str, table_prefix: str) -> str:
    """The URL of a handler's queue: its name as written, or with the stage prefix the template adds."""
    for name in (queue, table_prefix + queue):
        try:
            return sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            continue
    raise RuntimeError(f"no queue {queue!r} or {table_prefix + queue!r} in the stack")


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    """The Lambda event of one batch, with the messages' real ids, receipt handles and receive counts."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {  # Lambda spells the fields camelCase: StringValue -> stringValue
                    name: {field[0].lower() + field[1:]: value for field, value in attribute.items()}
                    for name, attribute in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def process_batch(sqs, queue_url: str, handler: Callable, batch_size: int, context=None, wait_seconds: int = 1) -> int:
    """Receive one batch and run the handler on it: delete the messages when it returns (but those its partial
    batch response lists as failed), keep them (for redelivery, then the dead-letter queue) when it raises, as
    Lambda does. The number of messages received."""
    messages = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=max(1, min(batch_size, 10)),
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])
    if not messages:
        return 0
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        result = handler(sqs_event(messages, arn, sqs.meta.region_name), context)
    except Exception:
        log.exception("handler failed; %d message(s) stay in %s", len(messages), queue_url)
        return len(messages)
    # A partial batch response (ReportBatchItemFailures) names the messages to keep.
    failed = {f.get("itemIdentifier") for f in result.get("batchItemFailures", [])} if isinstance(result, dict) else ()
    done = [m for m in messages if m["MessageId"] not in failed]
    entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)]
    if entries:
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
    return len(messages)


def start_jobs(app, config, stop: threading.Event, workers: int, scale: float) -> list[threading.Thread]:
    """Poller threads for each SQS handler and a timer thread for each schedule."""
    from chalice.constants import DEFAULT_LAMBDA_MEMORY_SIZE, DEFAULT_LAMBDA_TIMEOUT
    from chalice.local import LambdaContext
    from chalice.test import TestEventsClient

    def context(name: str):  # the function's configured limits, as Lambda would pass them
        scoped = config.scope(STAGE, name)
        timeout = scoped.lambda_timeout or DEFAULT_LAMBDA_TIMEOUT
        return LambdaContext(name, scoped.lambda_memory_size or DEFAULT_LAMBDA_MEMORY_SIZE, timeout * 1000)

    def poll(consumer: QueueConsumer, queue_url: str):
        while not stop.is_set():
            try:
                process_batch(
                    sqs, queue_url, app.handler_map[consumer.handler], consumer.batch_size, context(consumer.handler)
                )
            except Exception:  # moto unreachable, for instance: try again shortly
                log.exception("polling %s failed", queue_url)
                stop.wait(1)

    def tick(job: ScheduledJob):
        while not stop.wait(job.interval_seconds):
            event = TestEventsClient(app).generate_cw_event("aws.events", "Scheduled Event", {}, [], region)
            event.update(id=str(uuid.uuid4()), time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))  # not 2015's
            try:
                app.handler_map[job.handler](event, context(job.handler))
            except Exception:
                log.exception("scheduled %s failed", job.handler)

    sqs = boto3.client("sqs")
    region = sqs.meta.region_name
    consumers, schedules = plan_jobs(app, scale)
    threads = []
    for consumer in consumers:
        url = resolve_queue_url(sqs, consumer.queue, os.environ["TABLE_PREFIX"])
        threads += [threading.Thread(target=poll, args=(consumer, url), daemon=True) for _ in range(workers)]
    threads += [threading.Thread(target=tick, args=(job,), daemon=True) for job in schedules]
    for thread in threads:
        thread.start()
    return threads


# ---------------------------------------------------------------- the run


def _aws_environment(moto_port: int) -> None:
    """Point every AWS client of this process at moto, never at a real account."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL_") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
            del os.environ[name]
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{HOST}:{moto_port}",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )


def _admin_login(folder: Path) -> tuple[str, str, bool]:
    """The admin's name and password, and whether the password is the generated one kept in the data folder."""
    username = os.environ.get("TA_USERNAME") or "admin"
    if os.environ.get("TA_PASSWORD"):
        return username, os.environ["TA_PASSWORD"], False
    stored = folder / "admin-password"
    if not stored.exists():
        write_atomic(stored, [secrets.token_urlsafe(12).encode()])  # owner-only, as every file write_atomic makes
    return username, stored.read_text().strip(), True


def _banner(url: str, folder: Path, username: str, password: str, generated: bool, token: str) -> str:
    lines = [f"ytarchive is running on {url}  (data folder: {folder})", f"  username:  {username}"]
    if generated:
        lines.append(f"  password:  {password}  (generated; kept in {folder / 'admin-password'})")
    lines += [
        f"  API token: {token}",
        f"  try:       curl -H 'Authorization: Token {token}' {url}/api/ping/",
        "Ctrl-C stops it; the archive is saved to the data folder.",
    ]
    return "\n".join(["", *lines, ""])


def _flush_until(stop: threading.Event, dirty: threading.Event, dynamodb, s3, folder: Path) -> None:
    while not stop.wait(FLUSH_SECONDS):
        if dirty.is_set():
            dirty.clear()  # before dumping: a write during the dump sets it again for the next round
            try:
                dump_all(dynamodb, s3, folder)
            except Exception:
                dirty.set()
                log.exception("saving to %s failed; retrying", folder)


def main() -> None:
    env = os.environ.get
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("botocore", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    folder = Path(env("LOCAL_DATA_DIR") or ROOT / "data").resolve()
    moto_port, port = int(env("LOCAL_MOTO_PORT", "5056")), int(env("LOCAL_PORT", "8000"))

    _aws_environment(moto_port)
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=STAGE)
    os.environ.update(config.environment_variables)  # before any project import: models read the table prefix
    dirty = threading.Event()
    moto = start_moto(moto_port, dirty)
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    outputs = create_stack(boto3.client("cloudformation"), STAGE)
    for setting, output in (("TABLE_PREFIX", "TablePrefix"), ("MEDIA_BUCKET", "MediaBucket")):
        if os.environ[setting] != outputs[output]:  # the stage's config and the template disagree
            raise RuntimeError(f"{setting}={os.environ[setting]} but the stack made {outputs[output]}")
    # The data folder's key signs the tokens, whatever HMAC_KEY this shell happens to export.
    os.environ["HMAC_KEY"] = keep_secret(boto3.client("secretsmanager"), outputs["HmacSecretArn"], folder / "hmac-key")
    load_tables(dynamodb, folder)
    load_objects(s3, folder)
    dirty.clear()  # loading wrote only what the folder already holds; flushes may start from here on

    from functions.services import auth

    username, password, generated = _admin_login(folder)
    user, _ = auth.ensure_user(username, password, is_admin=True)
    app = config.chalice_app
    from functions.services import offload
    from infra.local_tasks import SubprocessRunner

    offload.use_runner(SubprocessRunner())  # what runs on Fargate in the cloud runs in a subprocess here
    jobs = start_jobs(app, config, stop, int(env("LOCAL_WORKERS", "4")), float(env("LOCAL_SCHEDULE_SCALE", "1")))
    api = create_local_server(app, config, HOST, port).server  # a threaded HTTP server
    threading.Thread(target=api.serve_forever, name="api", daemon=True).start()
    print(_banner(f"http://{HOST}:{port}", folder, username, password, generated, user.api_token), flush=True)

    _flush_until(stop, dirty, dynamodb, s3, folder)
    api.shutdown()
    api.server_close()
    for job in jobs:
        job.join(timeout=5)
    dump_all(dynamodb, s3, folder)  # always, whatever the last round saw
    moto.shutdown()
    print("stopped; archive saved", flush=True)


if __name__ == "__main__":
    main()
