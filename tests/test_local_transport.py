"""The local run's in-process transport (infra/dynamo_calls.py, `moto_server.serve_in_process`): this process's
DynamoDB calls reach the gate without HTTP and get what botocore makes of the same answers (binary values, errors
with their modeled members) and the answers moto's app gives (its handler is called past the app), a write the
disk refuses is still refused, what is acknowledged survives a crash, and a client of any other endpoint is not
answered in process."""

import base64
import json
import os

import boto3
import botocore.handlers
import pytest
from botocore.awsrequest import HeadersDict
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.parsers import create_parser

from infra import dynamo_answers, dynamo_calls, dynamo_index, moto_server
from tests.test_local_store import PREFIX, free_port, runs  # noqa: F401 (the fixture)

TABLE = PREFIX + "videos"


@pytest.fixture
def in_process(runs, monkeypatch):  # noqa: F811
    """A run with the local run's engine, and a function making clients of a session that answers in process."""
    run = runs()
    dynamo_index.install()  # before moto's first DynamoDB request, as the local run does: its answers are direct
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", list(botocore.handlers.BUILTIN_HANDLERS))
    moto_server.serve_in_process(run.server.gate, run.url)

    def client(endpoint_url: str = run.url, **config):
        return boto3.session.Session().client(
            "dynamodb",
            endpoint_url=endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="unused",  # no signature reaches the gate from this process
            aws_secret_access_key="unused",
            config=Config(**config) if config else None,
        )

    return run, client


def every_kind_of_value(youtube_id: str) -> dict:
    return {
        "youtube_id": {"S": youtube_id},
        "bytes": {"B": b"\x00\xff\x10"},
        "blobs": {"BS": [b"one", b"\x00two"]},
        "words": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2.50"]},
        "nothing": {"NULL": True},
        "yes": {"BOOL": True},
        "B": {"S": "an attribute named B"},
        "nested": {"M": {"BS": {"L": [{"B": b"\xfe"}, {"M": {"B": {"B": b"deep"}}}]}, "n": {"N": "3"}}},
    }


def item_calls(dynamodb) -> list:
    key = {"youtube_id": {"S": "vid00000001"}}
    return [
        dynamodb.put_item(TableName=TABLE, Item=every_kind_of_value("vid00000001"), ReturnValues="ALL_OLD"),
        dynamodb.put_item(TableName=TABLE, Item=every_kind_of_value("vid00000001"), ReturnValues="ALL_OLD"),
        dynamodb.put_item(TableName=TABLE, Item=every_kind_of_value("vid00000002")),
        dynamodb.get_item(TableName=TABLE, Key=key, ReturnConsumedCapacity="TOTAL"),
        dynamodb.get_item(
            TableName=TABLE,
            Key=key,
            ProjectionExpression="#b, blobs, nested.BS[1]",
            ExpressionAttributeNames={"#b": "bytes"},
        ),
        dynamodb.get_item(TableName=TABLE, Key={"youtube_id": {"S": "vid00000404"}}),
        dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key, {"youtube_id": {"S": "vid00000002"}}]}}),
        dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="ADD blobs :b SET nested.n = nested.n + :one",
            ExpressionAttributeValues={":b": {"BS": [b"three"]}, ":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        ),
        dynamodb.scan(TableName=TABLE, Limit=1),
        dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key}}]),
        dynamodb.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD"),
    ]


def test_answers_are_what_botocores_parser_makes_of_them(in_process, monkeypatch):
    _, client = in_process
    seen, written = [], []
    real_parse, real_dump = dynamo_calls.parsed_item_answer, dynamo_answers.dump_answer

    def parse(status, headers, body, members):
        seen.append((status, headers, body, real_parse(status, headers, body, members)))
        return seen[-1][3]

    monkeypatch.setattr(dynamo_calls, "parsed_item_answer", parse)
    monkeypatch.setattr(dynamo_answers, "dump_answer", lambda result: written.append(real_dump(result)) or written[-1])
    answers = item_calls(client())
    assert len(seen) == len(answers) and None not in written  # all of them the direct way, answered directly
    operations = ["PutItem"] * 3 + ["GetItem"] * 3 + ["BatchGetItem", "UpdateItem", "Scan", "TransactGetItems"]
    model = boto3.session.Session().client("dynamodb", region_name="us-east-1").meta.service_model
    parser = create_parser("json")
    for operation, (status, headers, body, parsed) in zip([*operations, "DeleteItem"], seen, strict=True):
        expected = parser.parse(
            {"status_code": status, "headers": HeadersDict(headers), "body": body},
            model.operation_model(operation).output_shape,
        )
        expected["ResponseMetadata"]["RetryAttempts"] = 0  # what botocore's endpoint adds
        assert parsed == expected, operation
    assert answers[1]["Attributes"]["blobs"]["BS"] == [b"one", b"\x00two"]
    assert answers[4]["Item"]["nested"] == {"M": {"BS": {"L": [{"M": {"B": {"B": b"deep"}}}]}}}
    assert answers[7]["Attributes"]["nested"]["M"]["n"] == {"N": "4"}


