"""The DynamoDB helpers every service writes through (functions/storage/db.py): conditional writes answer whether
their condition held, a transaction whose condition fails writes nothing, and other failures still raise."""

import pytest
from pynamodb.exceptions import PutError

from functions.storage import db
from functions.storage.models import Counter, TaskState


def test_a_conditional_write_answers_whether_its_condition_held(aws):
    first = Counter("a", count=1)
    assert db.conditional(first.save, condition=Counter.name.does_not_exist()) is True
    again = Counter("a", count=2)
    assert db.conditional(again.save, condition=Counter.name.does_not_exist()) is False
    assert int(Counter.get("a").count) == 1


def test_update_existing_never_creates_an_item(aws):
    assert db.update_existing(Counter("gone"), [Counter.count.add(1)]) is False
    assert list(Counter.scan()) == []
    Counter("here", count=1).save()
    assert db.update_existing(Counter("here"), [Counter.count.add(1)]) is True
    assert int(Counter.get("here").count) == 2


def test_a_failed_transaction_writes_none_of_its_items(aws):
    Counter("taken", count=5).save()
    with db.transaction() as transaction:
        transaction.save(TaskState("rescan", state="idle"))
        transaction.save(Counter("taken", count=0), condition=Counter.name.does_not_exist())
    assert transaction.committed is False
    assert list(TaskState.scan()) == [] and int(Counter.get("taken").count) == 5
    with db.transaction() as transaction:
        transaction.save(TaskState("rescan", state="idle"))
    assert transaction.committed is True and TaskState.get("rescan").state == "idle"


def test_other_failures_are_not_taken_for_a_failed_condition(aws, monkeypatch):
    def refuse(*args, **kwargs):
        raise PutError("throttled", cause=None)

    monkeypatch.setattr(Counter, "save", refuse)
    with pytest.raises(PutError):
        db.conditional(Counter("a").save, condition=Counter.name.does_not_exist())


def test_an_error_inside_the_block_is_raised_and_nothing_is_written(aws):
    with pytest.raises(ValueError), db.transaction() as transaction:
        transaction.save(Counter("a", count=1))
        raise ValueError("stop")
    assert transaction.committed is False and list(Counter.scan()) == []


def test_key_attributes_of_hash_and_range_models():
    from functions.storage.models import PlaylistEntry

    assert [a.attr_name for a in db.key_attributes(Counter)] == ["name"]
    assert [a.attr_name for a in db.key_attributes(PlaylistEntry)] == ["playlist_id", "youtube_id"]
    assert db.item_key(PlaylistEntry("PLx", "abc")) == ("PLx", "abc")
