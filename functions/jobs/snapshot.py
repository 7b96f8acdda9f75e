"""The snapshot job: creates and restores snapshots asked for on the snapshot queue, and the daily schedule."""

from chalice import Blueprint, Cron

from functions.jobs import events
from functions.services import snapshots
from functions.storage import aws

blueprint = Blueprint(__name__)
ACTIONS = ("create", "restore")  # what functions.services.snapshots sends


@blueprint.on_sqs_message(queue=aws.SNAPSHOT, batch_size=1)
def snapshot(event):
    return events.consume(event, handle_record)


def handle_record(record: dict, context=None) -> str:
    body = events.body(record.get("body"), "action", "snapshot_id")
    if body["action"] not in ACTIONS or not isinstance(body["snapshot_id"], str):
        raise events.Malformed(f"no snapshot job: {record.get('body', '')[:200]!r}")
    snapshots.run_job(body)
    return body["action"]


@blueprint.schedule(Cron(0, snapshots.DAILY_HOUR_UTC, "*", "*", "?", "*"))
def daily_snapshot(event):
    events.scheduled(event, snapshots.scheduled_snapshot)
