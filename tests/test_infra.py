"""infra/resources.yaml: valid CloudFormation, in step with functions/storage/models.py, and creatable in moto."""

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from pynamodb.models import Model

from functions.core.settings import get_settings
from functions.storage import hmac_key, models
from functions.storage.models import ALL_MODELS
from infra.merge import load_resources

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "resources.yaml"
BIN = Path(sys.executable).parent
PREFIX = "ytarchive-${Stage}-"


@pytest.fixture(scope="module")
def template() -> dict:
    return load_resources()


def _table_name(model) -> str:
    """The model's table name without the stage prefix."""
    prefix = get_settings().table_prefix
    assert model.Meta.table_name.startswith(prefix), (model.__name__, model.Meta.table_name, prefix)
    return model.Meta.table_name[len(prefix) :]


def _hash_first(key_schema: list) -> list:
    return sorted(key_schema, key=lambda key: key["KeyType"])  # HASH before RANGE, as DynamoDB requires


def _keys(key_schema: list) -> list:
    return [(key["AttributeName"], key["KeyType"]) for key in key_schema]


def _projection(projection: dict) -> tuple:
    return projection["ProjectionType"], sorted(projection.get("NonKeyAttributes", []))


def model_shape(model) -> dict:
    """Keys, attribute definitions and indexes of a model, from pynamodb's own schema."""
    schema = model._get_schema()

    def indexes(kind):
        return {
            index["index_name"]: (_keys(_hash_first(index["key_schema"])), _projection(index["projection"]))
            for index in schema.get(kind, [])
        }

    return {
        "keys": _keys(_hash_first(schema["key_schema"])),
        "attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]),
        "global_indexes": indexes("global_secondary_indexes"),
        "local_indexes": indexes("local_secondary_indexes"),
    }


def table_shape(table: dict) -> dict:
    """The same, from a template's table Properties or a DescribeTable answer (they share the key names)."""

    def indexes(kind):
        return {
            index["IndexName"]: (_keys(index["KeySchema"]), _projection(index["Projection"]))
            for index in table.get(kind) or []
        }

    return {
        "keys": _keys(table["KeySchema"]),
        "attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]),
        "global_indexes": indexes("GlobalSecondaryIndexes"),
        "local_indexes": indexes("LocalSecondaryIndexes"),
    }


def template_tables(template: dict) -> dict:
    """Table name without the prefix -> Properties, for every table of the template."""
    tables = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        table_name = resource["Properties"]["TableName"]
        assert isinstance(table_name, dict) and set(table_name) == {"Fn::Sub"}, (logical_id, table_name)
        assert table_name["Fn::Sub"].startswith(PREFIX), f"{logical_id}: TableName must start with {PREFIX}"
        name = table_name["Fn::Sub"][len(PREFIX) :]
        assert name not in tables, f"two tables named {name}"
        tables[name] = resource["Properties"]
    return tables