def test_errors_are_the_ones_botocore_raises_over_http(in_process):
    run, client = in_process
    local, http = client(), run.dynamodb
    local.put_item(TableName=TABLE, Item=every_kind_of_value("vid00000001"))
    refusals = [
        lambda dynamodb: dynamodb.put_item(
            TableName=TABLE,
            Item={"youtube_id": {"S": "vid00000001"}},
            ConditionExpression="attribute_not_exists(youtube_id)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        ),
        lambda dynamodb: dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": {"youtube_id": {"S": "vid00000001"}},
                        "ConditionExpression": "attribute_not_exists(youtube_id)",
                    }
                }
            ]
        ),
        lambda dynamodb: dynamodb.get_item(TableName=PREFIX + "nope", Key={"youtube_id": {"S": "vid00000001"}}),
        lambda dynamodb: dynamodb.query(TableName=TABLE, KeyConditionExpression="nope = :x"),
    ]
    for refuse in refusals:
        answers = []
        for dynamodb in (local, http):
            with pytest.raises(ClientError) as refused:
                refuse(dynamodb)
            response = {name: value for name, value in refused.value.response.items() if name != "ResponseMetadata"}
            answers.append((type(refused.value).__name__, response))
        assert answers[0] == answers[1]
    assert answers[0][1]["Error"]["Code"] == "ValidationException"
    assert local.describe_table(TableName=TABLE)["Table"]["TableName"] == TABLE  # botocore's parser, timestamps


def test_a_write_the_disk_refuses_is_refused_and_what_was_acknowledged_survives(in_process, runs):  # noqa: F811
    run, client = in_process
    local = client()
    local.put_item(TableName=TABLE, Item=every_kind_of_value("vid00000001"))
    full = os.open("/dev/full", os.O_WRONLY)  # every write: ENOSPC, as a full disk answers
    os.dup2(full, run.store.journal._handle)
    os.close(full)
    with pytest.raises(ClientError) as refused:
        local.put_item(TableName=TABLE, Item=every_kind_of_value("vid00000002"))
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
    assert refused.value.response["Error"]["Code"] == "LocalStoreUnavailable"
    assert [item["youtube_id"]["S"] for item in local.scan(TableName=TABLE)["Items"]] == ["vid00000001"]
    run.crash()

    after = runs()
    assert after.dynamodb.scan(TableName=TABLE)["Items"] == [
        {**every_kind_of_value("vid00000001"), "words": {"SS": ["a", "b"]}}
    ]


def test_another_endpoint_is_not_answered_in_process(in_process):
    _, client = in_process
    elsewhere = client(f"http://127.0.0.1:{free_port()}", retries={"total_max_attempts": 1})
    with pytest.raises(EndpointConnectionError):
        elsewhere.get_item(TableName=TABLE, Key={"youtube_id": {"S": "vid00000001"}})


def test_this_processs_dynamodb_requests_are_answered_as_motos_app_answers_them(in_process, monkeypatch):
    run, _ = in_process
    direct = []
    real_answer = dynamo_answers.answer_directly
    monkeypatch.setattr(dynamo_answers, "answer_directly", lambda *args: direct.append(1) or real_answer(*args))
    key = {"youtube_id": {"S": "vid00000001"}}
    requests = [
        ("PutItem", {"TableName": TABLE, "Item": every_kind_of_value("vid00000001")}),
        ("GetItem", {"TableName": TABLE, "Key": key}),
        ("BatchGetItem", {"RequestItems": {TABLE: {"Keys": [key, {"youtube_id": {"S": "vid00000404"}}]}}}),
        ("GetItem", {"TableName": PREFIX + "nope", "Key": key}),
        ("Query", {"TableName": TABLE, "KeyConditionExpression": "nope = :x"}),
        ("DescribeTable", {"TableName": TABLE}),
    ]
    for operation, request in requests:
        answers = []
        for directly in (False, True):
            body = json.dumps(request, default=lambda blob: base64.b64encode(blob).decode()).encode()
            environ = dynamo_calls.request_environ("localhost", f"DynamoDB_20120810.{operation}", body)
            if directly:
                environ[dynamo_calls.IN_PROCESS] = True
            status, headers, body = dynamo_calls.call(run.server.moto_app, environ)
            kept = {name.lower(): value for name, value in headers if name.lower() not in ("x-amzn-requestid", "date")}
            kept.pop("access-control-allow-origin", None)  # Flask-CORS's, which the gate removes
            answers.append((status, kept, json.loads(body)))
        assert answers[0] == answers[1], operation
    assert answers[0][0] == 200 and answers[0][2]["Table"]["TableName"] == TABLE
    assert len(direct) == len(requests)  # each once, the second time: past moto's app
