""".chalice/config.json and its policy files: every function configured, least privilege, timeouts fit the queue."""

import json
import re

import pytest
from chalice.app import SQSEventConfig

from infra.merge import load_resources
from tests.conftest import ROOT

CHALICE = ROOT / ".chalice"
CONFIG = json.loads((CHALICE / "config.json").read_text())
STAGES = CONFIG["stages"]
# Tables that hold credentials: users, their API keys and web sessions, Invidious token sessions.
CREDENTIAL_TABLES = ("users", "auth_keys", "iv_sessions")
SQS_VISIBILITY_FACTOR = 6  # AWS: a queue's visibility timeout at least 6 times its consumer's timeout


def _app():
    from app import app

    return app


def _policy(stage: str, function: str) -> dict:
    name = STAGES[stage]["lambda_functions"][function]["iam_policy_file"]
    return json.loads((CHALICE / name).read_text())


def _statements(policy: dict) -> list[dict]:
    return [
        {**statement, "Action": _as_list(statement["Action"]), "Resource": _as_list(statement["Resource"])}
        for statement in policy["Statement"]
    ]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_every_event_handler_is_configured_in_every_stage():
    """Each Lambda of the app has its own memory, timeout and policy file in every stage (autogen_policy is off)."""
    assert CONFIG["autogen_policy"] is False
    handlers = ["api_handler", *(source.name for source in _app().event_sources)]
    for stage, settings in STAGES.items():
        functions = settings.get("lambda_functions", {})
        for handler in handlers:
            assert handler in functions, f"stage {stage}: no lambda_functions entry for handler {handler}"
            entry = functions[handler]
            assert {"iam_policy_file", "lambda_memory_size", "lambda_timeout"} <= set(entry), (stage, handler)
            assert (CHALICE / entry["iam_policy_file"]).is_file(), (stage, handler, entry["iam_policy_file"])


def test_policies_are_one_per_function_and_exist():
    for stage, settings in STAGES.items():
        files = [entry["iam_policy_file"] for entry in settings["lambda_functions"].values()]
        assert len(files) == len(set(files)), f"stage {stage}: two functions share a policy file"
    used = {entry["iam_policy_file"] for s in STAGES.values() for entry in s["lambda_functions"].values()}
    assert used == {path.name for path in CHALICE.glob("policy-*.json")}, "a policy file no function uses"


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_policies_grant_only_named_actions_on_this_stage(stage):
    template = load_resources()
    tables = {
        r["Properties"]["TableName"]["Fn::Sub"]
        for r in template["Resources"].values()
        if "TableName" in r.get("Properties", {})
    }
    for function in STAGES[stage]["lambda_functions"]:
        for statement in _statements(_policy(stage, function)):
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                assert "*" not in action, f"{function}: wildcard action {action}"
            for resource in statement["Resource"]:
                if statement["Action"] == ["cloudwatch:PutMetricData"]:  # has no resources: its namespace instead
                    assert statement["Condition"] == {"StringEquals": {"cloudwatch:namespace": "ytarchive"}}
                    continue
                assert resource != "*", f"{function}: {statement['Sid']} on every resource"
                table = re.search(r":table/([^/]+)", resource)
                if table and "*" not in table[1]:
                    assert table[1] in tables, f"{function}: {resource} names no table of infra/resources.yaml"
                if table:
                    assert table[1].startswith("ytarchive-${Stage}-"), f"{function}: {resource} crosses stages"


def test_api_cannot_delete_the_bucket_and_download_cannot_touch_credentials():
    for stage in STAGES:
        api = _statements(_policy(stage, "api_handler"))
        assert not [
            a for s in api for a in s["Action"] if a.startswith("s3:") and "Bucket" in a and a != "s3:ListBucket"
        ]
        download = _statements(_policy(stage, "download"))
        for statement in download:
            for resource in statement["Resource"]:
                for table in CREDENTIAL_TABLES:
                    assert not resource.endswith(f"-{table}") and f"-{table}/" not in resource, (stage, resource)
                assert not re.search(r":table/ytarchive-\$\{Stage\}-\*", resource), (
                    f"download on every table: {resource}"
                )


def test_queue_visibility_outlasts_its_consumers():
    """A message in flight is never handed to a second consumer while the first may still run."""
    queues = {
        resource["Properties"]["QueueName"]["Fn::Sub"].removeprefix("ytarchive-${Stage}-"): resource["Properties"]
        for resource in load_resources()["Resources"].values()
        if resource["Type"] == "AWS::SQS::Queue"
    }
    consumers = [(s.name, s.queue) for s in _app().event_sources if isinstance(s, SQSEventConfig)]
    consumers.append(("download", "download"))  # configured for the download queue whether or not it is registered
    for stage, settings in STAGES.items():
        for function, queue in consumers:
            timeout = settings["lambda_functions"][function]["lambda_timeout"]
            visibility = queues[queue].get("VisibilityTimeout", 30)
            assert visibility > timeout and visibility >= SQS_VISIBILITY_FACTOR * timeout, (stage, function)


def test_deployed_stages_name_the_stack_resources():
    """dev and prod read names from the stack (merged by infra/merge.py); local names what the local run creates."""
    for stage, settings in STAGES.items():
        env = settings["environment_variables"]
        assert env["APP_STAGE"] == stage and env["TABLE_PREFIX"] == f"ytarchive-{stage}-"
        if stage == "local":
            assert "${" not in json.dumps(env)
        else:
            assert env["MEDIA_BUCKET"] == "${MediaBucket}" and env["DOWNLOAD_QUEUE_URL"] == "${DownloadQueue}"
            assert env["HMAC_SECRET_ID"] == "${HmacSecret}"
            for name in ("download", "rescan", "refresh"):
                assert settings["lambda_functions"][name]["layers"] == ["${MediaToolsLayer}"], (stage, name)