def test_template_passes_cfn_lint():
    result = subprocess.run([str(BIN / "cfn-lint"), str(TEMPLATE)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"cfn-lint {TEMPLATE.relative_to(ROOT)}:\n{result.stdout}\n{result.stderr}"


def test_all_models_lists_every_model():
    declared = {
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, Model) and value not in (Model, models.Model)
    }
    assert declared == set(ALL_MODELS)
    assert len({model.Meta.table_name for model in ALL_MODELS}) == len(ALL_MODELS)


def test_template_tables_match_models(template):
    tables = template_tables(template)
    by_name = {_table_name(model): model for model in ALL_MODELS}
    assert not set(tables) - set(by_name), f"tables without a model: {sorted(set(tables) - set(by_name))}"
    assert not set(by_name) - set(tables), f"models without a table: {sorted(set(by_name) - set(tables))}"
    for name, model in by_name.items():
        properties = tables[name]
        assert table_shape(properties) == model_shape(model), f"table {name} differs from {model.__name__}"
        assert properties.get("BillingMode") == model.Meta.billing_mode, name
        ttl = model._ttl_attribute()
        if ttl is None:
            assert "TimeToLiveSpecification" not in properties, f"{name} has a TTL its model does not declare"
        else:
            assert properties.get("TimeToLiveSpecification") == {"AttributeName": ttl.attr_name, "Enabled": True}, name


def test_stack_creates_the_models_tables_and_the_queues(aws):
    settings = get_settings()
    assert aws["TablePrefix"] == settings.table_prefix

    dynamodb = boto3.client("dynamodb")
    table_names = set(dynamodb.list_tables()["TableNames"])
    assert table_names == {model.Meta.table_name for model in ALL_MODELS}
    for model in ALL_MODELS:
        table = dynamodb.describe_table(TableName=model.Meta.table_name)["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table_shape(table) == model_shape(model), f"created table {table['TableName']} differs from its model"

    sqs = boto3.client("sqs")
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=aws["DownloadDeadLetterQueueUrl"], AttributeNames=["QueueArn"])
    queue = sqs.get_queue_attributes(QueueUrl=aws["DownloadQueueUrl"], AttributeNames=["RedrivePolicy", "QueueArn"])
    assert queue["Attributes"]["QueueArn"] == aws["DownloadQueueArn"]
    redrive = json.loads(queue["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dead_letter_arn["Attributes"]["QueueArn"]
    assert int(redrive["maxReceiveCount"]) == 3

    assert aws["MediaBucket"] == settings.media_bucket
    boto3.client("s3").head_bucket(Bucket=aws["MediaBucket"])


def test_api_runs_on_the_resources_the_stack_made(aws, client, admin, monkeypatch):
    """The stack made in moto's CloudFormation (as the local run makes it) is what the API reads and writes."""
    from functions.services.invidious import tokens
    from tests.factories import make_video

    listed = boto3.client("cloudformation").list_stack_resources(StackName="ytarchive")["StackResourceSummaries"]
    made = {resource["LogicalResourceId"]: resource["PhysicalResourceId"] for resource in listed}

    video = make_video(1)
    answer = client.http.get(f"/api/video/{video.youtube_id}/", headers={"Authorization": f"Token {admin.api_token}"})
    assert answer.status_code == 200 and answer.json_body["data"]["title"] == "Video 1"
    item = boto3.client("dynamodb").get_item(TableName=made["VideoTable"], Key={"youtube_id": {"S": video.youtube_id}})
    assert item["Item"]["title"] == {"S": "Video 1"}

    boto3.client("s3").put_object(Bucket=made["MediaBucket"], Key=f"media/{video.channel_id}/{video.youtube_id}.mp4")
    answer = client.http.get(
        f"/media/{video.channel_id}/{video.youtube_id}.mp4", headers={"Authorization": f"Token {admin.api_token}"}
    )
    assert answer.status_code == 302 and made["MediaBucket"] in answer.headers["Location"]

    # Invidious tokens are signed with the stack's generated secret once HMAC_SECRET_ID names it (as in the cloud).
    monkeypatch.delenv("HMAC_KEY")
    monkeypatch.setenv("HMAC_SECRET_ID", aws["HmacSecretArn"])
    monkeypatch.setattr(hmac_key, "_secret", None)
    get_settings.cache_clear()
    try:
        assert made["HmacSecret"] == aws["HmacSecretArn"]
        key = boto3.client("secretsmanager").get_secret_value(SecretId=made["HmacSecret"])["SecretString"]
        assert len(key) == 64
        token = tokens.issue(admin.user_id, admin.username, [":*"], None)
        assert token["signature"] == tokens.sign(token, key.encode())
        answer = client.http.get("/api/v1/auth/feed", headers={"Authorization": "Bearer " + json.dumps(token)})
        assert answer.status_code == 200, answer.body
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_stack_watches_the_dead_letter_queue(aws):
    alarms = boto3.client("cloudwatch").describe_alarms(AlarmNames=[aws["DownloadDeadLetterAlarmName"]])
    (alarm,) = alarms["MetricAlarms"]
    dead_letter_queue = aws["DownloadDeadLetterQueueUrl"].rsplit("/", 1)[1]
    assert alarm["Namespace"] == "AWS/SQS" and alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": dead_letter_queue}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_every_name_derives_from_the_stage(template):
    """Two stages can share an account: every named resource carries the stage, and only known stages exist."""
    stage = template["Parameters"]["Stage"]
    assert stage["AllowedValues"] == ["local", "dev", "prod"]
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert set(stage["AllowedValues"]) == set(config["stages"])
    name_properties = ("TableName", "QueueName", "Name", "AlarmName", "TopicName", "BucketName")
    for logical_id, resource in template["Resources"].items():
        names = [resource["Properties"][key] for key in name_properties if key in resource.get("Properties", {})]
        for name in names:
            assert "${Stage}" in json.dumps(name) or "Fn::If" in name, f"{logical_id}: {name} ignores the stage"
