"""moto's DynamoDB answers for item reads and writes, written as JSON directly.

moto (5.2) serializes every answer by walking botocore's output shape with attribute pickers, one value at a time:
for a Query of 12 videos that walk was more than half of what a local `/api/video/` cost (about 80 of 150 ms of
CPU). The answers of the item operations below are already DynamoDB JSON once moto has turned its DynamoTypes into
dicts (`DynamoResult`), so they are dumped as they are: binary values base64 as the shape's blob does, and any
other value the shape would convert (a datetime, an object) sends the answer back to moto's serializer.
tests/test_dynamo_index.py checks that both give the same answer.

`url_paths` routes DynamoDB to the handler below; the indexed backend (infra/dynamo_index.py) names this module as
its URLs, so the local run's moto and the suite's indexed mode both use it, and a plain moto is unchanged.
"""

import base64
import json

from moto.dynamodb.responses import DynamoHandler, DynamoResult
from moto.dynamodb.urls import url_bases  # noqa: F401 (moto reads a backend's URLs from its module)

# Whose answers hold only items, keys, counts and consumed capacity: nothing the output shape renames or drops.
ITEM_OPERATIONS = {"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem"}
ITEM_OPERATIONS |= {"TransactGetItems"}
CONTENT_TYPE = "application/x-amz-json-1.0"


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


url_paths = {"{0}/": DirectJsonHandler.dispatch}
