"""DynamoDB plumbing shared by the services: cross-table batch reads, counted writes, numbered-page queries."""

import time
from collections.abc import Iterable, Sequence

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from functions.core.settings import get_settings
from functions.storage.models import Counter

BATCH_GET_LIMIT = 100
_connection: Connection | None = None


def connection() -> Connection:
    """One low-level connection per container; pynamodb's models keep their own."""
    global _connection
    if _connection is None:
        _connection = Connection(region=get_settings().region)
    return _connection


def _key_of(model: type[Model], key) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _serialize_key(model: type[Model], key: tuple) -> dict:
    attrs = [model._hash_key_attribute()]
    if model._range_key_attribute() is not None:
        attrs.append(model._range_key_attribute())
    return {attr.attr_name: {attr.attr_type: attr.serialize(value)} for attr, value in zip(attrs, key, strict=True)}


def _item_key(model: type[Model], item: Model) -> tuple:
    attrs = [model._hash_key_attribute()]
    if model._range_key_attribute() is not None:
        attrs.append(model._range_key_attribute())
    key = tuple(getattr(item, attr.attr_name) for attr in attrs)
    return key


def batch_get(*requests: tuple[type[Model], Iterable]) -> list[dict]:
    """Read items of several tables in as few BatchGetItem calls as possible.

    Each request is (Model, keys) with a key being the hash key or a (hash, range) tuple. Returns, per request,
    a dict from key to item; missing items are absent. Keys that DynamoDB leaves unprocessed are retried.
    """
    wanted: list[tuple[type[Model], dict]] = []
    pending: list[tuple[str, dict]] = []
    for model, keys in requests:
        unique = {}
        for key in keys:
            unique.setdefault(_key_of(model, key), key)
        wanted.append((model, unique))
        pending.extend((model.Meta.table_name, _serialize_key(model, k)) for k in unique)
    models_by_table = {model.Meta.table_name: model for model, _ in wanted}
    found: dict[str, list[Model]] = {table: [] for table in models_by_table}
    delay = 0.05
    while pending:
        chunk, pending = pending[:BATCH_GET_LIMIT], pending[BATCH_GET_LIMIT:]
        request_items: dict[str, dict] = {}
        for table, key in chunk:
            request_items.setdefault(table, {"Keys": []})["Keys"].append(key)
        response = connection().dispatch("BatchGetItem", {"RequestItems": request_items})
        for table, items in response.get("Responses", {}).items():
            found[table].extend(models_by_table[table].from_raw_data(item) for item in items)
        unprocessed = response.get("UnprocessedKeys") or {}
        if unprocessed:
            pending.extend((table, key) for table, spec in unprocessed.items() for key in spec["Keys"])
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    results = []
    for model, unique in wanted:
        by_key = {_item_key(model, item): item for item in found[model.Meta.table_name]}
        results.append({original: by_key[k] for k, original in unique.items() if k in by_key})
    return results


def counts(names: Sequence[str]) -> dict[str, int]:
    (found,) = batch_get((Counter, names))
    return {name: int(found[name].count) if name in found else 0 for name in names}


def add_counts(transaction: TransactWrite, deltas: dict[str, int]) -> None:
    """Adjust counters inside `transaction`, so a total changes exactly when the write it counts lands."""
    for name, delta in deltas.items():
        if delta:
            transaction.update(Counter(name), actions=[Counter.count.add(delta)])


def add_member(transaction: TransactWrite, name: str, member: str, delta: int) -> None:
    """Count `member` in (`delta` 1) or out (-1) of counter `name`, and of the set of members it keeps."""
    members = Counter.members.add({member}) if delta > 0 else Counter.members.delete({member})
    transaction.update(Counter(name), actions=[Counter.count.add(delta), members])


def is_condition_failure(error: TransactWriteError) -> bool:
    reasons = getattr(error, "cancellation_reasons", None) or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)


def query_page(index, hash_key, page_from: int, page_size: int, scan_forward: bool = False) -> list:
    """The items of one numbered page: read keys only up to the offset, keep the last `page_size`."""
    limit = page_from + page_size
    results = index.query(hash_key, scan_index_forward=scan_forward, limit=limit, page_size=limit)
    return list(results)[page_from:]


def count_query(index, hash_key) -> int:
    """Exact count of an index partition; used to repair counters, never on a request path."""
    return index.count(hash_key)


def create_counted(item: Model, new_counts: dict[str, int]) -> bool:
    """Store `item` and add `new_counts`, only when no item has its key; False (nothing written) otherwise."""
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(item, condition=type(item)._hash_key_attribute().does_not_exist())
            add_counts(transaction, new_counts)
        return True
    except TransactWriteError as error:
        if not is_condition_failure(error):
            raise
        return False


def save_counted(item: Model, new_counts: dict[str, int], group, group_counter) -> bool:
    """Store `item`; True when it was new. Safe to repeat: a retried write never counts twice.

    A new item adds `new_counts`; a replaced one whose `group` attribute changed (a video's channel, a channel's
    subscription) moves one count from `group_counter(old)` to `group_counter(new)`, in the same transaction.
    """
    model = type(item)
    hash_attr = model._hash_key_attribute()
    if create_counted(item, new_counts):
        return True
    previous = model.get(getattr(item, hash_attr.attr_name))
    old, new = getattr(previous, group.attr_name), getattr(item, group.attr_name)
    with TransactWrite(connection=connection()) as transaction:
        transaction.save(item, condition=group == old)
        if old != new:
            add_counts(transaction, {group_counter(old): -1, group_counter(new): 1})
    return False


def delete_counted(item: Model, counts: dict[str, int]) -> bool:
    """Delete `item` and take `counts` off, once; False when it was already gone."""
    hash_attr = type(item)._hash_key_attribute()
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.delete(item, condition=hash_attr.exists())
            add_counts(transaction, {name: -delta for name, delta in counts.items()})
        return True
    except TransactWriteError as error:
        if not is_condition_failure(error):
            raise
        return False
