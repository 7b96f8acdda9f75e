"""infra/deploy_steps.py: the templates deployed before a new one whose tables' indexes change more than an update
may, each update checked against AWS's rules (tests/fake_cloudformation.py), and every past template of
infra/resources.yaml planned to the current one (the CI check: a template change no steps can make fails here)."""

import itertools
import subprocess

import pytest
import yaml

from infra import deploy_steps
from infra.deploy_steps import IndexChange, UnplannableChange
from infra.merge import CloudFormationLoader, load_resources
from tests.conftest import ROOT, needs_history
from tests.fake_cloudformation import refusal


def index(name: str, hash_key: str, range_key: str = "order_key", projection: dict | None = None) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"}, {"AttributeName": range_key, "KeyType": "RANGE"}],
        "Projection": projection or {"ProjectionType": "KEYS_ONLY"},
    }


def table(name: str, *indexes: dict) -> dict:
    keys = {"id"} | {key["AttributeName"] for gsi in indexes for key in gsi["KeySchema"]}
    properties = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"} for key in sorted(keys)],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    }
    if indexes:
        properties["GlobalSecondaryIndexes"] = list(indexes)
    return {"Type": "AWS::DynamoDB::Table", "Properties": properties}


def template(code: str = "v1", **tables: dict) -> dict:
    """A stack of tables and a function whose code is `code` (which template a step is built on)."""
    function = {"Type": "AWS::Lambda::Function", "Properties": {"Code": code}}
    return {"Parameters": {"Stage": {"Type": "String"}}, "Resources": {"Api": function, **tables}}


def updates(deployed: dict, target: dict) -> list[dict]:
    """The templates deployed in order, each update checked as AWS would; the steps' templates first."""
    steps = deploy_steps.plan(deployed, target)
    deployed_in_order = [deployed, *(step.template for step in steps), target]
    for number, (before, after) in enumerate(itertools.pairwise(deployed_in_order), 1):
        refused = refusal(before, after)
        assert refused is None, f"update {number} of {len(deployed_in_order) - 1} refused: {refused}"
    return steps


def gsi_names(template: dict, name: str) -> list[str]:
    return list(deploy_steps.indexes(template["Resources"][name]["Properties"]))


BY_STATUS = index("by_status", "status")


def test_nothing_to_do_is_no_step():
    queue = table("queue", BY_STATUS)
    assert updates(template(Queue=queue), template("v2", Queue=queue)) == []


def test_one_new_index_is_made_before_the_new_code_reads_it():
    deployed = template(Queue=table("queue", BY_STATUS))
    target = template("v2", Queue=table("queue", BY_STATUS, index("by_type", "type_status")))
    (step,) = updates(deployed, target)
    assert step.on_deployed and step.template["Resources"]["Api"] == deployed["Resources"]["Api"]
    assert step.changes == (IndexChange("Queue", "create", "by_type"),)
    assert gsi_names(step.template, "Queue") == ["by_status", "by_type"]
    attributes = step.template["Resources"]["Queue"]["Properties"]["AttributeDefinitions"]
    assert {a["AttributeName"] for a in attributes} == {"id", "status", "order_key", "type_status"}


def test_three_new_indexes_of_one_table_are_three_steps():
    new = [index(f"by_{name}", name) for name in ("type", "error", "channel")]
    steps = updates(template(Queue=table("queue", BY_STATUS)), template("v2", Queue=table("queue", BY_STATUS, *new)))
    assert [step.changes for step in steps] == [(IndexChange("Queue", "create", gsi["IndexName"]),) for gsi in new]
    assert gsi_names(steps[-1].template, "Queue") == ["by_status", "by_type", "by_error", "by_channel"]
    assert all(step.on_deployed for step in steps)


def test_a_new_projection_deletes_then_creates_the_index():
    projected = index("by_status", "status", projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["c"]})
    steps = updates(template(Queue=table("queue", BY_STATUS)), template("v2", Queue=table("queue", projected)))
    assert [step.changes for step in steps] == [
        (IndexChange("Queue", "delete", "by_status"),),
        (IndexChange("Queue", "create", "by_status"),),
    ]
    assert "GlobalSecondaryIndexes" not in steps[0].template["Resources"]["Queue"]["Properties"]
    assert deploy_steps.indexes(steps[1].template["Resources"]["Queue"]["Properties"]) == {"by_status": projected}


