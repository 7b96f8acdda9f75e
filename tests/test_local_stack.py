"""The local run's stack (infra/local_stack.py) is what moto's CloudFormation makes of infra/resources.yaml, made
without importing moto's CloudFormation."""

import re
import subprocess
import sys

import boto3
from moto import mock_aws

from infra import local_stack, moto_cloudformation
from tests.conftest import ROOT

VOLATILE = {"CreatedTimestamp", "LastModifiedTimestamp", "AlarmConfigurationUpdatedTimestamp"}
VOLATILE |= {"StateUpdatedTimestamp", "StateTransitionedTimestamp", "CreationDateTime", "TableId"}
VOLATILE |= {"CreatedDate", "LastChangedDate", "SecretVersionsToStages"}


def stable(value):
    """`value` without the times and ids that differ between two creations; a secret's ARN without its suffix."""
    if isinstance(value, dict):
        return {key: stable(part) for key, part in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [stable(part) for part in value]
    if isinstance(value, str):
        return re.sub(r"(:secret:[\w-]+)-\w{6}$", r"\1", value)
    return value


def described() -> dict:
    """Every resource of the stage as the services describe it."""
    dynamodb, s3, sqs = boto3.client("dynamodb"), boto3.client("s3"), boto3.client("sqs")
    secrets, sns, cloudwatch = boto3.client("secretsmanager"), boto3.client("sns"), boto3.client("cloudwatch")
    tables = {name: dynamodb.describe_table(TableName=name)["Table"] for name in dynamodb.list_tables()["TableNames"]}
    buckets = {
        bucket["Name"]: s3.get_bucket_encryption(Bucket=bucket["Name"])["ServerSideEncryptionConfiguration"]
        for bucket in s3.list_buckets()["Buckets"]
    }
    queues = {
        url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for url in sqs.list_queues()["QueueUrls"]
    }
    listed_secrets = {
        secret["Name"]: (secret, secrets.get_secret_value(SecretId=secret["Name"])["SecretString"])
        for secret in secrets.list_secrets()["SecretList"]
    }
    secret_values = {
        name: len(value) if name.endswith("-hmac") else value for name, (_, value) in listed_secrets.items()
    }
    return stable(
        {
            "tables": tables,
            "buckets": buckets,
            "queues": queues,
            "secrets": {name: secret for name, (secret, _) in listed_secrets.items()},
            "secret values": secret_values,  # the generated one: only its length is the same
            "topics": sorted(topic["TopicArn"] for topic in sns.list_topics()["Topics"]),
            "alarms": cloudwatch.describe_alarms()["MetricAlarms"],
        }
    )


def test_the_local_stack_is_what_moto_cloudformation_makes_of_the_template():
    with mock_aws():
        moto_cloudformation.register()
        cloudformation = boto3.client("cloudformation")
        template = (ROOT / "infra" / "resources.yaml").read_text()
        parameters = [{"ParameterKey": "Stage", "ParameterValue": "local"}]
        cloudformation.create_stack(StackName="ytarchive-local-infra", TemplateBody=template, Parameters=parameters)
        (stack,) = cloudformation.describe_stacks(StackName="ytarchive-local-infra")["Stacks"]
        by_cloudformation = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
        made_by_cloudformation = described()
    with mock_aws():
        outputs = local_stack.create_stack("local")
        made_here = described()
    assert stable(outputs) == stable(by_cloudformation)
    assert made_here == made_by_cloudformation
    assert len(made_here["tables"]) > 20 and made_here["queues"] and made_here["alarms"]


def test_creating_the_local_stack_does_not_import_moto_cloudformation():
    script = (
        "import sys\n"
        "from moto import mock_aws\n"
        "from infra import local_stack\n"
        "with mock_aws():\n"
        "    assert local_stack.create_stack('local')['TablePrefix'] == 'ytarchive-local-'\n"
        "print(sorted(name for name in sys.modules if name.startswith('moto.cloudformation')))\n"
    )
    environment = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stderr
