"""The local run's Query engine (infra/dynamo_index.py) answers exactly what moto's plain backend answers: every
page of queries of every kind, on the primary key and on indexes, after puts, updates that move an item in an
index, deletes, batch writes and a failed transaction; and a page reads only what it returns."""

import random

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from infra import dynamo_index
from infra.store import dynamodb_backend

TABLE = "things"


def create(dynamodb) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in (("pk", "S"), ("sk", "N"), ("group", "S"), ("rank", "N"), ("word", "S"))
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_rank",
                "KeySchema": [
                    {"AttributeName": "group", "KeyType": "HASH"},
                    {"AttributeName": "rank", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by_word",
                "KeySchema": [
                    {"AttributeName": "group", "KeyType": "HASH"},
                    {"AttributeName": "word", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "by_group",
                "KeySchema": [{"AttributeName": "group", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by_rank_sized",
                "KeySchema": [
                    {"AttributeName": "group", "KeyType": "HASH"},
                    {"AttributeName": "rank", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["size"]},
            },
        ],
    )


def random_item(rng: random.Random, n: int) -> dict:
    item = {"pk": {"S": f"p{rng.randrange(4)}"}, "sk": {"N": str(n)}, "size": {"S": "x" * rng.randrange(200)}}
    if rng.random() < 0.9:
        item["group"] = {"S": f"g{rng.randrange(3)}"}
    if rng.random() < 0.8:
        item["rank"] = {"N": str(rng.randrange(40))}  # ties: moto orders them by the table's key
    if rng.random() < 0.8:
        item["word"] = {"S": rng.choice(["apple", "apricot", "banana", "band", "b", "cherry"])}
    return item


def queries(rng: random.Random):
    conditions = [
        ("rank = :a", {":a": {"N": "7"}}),
        ("rank < :a", {":a": {"N": "12"}}),
        ("rank <= :a", {":a": {"N": "12"}}),
        ("rank > :a", {":a": {"N": "30"}}),
        ("rank >= :a", {":a": {"N": "30"}}),
        ("rank BETWEEN :a AND :b", {":a": {"N": "5"}, ":b": {"N": "25"}}),
    ]
    for group in ("g0", "g2", "nope"):
        base = {
            "IndexName": "by_rank",
            "KeyConditionExpression": "#g = :g",
            "ExpressionAttributeNames": {"#g": "group"},
        }
        values = {":g": {"S": group}}
        yield {**base, "ExpressionAttributeValues": values}
        for condition, more in conditions:
            yield {
                **base,
                "KeyConditionExpression": f"#g = :g AND {condition}",
                "ExpressionAttributeValues": {**values, **more},
            }
        yield {**base, "FilterExpression": "attribute_exists(word)", "ExpressionAttributeValues": values}
        yield {
            **base,
            "ExpressionAttributeValues": values,
            "ProjectionExpression": "#g, #s, sk, nope",
            "ExpressionAttributeNames": {"#g": "group", "#s": "size"},
        }
        yield {**base, "IndexName": "by_rank_sized", "ExpressionAttributeValues": values}
        for prefix in ("ap", "ban", "b", "z"):
            yield {
                "IndexName": "by_word",
                "KeyConditionExpression": "#g = :g AND begins_with(word, :p)",
                "ExpressionAttributeNames": {"#g": "group"},
                "ExpressionAttributeValues": {**values, ":p": {"S": prefix}},
            }
        yield {
            "IndexName": "by_group",
            "KeyConditionExpression": "#g = :g",
            "ExpressionAttributeNames": {"#g": "group"},
            "ExpressionAttributeValues": values,
        }
    for pk in ("p0", "p3", "p9"):
        yield {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": pk}}}
        yield {
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":p": {"S": pk}, ":a": {"N": "20"}, ":b": {"N": "90"}},
        }
        yield {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": pk}}, "Select": "COUNT"}
        yield {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": pk}},
            "ProjectionExpression": "word, #r",
            "ExpressionAttributeNames": {"#r": "rank"},
        }


def every_page(dynamodb, query: dict, limit, forward: bool) -> list:
    pages, start = [], None
    for _ in range(500):
        request = {"TableName": TABLE, **query, "ScanIndexForward": forward}
        if limit:
            request["Limit"] = limit
        if start:
            request["ExclusiveStartKey"] = start
        answer = dynamodb.query(**request)
        pages.append((answer.get("Items"), answer["Count"], answer["ScannedCount"], answer.get("LastEvaluatedKey")))
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages
    raise AssertionError("no last page")


def answers(dynamodb, rng: random.Random) -> list:
    return [
        every_page(dynamodb, query, limit, forward)
        for query in queries(rng)
        for limit in (None, 4)
        for forward in (True, False)
    ]


def plain(backend) -> None:
    backend.__class__ = DynamoDBBackend
    for table in backend.tables.values():
        table.__class__ = Table
        for items in table.items.values():  # moto's own items: its projection, its size sums
            for item in items.values():
                item.__class__ = Item


def change_things(dynamodb, rng: random.Random) -> None:
    for n in range(0, 160, 7):  # move items within and out of the indexes
        dynamodb.update_item(
            TableName=TABLE, Key={"pk": {"S": f"p{n % 4}"}, "sk": {"N": str(n)}},
            UpdateExpression="SET #r = :r REMOVE word", ExpressionAttributeNames={"#r": "rank"},
            ExpressionAttributeValues={":r": {"N": str(rng.randrange(40))}},
        )  # fmt: skip
    for n in range(0, 160, 11):
        dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": f"p{n % 4}"}, "sk": {"N": str(n)}})
    rows = [{"PutRequest": {"Item": random_item(rng, n)}} for n in range(300, 330)]
    dynamodb.batch_write_item(RequestItems={TABLE: rows[:25]})
    dynamodb.batch_write_item(RequestItems={TABLE: rows[25:]})
    with pytest.raises(ClientError):  # a failed transaction: moto puts a copy of the table back
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": random_item(rng, 999)}},
                {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "p0"}, "sk": {"N": "-1"}},
                                    "ConditionExpression": "attribute_exists(pk)"}},
            ]
        )  # fmt: skip
    dynamodb.put_item(TableName=TABLE, Item={**random_item(rng, 5000), "group": {"S": "g1"}, "rank": {"N": "7"}})


