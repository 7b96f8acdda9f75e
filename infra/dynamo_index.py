"""Sorted key indexes beside moto's DynamoDB tables, so that a Query costs what it costs on DynamoDB.

moto answers a Query by sorting every item of the table (`Table.all_items`) and then walking the partition: page 0
of a list grows with the archive (440 ms at 10,000 videos). Here each table keeps, for its primary key and for
each secondary index, the keys of every partition in moto's own order (the sort attributes moto uses, as
DynamoTypes), updated after every write moto makes. A Query then hands moto's unchanged `Table.query` only the
items its page can reach: the partition's range, from the ExclusiveStartKey on, up to Limit + 1 items or 1 MB,
so moto still does all the parsing, filtering, projection and paging of its answer.

The indexes hold each key as the Python value it compares as (infra/dynamo_items.py `native`): sorting and
searching them compares strings and Decimals, not DynamoTypes (which build a Decimal at every comparison; a sort
of 100,000 videos' keys that way took most of a minute). `build()` makes every table's indexes at once (a start).

A transaction keeps a copy of only the items it names, to put back if it fails, where moto keeps a deep copy of
every table it names (seconds for a table of 100,000 videos, at every write of a video with its counters).

`install()` changes the classes of the backend and its tables to the subclasses below, and has moto's DynamoDB
answers converted by infra/dynamo_answers.py (nothing of moto's code is changed; a plain moto behaves as before).
tests/conftest.py runs the suite over it with YTARCHIVE_DYNAMO=indexed.
"""

import bisect
import copy
import threading
from operator import itemgetter

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, GlobalSecondaryIndex, Table

from infra.dynamo_items import StoredItem, key_attributes, key_values, native

_narrowed = threading.local()  # the candidates of the Query being answered in this thread
_in_transaction = threading.local()  # moto's copy of a table for a transaction is the table itself then
_lock = threading.RLock()


class _Index:
    """One index of one table: hash value -> entries (sort tuple, the item's key) in moto's order. Every value is
    native but the item's key (its DynamoTypes, to find it in moto's table); a sort tuple holds the table's key
    too, so no two items of a partition have the same one."""

    def __init__(self, hash_attr: str, sort_attrs: list[str], range_attr: str | None, needs: list[str]):
        self.hash_attr, self.sort_attrs, self.range_attr = hash_attr, sort_attrs, range_attr
        self.required = frozenset([hash_attr, *needs])  # an item lacking one is not in the index, as in DynamoDB
        getter = itemgetter(*sort_attrs)
        self.sort_of = getter if len(sort_attrs) > 1 else lambda values: (getter(values),)
        self.partitions: dict = {}

    def fill(self, rows: list) -> None:
        """Enter every (key values, item key) row at once, then sort each partition once."""
        partitions, hash_attr, required, sort_of = self.partitions, self.hash_attr, self.required, self.sort_of
        for values, item_key in rows:
            if required <= values.keys():
                partition = partitions.get(values[hash_attr])
                if partition is None:
                    partitions[values[hash_attr]] = [(sort_of(values), item_key)]
                else:
                    partition.append((sort_of(values), item_key))
        for partition in partitions.values():
            partition.sort(key=_sort_tuple)  # tuples of strs or ints first: list.sort's fast comparisons

    def add(self, values: dict, item_key: tuple) -> None:
        if self.required <= values.keys():
            partition = self.partitions.setdefault(values[self.hash_attr], [])
            bisect.insort(partition, (self.sort_of(values), item_key), key=_sort_tuple)

    def remove(self, values: dict) -> None:
        """Take out the entry an item had when its key values were `values`."""
        partition = self.partitions.get(values[self.hash_attr]) if self.required <= values.keys() else None
        if partition is None:
            return
        sort = self.sort_of(values)
        at = bisect.bisect_left(partition, sort, key=_sort_tuple)
        if at < len(partition) and partition[at][0] == sort:
            del partition[at]
        if not partition:
            del self.partitions[values[self.hash_attr]]


_sort_tuple = itemgetter(0)


