"""infra/deploy.py against moto: the artifacts bucket, content-addressed uploads, and the change-set deploy."""

import json

import boto3
from moto import mock_aws

from infra import deploy, moto_cloudformation
from tests.conftest import ROOT, wipe_moto


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
