"""The local run (`python -m infra.local`): the whole product on this machine, over moto, with a data folder.

One process: a moto server on loopback holding the resources of infra/resources.yaml behind a gate that only this
run's clients pass (infra/moto_server.py), the data folder as a store that makes every write durable before it is
answered (infra/store.py), the sorted indexes that answer moto's Queries (infra/dynamo_index.py), the Chalice app
on a threaded HTTP server, and SQS poller threads and schedule timers for the app's event handlers (the jobs whose
schedule the owner sets run when the stored schedule says: infra/local_schedules.py).
"""

import gc
import logging
import os
import re
import secrets
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3

from infra.local_stack import create_stack
from infra.moto_server import HOST, Credentials, in_process_caller, serve_in_process, start_moto
from infra.store import Store, write_atomic

ROOT = Path(__file__).resolve().parent.parent
STAGE = "local"
CHECK_SECONDS = 2  # how often the journal's length is looked at, for a checkpoint
CRON_SECONDS = 3600  # cron schedules fire hourly locally: reading cron expressions is not worth it here
RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}

log = logging.getLogger("ytarchive.local")


# ---------------------------------------------------------------- S3 objects put back at start


def load_objects(s3, folder: Path, bucket: str, manifest: dict) -> dict:
    """Put a bucket's objects back from their files; the manifest with moto's ETags (a multipart upload's is not
    one PUT's)."""
    loaded = {}
    for key, entry in manifest.items():
        extra = {"ContentType": entry["content_type"]} if entry.get("content_type") else {}
        with (folder / "s3" / bucket / entry["file"]).open("rb") as body:
            etag = s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=entry["metadata"], **extra)["ETag"]
        loaded[key] = {**entry, "etag": etag}
    return loaded


# ---------------------------------------------------------------- moto


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


def plan_jobs(app) -> tuple[list[QueueConsumer], list[ScheduledJob]]:
    """What the app's SQS and schedule handlers need locally; other event sources are not run."""
    from chalice.app import ScheduledEventConfig, SQSEventConfig

    consumers, schedules = [], []
    for source in app.event_sources:
        if isinstance(source, SQSEventConfig):
            queue = source.queue or source.queue_arn.rpartition(":")[2]
            consumers.append(QueueConsumer(source.name, queue, source.batch_size))
        elif isinstance(source, ScheduledEventConfig):
            schedules.append(ScheduledJob(source.name, schedule_seconds(source.schedule_expression)))
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


def wait_for_message(queue_url: str, seconds: float) -> bool:
    """Whether the queue has a message to receive, waiting up to `seconds` for one on moto's queue itself (woken
    by a send): an idle poller asking with a ReceiveMessage every second cost its call's CPU each time (12 idle
    pollers: 5% of a core). A message whose delay or visibility timeout ends is seen within `seconds`."""
    from infra.store import sqs_backend

    queue = sqs_backend().queues.get(queue_url.rpartition("/")[2])
    if queue is None:  # not moto's (a test's queue elsewhere): let the receive find out
        return True
    queue.wait_for_messages(seconds)
    return bool(queue.messages)


def start_jobs(app, config, stop: threading.Event, workers: int) -> list[threading.Thread]:
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
                if not wait_for_message(queue_url, 1):
                    continue
                process_batch(
                    sqs, queue_url, app.handler_map[consumer.handler], consumer.batch_size, context(consumer.handler),
                    wait_seconds=0,
                )  # fmt: skip
            except Exception:  # moto unreachable, for instance: try again shortly
                log.exception("polling %s failed", queue_url)
                stop.wait(1)

    def fire(handler: str):
        event = TestEventsClient(app).generate_cw_event("aws.events", "Scheduled Event", {}, [], region)
        event.update(id=str(uuid.uuid4()), time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))  # not 2015's
        try:
            app.handler_map[handler](event, context(handler))
        except Exception:
            log.exception("scheduled %s failed", handler)

    def tick(job: ScheduledJob):
        if job.handler in owned:
            name = owned[job.handler]
            timer = ScheduleTimer(
                name, lambda: app_settings.current()["scheduler"][name], lambda: fire(job.handler), stop.wait
            )
            return timer.run()
        while not stop.wait(job.interval_seconds):
            fire(job.handler)

    from functions.core.settings import SCHEDULE_HANDLERS
    from functions.services import app_settings
    from infra.local_schedules import ScheduleTimer

    owned = {handler: name for name, handler in SCHEDULE_HANDLERS.items()}  # the schedules the settings hold
    sqs = boto3.client("sqs")
    region = sqs.meta.region_name
    consumers, schedules = plan_jobs(app)
    threads = []
    for consumer in consumers:
        url = resolve_queue_url(sqs, consumer.queue, os.environ["TABLE_PREFIX"])
        threads += [threading.Thread(target=poll, args=(consumer, url), daemon=True) for _ in range(workers)]
    threads += [threading.Thread(target=tick, args=(job,), daemon=True) for job in schedules]
    for thread in threads:
        thread.start()
    return threads


