"""infra/deploy.py against moto: the artifacts bucket, content-addressed uploads, the change-set deploy, and an old
stack's update in the steps infra/deploy_steps.py plans, over a CloudFormation that refuses what AWS refuses."""

import json
import subprocess

import boto3
import pytest
import yaml
from moto import mock_aws

from infra import deploy, deploy_steps, moto_cloudformation
from infra.merge import CloudFormationLoader, load_resources
from tests import fake_cloudformation
from tests.conftest import ROOT, needs_history, wipe_moto


def test_artifacts_are_uploaded_once_and_the_template_points_at_them(tmp_path):
    (tmp_path / "deployment.zip").write_bytes(b"code")
    (tmp_path / "layer.zip").write_bytes(b"layer")
    template = {
        "Resources": {
            "Api": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "deployment.zip"}},
            "Layer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "layer.zip"}},
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "t"}},
        }
    }
    with mock_aws():
        s3 = boto3.client("s3")
        bucket = deploy.artifacts_bucket(s3, "123456789012", "us-east-1")
        assert deploy.artifacts_bucket(s3, "123456789012", "us-east-1") == bucket  # found, not made again
        assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"]
        uploaded = deploy.upload_artifacts(s3, bucket, template, tmp_path)
        code = uploaded["Resources"]["Api"]["Properties"]["CodeUri"]
        layer = uploaded["Resources"]["Layer"]["Properties"]["ContentUri"]
        assert s3.get_object(Bucket=bucket, Key=code["Key"])["Body"].read() == b"code"
        assert s3.get_object(Bucket=bucket, Key=layer["Key"])["Body"].read() == b"layer"
        assert uploaded["Resources"]["Table"] == template["Resources"]["Table"]
        assert template["Resources"]["Api"]["Properties"]["CodeUri"] == "deployment.zip"  # the input is kept
        again = deploy.upload_artifacts(s3, bucket, template, tmp_path)
        assert again == uploaded
        assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 2
    wipe_moto()


def test_deploy_creates_then_updates_the_stack():
    moto_cloudformation.register()
    with mock_aws():
        s3 = boto3.client("s3")
        bucket = deploy.artifacts_bucket(s3, "123456789012", "us-east-1")
        s3.put_object(Bucket=bucket, Key="t.yaml", Body=(ROOT / "infra" / "resources.yaml").read_bytes())
        url = f"https://{bucket}.s3.amazonaws.com/t.yaml"
        cloudformation = boto3.client("cloudformation")
        parameters = {"Stage": "dev", "AlarmEmail": ""}
        deploy.deploy_stack(cloudformation, "ytarchive-dev", url, parameters)  # moto's change sets give no outputs
        tables = boto3.client("dynamodb").list_tables()["TableNames"]
        assert tables and all(name.startswith("ytarchive-dev-") for name in tables)
        (stack,) = cloudformation.describe_stacks(StackName="ytarchive-dev")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE", json.dumps(stack, default=str)
        deploy.deploy_stack(cloudformation, "ytarchive-dev", url, parameters)  # the stack exists: an update
        (stack,) = cloudformation.describe_stacks(StackName="ytarchive-dev")["Stacks"]
        assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), json.dumps(stack, default=str)
    wipe_moto()


# 1 December's template, before the counters' three ranked indexes became one by_board: from it, the current one
# creates nine indexes on six tables (two on the queue), rebuilds the queue's by_status with channel_id projected,
# deletes three of the counters' and adds a table: six steps, then the current template.
OLD_TEMPLATE = "4e14deb"
STACK = "ytarchive-dev"
PARAMETERS: dict[str, str | None] = {"Stage": "dev", "AlarmEmail": ""}


