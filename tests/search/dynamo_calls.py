"""Counting the DynamoDB calls of a block of code: a botocore hook on every client pynamodb and functions.storage.db
use."""

import contextlib
from collections import Counter

from pynamodb.models import Model

from functions.storage import db


def _clients() -> list:
    clients = [db.connection().client]
    pending = list(Model.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if getattr(getattr(model, "Meta", None), "table_name", None):
            clients.append(model._get_connection().connection.client)
    unique = []
    for client in clients:
        if not any(client is seen for seen in unique):
            unique.append(client)
    return unique


@contextlib.contextmanager
def counting():
    """Yields a Counter of DynamoDB operations (BatchGetItem, Query, ...) made inside the block."""
    calls: Counter = Counter()

    def count(model, **kwargs):
        calls[model.name] += 1

    clients = _clients()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", count)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", count)
