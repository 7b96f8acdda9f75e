"""CloudFormation's table updates over moto, refusing what AWS refuses.

moto 5.2 changes nothing of a table when a stack update changes its properties. `install` makes it create and
delete the indexes the new template names, as CloudFormation does, and first refuses (the update fails and rolls
back, the stack left as it was: UPDATE_ROLLBACK_COMPLETE, the reason in its events) what AWS refuses: more than one
index created or deleted in a table, an index changed in anything but its throughput or contributor insights,
attribute definitions that are not exactly the keys' attributes, and a new key schema under the same table name.
The rules are written here from AWS's messages, not taken from infra/deploy_steps.py, so they check it.
"""

import json

from moto.cloudformation.models import CloudFormationBackend, Event
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

ONE_AT_A_TIME = "Cannot perform more than one GSI creation or deletion in a single update"
NOT_IN_PLACE = (
    "Cannot update GSI's properties other than Provisioned Throughput and Contributor Insights Specification. "
    "You can create a new GSI with a different name."
)
REPLACING = (
    "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename the resource and "
    "update the stack again."
)
ATTRIBUTES = (
    "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of "
    "attributes defined in AttributeDefinitions"
)


def _indexes(properties: dict) -> dict[str, dict]:
    return {index["IndexName"]: index for index in properties.get("GlobalSecondaryIndexes", [])}


def _fixed(index: dict) -> str:
    return json.dumps(
        {k: v for k, v in index.items() if k not in ("ProvisionedThroughput", "ContributorInsightsSpecification")},
        sort_keys=True,
    )


def table_refusal(before: dict, after: dict) -> str | None:
    """AWS's reason to refuse updating a table's properties `before` to `after`, if it has one."""
    replaced = any(before.get(key) != after.get(key) for key in ("KeySchema", "LocalSecondaryIndexes"))
    if replaced and before.get("TableName") == after.get("TableName"):
        return REPLACING
    if replaced or before.get("TableName") != after.get("TableName"):
        return None  # a new table: none of an update's rules
    old, new = _indexes(before), _indexes(after)
    if len(set(old) ^ set(new)) > 1:
        return ONE_AT_A_TIME
    if any(_fixed(old[name]) != _fixed(new[name]) for name in set(old) & set(new)):
        return NOT_IN_PLACE
    secondary = [*new.values(), *after.get("LocalSecondaryIndexes", [])]
    keys = after["KeySchema"] + [key for index in secondary for key in index["KeySchema"]]
    defined = [definition["AttributeName"] for definition in after.get("AttributeDefinitions", [])]
    if sorted(defined) != sorted({key["AttributeName"] for key in keys}):
        return ATTRIBUTES
    return None


def refusal(before: dict, after: dict) -> tuple[str, str] | None:
    """The first table of template `before` that CloudFormation refuses to update to `after`, with its reason."""
    for name, resource in after["Resources"].items():
        old = before["Resources"].get(name)
        if resource["Type"] == "AWS::DynamoDB::Table" and old and old["Type"] == resource["Type"]:
            reason = table_refusal(old["Properties"], resource["Properties"])
            if reason:
                return name, reason
    return None


def _update_table(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    """The table's indexes made those of its new properties."""
    properties = cloudformation_json["Properties"]
    new = _indexes(properties)
    present = {index.name for index in original_resource.global_indexes}
    updates = [{"Delete": {"IndexName": name}} for name in present - set(new)]
    updates += [{"Create": index} for name, index in new.items() if name not in present]
    backend = dynamodb_backends[account_id][region_name]
    return backend.update_table(
        name=original_resource.name,
        attr_definitions=properties["AttributeDefinitions"],
        global_index=updates,
        throughput=None,
        billing_mode=None,
        stream_spec=None,
        deletion_protection_enabled=None,
        warm_throughput=None,
    )


def install(monkeypatch) -> None:
    execute = CloudFormationBackend.execute_change_set

    def execute_refusing(self, change_set_name, stack_name=None):
        change_set = self.change_sets.get(change_set_name) or next(
            found for found in self.change_sets.values() if found.change_set_name == change_set_name
        )
        stack = self.stacks[change_set.stack_id]
        refused = change_set.change_set_type == "UPDATE" and refusal(
            {"Resources": stack.resource_map._resource_json_map}, change_set.template_dict
        )
        if not refused:
            return execute(self, change_set_name, stack_name)
        table, reason = refused
        failed = Event(stack.stack_id, stack.name, table, table, "AWS::DynamoDB::Table", "UPDATE_FAILED", reason, None)
        stack._add_stack_event("UPDATE_IN_PROGRESS", resource_status_reason="User Initiated")
        stack.events.append(failed)
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        change_set.execution_status = "EXECUTE_COMPLETE"
        return None

    monkeypatch.setattr(CloudFormationBackend, "execute_change_set", execute_refusing)
    monkeypatch.setattr(Table, "update_from_cloudformation_json", classmethod(_update_table))
