"""Helpers of the TubeArchivist endpoint tests: JSON calls, each router's route table, and a spy on what reaches
DynamoDB and S3."""

import json
import re

from pynamodb.connection.base import Connection

from functions.http.routing import PUBLIC
from functions.storage import s3
from tests.conftest import token_headers
from tests.factories import channel_id, playlist_id, video_id

NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
INVALID_TOKEN = {"detail": "Invalid token."}
BAD_TOKEN = {"Authorization": "Token " + "0" * 40}
OVER_ONE_MB = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'

# A valid value for each path parameter, so a route's path can be called as written.
SAMPLE_PARAMS = {
    "video_id": video_id(1),
    "channel_id": channel_id(1),
    "playlist_id": playlist_id(1),
    "shard": "v",
    "filename": f"{video_id(1)}.jpg",
}


def send(client, method: str, path: str, user=None, body=None, headers: dict | None = None):
    """A request as a JSON client sends it: dicts and lists go as JSON; bytes and str go as they are."""
    sent = dict(headers or {})
    if user is not None:
        sent.update(token_headers(user))
    if body is not None and not isinstance(body, bytes | str):
        body = json.dumps(body)
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
    return client.http.request(method, path, headers=sent, body=body if body is not None else b"")


def routes(router, sample: dict | None = None) -> list[tuple[str, str]]:
    """(method, path) of every view a router declares, path parameters filled with valid sample values."""
    values = {**SAMPLE_PARAMS, **(sample or {})}
    found = []
    for route in router.routes:
        if route.auth is PUBLIC:
            continue  # public routes (login) are tested on their own
        filled = re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], route.path)
        found += [(method, filled) for method in route.methods]
    return found


def other_methods(router) -> list[tuple[str, str, list[str]]]:
    """(method, path, allowed) for every method a route path does not serve."""
    served: dict[str, set[str]] = {}
    for route in router.routes:
        served.setdefault(route.path, set()).update(route.methods)
    result = []
    for path, methods in served.items():
        filled = re.sub(r"\{(\w+)\}", lambda match: SAMPLE_PARAMS[match.group(1)], path)
        result += [(m, filled, sorted(methods)) for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m not in methods]
    return result


def record_dynamodb(monkeypatch) -> list[tuple[str, dict]]:
    """Every DynamoDB operation the code under test sends from now on, with its arguments."""
    calls: list[tuple[str, dict]] = []
    dispatch = Connection.dispatch

    def recording(self, operation, kwargs):
        calls.append((operation, kwargs))
        return dispatch(self, operation, kwargs)

    monkeypatch.setattr(Connection, "dispatch", recording)
    return calls


class StorageSpy:
    """Every DynamoDB request payload and S3 key the code under test sends, as text to search."""

    def __init__(self):
        self.calls: list[str] = []

    def reached(self, text: str) -> bool:
        return any(text in call for call in self.calls)


def spy_on_storage(monkeypatch) -> StorageSpy:
    spy = StorageSpy()
    dispatch = Connection.dispatch

    def recording_dispatch(self, operation_name, operation_kwargs):
        spy.calls.append(f"{operation_name} {json.dumps(operation_kwargs, default=str)}")
        return dispatch(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", recording_dispatch)
    for name in ("presigned_url", "delete_objects"):
        original = getattr(s3, name)

        def recording(keys, _original=original, _name=name):
            spy.calls.append(f"{_name} {keys}")
            return _original(keys)

        monkeypatch.setattr(s3, name, recording)
    return spy
