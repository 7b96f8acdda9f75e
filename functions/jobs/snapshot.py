"""The snapshot job: creates and restores snapshots asked for on the snapshot queue, and the daily schedule."""

import json

from chalice import Blueprint, Cron

from functions.services import snapshots
from functions.storage import aws

blueprint = Blueprint(__name__)


@blueprint.on_sqs_message(queue=aws.SNAPSHOT, batch_size=1)
def snapshot(event):
    for record in event:
        snapshots.run_job(json.loads(record.body))


@blueprint.schedule(Cron(0, snapshots.DAILY_HOUR_UTC, "*", "*", "?", "*"))
def daily_snapshot(event):
    snapshots.scheduled_snapshot()
