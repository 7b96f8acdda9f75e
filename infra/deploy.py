"""Deploy a stage to the AWS account the environment names (AWS_PROFILE, AWS_REGION, credentials as boto3 finds them).

    python -m infra.deploy --stage dev [--alarm-email you@example.com]

1. builds the media tools layer (layers/build.py; reused while unchanged) and `chalice package --stage STAGE`
   under the functions' runtime Python (infra/package.py);
2. merges both with infra/resources.yaml (infra/merge.py) into build/STAGE/template.json;
3. uploads the code, the layer and the template to the artifacts bucket ytarchive-artifacts-ACCOUNT-REGION
   (made on first use: private, encrypted, objects expire after 30 days) under keys named by their content hash;
4. builds the download task's image of the same code and layer with docker and pushes it to ECR
   (infra/container.py), unless that image is there already;
5. makes the media URL signing keys on first use, or a new one with --rotate-media-key (infra/media_keys.py);
6. creates or updates the stack ytarchive-STAGE through change sets, and prints its outputs (EndpointURL): over a
   stack whose tables' indexes change in a way one update cannot make, first the templates infra/deploy_steps.py
   plans from the deployed one (GetTemplate), each waited for until the stack and the tables' indexes are ACTIVE.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import yaml
from botocore.exceptions import ClientError, WaiterError

from infra import container, deploy_steps, media_keys
from infra.merge import CloudFormationLoader
from infra.package import add_bytecode, chalice_package

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "build" / "layer"  # layers/build.py writes media-tools-ARCH.zip there
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]  # Chalice makes roles; SAM is a transform
ARTIFACT_DAYS = 30
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
STARTS = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")  # a stack's own first event of an operation
WAIT = {"Delay": 10, "MaxAttempts": 360}  # an hour: a large table's new index fills in that long


def artifacts_bucket(s3, account: str, region: str) -> str:
    name = f"ytarchive-artifacts-{account}-{region}"
    try:
        s3.head_bucket(Bucket=name)
        return name
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchBucket"):
            raise
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}],
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": ARTIFACT_DAYS}}]
        },
    )
    return name


def upload(s3, bucket: str, path: Path) -> str:
    """Upload a file once under `<sha256>/<name>`; its key."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    key = f"{digest.hexdigest()}/{path.name}"
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError:
        s3.upload_file(str(path), bucket, key)
    return key


def upload_artifacts(s3, bucket: str, template: dict, base: Path) -> dict:
    """The template with every local CodeUri / ContentUri uploaded and replaced by its S3 location."""
    uploaded = json.loads(json.dumps(template))
    for resource in uploaded["Resources"].values():
        properties = resource.get("Properties", {})
        for field in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(field), str):
                local = (base / properties[field]).resolve()
                properties[field] = {"Bucket": bucket, "Key": upload(s3, bucket, local)}
    return uploaded


def _stack_exists(cloudformation, name: str) -> bool:
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return False
        raise
    return stack["StackStatus"] != "REVIEW_IN_PROGRESS"


def deploy_stack(cloudformation, name: str, template_url: str, parameters: dict[str, str | None]) -> dict:
    """Create or update the stack through a change set; its outputs. A parameter given None keeps its value."""
    kind = "UPDATE" if _stack_exists(cloudformation, name) else "CREATE"
    change_set = cloudformation.create_change_set(
        StackName=name,
        ChangeSetName=f"deploy-{os.getpid()}-{time.monotonic_ns()}",
        ChangeSetType=kind,
        TemplateURL=template_url,
        Parameters=[
            {"ParameterKey": key, "UsePreviousValue": True}
            if value is None
            else {"ParameterKey": key, "ParameterValue": value}
            for key, value in parameters.items()
        ],
        Capabilities=CAPABILITIES,
    )
    try:
        cloudformation.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set["Id"])
    except Exception:
        described = cloudformation.describe_change_set(ChangeSetName=change_set["Id"])
        if any(reason in described.get("StatusReason", "") for reason in NO_CHANGES):
            cloudformation.delete_change_set(ChangeSetName=change_set["Id"])
            return _outputs(cloudformation, name)
        raise RuntimeError(f"change set failed: {described.get('StatusReason')}") from None
    cloudformation.execute_change_set(ChangeSetName=change_set["Id"])
    waiter = "stack_update_complete" if kind == "UPDATE" else "stack_create_complete"
    try:
        cloudformation.get_waiter(waiter).wait(StackName=name, WaiterConfig=WAIT)
    except WaiterError:
        raise RuntimeError(f"stack {name} failed: {_failure(cloudformation, name)}") from None
    return _outputs(cloudformation, name)


