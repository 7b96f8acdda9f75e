"""The templates to deploy before a new one, where CloudFormation refuses to change a table's indexes in one update.

CloudFormation changes only an index's ProvisionedThroughput and ContributorInsightsSpecification in place ("Cannot
update GSI's properties other than Provisioned Throughput and Contributor Insights Specification"), and creates or
deletes at most one index of a table in an update ("Cannot perform more than one GSI creation or deletion in a
single update"). `plan(deployed, target)` gives the templates to deploy in order before `target` so that every
update, the last one to `target` included, makes at most one creation or deletion per table (tables change side
by side in a step), an index changed otherwise being deleted then created.

The order keeps reads working. Creations come first, on the deployed template (its code and parameters as they are):
the code running reads none of the new indexes, and the new code goes live only once all of them exist. Deletions
of indexes the new template has not come last, on the new template: only the old code read them. An index kept
under its name with a new key or projection is the one window: it is gone while it is rebuilt (README "Deploy").
"""

import copy
import json
from typing import NamedTuple

TABLE = "AWS::DynamoDB::Table"
IN_PLACE = ("ProvisionedThroughput", "ContributorInsightsSpecification")  # what an update may change of an index
MAX_INDEXES = 20  # DynamoDB's limit of global secondary indexes per table


class UnplannableChange(ValueError):
    """A change no order of updates makes: the template itself must change."""


class IndexChange(NamedTuple):
    table: str  # the table's logical id
    action: str  # "create" or "delete"
    index: str

    def __str__(self) -> str:
        return f"{self.table}: {self.action} {self.index}"


class Step(NamedTuple):
    template: dict
    # Built on the deployed template, its code and parameters kept (else on the new template, with the new ones).
    on_deployed: bool
    changes: tuple[IndexChange, ...]  # what this step creates and deletes


def indexes(properties: dict) -> dict[str, dict]:
    return {index["IndexName"]: index for index in properties.get("GlobalSecondaryIndexes", [])}


def _shape(index: dict) -> str:
    """What of an index CloudFormation cannot change in place."""
    return json.dumps({key: value for key, value in index.items() if key not in IN_PLACE}, sort_keys=True)


class _TablePlan(NamedTuple):
    table: str
    early: list[tuple[str, str]]  # (action, index) on the deployed template: creations, rebuilds
    removed: list[str]  # indexes the target has not, deleted on the target template
    deployed: dict  # the table's properties in each template
    target: dict


def _table_plan(table: str, deployed: dict, target: dict) -> _TablePlan:
    for key in ("KeySchema", "LocalSecondaryIndexes"):
        if deployed.get(key) != target.get(key) and deployed.get("TableName") == target.get("TableName"):
            raise UnplannableChange(
                f"{table}: a new {key} replaces the table, which CloudFormation refuses under the same TableName"
            )
    types = {}
    for definition in deployed.get("AttributeDefinitions", []) + target.get("AttributeDefinitions", []):
        kind = types.setdefault(definition["AttributeName"], definition["AttributeType"])
        if kind != definition["AttributeType"]:
            raise UnplannableChange(f"{table}: attribute {definition['AttributeName']} changes type")
    old, new = indexes(deployed), indexes(target)
    rebuilt = [name for name in new if name in old and _shape(old[name]) != _shape(new[name])]
    early = [("create", name) for name in new if name not in old]
    early += [(action, name) for name in rebuilt for action in ("delete", "create")]
    return _TablePlan(table, early, [name for name in old if name not in new], deployed, target)


def _with_indexes(plan: _TablePlan, kept: list[dict], on_deployed: bool) -> dict:
    """The table's properties (of the deployed or the target template) holding the indexes `kept`, and the
    attribute definitions their keys need."""
    if len(kept) > MAX_INDEXES:
        raise UnplannableChange(f"{plan.table}: a step would hold {len(kept)} indexes, past DynamoDB's {MAX_INDEXES}")
    sources = (plan.deployed, plan.target) if on_deployed else (plan.target, plan.deployed)
    table = copy.deepcopy(sources[0])
    table.pop("GlobalSecondaryIndexes", None)
    if kept:
        table["GlobalSecondaryIndexes"] = copy.deepcopy(kept)
    keys = [*table.get("KeySchema", [])]
    for index in [*kept, *table.get("LocalSecondaryIndexes", [])]:
        keys += index["KeySchema"]
    used = {key["AttributeName"] for key in keys}
    definitions: dict[str, dict] = {}
    for source in sources:
        for definition in source.get("AttributeDefinitions", []):
            if definition["AttributeName"] in used:
                definitions.setdefault(definition["AttributeName"], definition)
    table["AttributeDefinitions"] = [definitions[name] for name in sorted(definitions)]  # as infra/resources.yaml
    return table


def _early_state(plan: _TablePlan, done: int) -> list[dict]:
    """The table's indexes once the first `done` early actions are made."""
    state = dict(indexes(plan.deployed))
    new = indexes(plan.target)
    for action, name in plan.early[:done]:
        if action == "delete":
            del state[name]
        else:
            state[name] = new[name]
    return list(state.values())


def plan(deployed: dict, target: dict) -> list[Step]:
    """The templates to deploy, in order, before `target` over a stack made from `deployed`; none where `target`
    can be deployed at once. Raises UnplannableChange where no order of updates gets there."""
    old, new = deployed.get("Resources", {}), target.get("Resources", {})
    plans = [
        _table_plan(name, old[name]["Properties"], new[name]["Properties"])
        for name, resource in new.items()
        if resource["Type"] == TABLE and old.get(name, {}).get("Type") == TABLE
    ]
    steps = []
    for number in range(1, max((len(plan.early) for plan in plans), default=0) + 1):
        template = copy.deepcopy(deployed)
        changes = []
        for table in (plan for plan in plans if plan.early):
            kept = _early_state(table, min(number, len(table.early)))
            template["Resources"][table.table]["Properties"] = _with_indexes(table, kept, on_deployed=True)
            if number <= len(table.early):
                changes.append(IndexChange(table.table, *table.early[number - 1]))
        steps.append(Step(template, True, tuple(changes)))
    # Each update deletes one index the target has not; the target's own update deletes the last.
    for number in range(1, max((len(plan.removed) for plan in plans), default=0)):
        template = copy.deepcopy(target)
        changes = []
        for table in (plan for plan in plans if len(plan.removed) >= number):
            leftover = [indexes(table.deployed)[name] for name in table.removed[number:]]
            kept = list(indexes(table.target).values()) + leftover
            template["Resources"][table.table]["Properties"] = _with_indexes(table, kept, on_deployed=False)
            changes.append(IndexChange(table.table, "delete", table.removed[number - 1]))
        steps.append(Step(template, False, tuple(changes)))
    return steps
