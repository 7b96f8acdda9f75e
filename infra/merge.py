"""One deployable template: the SAM template `chalice package` writes, with infra/resources.yaml merged in.

    python -m infra.merge --stage dev --chalice build/dev/chalice --layer build/layer/media-tools.zip \
        [--front-door http|rest] OUT.json

.chalice/config.json and the policy files name the stack's resources as `${Name}` (a parameter, a resource's
Ref, `${Name.Attribute}`, or a pseudo parameter like `${AWS::Region}`); Chalice copies those strings verbatim,
and this script turns them into Ref / Fn::GetAtt / Fn::Sub. It also points each SQS event source at the template's
queue of that name, adds the media tools layer (layers/build.py) as `MediaToolsLayer` and the download task of
infra/fargate.yaml (its role gets the download function's policy, its container the function's environment), sets
the stage parameter to the packaged stage only, and gives the functions the extra settings Chalice has no key for
(ephemeral storage, JSON logs at INFO). It names the schedule rules, so that the API function, which changes them
when the owner does, finds them (SCHEDULE_RULE_PREFIX + the job's handler). The API's front door is API Gateway's
HTTP API of infra/http_api.yaml by default (1.00 USD a million requests, at the root of its host name; README
"Deploy" says why) in place of Chalice's REST API (3.50 USD a million, under the `/api` stage prefix), which
`--front-door rest` keeps.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

import yaml

from functions.core.settings import DEFAULT_SCHEDULES, SCHEDULE_HANDLERS, schedule_rule_prefix
from infra.package import LAMBDA_RUNTIME

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "infra" / "resources.yaml"
FARGATE = ROOT / "infra" / "fargate.yaml"
HTTP_API = ROOT / "infra" / "http_api.yaml"
FRONT_DOORS = ("http", "rest")
# The download task runs the functions' code and layer, so it runs on their architecture (Fargate's names).
TASK_ARCHITECTURES = {"x86_64": "X86_64", "arm64": "ARM64"}
# Routes of the HTTP API that exist for their own throttling while the public Invidious API is open (the
# authenticated Invidious routes keep the stage's limits); every route reaches the same function.
PUBLIC_ROUTES = ("ANY /api/v1/{proxy+}", "ANY /vi/{proxy+}")
AUTHENTICATED_ROUTES = ("ANY /api/v1/auth/{proxy+}",)
# Statements of the download function's policy its task does not need: the task never starts another one, and
# its logs go through the execution role.
FUNCTION_ONLY = {"StartDownloadTasks", "PassDownloadTaskRoles", "OwnLogs"}
FUNCTION_ONLY_ENV = ("FARGATE_",)  # where to start tasks (and the task definition would name itself)
CONFIG = ROOT / ".chalice" / "config.json"
LAYER = "MediaToolsLayer"
PLACEHOLDER = re.compile(r"\$\{([^}!]+)\}")
EXACT_PLACEHOLDER = re.compile(r"^\$\{([A-Za-z0-9:.]+)\}$")
CHALICE_QUEUE_ARN = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:"


class CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation YAML, turning short-form intrinsics (!Sub, !Ref, !GetAtt ...) into their long forms."""


def _intrinsic(loader, suffix, node):
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_resources(path: Path = RESOURCES) -> dict:
    return yaml.load(path.read_text(), Loader=CloudFormationLoader)  # a SafeLoader subclass


class MergeError(ValueError):
    pass


def resolve(value, known: set[str]):
    """`value` with every string naming `${...}` turned into an intrinsic; what Fn::Sub already holds is kept."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            return value
        return {key: resolve(item, known) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, known) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    for name in PLACEHOLDER.findall(value):
        if name.split(".")[0] not in known and not name.startswith("AWS::"):
            raise MergeError(f"{value!r} names {name}, which the template does not define")
    exact = EXACT_PLACEHOLDER.match(value)
    if exact and not exact[1].startswith("AWS::"):
        logical, _, attribute = exact[1].partition(".")
        return {"Fn::GetAtt": [logical, attribute]} if attribute else {"Ref": logical}
    return {"Fn::Sub": value}


def _queue_names(resources: dict, stage: str) -> dict[str, str]:
    """Queue name as a handler writes it (without the stage prefix) -> logical id of the template's queue."""
    names = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::SQS::Queue":
            name = resource["Properties"]["QueueName"]["Fn::Sub"].replace("${Stage}", stage)
            names[name.removeprefix(f"ytarchive-{stage}-")] = logical_id
    return names