def _failure(cloudformation, name: str) -> str:
    """The first resource failure of the stack's last operation (events come newest first)."""
    failures = []
    for event in cloudformation.describe_stack_events(StackName=name)["StackEvents"]:
        if event["ResourceType"] == "AWS::CloudFormation::Stack" and event["ResourceStatus"] in STARTS:
            break
        if event["ResourceStatus"].endswith("_FAILED"):
            failures.append(f"{event['LogicalResourceId']}: {event.get('ResourceStatusReason')}")
    return failures[-1] if failures else "no reason given"


def deployed_template(cloudformation, name: str) -> dict:
    """The template the stack was last deployed from (boto3 gives a JSON body parsed, YAML as text)."""
    body = cloudformation.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    return body if isinstance(body, dict) else yaml.load(body, Loader=CloudFormationLoader)


def wait_for_indexes(cloudformation, dynamodb, name: str, step: deploy_steps.Step, delay: float = 10) -> None:
    """Until each table the step changed is ACTIVE with exactly the step's indexes, all ACTIVE: CloudFormation ends
    an update once a new index exists, before it has filled, and a filling index refuses reads (cloudformation-
    coverage-roadmap#1075), which the next step's code would make."""
    for table in sorted({change.table for change in step.changes}):
        resource = cloudformation.describe_stack_resource(StackName=name, LogicalResourceId=table)
        physical = resource["StackResourceDetail"]["PhysicalResourceId"]
        wanted = set(deploy_steps.indexes(step.template["Resources"][table]["Properties"]))
        for _ in range(WAIT["MaxAttempts"]):
            described = dynamodb.describe_table(TableName=physical)["Table"]
            states = {index["IndexName"]: index["IndexStatus"] for index in described.get("GlobalSecondaryIndexes", [])}
            if described["TableStatus"] == "ACTIVE" and set(states) == wanted and set(states.values()) <= {"ACTIVE"}:
                break
            time.sleep(delay)
        else:
            raise RuntimeError(f"{physical}: indexes {states} are not {sorted(wanted)} after an hour")


def deploy_in_steps(
    cloudformation,
    dynamodb,
    name: str,
    template: dict,
    parameters: dict[str, str | None],
    publish: Callable[[dict, str], str],
    delay: float = 10,
) -> dict:
    """Create or update the stack to `template`; first, over a deployed stack, the steps infra/deploy_steps.py
    plans. `publish(template, label)` uploads a template and gives its URL. The stack's outputs."""
    if _stack_exists(cloudformation, name):
        steps = deploy_steps.plan(deployed_template(cloudformation, name), template)
        for number, step in enumerate(steps, 1):
            print(f"step {number} of {len(steps)}: {'; '.join(map(str, step.changes))}", file=sys.stderr)
            kept = {key: None for key in step.template.get("Parameters", {})}  # the deployed code's parameters
            url = publish(step.template, f"step-{number}")
            deploy_stack(cloudformation, name, url, kept if step.on_deployed else parameters)
            wait_for_indexes(cloudformation, dynamodb, name, step, delay)
    return deploy_stack(cloudformation, name, publish(template, "final"), parameters)