def test_the_indexed_engine_answers_what_moto_answers():
    rng = random.Random(13)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create(dynamodb)
        items = [random_item(rng, n) for n in range(160)]
        for item in items:
            item["pk"] = {"S": f"p{int(item['sk']['N']) % 4}"}  # the keys change_things addresses
            dynamodb.put_item(TableName=TABLE, Item=item)
        backend = dynamodb_backend()
        for round_number in range(2):
            dynamo_index.install(backend)
            indexed = answers(dynamodb, random.Random(round_number))
            plain(backend)
            expected = answers(dynamodb, random.Random(round_number))
            assert indexed == expected
            assert sum(len(pages) for pages in expected) > 200  # many pages, not only first ones
            dynamo_index.install(backend)
            change_things(dynamodb, rng)  # the indexes follow every kind of write


def test_a_page_reads_only_what_it_returns(monkeypatch):
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create(dynamodb)
        rows = [
            {
                "PutRequest": {
                    "Item": {"pk": {"S": "p0"}, "sk": {"N": str(n)}, "group": {"S": "g"}, "rank": {"N": str(n)}}
                }
            }
            for n in range(2000)
        ]
        for start in range(0, len(rows), 25):
            dynamodb.batch_write_item(RequestItems={TABLE: rows[start : start + 25]})
        dynamo_index.install()
        walked = []
        real_sort = Table.sorted_items

        def counting(self, hash_attrs, range_attrs, items):  # what moto's Query walks, once gathered
            walked.append(len(items))
            return real_sort(self, hash_attrs, range_attrs, items)

        monkeypatch.setattr(Table, "sorted_items", counting)
        page = dynamodb.query(
            TableName=TABLE, IndexName="by_rank", KeyConditionExpression="#g = :g AND #r > :r", Limit=12,
            ExpressionAttributeNames={"#g": "group", "#r": "rank"},
            ExpressionAttributeValues={":g": {"S": "g"}, ":r": {"N": "1500"}}, ScanIndexForward=False,
        )  # fmt: skip
        assert [int(item["rank"]["N"]) for item in page["Items"]] == list(range(1999, 1987, -1))
        assert walked == [13]  # the page and the one that tells moto there is more, not 2,000