class SizedItem(StoredItem):
    """An item whose size is summed once, not at every read: moto sums it over every value (each member of a set
    made a DynamoType) twice an item in a BatchGetItem and once in a Query's page. A write of the item's key
    refreshes its indexes, and that forgets its size (moto changes an updated item in place). An item moto made
    has its `attrs`; one loaded from a snapshot may not have read its line yet (a StoredItem)."""

    _size: int | None = None

    def size(self) -> int:
        if self._size is None:
            self._size = super().size()
        return self._size

    def project(self, projection_expressions: list[list[str]]) -> Item:
        """The item with only the top-level attributes named, their values shared (as moto's GetItem answers with
        the stored item itself; a part of a valid item needs no size check): moto's projection turns the whole
        item into Python values and back once per name (an index's keys, a ProjectionExpression's names), most of
        a Query's CPU. A nested path or a list element goes moto's way."""
        names = [path[0] for path in projection_expressions if len(path) == 1 and "[" not in path[0]]
        if len(names) != len(projection_expressions):
            return super().project(projection_expressions)
        attrs = self.attrs
        projected = SizedItem.__new__(SizedItem)
        projected.hash_key, projected.range_key = self.hash_key, self.range_key
        projected.attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.update(projected.attrs, {name: attrs[name] for name in names if name in attrs})
        return projected


def _sized(item) -> None:
    item.__class__ = SizedItem
    item._size = None


class _TableIndexes:
    def __init__(self, table: Table):
        for items in table.items.values():
            for item in items.values() if table.range_key_attr else (items,):
                item.__class__ = SizedItem
                item.__dict__.pop("_size", None)  # summed again when asked for (PartiQL changes items in place)
        self.by_name: dict[str | None, _Index] = {}
        if table.range_key_attr:  # the table's own key; a table without a range key has one item a hash
            self.by_name[None] = _Index(table.hash_key_attr, [table.range_key_attr], table.range_key_attr, [])
        for index in table.all_indexes():
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            if len(hashes) != 1 or len(ranges) > 1:
                continue  # multi-attribute keys: moto walks them itself
            if ranges:
                range_attrs = [ranges[0], table.range_key_attr]
            elif isinstance(index, GlobalSecondaryIndex) and table.range_key_attr:
                range_attrs = [table.range_key_attr, table.range_key_attr]
            else:
                range_attrs = [table.hash_key_attr, table.range_key_attr]
            order = table._generate_attr_to_sort_by([hashes[0], table.hash_key_attr], range_attrs)
            self.by_name[index.name] = _Index(hashes[0], order[1:], ranges[0] if ranges else None, ranges)
        self.names = key_attributes(table)
        self.range_attr = table.range_key_attr
        # native key -> the key values its item was entered with (an item changed in place has others by then)
        self.values: dict = {}
        rows = []
        for items in table.items.values():  # all at once, then one sort a partition (not an insort an item)
            for item in items.values() if table.range_key_attr else (items,):
                values = key_values(item, self.names)
                self.values[self.key_of(values)] = values
                rows.append((values, (item.hash_key, item.range_key)))
        for index in self.by_name.values():
            index.fill(rows)

    def key_of(self, values: dict) -> tuple:
        return (values[self.names[0]], values.get(self.range_attr) if self.range_attr else None)

    def refresh(self, table: Table, hash_value: DynamoType, range_value: DynamoType | None) -> None:
        old = self.values.pop((native(hash_value), native(range_value) if range_value is not None else None), None)
        if old is not None:
            for index in self.by_name.values():
                index.remove(old)
        item = _item(table, hash_value, range_value)
        if item is not None:
            _sized(item)
            values = key_values(item, self.names)
            self.values[self.key_of(values)] = values
            for index in self.by_name.values():
                index.add(values, (item.hash_key, item.range_key))


def _item(table: Table, hash_value, range_value):
    partition = table.items.get(hash_value)
    if table.range_key_attr:
        return partition.get(range_value) if partition else None
    return partition


# table name -> (the table's items dict, its indexes). A failed transaction puts a copy of the table back, and a
# new stack makes new tables: another items dict, so the indexes are built again from it.
_registry: dict = {}


def _indexes(table: Table) -> _TableIndexes:
    with _lock:
        found = _registry.get(table.name)
        if found is None or found[0] is not table.items:
            found = _registry[table.name] = (table.items, _TableIndexes(table))
        return found[1]


def _key_values(table: Table, key: dict) -> tuple:
    hash_value = DynamoType(key[table.hash_key_attr]) if table.hash_key_attr in key else None
    range_attr = table.range_key_attr
    range_value = DynamoType(key[range_attr]) if range_attr and range_attr in key else None
    return hash_value, range_value


