"""infra/merge.py on templates shaped like `chalice package` output: placeholders, queues, layer, extras."""

import json

import pytest

from functions.jobs import download
from infra.merge import MergeError, load_resources, merge
from infra.package import LAMBDA_RUNTIME
from tests.conftest import ROOT

CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
QUEUE_ARN = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:"


def chalice_template(queue: str = "download", bucket: str = "${MediaBucket}", runtime: str = LAMBDA_RUNTIME) -> dict:
    """What Chalice 1.34 writes for an API and an SQS handler with the config's placeholders copied verbatim."""
    policy = {
        "Statement": [
            {"Sid": "Media", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Sid": "StartDownloadTasks", "Effect": "Allow", "Action": "ecs:RunTask", "Resource": "x"},
        ]
    }
    return {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "APIHandler": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Handler": "app.app",
                    "Runtime": runtime,
                    "Environment": {"Variables": {"MEDIA_BUCKET": bucket}},
                },
            },
            "ApiHandlerLogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${ApiHandler}"}},
            },
            "DownloadRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {"Policies": [{"PolicyName": "DownloadRolePolicy", "PolicyDocument": policy}]},
            },
            "Download": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Handler": "app.download",
                    "Runtime": runtime,
                    "Role": {"Fn::GetAtt": ["DownloadRole", "Arn"]},
                    "Layers": ["${MediaToolsLayer}"],
                    "Environment": {
                        "Variables": {
                            "QUEUE": "${DownloadQueue}",
                            "DLQ_ARN": "${DownloadQueue.Arn}",
                            "FARGATE_TASK_DEFINITION": "${DownloadTaskDefinition}",
                        }
                    },
                    "Events": {
                        "DownloadSqsEventSource": {
                            "Type": "SQS",
                            "Properties": {"Queue": {"Fn::Sub": QUEUE_ARN + queue}, "BatchSize": 1},
                        }
                    },
                },
            },
        },
        "Outputs": {"EndpointURL": {"Value": "x"}},
    }


def test_placeholders_become_intrinsics():
    merged = merge(chalice_template(), load_resources(), CONFIG, "prod", "layer.zip")
    resources = merged["Resources"]
    download = resources["Download"]["Properties"]
    assert download["Layers"] == [{"Ref": "MediaToolsLayer"}]
    assert download["Environment"]["Variables"] == {
        "QUEUE": {"Ref": "DownloadQueue"},
        "DLQ_ARN": {"Fn::GetAtt": ["DownloadQueue", "Arn"]},
        "FARGATE_TASK_DEFINITION": {"Ref": "DownloadTaskDefinition"},
    }
    assert download["Events"]["DownloadSqsEventSource"]["Properties"]["Queue"] == {
        "Fn::GetAtt": ["DownloadQueue", "Arn"]
    }
    # the download function reports failed records itself (functions/jobs/download.py)
    assert download["Events"]["DownloadSqsEventSource"]["Properties"]["FunctionResponseTypes"] == [
        "ReportBatchItemFailures"
    ]
    assert download["EphemeralStorage"] == {
        "Size": CONFIG["stages"]["prod"]["lambda_functions"]["download"]["ephemeral_storage"]
    }
    statement = resources["DownloadRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"] == {"Fn::Sub": "arn:aws:s3:::${MediaBucket}/*"}
    assert resources["APIHandler"]["Properties"]["Environment"]["Variables"]["MEDIA_BUCKET"] == {"Ref": "MediaBucket"}
    assert resources["ApiHandlerLogGroup"]["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${APIHandler}"}
    assert resources["MediaToolsLayer"]["Properties"]["ContentUri"] == "layer.zip"
    assert merged["Parameters"]["Stage"]["Default"] == "prod"
    assert merged["Parameters"]["Stage"]["AllowedValues"] == ["prod"]
    assert {"EndpointURL", "MediaBucket", "HmacSecretArn"} <= set(merged["Outputs"])


def test_unknown_names_are_refused():
    with pytest.raises(MergeError, match="NoSuchThing"):
        merge(chalice_template(bucket="${NoSuchThing}"), load_resources(), CONFIG, "dev", "layer.zip")
    with pytest.raises(MergeError, match="elsewhere"):
        merge(chalice_template(queue="elsewhere"), load_resources(), CONFIG, "dev", "layer.zip")
    with pytest.raises(MergeError, match="staging"):
        merge(chalice_template(), load_resources(), CONFIG, "staging", "layer.zip")
    with pytest.raises(MergeError, match=r"not packaged for python3\.12"):  # chalice run under the wrong Python
        merge(chalice_template(runtime="python3.11"), load_resources(), CONFIG, "dev", "layer.zip")


def test_the_download_task_gets_the_functions_policy_and_environment():
    merged = merge(chalice_template(), load_resources(), CONFIG, "dev", "layer.zip")
    resources = merged["Resources"]
    (policy,) = resources["DownloadTaskRole"]["Properties"]["Policies"]
    # the function's own statements, resolved, less starting tasks: a task never starts another
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Sid": "Media",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "arn:aws:s3:::${MediaBucket}/*"},
        }
    ]
    (container,) = resources["DownloadTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert container["Environment"] == [  # less where to start tasks: the definition would name itself
        {"Name": "DLQ_ARN", "Value": {"Fn::GetAtt": ["DownloadQueue", "Arn"]}},
        {"Name": "QUEUE", "Value": {"Ref": "DownloadQueue"}},
    ]
    rule = resources["DownloadTaskStoppedRule"]["Properties"]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["DownloadQueue", "Arn"]}
    template = rule["Targets"][0]["InputTransformer"]["InputTemplate"]
    assert json.loads(template.replace("<task>", "{}")) == {"action": download.TASK_STOPPED, "task": {}}
    assert "DownloadImage" in merged["Parameters"] and "DownloadCluster" in merged["Outputs"]


def test_every_function_logs_json_at_info():
    """Lambda's default text format leaves the root logger at WARNING, which dropped every `log.info`."""
    merged = merge(chalice_template(), load_resources(), CONFIG, "dev", "layer.zip")
    functions = {k: v for k, v in merged["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}
    assert set(functions) == {"APIHandler", "Download"}
    for function in functions.values():
        assert function["Properties"]["LoggingConfig"] == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO"}


def test_the_gateways_own_answers_carry_cors():
    """A path no route serves is API Gateway's 403: browser clients must read it, not a CORS failure."""
    template = chalice_template()
    template["Resources"]["RestAPI"] = {"Type": "AWS::Serverless::Api", "Properties": {}}
    merged = merge(template, load_resources(), CONFIG, "dev", "s3://bucket/layer.zip", front_door="rest")
    responses = {k: v for k, v in merged["Resources"].items() if v["Type"] == "AWS::ApiGateway::GatewayResponse"}
    assert {r["Properties"]["ResponseType"] for r in responses.values()} == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses.values():
        assert response["Properties"]["RestApiId"] == {"Ref": "RestAPI"}
        assert (
            response["Properties"]["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'"
        )