def every_kind_of_value(n: int) -> dict:
    return {
        "pk": {"S": "p0"},
        "sk": {"N": str(n)},
        "group": {"S": "g0"},
        "rank": {"N": "1.50"},
        "blob": {"B": bytes([n, 0, 255])},
        "blobs": {"BS": [b"\x00\x01", bytes([n])]},
        "words": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2.5"]},
        "nothing": {"NULL": True},
        "yes": {"BOOL": False},
        "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "3"}, {"B": b"\xff"}, {"M": {}}]}, "empty": {"S": ""}}},
    }


def item_operations(dynamodb) -> list:
    """An answer of each item operation the direct JSON writer answers, as botocore reads them."""
    key = {"pk": {"S": "p0"}, "sk": {"N": "1"}}
    capacity = {"ReturnConsumedCapacity": "TOTAL"}
    done = [
        dynamodb.put_item(TableName=TABLE, Item=every_kind_of_value(1), ReturnValues="ALL_OLD", **capacity),
        dynamodb.put_item(TableName=TABLE, Item=every_kind_of_value(1), ReturnValues="ALL_OLD"),
        dynamodb.get_item(TableName=TABLE, Key=key, **capacity),
        dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "p0"}, "sk": {"N": "404"}}),
        dynamodb.get_item(
            TableName=TABLE, Key=key, ProjectionExpression="#b, nested.list[2]", ExpressionAttributeNames={"#b": "blob"}
        ),
        dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET #r = #r + :one ADD blobs :b",
            ReturnValues="ALL_NEW",
            ExpressionAttributeNames={"#r": "rank"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":b": {"BS": [b"z"]}},
        ),
        dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="REMOVE yes", ReturnValues="UPDATED_OLD"),
        dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key, {"pk": {"S": "p0"}, "sk": {"N": "2"}}]}}),
        dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p0"}},
            Limit=1,
            **capacity,
        ),
        dynamodb.scan(TableName=TABLE, Limit=2),
        dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key}}]),
        dynamodb.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD"),
        dynamodb.delete_item(TableName=TABLE, Key=key),
    ]
    for answer in done:
        answer.pop("ResponseMetadata")
    return done


def test_item_answers_written_directly_are_what_motos_serializer_writes(monkeypatch):
    from infra import dynamo_answers

    written = []
    real_dump = dynamo_answers.dump_answer
    monkeypatch.setattr(dynamo_answers, "dump_answer", lambda result: written.append(real_dump(result)) or written[-1])
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create(dynamodb)
        backend = dynamodb_backend()
        for n in (2, 3):
            dynamodb.put_item(TableName=TABLE, Item=every_kind_of_value(n))
        expected = item_operations(dynamodb)
        assert not written  # moto's own handler
        dynamo_index.install(backend)
        assert item_operations(dynamodb) == expected
        assert len(written) == len(expected) and None not in written  # every one written directly