def _refresh(backend, table_name: str, key: dict) -> None:
    table = backend.tables.get(table_name)
    if table is None or not isinstance(key, dict):
        return
    hash_value, range_value = _key_values(table, key)
    if hash_value is None:
        return
    with _lock:
        _indexes(table).refresh(table, hash_value, range_value)


def _rebuild(table: Table) -> None:
    with _lock:
        _registry.pop(table.name, None)


class IndexedTable(Table):
    def put_item(self, item_attrs, *args, **kwargs):
        try:
            return super().put_item(item_attrs, *args, **kwargs)
        finally:
            hash_value, range_value = _key_values(self, item_attrs)
            if hash_value is not None:
                with _lock:
                    _indexes(self).refresh(self, hash_value, range_value)

    def delete_item(self, hash_value, range_value=None):
        try:
            return super().delete_item(hash_value, range_value)
        finally:
            with _lock:
                _indexes(self).refresh(self, hash_value, range_value)

    def __deepcopy__(self, memo):
        if getattr(_in_transaction, "active", False):
            return self  # IndexedBackend.transact_write_items keeps what it needs to put back
        return copy._reconstruct(self, memo, *self.__reduce_ex__(4))  # what deepcopy does for a plain Table

    def all_items(self):
        narrowed = getattr(_narrowed, "items", None)
        return narrowed if narrowed is not None else super().all_items()

    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, consistent_read=False, filter_expression=None,
              hash_key_conditions=None, range_key_conditions=None, **filter_kwargs):  # fmt: skip
        if filter_kwargs:  # the legacy QueryFilter: moto walks it itself
            candidates = None
        else:
            candidates = self._candidates(
                hash_key_conditions, range_key_conditions, limit, exclusive_start_key, scan_index_forward, index_name
            )
        if candidates and index_name:
            candidates = _as_indexed(self.get_index(index_name), candidates)
        _narrowed.items = candidates
        try:
            return super().query(
                hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                projection_expressions, index_name, consistent_read, filter_expression,
                hash_key_conditions=hash_key_conditions, range_key_conditions=range_key_conditions, **filter_kwargs,
            )  # fmt: skip
        finally:
            _narrowed.items = None

    def _candidates(self, hash_conditions, range_conditions, limit, start_key, forward, index_name):
        """The items moto's walk can reach for this page, in order; None: let moto walk everything."""
        if not hash_conditions or len(hash_conditions) != 1 or len(range_conditions or []) > 1:
            return None
        (hash_attr, hash_value), range_condition = hash_conditions[0], (range_conditions or [None])[0]
        if index_name is None and not self.range_key_attr:
            if hash_attr != self.hash_key_attr:
                return None
            found = self.items.get(hash_value)
            return [found] if found is not None else []
        with _lock:
            index = _indexes(self).by_name.get(index_name)
            if index is None or index.hash_attr != hash_attr:
                return None
            if range_condition is not None and range_condition[0] != index.range_attr:
                return None
            partition = index.partitions.get(native(hash_value), [])
            low, high = _range(partition, range_condition)
            if start_key:
                start = _start_tuple(index, start_key)
                if start is None:
                    return None
                if forward:
                    low = max(low, bisect.bisect_right(partition, start, key=lambda e: e[0]))
                else:
                    high = min(high, bisect.bisect_left(partition, start, key=lambda e: e[0]))
            walk = range(low, len(partition)) if forward else range(high - 1, -1, -1)
            picked, size = [], 0
            for at in walk:
                entry = partition[at]
                item = _item(self, *entry[1])
                if item is None:
                    continue
                picked.append(item)
                if at >= high if forward else at < low:
                    # moto's walk goes on past the range: a page that ends at its Limit gets a LastEvaluatedKey
                    # when any item follows; this one gives it that, and is itself left out by the condition
                    break
                if limit is not None and len(picked) > limit:
                    break
                item_size = item.size()
                if size + item_size > RESULT_SIZE_LIMIT:
                    break
                size += item_size
            return picked


def _as_indexed(index, items: list) -> list:
    """A page's candidates as a KEYS_ONLY or INCLUDE index holds them, each the size of its item (what moto's
    page limit counts): moto deep-copies every candidate before it projects them, the whole items."""
    if (index.projection or {}).get("ProjectionType") not in ("KEYS_ONLY", "INCLUDE"):
        return items
    projected = []
    for item in items:
        held = index.project(item)
        held._size = item.size()
        projected.append(held)
    return projected


def _head(value, length: int):
    return value[:length] if isinstance(value, str | bytes) else value


