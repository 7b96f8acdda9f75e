"""moto's DynamoDB answers for item reads and writes, written as JSON directly.

moto (5.2) serializes every answer by walking botocore's output shape with attribute pickers, one value at a time:
for a Query of 12 videos that walk was more than half of what a local `/api/video/` cost (about 80 of 150 ms of
CPU). The answers of the item operations below are already DynamoDB JSON once moto has turned its DynamoTypes into
dicts (`DynamoResult`), so they are dumped as they are: binary values base64 as the shape's blob does, and any
other value the shape would convert (a datetime, an object) sends the answer back to moto's serializer.
tests/test_dynamo_index.py checks that both give the same answer.

Before that, moto turns an answer's DynamoTypes into dicts (`dynamo_to_dict`), testing each value against five
kinds on the way down: a tenth of a local `/api/video/`'s CPU. `install()` has moto's DynamoDB answers use
`plain_values` instead, which gives the same dicts (the exact types item answers hold, built directly; anything
else handed to moto's own function).

This process's own DynamoDB calls (infra/dynamo_calls.py) reach the handler directly (`answer_directly`), past
moto's Flask app: its routing, request context and response object were about a quarter of a local
`/api/video/`'s CPU.

`url_paths` routes DynamoDB to the handler below; the indexed backend (infra/dynamo_index.py) names this module as
its URLs and installs the converter, so the local run's moto and the suite's indexed mode both use them, and a
plain moto is unchanged.
"""

import base64
import json

from moto.dynamodb import responses
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.utilities import dynamo_to_dict
from moto.dynamodb.responses import DynamoHandler, DynamoResult
from moto.dynamodb.urls import url_bases  # noqa: F401 (moto reads a backend's URLs from its module)

# Whose answers hold only items, keys, counts and consumed capacity: nothing the output shape renames or drops.
ITEM_OPERATIONS = {"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem"}
ITEM_OPERATIONS |= {"TransactGetItems"}
CONTENT_TYPE = "application/x-amz-json-1.0"


_SCALARS = (str, bool, int, float, type(None))
_MAPS = (dict, LimitedSizeDict)  # an item's attributes are a LimitedSizeDict (a dict with no `to_json`)


def plain_values(value):
    """moto's `dynamo_to_dict` of an answer: DynamoTypes as {type: value} dicts, new dicts and lists throughout,
    binary values as bytes (moto's own function makes those)."""
    kind = type(value)
    if kind is DynamoType:
        inner = value.value
        inner_kind = type(inner)
        if inner_kind is str or inner_kind is bool:  # S, N, BOOL, NULL (a B of base64 text goes moto's way)
            if value.type != "B":
                return {value.type: inner}
        elif inner_kind is dict and value.type == "M":
            return {"M": {name: plain_values(part) for name, part in inner.items()}}
        elif inner_kind is list and value.type in ("SS", "NS") and all(type(part) is str for part in inner):
            return {value.type: list(inner)}  # a playlist counter's members: thousands of ids
        elif inner_kind is list and value.type in ("L", "SS", "NS"):
            return {value.type: [plain_values(part) for part in inner]}
        return dynamo_to_dict(value)
    if kind in _MAPS:
        return {name: plain_values(part) for name, part in value.items()}
    if kind is list:
        return [plain_values(part) for part in value]
    if kind in _SCALARS:
        return value
    return dynamo_to_dict(value)  # a datetime, an object with `to_json`, a subclass


def install() -> None:
    """moto's DynamoDB answers made with `plain_values` (DynamoResult reads the name from its module)."""
    responses.dynamo_to_dict = plain_values


class _NotPlain(Exception):
    """A value moto's serializer would convert: the answer goes the slow way."""


def _blob(value):
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise _NotPlain


def dump_answer(result: dict) -> str | None:
    """An item operation's answer as JSON, or None when a value needs moto's serializer."""
    try:
        return json.dumps(result, default=_blob)
    except _NotPlain:
        return None


class DirectJsonHandler(DynamoHandler):
    def serialized(self, action_result):
        if isinstance(action_result, DynamoResult) and self._get_action() in ITEM_OPERATIONS:
            body = dump_answer(action_result.result)
            if body is not None:
                return 200, {"Content-Type": CONTENT_TYPE, **self.response_headers}, body
        return super().serialized(action_result)


def answer_directly(environ: dict, start_response) -> list[bytes]:
    """A DynamoDB request answered as moto's Flask app answers it (the same handler, request class and status
    for a ClientError), without the app: only Flask-CORS's headers are missing, which the gate removes anyway."""
    from botocore.exceptions import ClientError
    from moto.moto_server.werkzeug_app import BackendRequest
    from werkzeug.http import HTTP_STATUS_CODES

    request = BackendRequest(environ)
    try:
        status, headers, body = DirectJsonHandler.dispatch(request, request.raw_url, dict(request.headers))
    except ClientError as error:
        status, headers, body = 400, {}, error.response["Error"]["Message"]
    body = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": "text/html; charset=utf-8", **headers, "Content-Length": str(len(body))}
    start_response(f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN')}", list(headers.items()))
    return [body]


url_paths = {"{0}/": DirectJsonHandler.dispatch}
