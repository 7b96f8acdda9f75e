"""Asking the lookup function (functions/jobs/lookup.py) from the API function and waiting for the answer.

Deployed stages name it in LOOKUP_FUNCTION and invoke it through Lambda; the local run and tests, where every
function shares one process, call its handler directly.
"""

import json

from functions.core import errors
from functions.core.settings import get_settings
from functions.storage import aws


class LookupFailed(errors.BadRequest):
    """yt-dlp could not answer (no such channel, a refused cookie...): the lookup function's 400."""


RAISED_AGAIN = {
    kind.__name__: kind
    for kind in (errors.Forbidden, errors.NotFound, errors.Conflict, errors.TooManyRequests, errors.ServiceUnavailable)
}


def _error(kind: str, message: str) -> errors.DomainError:
    return RAISED_AGAIN.get(kind, LookupFailed)(message)


def call(action: str, **payload) -> dict:
    event = {"action": action, **payload}
    function = get_settings().lookup_function
    if function:
        response = aws.client("lambda").invoke(FunctionName=function, Payload=json.dumps(event).encode())
        answer = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError") or not isinstance(answer, dict):
            raise RuntimeError(f"the lookup function failed: {str(answer)[:300]}")
    else:
        from functions.jobs.lookup import handle

        answer = handle(event)
    if "error" in answer:
        raise _error(answer["error"]["kind"], answer["error"]["message"])
    return answer
