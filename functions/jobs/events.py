"""What every job handler shares: reading an SQS message, telling a malformed one, consuming a batch, and the
request id on the log lines of a scheduled run.

A record handler takes the record (Lambda's dict) and the invocation's context and returns what it did (for logs
and tests). It raises to have the message delivered again (SQS dead-letters it after the queue's maxReceiveCount),
or raises `Malformed` for a message no retry can make valid: that one is logged and dropped, in every job alike.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from functions.core import logs
from functions.jobs import powertools

RecordHandler = Callable[[dict, Any], str]
log = logs.logger(__name__)


class Malformed(ValueError):
    """A message that is not what its queue carries: logged and deleted, never retried."""


def body(raw: str | None, *required: str) -> dict:
    """A message body's JSON object, with the `required` fields present; Malformed otherwise."""
    try:
        message = json.loads(raw or "")
    except (ValueError, TypeError) as error:
        raise Malformed(f"not JSON: {str(raw)[:200]!r}") from error
    if not isinstance(message, dict) or any(field not in message for field in required):
        raise Malformed(f"not an object with {', '.join(required)}: {str(raw)[:200]!r}")
    return message


def receives(record: dict) -> int:
    """How many times SQS has delivered the message, this delivery included."""
    return int((record.get("attributes") or {}).get("ApproximateReceiveCount", 1))


def consume(event, handle: RecordHandler) -> Mapping[str, Any]:
    """A Chalice SQS event, each record on its own: the partial batch response (`batchItemFailures`)."""
    context = getattr(event, "context", None)

    def handle_one(record: dict) -> str:
        try:
            return handle(record, context)
        except Malformed as error:
            log.error("dropping malformed message %s: %s", record.get("messageId"), error)
            return "malformed"
        except Exception as error:
            log.warning("message %s failed: %s", record.get("messageId"), error, exc_info=True)
            raise

    return powertools.consume(event.to_dict(), context, handle_one)


def scheduled(event, run: Callable[[], Any]) -> Any:
    """A Chalice scheduled event's work, its log lines carrying the invocation's request id."""
    return powertools.with_request_id(getattr(event, "context", None), run)
