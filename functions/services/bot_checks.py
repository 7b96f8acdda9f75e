"""YouTube's bot checks ("Sign in to confirm you're not a bot", HTTP 429) met by a download, kept apart from
other failures: the cookie that was sent is marked invalid, the metric `ytarchive/BotChecks` (dimension Stage)
counts them for the alarm of infra/resources.yaml, and the message comes back only after a growing delay (its
visibility timeout: 1 h, 2 h, 4 h ... at most SQS's 12 h), since retrying at once only deepens the block.
"""

import logging

from functions.core.settings import get_settings
from functions.services import cookies
from functions.storage import aws

NAMESPACE = "ytarchive"
METRIC = "BotChecks"
FIRST_DELAY = 3600
MAX_DELAY = 12 * 3600  # SQS's largest visibility timeout
log = logging.getLogger("ytarchive.bot_checks")


def retry_delay(receives: int) -> int:
    """Seconds before the `receives`-th delivery is retried."""
    return min(FIRST_DELAY * 2 ** max(receives - 1, 0), MAX_DELAY)


def record(youtube_id: str, message: str, cookie_sent: bool) -> None:
    """Count one bot check, and mark the cookie invalid when one was sent (GET /api/cookie/ says so)."""
    log.warning("bot check on %s: %s", youtube_id, message)
    if cookie_sent:
        cookies.record_validation(False, message)
    aws.client("cloudwatch").put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": METRIC, "Dimensions": [{"Name": "Stage", "Value": get_settings().stage}], "Value": 1}
        ],
    )


def delay_retry(receipt_handle: str | None, receives: int) -> int | None:
    """Hold the message back for retry_delay(receives) seconds; the delay, or None without a receipt handle."""
    if not receipt_handle:
        return None
    delay = retry_delay(receives)
    aws.client("sqs").change_message_visibility(
        QueueUrl=aws.queue_url(aws.DOWNLOAD), ReceiptHandle=receipt_handle, VisibilityTimeout=delay
    )
    return delay