def test_a_throughput_change_is_made_in_place():
    faster = {**BY_STATUS, "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}
    assert updates(template(Queue=table("queue", BY_STATUS)), template("v2", Queue=table("queue", faster))) == []


def test_a_renamed_index_exists_before_the_old_name_goes():
    renamed = {**BY_STATUS, "IndexName": "by_state"}
    (step,) = updates(template(Queue=table("queue", BY_STATUS)), template("v2", Queue=table("queue", renamed)))
    assert step.on_deployed and gsi_names(step.template, "Queue") == ["by_status", "by_state"]
    # the target's own update deletes by_status, once the code reading by_state is deployed with it


def test_removed_indexes_go_one_an_update_on_the_new_code():
    old = [index(f"by_{name}", name) for name in ("count", "size", "duration")]
    steps = updates(template(Counters=table("c", *old)), template("v2", Counters=table("c", index("by_board", "b"))))
    assert [step.changes for step in steps] == [
        (IndexChange("Counters", "create", "by_board"),),
        (IndexChange("Counters", "delete", "by_count"),),
        (IndexChange("Counters", "delete", "by_size"),),
    ]
    assert [step.on_deployed for step in steps] == [True, False, False]
    assert steps[1].template["Resources"]["Api"]["Properties"]["Code"] == "v2"
    assert gsi_names(steps[2].template, "Counters") == ["by_board", "by_duration"]


def test_two_tables_change_side_by_side():
    projected = index("by_status", "status", projection={"ProjectionType": "ALL"})
    deployed = template(Queue=table("queue", BY_STATUS), Videos=table("videos"), Users=table("users"))
    target = template(
        "v2",
        Queue=table("queue", projected),
        Videos=table("videos", index("by_type", "vid_type"), index("by_channel", "channel_id")),
        Users=table("users"),
    )
    steps = updates(deployed, target)
    assert [set(step.changes) for step in steps] == [
        {IndexChange("Queue", "delete", "by_status"), IndexChange("Videos", "create", "by_type")},
        {IndexChange("Queue", "create", "by_status"), IndexChange("Videos", "create", "by_channel")},
    ]
    assert all(step.template["Resources"]["Users"] == deployed["Resources"]["Users"] for step in steps)


def test_a_deploy_stopped_after_any_step_goes_on_from_there():
    """A step that failed, or a deploy interrupted, leaves the last step done deployed: planned again from it, the
    deploy makes the steps that were left."""
    ranked = [index(f"by_{name}", name) for name in ("count", "size", "duration")]
    projected = index("by_status", "status", projection={"ProjectionType": "ALL"})
    deployed = template(Queue=table("queue", BY_STATUS), Counters=table("c", *ranked))
    queue = table("queue", index("by_type", "vid_type"), projected, index("by_error", "error_status"))
    target = template("v2", Queue=queue, Counters=table("c", index("by_board", "board")))
    steps = updates(deployed, target)
    assert len(steps) == 6 and [step.on_deployed for step in steps] == [True] * 4 + [False] * 2
    for done, step in enumerate(steps, 1):
        assert deploy_steps.plan(step.template, target) == steps[done:]


def test_a_new_table_and_a_dropped_one_need_no_step():
    deployed = template(Old=table("old", BY_STATUS))
    assert updates(deployed, template("v2", New=table("new", BY_STATUS, index("by_type", "t")))) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"KeySchema": [{"AttributeName": "other", "KeyType": "HASH"}]}, "replaces the table"),
        ({"AttributeDefinitions": [{"AttributeName": "status", "AttributeType": "N"}]}, "changes type"),
    ],
)
def test_a_change_no_steps_can_make_is_refused(change, message):
    queue = table("queue", BY_STATUS)
    changed = {**queue, "Properties": {**queue["Properties"], **change}}
    with pytest.raises(UnplannableChange, match=message):
        deploy_steps.plan(template(Queue=queue), template("v2", Queue=changed))


def test_more_indexes_than_dynamodb_allows_in_a_step_are_refused():
    old = [index(f"by_old{n}", f"old{n}") for n in range(15)]
    new = [index(f"by_new{n}", f"new{n}") for n in range(6)]
    with pytest.raises(UnplannableChange, match="21 indexes"):
        deploy_steps.plan(template(T=table("t", *old)), template("v2", T=table("t", *new)))


def past_templates() -> list[tuple[str, dict]]:
    """Every committed infra/resources.yaml (a stage may have been deployed from any of them)."""
    log = ["git", "log", "--format=%h", "--", "infra/resources.yaml"]
    revisions = subprocess.run(log, cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    shown = [
        subprocess.run(["git", "show", f"{rev}:infra/resources.yaml"], cwd=ROOT, check=True, capture_output=True)
        for rev in revisions
    ]
    return [
        (rev, yaml.load(body.stdout, Loader=CloudFormationLoader)) for rev, body in zip(revisions, shown, strict=True)
    ]


@needs_history
def test_every_past_template_deploys_in_steps_to_the_current_one():
    """The CI check: a change to infra/resources.yaml that no steps make from some committed template fails here
    (with the revision and the reason), as does a plan whose updates AWS would refuse."""
    current = load_resources()
    past = past_templates()
    assert len(past) > 30, "the clone's history is missing: this check plans from every committed template"
    failures = []
    for revision, deployed in past:
        try:
            updates(deployed, current)
        except (UnplannableChange, AssertionError) as error:
            failures.append(f"from {revision}: {error}".splitlines()[0])
    assert not failures, "\n".join(failures)