def test_answer_values_convert_as_motos_own_converter_does():
    from datetime import UTC, datetime

    from moto.dynamodb.models.dynamo_type import LimitedSizeDict
    from moto.dynamodb.models.utilities import dynamo_to_dict

    from infra.dynamo_answers import plain_values

    item = Item(DynamoType({"S": "p0"}), DynamoType({"N": "2"}), every_kind_of_value(2))
    texts = DynamoType({"B": "AAE="})  # a binary value still in base64 text, as a request carries it
    answers = [
        {"Item": item.attrs, "ConsumedCapacity": {"TableName": TABLE, "CapacityUnits": 0.5}},
        {"Items": [item.attrs, LimitedSizeDict(blob=texts)], "Count": 2, "LastEvaluatedKey": {"pk": item.hash_key}},
        {"Responses": {TABLE: [item.attrs]}, "UnprocessedKeys": {}, "When": datetime(2026, 1, 1, tzinfo=UTC)},
        {"Attributes": item.attrs, "Table": item},  # an object moto converts through its `to_json`
    ]
    for answer in answers:
        converted, expected = plain_values(answer), dynamo_to_dict(answer)
        assert converted == expected
        assert repr(converted) == repr(expected)  # the same types too: bytes, lists, plain dicts
    converted = plain_values(answers[0])["Item"]
    assert converted is not item.attrs and converted["words"]["SS"] is not item.attrs["words"].value  # new ones


def test_an_items_kept_size_follows_its_writes():
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create(dynamodb)
        key = {"pk": {"S": "p0"}, "sk": {"N": "1"}}
        dynamodb.put_item(TableName=TABLE, Item={**key, "words": {"SS": ["a"]}})
        backend = dynamodb_backend()
        dynamo_index.install(backend)
        table = backend.get_table(TABLE)

        def sizes() -> tuple[int, int]:
            item = table.get_item(DynamoType(key["pk"]), DynamoType(key["sk"]))
            return item.size(), Item.size(item)  # kept, and summed now as moto does

        dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": key["pk"]})
        first = sizes()
        assert first[0] == first[1]
        dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="ADD words :w",
                             ExpressionAttributeValues={":w": {"SS": ["b" * 500]}})  # fmt: skip
        assert sizes()[0] == sizes()[1] == first[1] + 500
        dynamodb.put_item(TableName=TABLE, Item={**key, "words": {"SS": ["c"]}})
        assert sizes()[0] == sizes()[1] == first[1]


def test_a_failed_transaction_puts_back_only_the_items_it_named(monkeypatch):
    rng = random.Random(7)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create(dynamodb)
        for n in range(40):
            dynamodb.put_item(TableName=TABLE, Item={**random_item(rng, n), "pk": {"S": "p0"}, "group": {"S": "g0"}})
        backend = dynamodb_backend()
        dynamo_index.install(backend)
        table = backend.get_table(TABLE)
        before = answers(dynamodb, random.Random(1))
        items = {key: item.to_json() for key, item in table.items[DynamoType({"S": "p0"})].items()}
        copied = []
        monkeypatch.setattr(  # what a deep copy of a table calls
            Table, "__reduce_ex__", lambda self, protocol: copied.append(self) or object.__reduce_ex__(self, protocol)
        )
        with pytest.raises(ClientError, match="TransactionCanceled"):
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": TABLE, "Item": {**random_item(rng, 1000), "pk": {"S": "p0"}}}},
                    {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "p0"}, "sk": {"N": "3"}},
                                "UpdateExpression": "SET #r = :r REMOVE word",
                                "ExpressionAttributeNames": {"#r": "rank"},
                                "ExpressionAttributeValues": {":r": {"N": "99"}}}},
                    {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "p0"}, "sk": {"N": "4"}}}},
                    {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "p0"}, "sk": {"N": "-1"}},
                                        "ConditionExpression": "attribute_exists(pk)"}},
                ]
            )  # fmt: skip
        assert not copied  # the table was not deep-copied
        assert backend.get_table(TABLE) is table
        assert {key: item.to_json() for key, item in table.items[DynamoType({"S": "p0"})].items()} == items
        assert answers(dynamodb, random.Random(1)) == before  # the indexes hold the items put back
        dynamodb.transact_write_items(
            TransactItems=[{"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "p0"}, "sk": {"N": "4"}}}}]
        )
        assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "p0"}, "sk": {"N": "4"}})