# ---------------------------------------------------------------- the run


def _aws_environment(moto_port: int, credentials: Credentials) -> None:
    """Point every AWS client of this process at moto, never at a real account, with this run's keys."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL_") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
            del os.environ[name]
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{HOST}:{moto_port}",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID=credentials.access_key,
        AWS_SECRET_ACCESS_KEY=credentials.secret_key,
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


def _checkpoint_until(stop: threading.Event, store: Store) -> None:
    while not stop.wait(CHECK_SECONDS):
        if store.needs_checkpoint():
            store.checkpoint()


def serve_api(app, config, port: int):
    """The Chalice app on a threaded HTTP server, in a thread; the server."""
    from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)  # what chalice.local.create_local_server does
    app.__class__ = CustomLocalChalice
    # TCP_NODELAY: the handler writes an answer's header and body separately, and Nagle's algorithm held the body
    # back until the client's delayed ACK (about 40 ms a request).
    handler = type("ApiHandler", (ChaliceRequestHandler,), {"disable_nagle_algorithm": True})
    server = LocalDevServer(app, config, HOST, port, handler_cls=handler).server
    threading.Thread(target=server.serve_forever, name="api", daemon=True).start()
    return server


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

    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    credentials = Credentials.create(folder / "moto-credentials")
    _aws_environment(moto_port, credentials)
    from chalice.cli.factory import CLIFactory

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=STAGE)
    os.environ.update(config.environment_variables)  # before any project import: models read the table prefix
    moto = start_moto(moto_port, credentials)  # records nothing until the data folder is loaded
    serve_in_process(moto.gate, os.environ["AWS_ENDPOINT_URL"])  # before this process makes its first client
    s3 = boto3.client("s3")
    outputs = create_stack(STAGE)
    for setting, output in (("TABLE_PREFIX", "TablePrefix"), ("MEDIA_BUCKET", "MediaBucket")):
        if os.environ[setting] != outputs[output]:  # the stage's config and the template disagree
            raise RuntimeError(f"{setting}={os.environ[setting]} but the stack made {outputs[output]}")
    # The data folder's key signs the tokens, whatever HMAC_KEY this shell happens to export.
    os.environ["HMAC_KEY"] = keep_secret(boto3.client("secretsmanager"), outputs["HmacSecretArn"], folder / "hmac-key")
    from infra import dynamo_index

    dynamo_index.install()  # before moto's first DynamoDB request: its handler is the indexed backend's
    store = Store(folder, apply=in_process_caller(moto.moto_app))
    gc.disable()  # the collector walked every object made so far at each pass, ever more of them as items loaded
    counts = store.open(lambda bucket, manifest: load_objects(s3, folder, bucket, manifest))
    dynamo_index.build()
    gc.freeze()  # the archive lives as long as the run: no collection walks it again
    gc.enable()
    moto.gate.store = store
    log.info(
        "loaded %d items, %d journal records, %d objects in %.1f s",
        counts["items"],
        counts["records"],
        counts["objects"],
        time.perf_counter() - started,
    )

    from functions.services.auth import users

    username, password, generated = _admin_login(folder)
    user, _ = users.ensure_user(username, password, is_admin=True)
    app = config.chalice_app
    from functions.services import offload
    from infra.local_tasks import SubprocessRunner

    offload.use_runner(SubprocessRunner())  # what runs on Fargate in the cloud runs in a subprocess here
    jobs = start_jobs(app, config, stop, int(env("LOCAL_WORKERS", "4")))
    api = serve_api(app, config, port)
    print(_banner(f"http://{HOST}:{port}", folder, username, password, generated, user.api_token), flush=True)

    _checkpoint_until(stop, store)
    stopping = time.perf_counter()
    api.shutdown()
    api.server_close()
    deadline = time.monotonic() + 5  # for all of them: a handler still running is cut like a Lambda's timeout
    for job in jobs:
        job.join(timeout=max(0.0, deadline - time.monotonic()))
    store.close()  # every acknowledged write is in the journal already: nothing to dump
    moto.shutdown()
    print(f"stopped in {time.perf_counter() - stopping:.1f} s; every write is saved", flush=True)
    # Nothing is left to save: skip freeing moto's millions of objects one by one (seconds at 100,000 videos).
    os._exit(0)


if __name__ == "__main__":
    main()
