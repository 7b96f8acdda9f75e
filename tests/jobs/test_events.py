"""Every SQS consumer (download, refresh, snapshot) consumes its batches the same way (functions/jobs/events.py on
powertools' BatchProcessor): each record on its own, only the failed ones reported back, a batch that failed whole
raised, a malformed message logged and dropped; and every job's log lines carry the invocation's request id."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from chalice.local import LambdaContext

from functions.jobs import download, events, powertools, refresh, snapshot
from functions.services import rescan

CONSUMERS = {"download": download, "refresh": refresh, "snapshot": snapshot}


def sqs_event(*messages: tuple[str, str]) -> dict:
    """A Lambda SQS event of (message id, body) records."""
    return {
        "Records": [
            {"messageId": message_id, "receiptHandle": f"r-{message_id}", "body": body, "attributes": {}}
            for message_id, body in messages
        ]
    }


@pytest.fixture
def job_log():
    """The records the jobs log under `ytarchive` (it does not propagate to the root, where caplog listens)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("ytarchive")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.mark.parametrize("name", CONSUMERS)
def test_only_the_failed_records_of_a_batch_come_back(name, aws, monkeypatch):
    from app import app

    def handle_record(record, context):
        if record["messageId"] == "bad":
            raise RuntimeError("S3 is down")
        return "done"

    monkeypatch.setattr(CONSUMERS[name], "handle_record", handle_record)
    answer = app.handler_map[name](sqs_event(("ok-1", "{}"), ("bad", "{}"), ("ok-2", "{}")), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    with pytest.raises(BatchProcessingError):  # all failed: raised, so the batch comes back where reports are off
        app.handler_map[name](sqs_event(("bad", "{}")), None)


@pytest.mark.parametrize("name", CONSUMERS)
@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", '{"no": "action"}', '{"action": "explode", "youtube_id": "x", "snapshot_id": "x"}', ""],
)
def test_a_malformed_message_is_logged_and_dropped(name, body, aws, job_log):
    from app import app

    answer = app.handler_map[name](sqs_event(("broken-1", body)), None)
    assert answer == {"batchItemFailures": []}  # deleted: no retry makes it valid
    errors = [r.getMessage() for r in job_log if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("dropping malformed message broken-1: ")


def test_malformed_fields_of_each_job(aws):
    bodies = {
        download: {"action": "download", "youtube_id": "../etc/passwd"},
        refresh: {"action": "refresh", "kind": "comment", "id": "aaaaaaaaaaa"},
        snapshot: {"action": "restore", "snapshot_id": 7},
    }
    for job, body in bodies.items():
        with pytest.raises(events.Malformed):
            job.handle_record({"messageId": "m", "body": json.dumps(body)})


def context(name: str) -> LambdaContext:
    return LambdaContext(name, 512, 60_000)


@pytest.mark.parametrize("name", CONSUMERS)
def test_log_lines_carry_the_request_id_of_each_invocation(name, aws, monkeypatch):
    from app import app

    seen = []

    def handle_record(record, lambda_context):
        seen.append(powertools.logger.get_current_keys().get("function_request_id"))
        return "done"

    monkeypatch.setattr(CONSUMERS[name], "handle_record", handle_record)
    first, second = context(name), context(name)
    app.handler_map[name](sqs_event(("m-1", "{}")), first)
    app.handler_map[name](sqs_event(("m-2", "{}")), second)
    assert seen == [first.aws_request_id, second.aws_request_id]


def test_scheduled_jobs_log_with_the_request_id(aws, monkeypatch):
    from chalice.test import TestEventsClient

    from app import app

    seen = []
    monkeypatch.setattr(rescan, "run", lambda progress=None: seen.append(powertools.logger.get_current_keys()) or None)
    invocation = context("rescan")
    event = TestEventsClient(app).generate_cw_event("aws.events", "Scheduled Event", {}, [])
    assert app.handler_map["rescan"](event, invocation) == {"skipped": True}
    assert seen[0]["function_request_id"] == invocation.aws_request_id and seen[0]["function_name"] == "rescan"


def test_every_module_logs_under_the_service():
    from functions.core import logs

    assert logs.logger("functions.jobs.download").name == "ytarchive.jobs.download"
    assert logging.getLogger("ytarchive.jobs.download").parent is logging.getLogger("ytarchive")


def test_the_api_function_does_not_import_powertools():
    """app.py registers the jobs, so the API function imports them: powertools waits until a job runs."""
    heavy = {"aws_lambda_powertools", "yt_dlp"}
    code = f"import sys, app; print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy!r}))"
    root = Path(__file__).resolve().parent.parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
