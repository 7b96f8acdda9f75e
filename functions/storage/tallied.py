"""Writes whose counters move by the difference between an item's old and new totals (`counters.video_totals`,
`channel_totals`, `playlist_totals`), in the write's own transaction.

A replacing write is conditioned on the attributes its totals read being what was read, so the difference it
moves is exact; when another write came between, the item is read again and the write retried. Safe to repeat:
writing an item again as it is moves nothing.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from functions.core.errors import Conflict
from functions.storage import counters, db
from functions.storage.counters import Totals
from functions.storage.models import Counter

ATTEMPTS = 5
M = TypeVar("M", bound=Model)


def _read(item: M) -> M:
    key = db.item_key(item)
    return type(item).get(key[0], key[1] if len(key) > 1 else None, consistent_read=True)


def add_totals(transaction: TransactWrite, deltas: dict[str, Totals], labels: dict[str, str] | None = None) -> None:
    """Move counters inside `transaction`: their count, and for the summing counters bytes and seconds; `labels`
    names what some of them count (Counter.label). A counter's months (counters.month_of) move in its own
    update: a transaction writes an item once."""
    by_counter: dict[str, list] = {}
    for name, delta in deltas.items():
        if not any(delta):
            continue
        counter, month = counters.split_month(name)
        actions = by_counter.setdefault(counter, [])
        if month is not None:
            actions.append(Counter.month_count(month).add(delta.count))
            continue
        actions.append(Counter.count.add(delta.count))
        if counters.sums(name):
            actions += [Counter.size.add(delta.size), Counter.duration.add(delta.duration)]
        board = counters.board_of(name)
        if board:
            actions.append(Counter.board.set(board))
        if labels and labels.get(name):
            actions.append(Counter.label.set(labels[name]))
    for counter, actions in by_counter.items():
        transaction.update(Counter(counter), actions=actions)


def unchanged(model: type[Model], previous: Model, names: Iterable[str]):
    """The condition that the attributes `names` still hold what `previous` read (an attribute left at its
    default may be absent from an item written before it was kept)."""
    condition = None
    for name in names:
        attr = getattr(model, name)
        value = getattr(previous, name)
        holds = attr.does_not_exist() if value is None else attr == value
        if value is not None and value == attr.default and not callable(attr.default):
            holds = holds | attr.does_not_exist()
        condition = holds if condition is None else condition & holds
    return condition


def save_tallied(item: M, tally: Callable[[M], dict[str, Totals]], watched: Iterable[str]) -> bool:
    """Store `item`, moving its counters by tally(item) - tally(stored item); True when it was new."""
    model = type(item)
    watched = tuple(watched)
    key_attr = db.key_attributes(model)[0]
    previous: M | None = None
    for attempt in range(ATTEMPTS):
        if attempt:  # the first write supposes a new item: most writes are
            try:
                previous = _read(item)
            except DoesNotExist:
                previous = None
        before = tally(previous) if previous is not None else {}
        condition = key_attr.does_not_exist() if previous is None else unchanged(model, previous, watched)
        with db.transaction() as write:
            write.save(item, condition=condition)
            add_totals(write, counters.difference(before, tally(item)))
        if write.committed:
            return previous is None
    raise Conflict(f"{model.__name__} {db.item_key(item)[0]} changed while it was being saved, try again")


def update_tallied(
    item: M, actions: list, changes: dict, tally: Callable[[M], dict[str, Totals]], watched: Iterable[str]
) -> bool:
    """Apply update `actions` to a stored item just read, whose tallied attributes become `changes`; its
    counters move by the difference, and `item` is read again to hold what is stored. False when it is gone."""
    model = type(item)
    watched = tuple(watched)
    given = item
    for attempt in range(ATTEMPTS):
        if attempt:
            try:
                item = _read(item)
            except DoesNotExist:
                return False
        after = model.from_raw_data(item.serialize())
        for name, value in changes.items():
            setattr(after, name, value)
        with db.transaction() as write:
            exists = db.key_attributes(model)[0].exists()
            write.update(item, actions=actions, condition=exists & unchanged(model, item, watched))
            add_totals(write, counters.difference(tally(item), tally(after)))
        if write.committed:
            given.refresh(consistent_read=True)  # a transaction returns no attributes
            return True
    raise Conflict(f"{model.__name__} {db.item_key(item)[0]} changed while it was being updated, try again")


def delete_tallied(item: M, tally: Callable[[M], dict[str, Totals]], watched: Iterable[str]) -> bool:
    """Delete a stored item just read and take its totals off; False when it is gone or changed (read again)."""
    model = type(item)
    with db.transaction() as write:
        write.delete(item, condition=db.key_attributes(model)[0].exists() & unchanged(model, item, watched))
        add_totals(write, counters.difference(tally(item), {}))
    return write.committed
