"""The cloud template's cost controls: the HTTP API front door (infra/http_api.yaml, merged by infra/merge.py) or
the REST API, the media distribution over the private bucket, the budget."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.merge import PUBLIC_ROUTES, MergeError, load_resources, merge
from tests.conftest import ROOT
from tests.test_merge import CONFIG, chalice_template

CONFIG_DIR = ROOT / ".chalice"
BIN = Path(sys.executable).parent


def with_rest_api() -> dict:
    """tests/test_merge.py's template with the REST API parts `chalice package` writes."""
    template = chalice_template()
    template["Resources"]["RestAPI"] = {
        "Type": "AWS::Serverless::Api",
        "Properties": {"EndpointConfiguration": "REGIONAL", "StageName": "api", "DefinitionBody": {"paths": {}}},
    }
    template["Resources"]["APIHandlerInvokePermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": {"Ref": "APIHandler"},
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {
                "Fn::Sub": [
                    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPIId}/*",
                    {"RestAPIId": {"Ref": "RestAPI"}},
                ]
            },
        },
    }
    template["Outputs"].update(
        RestAPIId={"Value": {"Ref": "RestAPI"}},
        EndpointURL={"Value": {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/"}},
    )
    return template


def merged(front_door: str = "http", config: dict = CONFIG) -> dict:
    return merge(with_rest_api(), load_resources(), config, "dev", "s3://bucket/layer.zip", front_door)


def of_type(template: dict, kind: str) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_the_http_api_replaces_the_rest_api_at_the_root_of_its_host():
    template = merged()
    assert "RestAPI" not in template["Resources"] and "RestAPIId" not in template["Outputs"]
    assert not of_type(template, "AWS::ApiGateway::GatewayResponse")
    (integration,) = of_type(template, "AWS::ApiGatewayV2::Integration").values()
    assert integration["Properties"]["PayloadFormatVersion"] == "1.0"  # the REST event shape Chalice reads
    assert integration["Properties"]["IntegrationUri"] == {"Fn::GetAtt": ["APIHandler", "Arn"]}
    routes = of_type(template, "AWS::ApiGatewayV2::Route")
    assert [r["Properties"]["RouteKey"] for r in routes.values()] == ["$default"]  # the app routes itself
    (stage,) = of_type(template, "AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["StageName"] == "$default"  # no /api prefix before /api/v1/...
    assert stage["Properties"]["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
    }
    assert "RouteSettings" not in stage["Properties"]  # closed: the Invidious routes need credentials
    assert template["Outputs"]["EndpointURL"]["Value"]["Fn::Sub"].endswith(".${AWS::URLSuffix}/")
    source = template["Resources"]["APIHandlerInvokePermission"]["Properties"]["SourceArn"]["Fn::Sub"]
    assert source.endswith(":${HttpApi}/*")


def test_open_public_invidious_routes_are_throttled_harder():
    config = json.loads(json.dumps(CONFIG))
    config["stages"]["dev"]["environment_variables"]["PUBLIC_INVIDIOUS"] = "true"
    template = merged(config=config)
    keys = {r["Properties"]["RouteKey"]: k for k, r in of_type(template, "AWS::ApiGatewayV2::Route").items()}
    assert set(keys) == {"$default", *PUBLIC_ROUTES, "ANY /api/v1/auth/{proxy+}"}
    (stage,) = of_type(template, "AWS::ApiGatewayV2::Stage").values()
    strict = {"ThrottlingRateLimit": {"Ref": "PublicRateLimit"}, "ThrottlingBurstLimit": {"Ref": "PublicBurstLimit"}}
    assert stage["Properties"]["RouteSettings"] == {key: strict for key in PUBLIC_ROUTES}
    assert set(stage["DependsOn"]) == {keys[key] for key in keys if key != "$default"}
    parameters = template["Parameters"]
    assert int(parameters["PublicRateLimit"]["Default"]) < int(parameters["ApiRateLimit"]["Default"])


def test_the_rest_api_stays_an_option():
    template = merged("rest")
    assert "RestAPI" in template["Resources"] and not of_type(template, "AWS::ApiGatewayV2::Api")
    assert of_type(template, "AWS::ApiGateway::GatewayResponse")
    with pytest.raises(MergeError):
        merged("websocket")


def test_the_custom_domain_is_optional():
    template = merged()
    for name in ("HttpApiDomain", "HttpApiDomainMapping"):
        assert template["Resources"][name]["Condition"] == "HasApiDomain"
    assert template["Conditions"]["HasApiDomain"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiDomainName"}, ""]}]}


def test_media_goes_through_cloudfront_from_a_private_bucket():
    template = merged()
    resources = template["Resources"]
    assert "Condition" not in resources["MediaDistribution"]  # the package is for a cloud stage: always there
    assert "Condition" not in template["Outputs"]["MediaDomain"]
    distribution = resources["MediaDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = distribution["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["MediaBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MediaOriginAccessControl", "Id"]}
    behavior = distribution["DefaultCacheBehavior"]
    assert behavior["TrustedKeyGroups"] == [{"Ref": "MediaKeyGroup"}]  # signed URLs only
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert resources["MediaKeyGroup"]["Properties"]["KeyGroupConfig"]["Items"] == [
        {"Ref": "MediaKeyA"},
        {"Ref": "MediaKeyB"},
    ]
    assert resources["MediaKeyA"]["Properties"]["PublicKeyConfig"]["EncodedKey"] == {"Ref": "MediaPublicKeyA"}
    cors = resources["MediaResponseHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["CorsConfig"]
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "MediaResponseHeaders"}
    assert {"Content-Range", "Accept-Ranges", "Content-Length"} <= set(cors["AccessControlExposeHeaders"]["Items"])
    assert cors["AccessControlAllowOrigins"]["Items"] == ["*"]
    block = resources["MediaBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())
    statements = resources["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    condition, grant, absent = statements[1]["Fn::If"]
    assert condition == "IsCloud" and absent == {"Ref": "AWS::NoValue"}
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"} and grant["Action"] == "s3:GetObject"
    assert [r["Fn::Sub"] for r in grant["Resource"]] == ["${MediaBucket.Arn}/media/*", "${MediaBucket.Arn}/cache/*"]
    assert "${MediaDistribution}" in grant["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_deployed_api_functions_sign_for_the_distribution(stage):
    variables = CONFIG["stages"][stage]["lambda_functions"]["api_handler"]["environment_variables"]
    assert variables["MEDIA_DELIVERY"] == "cloudfront"
    assert variables["MEDIA_DOMAIN"] == "${MediaDistribution.DomainName}"
    assert variables["MEDIA_KEY_IDS"] == "${MediaKeyA},${MediaKeyB}"
    policy = json.loads((CONFIG_DIR / "policy-api.json").read_text())
    (reads,) = [s for s in policy["Statement"] if s["Sid"] == "ReadSecrets"]
    assert any(r.endswith(":secret:ytarchive-${Stage}-media-key-*") for r in reads["Resource"])


def test_the_budget_writes_to_the_alarm_email_when_both_are_set():
    resources = load_resources()
    budget = resources["Resources"]["MonthlyBudget"]
    assert budget["Condition"] == "HasBudget"
    assert budget["Properties"]["Budget"]["BudgetLimit"] == {"Amount": {"Ref": "BudgetUsd"}, "Unit": "USD"}
    (email,) = {
        s["Address"]["Ref"] for n in budget["Properties"]["NotificationsWithSubscribers"] for s in n["Subscribers"]
    }
    assert email == "AlarmEmail"
    assert resources["Conditions"]["HasBudget"] == {
        "Fn::And": [{"Condition": "HasAlarmEmail"}, {"Fn::Not": [{"Fn::Equals": [{"Ref": "BudgetUsd"}, "0"]}]}]
    }


@pytest.mark.parametrize("front_door", ["http", "rest"])
def test_the_merged_template_lints(front_door, tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps(merged(front_door)))
    # E3003 / E3510: the stand-in Chalice role of tests/test_merge.py has no trust policy and a resource "x"
    ignored = ["--ignore-checks", "E3003", "E3510"]
    lint = subprocess.run(
        [str(BIN / "cfn-lint"), *ignored, "--", str(path)], capture_output=True, text=True, timeout=300
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_layer_and_the_download_task_run_on_the_functions_architecture():
    assert CONFIG["lambda_architecture"] == "arm64"  # ffmpeg and deno have aarch64 wheels (layers/requirements.txt)
    template = merged()
    assert template["Resources"]["MediaToolsLayer"]["Properties"]["CompatibleArchitectures"] == ["arm64"]
    platform = template["Resources"]["DownloadTaskDefinition"]["Properties"]["RuntimePlatform"]
    assert platform["CpuArchitecture"] == "ARM64"
