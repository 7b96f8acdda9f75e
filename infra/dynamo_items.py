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
    """A key value as Python orders it, in the order moto's DynamoType comparisons give (numbers as Decimal)."""
    return Decimal(value.value) if value.type == "N" else value.value


class StoredItem(Item):
    """An item read from a snapshot: its key at once, its attributes (`attrs`) when first asked for. Until then
    `_line` is its line and `_keys` the values of its table's key attributes."""

    _line: bytes
    _keys: dict[str, DynamoType]

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


def key_value(item: Item, name: str) -> DynamoType | None:
    """An attribute of the item's table's key schemas, read without parsing an item not read yet."""
    keys = item.__dict__.get("_keys")
    return keys.get(name) if keys is not None else item.attrs.get(name)


def line_of(item: Item) -> bytes:
    """The item as a snapshot line: DynamoDB JSON as on the wire (binary values base64, as moto's answers send
    them); an item never read is its line as loaded."""
    line = item.__dict__.get("_line")
    if line is not None:
        return line
    return json.dumps(item.to_json()["Attributes"], sort_keys=True, default=binary_to_text).encode() + b"\n"


def key_attributes(table) -> list[str]:
    """The attributes of a table's key and of each of its indexes' keys."""
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    for index in table.all_indexes():
        names += [key["AttributeName"] for key in index.schema if key["AttributeName"] not in names]
    return names


def load_lines(table, lines: Iterable[bytes]) -> int:
    """Put a snapshot's items into moto's table as StoredItems (without PutItem's checks: the items were moto's).
    The number loaded."""
    names = key_attributes(table)
    # a Struct of only these attributes: msgspec skips every other value of the line without building it
    fields = [(f"a{n}", dict[str, Any] | None, None) for n in range(len(names))]
    decoder = msgspec.json.Decoder(
        msgspec.defstruct("Keys", fields, rename={f"a{n}": name for n, name in enumerate(names)}, gc=False)
    )
    hash_attr, range_attr, count = table.hash_key_attr, table.range_key_attr, 0
    for line in lines:
        if not line.strip():
            continue
        found = msgspec.structs.astuple(decoder.decode(line))
        keys = {name: typed(value) for name, value in zip(names, found, strict=True) if value is not None}
        item = _new(StoredItem)
        item.hash_key, item.range_key = keys[hash_attr], keys[range_attr] if range_attr else None
        item._line, item._keys = line if line.endswith(b"\n") else line + b"\n", keys
        if range_attr:
            table.items[item.hash_key][item.range_key] = item
        else:
            table.items[item.hash_key] = item
        count += 1
    return count