def _point_queues_at_template(functions: dict, queues: dict[str, str]) -> None:
    for logical_id, function in functions.items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            arn = event["Properties"]["Queue"]
            name = arn["Fn::Sub"].removeprefix(CHALICE_QUEUE_ARN) if isinstance(arn, dict) else arn
            if name not in queues:
                raise MergeError(f"{logical_id} consumes queue {name!r}; the template has {sorted(queues)}")
            event["Properties"]["Queue"] = {"Fn::GetAtt": [queues[name], "Arn"]}
            # Handlers answer which records failed (batchItemFailures); Chalice has no setting for it.
            event["Properties"]["FunctionResponseTypes"] = ["ReportBatchItemFailures"]


def _function_extras(functions: dict, config: dict, stage: str) -> None:
    """Settings of .chalice/config.json Chalice has no key for: ephemeral_storage (MB of /tmp)."""
    # app.<name> for the app's own handlers, <module>.<name> for a blueprint's (the jobs: functions/jobs/triggers.py)
    by_handler = {function["Properties"]["Handler"].rpartition(".")[2]: function for function in functions.values()}
    by_handler["api_handler"] = by_handler.pop("app", None)
    for name, settings in config["stages"][stage].get("lambda_functions", {}).items():
        function = by_handler.get(name)
        if function is not None and "ephemeral_storage" in settings:
            function["Properties"]["EphemeralStorage"] = {"Size": settings["ephemeral_storage"]}


def _schedule_rules(functions: dict, stage: str) -> None:
    """Each schedule's rule named after its job (the API's policy names the same rules), disabled when the
    schedule starts off (settings.DEFAULT_SCHEDULES: the owner turns it on), the prefix in the API function's
    environment (functions.services.schedules)."""
    prefix = schedule_rule_prefix(stage)
    starts_off = {SCHEDULE_HANDLERS[name] for name, schedule in DEFAULT_SCHEDULES.items() if schedule is False}
    for function in functions.values():
        properties = function["Properties"]
        handler = properties["Handler"].rpartition(".")[2]
        for event in properties.get("Events", {}).values():
            if event["Type"] != "Schedule":
                continue
            if handler not in SCHEDULE_HANDLERS.values():
                raise MergeError(f"{handler} runs on a schedule settings.SCHEDULE_HANDLERS does not name")
            event["Properties"]["Name"] = prefix + handler
            if handler in starts_off:
                event["Properties"]["State"] = "DISABLED"
        if properties["Handler"] == "app.app":
            properties.setdefault("Environment", {}).setdefault("Variables", {})["SCHEDULE_RULE_PREFIX"] = prefix


def _logging_config(functions: dict) -> None:
    """JSON log lines at INFO on every function: Lambda's default (text, the root logger at WARNING) drops every
    `log.info`. Lambda's JSON lines carry the request id; the jobs' powertools Logger reads the level it sets."""
    for function in functions.values():
        function["Properties"]["LoggingConfig"] = {"LogFormat": "JSON", "ApplicationLogLevel": "INFO"}


def _fix_log_group_names(resources: dict) -> None:
    """Chalice 1.34 names the API function APIHandler but writes its log group as /aws/lambda/${ApiHandler}."""
    by_lower = {logical_id.lower(): logical_id for logical_id in resources}
    for resource in resources.values():
        if resource["Type"] != "AWS::Logs::LogGroup":
            continue
        name = resource["Properties"]["LogGroupName"]
        function = name["Fn::Sub"].removeprefix("/aws/lambda/${").removesuffix("}")
        if function not in resources and function.lower() in by_lower:
            name["Fn::Sub"] = f"/aws/lambda/${{{by_lower[function.lower()]}}}"


# API Gateway's own answers (a path no route serves: 403 "Missing Authentication Token", throttling, timeouts)
# carry CORS headers too, so that browser clients read a status instead of a network error.
GATEWAY_CORS = {
    "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
    "gatewayresponse.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'",
}


