"""moto's DynamoDB items as the local run loads them: each kept as its snapshot line until it is first read.

A start read every line of every table into moto's types (a DynamoType for each value, nested ones included):
at 100,000 videos that was 4 million objects and most of a minute of CPU. Here a line is parsed only for its
item's key and the attributes its table's indexes sort by (msgspec skips the rest); the item keeps the line and
builds its attributes the first time anything asks for `attrs` (moto's code reads nothing else of an item). An
item never read is written back to the next snapshot as the line it came from.

Works the same under moto's plain backend and the indexed one (infra/dynamo_index.py).
"""

import base64
import json
import threading
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import msgspec
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

from infra.store import binary_to_text

_new = object.__new__
_parsing = threading.Lock()  # one parse of a line, and its attributes seen by every reader once set
_lines = msgspec.json.Decoder(dict[str, dict[str, Any]])


def typed(value: dict) -> DynamoType:
    """A value of DynamoDB JSON (binary as base64, as on the wire) as moto's request parser stores it: binary
    decoded, lists and maps of DynamoTypes. Built without DynamoType's constructor (several times faster)."""
    ((kind, inner),) = value.items()
    made = _new(DynamoType)
    made.type = kind
    if kind == "M":
        inner = {name: typed(part) for name, part in inner.items()}
    elif kind == "L":
        inner = [typed(part) for part in inner]
    elif kind == "B":
        inner = base64.b64decode(inner)
    elif kind == "BS":
        inner = [base64.b64decode(part) for part in inner]
    made.value = inner
    return made


def native(value: DynamoType):
    """A key value as Python orders it, in the order moto's DynamoType comparisons give: a number as an int when
    it is whole (ints sort several times faster than Decimals), else a Decimal."""
    if value.type == "S":
        return value.value
    if value.type == "N":
        return number(value.value)
    return value.cast_value


def number(text: str):
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


class StoredItem(Item):
    """An item read from a snapshot: its key at once, its attributes (`attrs`) when first asked for. Until then
    `_line` is its line and `_keys` the native values of its table's key attributes (`key_values`)."""

    _line: bytes
    _keys: dict

    def __getattr__(self, name: str):  # only for what the instance lacks: `attrs` of an item not read yet
        if name != "attrs":
            raise AttributeError(name)
        with _parsing:
            attrs = self.__dict__.get("attrs")
            if attrs is None:
                attrs = LimitedSizeDict.__new__(LimitedSizeDict)
                dict.update(attrs, {key: typed(value) for key, value in _lines.decode(self._line).items()})
                self.attrs = attrs
                del self._line, self._keys  # moto may change `attrs` in place from now on
        return attrs


def key_values(item: Item, names: list[str]) -> dict:
    """The native values of the item's attributes among `names` (its table's key attributes, `key_attributes`),
    read without parsing an item not read yet."""
    keys = item.__dict__.get("_keys")
    if keys is not None:
        return keys
    attrs = item.attrs
    return {name: native(attrs[name]) for name in names if name in attrs}


def _native_json(value: dict):
    """`native` of a value of DynamoDB JSON."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return number(inner)
    return native(typed(value))


def line_of(item: Item) -> bytes:
    """The item as a snapshot line: DynamoDB JSON as on the wire (binary values base64, as moto's answers send
    them); an item never read is its line as loaded."""
    line = item.__dict__.get("_line")
    if line is not None:
        return line
    return json.dumps(item.to_json()["Attributes"], sort_keys=True, default=binary_to_text).encode() + b"\n"


def key_attributes(table) -> list[str]:
    """The attributes of a table's key and of each of its indexes' keys."""
    names = key_names(table)
    for index in table.all_indexes():
        names += [key["AttributeName"] for key in index.schema if key["AttributeName"] not in names]
    return names


def attributes_decoder(names: list[str]) -> msgspec.json.Decoder:
    """A decoder of a line's values of these attributes alone (None for one it lacks): a Struct of only these
    fields, so msgspec skips every other value of the line without building it."""
    fields = [(f"a{n}", dict[str, Any] | None, None) for n in range(len(names))]
    return msgspec.json.Decoder(
        msgspec.defstruct("Keys", fields, rename={f"a{n}": name for n, name in enumerate(names)}, gc=False)
    )


def load_lines(table, lines: Iterable[bytes]) -> int:
    """Put a snapshot's items into moto's table as StoredItems (without PutItem's checks: the items were moto's).
    The number loaded."""
    names = key_attributes(table)
    decoder = attributes_decoder(names)
    hash_attr, range_attr, count = table.hash_key_attr, table.range_key_attr, 0
    partitions: dict = {}  # native hash value -> the table's partition: a DynamoType's hash costs a Decimal
    for line in lines:
        if line[:1] != b"{" and not line.strip():
            continue
        found = msgspec.structs.astuple(decoder.decode(line))
        values = dict(zip(names, found, strict=True))
        item = _new(StoredItem)
        item.hash_key = typed(values[hash_attr])
        item._line = line if line.endswith(b"\n") else line + b"\n"
        item._keys = {name: _native_json(value) for name, value in values.items() if value is not None}
        if range_attr:
            item.range_key = typed(values[range_attr])
            hashed = item._keys[hash_attr]
            partition = partitions.get(hashed)
            if partition is None:
                partition = partitions[hashed] = table.items[item.hash_key]
            partition[item.range_key] = item
        else:
            item.range_key = None
            table.items[item.hash_key] = item
        count += 1
    return count


# ---------------------------------------------------------------- items by key (the store's checkpoints)


def item_key(table, attributes: dict) -> tuple:
    """The key of the item whose attributes (DynamoDB JSON, as in a request's Item or Key) are given: its hash
    and range DynamoTypes, as moto's table is keyed. KeyError when a key attribute is missing."""
    range_attr = table.range_key_attr
    return typed(attributes[table.hash_key_attr]), typed(attributes[range_attr]) if range_attr else None


def stored_item(table, key: tuple) -> Item | None:
    hash_key, range_key = key
    if range_key is None:
        return table.items.get(hash_key)
    partition = table.items.get(hash_key)  # .get: moto's partitions are a defaultdict
    return partition.get(range_key) if partition else None


def key_names(table) -> list[str]:
    return [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])


def key_line(table, key: tuple) -> bytes:
    """A deleted item's key as a line of DynamoDB JSON."""
    attributes = {name: value.to_json() for name, value in zip(key_names(table), key, strict=False)}
    return json.dumps(attributes, sort_keys=True, default=binary_to_text).encode() + b"\n"


def line_keys(table, lines: Iterable[bytes]) -> set[tuple]:
    """The keys of the items (or keys) the lines hold; only their key attributes are read."""
    decoder = attributes_decoder(key_names(table))
    keys = set()
    for line in lines:
        if line.strip():
            found = msgspec.structs.astuple(decoder.decode(line))
            keys.add((typed(found[0]), typed(found[1]) if len(found) > 1 else None))
    return keys


def remove_lines(table, lines: Iterable[bytes]) -> None:
    """Remove the items whose keys the lines hold (a deleted item's key, as `key_line` writes it)."""
    for hash_key, range_key in line_keys(table, lines):
        if range_key is None:
            table.items.pop(hash_key, None)
        elif hash_key in table.items:
            table.items[hash_key].pop(range_key, None)


def item_count(table) -> int:
    if table.range_key_attr:
        return sum(len(partition) for partition in table.items.values())
    return len(table.items)