def _range(partition: list, condition) -> tuple[int, int]:
    """The slice of a partition a key condition on its range attribute allows."""
    if condition is None:
        return 0, len(partition)
    _, operator, values = condition
    values = [native(value) for value in values]

    def left(value):
        return bisect.bisect_left(partition, value, key=lambda e: e[0][0])

    def right(value):
        return bisect.bisect_right(partition, value, key=lambda e: e[0][0])

    operator = operator.upper()
    if operator in ("=", "EQ"):
        return left(values[0]), right(values[0])
    if operator in ("<", "LT"):
        return 0, left(values[0])
    if operator in ("<=", "LE"):
        return 0, right(values[0])
    if operator in (">", "GT"):
        return right(values[0]), len(partition)
    if operator in (">=", "GE"):
        return left(values[0]), len(partition)
    if operator == "BETWEEN":
        return left(values[0]), right(values[1])
    if operator == "BEGINS_WITH":  # values sorted are sorted by their first len(prefix) characters too
        prefix = values[0]
        high = bisect.bisect_right(partition, prefix, key=lambda e: _head(e[0][0], len(prefix)))
        return left(values[0]), high
    return 0, len(partition)


def _start_tuple(index: _Index, start_key: dict) -> tuple | None:
    try:
        return tuple(native(DynamoType(start_key[name])) for name in index.sort_attrs)
    except KeyError:
        return None


class IndexedBackend(DynamoDBBackend):
    @property
    def _url_module(self):  # moto finds a backend's URLs (and so its request handler) from this module
        from infra import dynamo_answers

        return dynamo_answers

    def update_item(self, table_name, key, *args, **kwargs):
        try:
            return super().update_item(table_name, key, *args, **kwargs)
        finally:
            _refresh(self, table_name, key)

    def transact_write_items(self, transact_items):
        kept = []  # (table, hash value, range value, a copy of the item or None), in the order named
        for request in transact_items if isinstance(transact_items, list) else ():
            for kind, operation in request.items():
                table = self.tables.get(operation.get("TableName"))
                key = operation.get("Item") if kind == "Put" else operation.get("Key")
                if table is None or kind == "ConditionCheck" or not isinstance(key, dict):
                    continue
                hash_value, range_value = _key_values(table, key)
                if hash_value is not None:
                    kept.append((table, hash_value, range_value, copy.deepcopy(_item(table, hash_value, range_value))))
        _in_transaction.active = True
        try:
            return super().transact_write_items(transact_items)
        except BaseException:
            for table, hash_value, range_value, item in reversed(kept):
                _put_back(table, hash_value, range_value, item)
            raise
        finally:
            _in_transaction.active = False

    def _statements(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        finally:  # PartiQL names no keys: the indexes are built again when next read
            for table in self.tables.values():
                _rebuild(table)

    def execute_statement(self, *args, **kwargs):
        return self._statements(super().execute_statement, *args, **kwargs)

    def execute_transaction(self, *args, **kwargs):
        return self._statements(super().execute_transaction, *args, **kwargs)

    def batch_execute_statement(self, *args, **kwargs):
        return self._statements(super().batch_execute_statement, *args, **kwargs)


def _put_back(table: Table, hash_value, range_value, item) -> None:
    """An item as it was before a failed transaction (None: it was not there)."""
    with _lock:
        if table.range_key_attr:
            if item is None:
                table.items[hash_value].pop(range_value, None)
            else:
                table.items[hash_value][range_value] = item
        elif item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        _indexes(table).refresh(table, hash_value, range_value)


def build(backend=None) -> None:
    """Make every table's indexes now (a start), not at each table's first Query."""
    if backend is None:
        from infra.store import dynamodb_backend

        backend = dynamodb_backend()
    for table in backend.tables.values():
        if isinstance(table, IndexedTable):
            _indexes(table)


def install(backend=None) -> None:
    """Answer Queries of this DynamoDB backend (the default region's unless given) from sorted indexes."""
    if backend is None:
        from infra.store import dynamodb_backend

        backend = dynamodb_backend()
    from infra import dynamo_answers

    dynamo_answers.install()
    backend.__class__ = IndexedBackend
    for table in backend.tables.values():
        table.__class__ = IndexedTable
        _rebuild(table)


def forget(table: Table) -> None:
    """Build the indexes of a table again when next read (its items were changed behind moto's methods)."""
    _rebuild(table)