def _gateway_responses(resources: dict) -> dict:
    """A CORS-carrying gateway response for every 4XX and 5XX of the template's REST API (Chalice's `RestAPI`)."""
    if "RestAPI" not in resources:
        return {}
    return {
        f"GatewayResponse{kind}": {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": {"Ref": "RestAPI"},
                "ResponseType": f"DEFAULT_{kind}",
                "ResponseParameters": GATEWAY_CORS,
            },
        }
        for kind in ("4XX", "5XX")
    }


def _public_invidious(config: dict, stage: str) -> bool:
    """Whether the stage opens the public Invidious API (PUBLIC_INVIDIOUS in its or its API's environment)."""
    settings = config["stages"][stage]
    api = settings.get("lambda_functions", {}).get("api_handler", {})
    variables = {**settings.get("environment_variables", {}), **api.get("environment_variables", {})}
    return str(variables.get("PUBLIC_INVIDIOUS", "false")).lower() == "true"


def _http_api(template: dict, public_invidious: bool) -> dict:
    """infra/http_api.yaml in place of Chalice's REST API: its resources, parameters and outputs to add."""
    resources, outputs = template["Resources"], template.setdefault("Outputs", {})
    resources.pop("RestAPI")
    outputs.pop("RestAPIId", None)
    permission = resources["APIHandlerInvokePermission"]["Properties"]
    permission["SourceArn"] = {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"
    }
    outputs["EndpointURL"] = {"Value": {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"}}
    http_api = load_resources(HTTP_API)
    routes = (*PUBLIC_ROUTES, *AUTHENTICATED_ROUTES) if public_invidious else ()
    for number, key in enumerate(routes, start=1):
        http_api["Resources"][f"HttpApiThrottledRoute{number}"] = {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": {"Ref": "HttpApi"},
                "RouteKey": key,
                "Target": {"Fn::Sub": "integrations/${HttpApiIntegration}"},
            },
        }
    stage = http_api["Resources"]["HttpApiStage"]
    if public_invidious:
        limits = {
            "ThrottlingRateLimit": {"Ref": "PublicRateLimit"},
            "ThrottlingBurstLimit": {"Ref": "PublicBurstLimit"},
        }
        stage["Properties"]["RouteSettings"] = {key: limits for key in PUBLIC_ROUTES}
        stage["DependsOn"] = [f"HttpApiThrottledRoute{n}" for n in range(1, len(routes) + 1)]
    return http_api


def _download_task(resources: dict, functions: dict) -> None:
    """The download task's role policy and container environment: the download function's, resolved."""
    (download,) = [f["Properties"] for f in functions.values() if f["Properties"]["Handler"].endswith(".download")]
    role = resources[download["Role"]["Fn::GetAtt"][0]]["Properties"]
    policies = json.loads(json.dumps(role["Policies"]))
    for policy in policies:
        statements = policy["PolicyDocument"]["Statement"]
        policy["PolicyDocument"]["Statement"] = [s for s in statements if s.get("Sid") not in FUNCTION_ONLY]
    resources["DownloadTaskRole"]["Properties"]["Policies"] = policies
    (container,) = resources["DownloadTaskDefinition"]["Properties"]["ContainerDefinitions"]
    variables = {k: v for k, v in download["Environment"]["Variables"].items() if not k.startswith(FUNCTION_ONLY_ENV)}
    container["Environment"] = [{"Name": name, "Value": variables[name]} for name in sorted(variables)]


def merge(
    chalice_template: dict, resources: dict, config: dict, stage: str, layer_uri: str, front_door: str = "http"
) -> dict:
    if stage not in resources["Parameters"]["Stage"]["AllowedValues"]:
        raise MergeError(f"stage {stage!r} is not one of the template's {resources['Parameters']['Stage']}")
    if front_door not in FRONT_DOORS:
        raise MergeError(f"front door {front_door!r} is not one of {FRONT_DOORS}")
    merged = json.loads(json.dumps(chalice_template))
    _fix_log_group_names(merged["Resources"])
    no_section: dict = {"Parameters": {}, "Conditions": {}, "Resources": {}, "Outputs": {}}
    http_api = no_section
    if front_door == "http" and "RestAPI" in merged["Resources"]:
        http_api = _http_api(merged, _public_invidious(config, stage))
    parameters = json.loads(json.dumps(resources["Parameters"]))
    parameters["Stage"].update(Default=stage, AllowedValues=[stage])  # this package is built for one stage
    layer = {
        "Type": "AWS::Serverless::LayerVersion",
        "Properties": {
            "LayerName": {"Fn::Sub": "ytarchive-${Stage}-media-tools"},
            "Description": "yt-dlp, yt-dlp-ejs (python/), a static ffmpeg and deno (bin/), built by layers/build.py",
            "ContentUri": layer_uri,
            "CompatibleRuntimes": [LAMBDA_RUNTIME],
            "CompatibleArchitectures": [config.get("lambda_architecture", "x86_64")],
            "RetentionPolicy": "Delete",
        },
    }
    fargate = load_resources(FARGATE)
    additions = {
        "Parameters": {**parameters, **fargate["Parameters"], **http_api["Parameters"]},
        "Conditions": {**resources.get("Conditions", {}), **http_api["Conditions"]},
        "Resources": {
            **resources["Resources"],
            **fargate["Resources"],
            LAYER: layer,
            **_gateway_responses(merged["Resources"]),
            **http_api["Resources"],
        },
        "Outputs": {**resources.get("Outputs", {}), **fargate["Outputs"], **http_api["Outputs"]},
    }
    if stage != "local":  # this package's stage is a cloud one: what only the cloud has is there unconditionally
        for section in ("Resources", "Outputs"):
            additions[section] = {
                name: {key: value for key, value in entry.items() if (key, value) != ("Condition", "IsCloud")}
                for name, entry in additions[section].items()
            }
    for section, entries in additions.items():
        target = merged.setdefault(section, {})
        clash = set(target) & set(entries)
        if clash:
            raise MergeError(f"{section} defined by both Chalice and infra/: {sorted(clash)}")
        target.update(entries)

    known = set(merged["Parameters"]) | set(merged["Resources"])
    for logical_id, resource in list(merged["Resources"].items()):
        if logical_id not in additions["Resources"]:
            merged["Resources"][logical_id] = resolve(resource, known)
    functions = {k: v for k, v in merged["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}
    wrong = sorted(k for k, v in functions.items() if v["Properties"].get("Runtime") != LAMBDA_RUNTIME)
    if wrong:  # chalice names the runtime after the Python it ran under
        raise MergeError(f"{wrong} are not packaged for {LAMBDA_RUNTIME}: package with infra/package.py")
    _point_queues_at_template(functions, _queue_names(resources["Resources"], stage))
    _function_extras(functions, config, stage)
    _schedule_rules(functions, stage)
    _logging_config(functions)
    _download_task(merged["Resources"], functions)
    task = merged["Resources"]["DownloadTaskDefinition"]["Properties"]
    task["RuntimePlatform"]["CpuArchitecture"] = TASK_ARCHITECTURES[config.get("lambda_architecture", "x86_64")]
    return merged


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--chalice", required=True, type=Path, help="the folder `chalice package` wrote")
    parser.add_argument("--layer", required=True, type=Path, help="the layer zip layers/build.py wrote")
    parser.add_argument("--front-door", choices=FRONT_DOORS, default="http", help="the API's gateway (default http)")
    parser.add_argument("out", type=Path, help="the merged template (JSON); code paths are made relative to it")
    args = parser.parse_args(argv)
    chalice_template = json.loads((args.chalice / "sam.json").read_text())
    out_dir = args.out.resolve().parent
    code = Path(os.path.relpath((args.chalice / "deployment.zip").resolve(), out_dir)).as_posix()
    for resource in chalice_template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code
    layer_uri = Path(os.path.relpath(args.layer.resolve(), out_dir)).as_posix()
    try:
        config = json.loads(CONFIG.read_text())
        merged = merge(chalice_template, load_resources(), config, args.stage, layer_uri, args.front_door)
    except MergeError as error:
        sys.exit(f"merge: {error}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=1) + "\n")


if __name__ == "__main__":
    main()
