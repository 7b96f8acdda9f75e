"""Helpers of the Invidious resource tests: tokens, requests, DynamoDB call counts."""

import json
from collections import Counter

from pynamodb.connection import Connection

from functions.services.invidious import tokens

ALL = [":*"]


def token(user, scopes=ALL, expire=None) -> dict:
    return tokens.issue(user.user_id, user.username, list(scopes), expire)


def bearer(value) -> dict:
    return {"Authorization": "Bearer " + (value if isinstance(value, str) else json.dumps(value))}


def auth(user, scopes=ALL) -> dict:
    return bearer(token(user, scopes))


def call(client, method: str, path: str, headers: dict | None = None, body=None, form: str | None = None):
    headers = dict(headers or {})
    raw = b""
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        raw = form.encode()
    elif body is not None:
        headers["Content-Type"] = "application/json"
        raw = json.dumps(body).encode()
    return client.http.request(method, path, headers=headers, body=raw)


class DynamoCalls:
    """Counts DynamoDB operations made through pynamodb (models and functions.storage.db alike)."""

    def __init__(self):
        self.calls: list[tuple[str, str | None]] = []

    def reset(self):
        self.calls.clear()

    def ops(self, exclude_sessions: bool = True) -> list[str]:
        return [op for op, table in self.calls if not (exclude_sessions and table and table.endswith("iv_sessions"))]

    def count(self, exclude_sessions: bool = True) -> int:
        return len(self.ops(exclude_sessions))

    def summary(self) -> Counter:
        return Counter(self.ops())


def count_dynamo_calls(monkeypatch) -> DynamoCalls:
    """From now on, count the DynamoDB operations of this test."""
    counter = DynamoCalls()
    original = Connection.dispatch

    def dispatch(self, operation_name, operation_kwargs):
        counter.calls.append((operation_name, operation_kwargs.get("TableName")))
        return original(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", dispatch)
    return counter
