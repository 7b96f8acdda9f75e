"""The DynamoDB helpers every service writes through (functions/storage/db.py): conditional writes answer whether
their condition held, a transaction whose condition fails writes nothing, and other failures still raise; and
the models read an item as pynamodb does."""

from datetime import UTC, datetime

import pytest
from pynamodb import attributes
from pynamodb.exceptions import PutError

from functions.storage import db, models
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


SAMPLES = {
    attributes.UnicodeAttribute: "text",
    attributes.NumberAttribute: 3,
    attributes.BooleanAttribute: True,
    attributes.MapAttribute: {"a": 1, "nested": {"b": [1, "two"]}},
    attributes.TTLAttribute: datetime(2030, 1, 2, tzinfo=UTC),
    attributes.UnicodeSetAttribute: {"x", "y"},
}


def _sample(attribute):
    if isinstance(attribute, attributes.ListAttribute):
        return ["a", "b"] if attribute.element_type is attributes.UnicodeAttribute else [{"ext": "vtt", "n": 2}]
    return next(value for kind, value in SAMPLES.items() if isinstance(attribute, kind))


def _as_pynamodb_reads(model, data):
    return attributes.AttributeContainer._instantiate.__func__(model, data)  # pynamodb's own, past the override


@pytest.mark.parametrize("model", models.Model.__subclasses__(), ids=lambda model: model.__name__)
def test_an_item_reads_as_pynamodb_reads_it(model):
    full = model(_user_instantiated=False, **{n: _sample(a) for n, a in model.get_attributes().items()})
    keys_only = model(**{n: _sample(a) for n, a in model.get_attributes().items() if a.is_hash_key or a.is_range_key})
    nulled = {**full.serialize(), **{a.attr_name: {"NULL": True} for a in model.get_attributes().values()}}
    for data in (full.serialize(), keys_only.serialize(null_check=False), nulled, {}):
        fast, slow = model.from_raw_data(data), _as_pynamodb_reads(model, data)
        assert type(fast) is type(slow) and vars(fast).keys() == vars(slow).keys() == {"attribute_values"}
        assert list(fast.attribute_values) == list(slow.attribute_values)  # the same names in the same order
        assert fast.serialize(null_check=False) == slow.serialize(null_check=False)
        for name, value in slow.attribute_values.items():
            assert type(fast.attribute_values[name]) is type(value)
            if not isinstance(value, attributes.MapAttribute):
                assert fast.attribute_values[name] == value
