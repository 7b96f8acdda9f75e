"""DynamoDB plumbing shared by the services: conditional writes and transactions, cross-table batch reads,
counted writes, numbered-page queries, and the key attributes of a model."""

import time
from collections.abc import Iterable, Sequence
from functools import cache

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from functions.core.settings import get_settings
from functions.storage.models import Counter

BATCH_GET_LIMIT = 100


@cache
def connection() -> Connection:
    """One low-level connection per container; pynamodb's models keep their own."""
    return Connection(region=get_settings().region)


def conditional(write, *args, **kwargs) -> bool:
    """Run one conditional write (a model's `save`, `update` or `delete` with `condition=`); False, with nothing
    written, when the condition did not hold. Any other failure raises."""
    try:
        write(*args, **kwargs)
    except (PutError, UpdateError, DeleteError) as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def update_existing(item: Model, actions: list) -> bool:
    """Apply `actions` to an item that still exists; False when it is gone (nothing is created)."""
    return conditional(item.update, actions=actions, condition=key_attributes(type(item))[0].exists())


class Transaction(TransactWrite):
    """A TransactWrite that answers whether it committed: when one of its conditions does not hold, nothing is
    written and `committed` stays False instead of an error; any other failure raises."""

    committed = False

    def __exit__(self, exc_type, exc_val, exc_tb):
        if exc_type is not None:
            return None
        try:
            super().__exit__(exc_type, exc_val, exc_tb)
        except TransactWriteError as error:
            if not is_condition_failure(error):
                raise
            return None
        self.committed = True
        return None


def transaction() -> Transaction:
    """`with db.transaction() as t: t.save(...)`, then `t.committed`."""
    return Transaction(connection=connection())


def is_condition_failure(error: TransactWriteError) -> bool:
    reasons = getattr(error, "cancellation_reasons", None) or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)


def key_attributes(model: type[Model]) -> list:
    """The hash key attribute of a model, and its range key attribute when it has one (pynamodb keeps them
    behind private methods: read here only)."""
    attrs = [model._hash_key_attribute()]
    if model._range_key_attribute() is not None:
        attrs.append(model._range_key_attribute())
    return attrs


def item_key(item: Model) -> tuple:
    return tuple(getattr(item, attr.attr_name) for attr in key_attributes(type(item)))


def _key_tuple(key) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _serialize_key(model: type[Model], key: tuple) -> dict:
    attrs = key_attributes(model)
    return {attr.attr_name: {attr.attr_type: attr.serialize(value)} for attr, value in zip(attrs, key, strict=True)}


def batch_get(*requests: tuple[type[Model], Iterable]) -> list[dict]:
    """Read items of several tables in as few BatchGetItem calls as possible.

    Each request is (Model, keys) with a key being the hash key or a (hash, range) tuple. Returns, per request,
    a dict from key to item; missing items are absent. Keys that DynamoDB leaves unprocessed are retried.
    """
    wanted: list[tuple[type[Model], dict]] = []
    pending: list[tuple[str, dict]] = []
    for model, keys in requests:
        unique: dict[tuple, object] = {}
        for key in keys:
            unique.setdefault(_key_tuple(key), key)
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
        by_key = {item_key(item): item for item in found[model.Meta.table_name]}
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


def create_counted(item: Model, new_counts: dict[str, int]) -> bool:
    """Store `item` and add `new_counts`, only when no item has its key; False (nothing written) otherwise."""
    with transaction() as write:
        write.save(item, condition=key_attributes(type(item))[0].does_not_exist())
        add_counts(write, new_counts)
    return write.committed
