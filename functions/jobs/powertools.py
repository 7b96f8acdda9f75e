"""The jobs' Lambda plumbing on aws-lambda-powertools: one Logger, one BatchProcessor way to consume SQS.

Only the job functions import it (functions/jobs/triggers.py imports a job when its event comes): the API
function's cold start must not pay for powertools (bench/api_cost.py).
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from functions.core import logs

# Configures the `ytarchive` logger every module logs under (functions/core/logs.py): JSON lines to stdout, the
# level from Lambda's ApplicationLogLevel (AWS_LAMBDA_LOG_LEVEL), the request id once a handler has set it.
logger = Logger(service=logs.SERVICE)
logging.getLogger(logs.SERVICE).propagate = False  # Lambda's own JSON handler on the root would print it again
T = TypeVar("T")


def with_request_id(context, run: Callable[[], T]) -> T:
    """`run()` with the invocation's request id and function on every log line; no context (a direct call) adds
    nothing."""
    if context is None:
        return run()
    return logger.inject_lambda_context(lambda _event, _context: run(), clear_state=True)(None, context)


def consume(event: dict, context, handle: Callable[[dict], str]) -> PartialItemFailureResponse:
    """Each record on its own: the failed ones are reported (`batchItemFailures`) and come back, the others are
    deleted; a batch whose every record failed raises (BatchProcessingError), so it comes back whole even where
    partial reports are off."""

    def record_handler(record: SQSRecord) -> str:
        return handle(record.raw_event)

    processor = BatchProcessor(event_type=EventType.SQS)
    return with_request_id(context, lambda: process_partial_response(event, record_handler, processor, context))