def _outputs(cloudformation, name: str) -> dict:
    (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def package(stage: str, build: Path, front_door: str = "http") -> tuple[Path, Path]:
    """Layer (for the functions' architecture), `chalice package` and the merge; the merged template's and the
    layer's paths."""
    run = [sys.executable, str(ROOT / "layers" / "build.py"), "--out", str(LAYERS)]
    layer = subprocess.run(run, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    chalice = build / "chalice"
    packaged = chalice_package(stage, chalice)
    if packaged.returncode:
        sys.exit(f"chalice package failed:\n{packaged.stdout}\n{packaged.stderr}")
    add_bytecode(chalice / "deployment.zip")  # cold starts run bytecode instead of compiling
    template = build / "template.json"
    merge = ["-m", "infra.merge", "--stage", stage, "--chalice", str(chalice), "--layer", layer]
    merge += ["--front-door", front_door, str(template)]
    subprocess.run([sys.executable, *merge], cwd=ROOT, check=True)
    return template, Path(layer)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, choices=("dev", "prod"))
    parser.add_argument("--alarm-email", default="", help="where the alarms and the budget write (optional)")
    parser.add_argument("--budget-usd", type=float, default=0, help="e-mail when a month's AWS bill nears this")
    parser.add_argument("--rotate-media-key", action="store_true", help="a new key signs media URLs from now on")
    parser.add_argument("--front-door", choices=("http", "rest"), default="http", help="the API's gateway")
    parser.add_argument("--domain", default="", help="a host name of yours for the HTTP API (with --certificate-arn)")
    parser.add_argument("--certificate-arn", default="", help="the ACM certificate of --domain, in the region")
    args = parser.parse_args(argv)
    session = boto3.session.Session()
    if not session.region_name:
        sys.exit("deploy: no AWS region; set AWS_REGION (or AWS_DEFAULT_REGION)")
    os.environ.setdefault("AWS_DEFAULT_REGION", session.region_name)  # chalice package needs one too
    if bool(args.domain) != bool(args.certificate_arn) or (args.domain and args.front_door != "http"):
        sys.exit("deploy: --domain and --certificate-arn go together, with the http front door")
    template_path, layer = package(args.stage, ROOT / "build" / args.stage, args.front_door)

    account = session.client("sts").get_caller_identity()["Account"]
    s3 = session.client("s3")
    bucket = artifacts_bucket(s3, account, session.region_name)
    template = upload_artifacts(s3, bucket, json.loads(template_path.read_text()), template_path.parent)
    build = template_path.parent

    def publish(body: dict, label: str) -> str:
        uploaded = build / f"template.{label}.json"
        uploaded.write_text(json.dumps(body, indent=1))
        return f"https://{bucket}.s3.{session.region_name}.amazonaws.com/{upload(s3, bucket, uploaded)}"

    image = container.push(
        session.client("ecr"), args.stage, build / "chalice" / "deployment.zip", layer, build / "image"
    )
    if args.budget_usd and not args.alarm_email:
        sys.exit("deploy: --budget-usd needs --alarm-email, where the budget writes")
    secrets = session.client("secretsmanager")
    keys = media_keys.prepare(secrets, args.stage, rotate=args.rotate_media_key)
    parameters: dict[str, str | None] = {
        "AlarmEmail": args.alarm_email,
        "DownloadImage": image,
        "BudgetUsd": f"{args.budget_usd:g}",
        **media_keys.parameters(keys),
    }
    if args.domain:
        parameters.update(ApiDomainName=args.domain, ApiCertificateArn=args.certificate_arn)
    cloudformation, dynamodb = session.client("cloudformation"), session.client("dynamodb")
    outputs = deploy_in_steps(cloudformation, dynamodb, f"ytarchive-{args.stage}", template, parameters, publish)
    media_keys.activate(secrets, args.stage, keys)
    for key, value in sorted(outputs.items()):
        print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