def _old_template() -> dict:
    shown = ["git", "show", f"{OLD_TEMPLATE}:infra/resources.yaml"]
    body = subprocess.run(shown, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return yaml.load(body, Loader=CloudFormationLoader)


def _publisher(s3, bucket: str, published: list[str]):
    def publish(template: dict, label: str) -> str:
        published.append(label)
        s3.put_object(Bucket=bucket, Key=f"{label}.json", Body=json.dumps(template).encode())
        return f"https://{bucket}.s3.amazonaws.com/{label}.json"

    return publish


def _tables_indexes(dynamodb) -> dict[str, dict]:
    """Each table's indexes as DynamoDB describes them: key schema and projection by name."""
    described = {}
    for name in dynamodb.list_tables()["TableNames"]:
        table = dynamodb.describe_table(TableName=name)["Table"]
        indexes = table.get("GlobalSecondaryIndexes", [])
        described[name] = {index["IndexName"]: (index["KeySchema"], index["Projection"]) for index in indexes}
    return described


def _template_indexes(template: dict) -> dict[str, dict]:
    tables = [resource["Properties"] for resource in template["Resources"].values()]
    return {
        table["TableName"]["Fn::Sub"].replace("${Stage}", "dev"): {
            index["IndexName"]: (index["KeySchema"], index["Projection"])
            for index in table.get("GlobalSecondaryIndexes", [])
        }
        for table in tables
        if "AttributeDefinitions" in table
    }


@needs_history
def test_an_old_stack_is_updated_in_steps_aws_accepts(monkeypatch):
    fake_cloudformation.install(monkeypatch)
    moto_cloudformation.register()
    current = load_resources()
    with mock_aws():
        s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
        cloudformation = boto3.client("cloudformation")
        bucket = deploy.artifacts_bucket(s3, "123456789012", "us-east-1")
        published: list[str] = []
        publish = _publisher(s3, bucket, published)
        deploy.deploy_stack(cloudformation, STACK, publish(_old_template(), "old"), PARAMETERS)
        queue = "ytarchive-dev-queue"
        item = {"youtube_id": {"S": "v1"}, "status": {"S": "pending"}, "order_key": {"S": "1"}}
        dynamodb.put_item(
            TableName=queue, Item={**item, "channel_id": {"S": "UC1"}, "error_status": {"S": "pending#ok"}}
        )
        deploy.deploy_in_steps(cloudformation, dynamodb, STACK, current, PARAMETERS, publish, delay=0)
        assert published == ["old", *(f"step-{n}" for n in range(1, 7)), "final"]
        assert _tables_indexes(dynamodb) == _template_indexes(current)
        (stack,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
        assert stack["StackStatus"] == "UPDATE_COMPLETE"
        answer = dynamodb.query(
            TableName=queue,
            IndexName="by_error_status",
            KeyConditionExpression="error_status = :s",
            ExpressionAttributeValues={":s": {"S": "pending#ok"}},
        )
        assert [row["youtube_id"]["S"] for row in answer["Items"]] == ["v1"]  # the data kept, the new index on it
        # deployed again: nothing left to step through
        deploy.deploy_in_steps(cloudformation, dynamodb, STACK, current, PARAMETERS, publish, delay=0)
        assert published[-1] == "final" and published[-2] == "final"
    wipe_moto()


@needs_history
def test_the_same_deploy_fails_without_the_steps(monkeypatch):
    fake_cloudformation.install(monkeypatch)
    moto_cloudformation.register()
    with mock_aws():
        s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
        cloudformation = boto3.client("cloudformation")
        publish = _publisher(s3, deploy.artifacts_bucket(s3, "123456789012", "us-east-1"), [])
        deploy.deploy_stack(cloudformation, STACK, publish(_old_template(), "old"), PARAMETERS)
        before = _tables_indexes(dynamodb)
        with pytest.raises(RuntimeError, match="more than one GSI creation or deletion in a single update"):
            deploy.deploy_stack(cloudformation, STACK, publish(load_resources(), "final"), PARAMETERS)
        (stack,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
        assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
        assert _tables_indexes(dynamodb) == before
    wipe_moto()


class _FillingTable:
    """DynamoDB's answers while a step's index fills: the deleted one still DELETING, the new one CREATING."""

    def __init__(self, answers: list[dict[str, str]]):
        self.answers = answers
        self.calls = 0

    def describe_table(self, TableName):
        states = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        indexes = [{"IndexName": name, "IndexStatus": state} for name, state in states.items()]
        return {"Table": {"TableName": TableName, "TableStatus": "ACTIVE", "GlobalSecondaryIndexes": indexes}}

    def describe_stack_resource(self, StackName, LogicalResourceId):
        return {"StackResourceDetail": {"PhysicalResourceId": f"{StackName}-{LogicalResourceId}"}}


def test_a_step_is_done_once_its_indexes_are_active_and_the_deleted_one_gone():
    properties = {"GlobalSecondaryIndexes": [{"IndexName": "by_status"}, {"IndexName": "by_type"}]}
    template = {"Resources": {"Queue": {"Type": "AWS::DynamoDB::Table", "Properties": properties}}}
    step = deploy_steps.Step(template, True, (deploy_steps.IndexChange("Queue", "create", "by_type"),))
    table = _FillingTable(
        [
            {"by_status": "ACTIVE", "by_type": "CREATING", "by_old": "DELETING"},
            {"by_status": "ACTIVE", "by_type": "CREATING"},
            {"by_status": "ACTIVE", "by_type": "ACTIVE"},
        ]
    )
    deploy.wait_for_indexes(table, table, "stack", step, delay=0)
    assert table.calls == 3
