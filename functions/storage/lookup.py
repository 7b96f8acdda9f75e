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


def _error(status: int, body: dict) -> errors.ApiError:
    kinds: list[type[errors.ApiError]] = [errors.Forbidden, errors.NotFound, errors.Conflict, errors.TooManyRequests]
    kind = next((k for k in kinds if k.status_code == status), LookupFailed)
    message = str(body.get("error") or body)
    return errors.NotFound(message, body) if kind is errors.NotFound else kind(message, body)


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
        raise _error(int(answer["error"]["status"]), answer["error"]["body"])
    return answer
