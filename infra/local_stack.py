"""infra/resources.yaml created in this process's moto for one stage, without moto's CloudFormation.

Importing moto's CloudFormation imports the model of every service it knows (EC2's region tables, autoscaling...):
more than a second of a local start's CPU, and its botocore client's model another. Here the template's
resources are made by the same classmethods moto's CloudFormation calls (`create_from_cloudformation_json` of
each resource type's moto model, and infra/moto_cloudformation.py's for what moto skips), from properties whose
intrinsic functions (Ref, Fn::Sub, Fn::GetAtt, Fn::If and the conditions) are resolved as CloudFormation does,
so the local stack is what moto's CloudFormation makes of the same template (tests/test_local_stack.py compares
the two). A resource type neither knows is skipped with a warning, as moto's CloudFormation does.
"""

import logging
import os
import re
import secrets
from pathlib import Path

from infra.merge import load_resources

log = logging.getLogger("ytarchive.local")

TEMPLATE = Path(__file__).resolve().parent / "resources.yaml"
PLACEHOLDER = re.compile(r"\$\{(!?)([^}]+)\}")
NO_VALUE = "AWS::NoValue"
# Fn::GetAtt of moto's models, read from the model: their own get_cfn_attribute imports moto's CloudFormation.
ATTRIBUTES = {
    "AWS::DynamoDB::Table": {"Arn": "table_arn"},
    "AWS::S3::Bucket": {"Arn": "arn", "DomainName": "domain_name", "RegionalDomainName": "regional_domain_name"},
    "AWS::SNS::Topic": {"TopicArn": "arn", "TopicName": "name"},
    "AWS::SQS::Queue": {"Arn": "queue_arn", "QueueName": "name"},
}


def resource_models() -> dict[str, type]:
    """The moto model of each resource type the local stack creates, by CloudFormation type."""
    from moto.dynamodb.models.table import Table
    from moto.s3.models import FakeBucket
    from moto.sns.models import Topic
    from moto.sqs.models import Queue

    from infra.moto_cloudformation import StackAlarm, StackBucketPolicy, StackSecret

    models = (Table, FakeBucket, Topic, Queue, StackAlarm, StackBucketPolicy, StackSecret)
    return {model.cloudformation_type(): model for model in models}


class LocalStack:
    """One stage's stack: resources created on first use (a Ref or Fn::GetAtt creates what it names first)."""

    def __init__(self, template: dict, stage: str, region: str):
        from moto.core import DEFAULT_ACCOUNT_ID

        self.template, self.region, self.account = template, region, DEFAULT_ACCOUNT_ID
        self.name = f"ytarchive-{stage}-infra"
        declared = template.get("Parameters", {})
        self.parameters = {name: str(spec.get("Default", "")) for name, spec in declared.items()}
        self.parameters["Stage"] = stage
        self.parameters.update(
            {
                "AWS::AccountId": self.account,
                "AWS::Region": region,
                "AWS::Partition": "aws",
                "AWS::StackName": self.name,
                "AWS::URLSuffix": "amazonaws.com",
            }
        )
        self.models = resource_models()
        self.resources: dict[str, object] = {}
        self._conditions: dict[str, bool] = {}

    # ---------------------------------------------------------------- conditions and intrinsic functions

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = self._truth(self.template["Conditions"][name])
        return self._conditions[name]

    def _truth(self, node) -> bool:
        if "Condition" in node:
            return self.condition(node["Condition"])
        if "Fn::Equals" in node:
            left, right = (self.value(part) for part in node["Fn::Equals"])
            return str(left) == str(right)
        if "Fn::Not" in node:
            return not self._truth(node["Fn::Not"][0])
        if "Fn::And" in node:
            return all(self._truth(part) for part in node["Fn::And"])
        if "Fn::Or" in node:
            return any(self._truth(part) for part in node["Fn::Or"])
        raise ValueError(f"not a condition: {node}")

    def value(self, node):
        """A template value with its intrinsic functions resolved; None for AWS::NoValue (the key or item goes)."""
        if isinstance(node, list):
            return [value for value in (self.value(part) for part in node) if value is not None]
        if not isinstance(node, dict):
            return node
        if "Ref" in node:
            return self.ref(node["Ref"])
        if "Fn::GetAtt" in node:
            return self.attribute(*node["Fn::GetAtt"])
        if "Fn::Sub" in node:
            return PLACEHOLDER.sub(self._substitute, node["Fn::Sub"])
        if "Fn::If" in node:
            name, when_true, when_false = node["Fn::If"]
            return self.value(when_true if self.condition(name) else when_false)
        if "Fn::Join" in node:
            separator, parts = node["Fn::Join"]
            return separator.join(str(part) for part in self.value(parts))
        if "Condition" in node and len(node) == 1:
            return self.condition(node["Condition"])
        return {key: value for key, value in ((k, self.value(v)) for k, v in node.items()) if value is not None}

    def _substitute(self, placeholder: re.Match) -> str:
        literal, name = placeholder.groups()
        if literal:  # ${!Name} stays ${Name}
            return "${" + name + "}"
        if "." in name and name not in self.parameters:
            return str(self.attribute(*name.split(".", 1)))
        return str(self.ref(name))

    def attribute(self, logical: str, name: str):
        made = self.resource(logical)
        kind = self.template["Resources"][logical]["Type"]
        if kind in ATTRIBUTES:
            return getattr(made, ATTRIBUTES[kind][name])
        return made.get_cfn_attribute(name)

    def ref(self, name: str):
        if name == NO_VALUE:
            return None
        if name in self.parameters:
            return self.parameters[name]
        made = self.resource(name)
        return getattr(made, "physical_resource_id", made)

    # ---------------------------------------------------------------- resources

    def resource(self, logical: str):
        if logical not in self.resources:
            self.resources[logical] = self._create(logical, self.template["Resources"][logical])
        made = self.resources[logical]
        if made is None:
            raise ValueError(f"{logical} is not created in this stage but named by a resource or output")
        return made

    def _create(self, logical: str, declared: dict):
        if "Condition" in declared and not self.condition(declared["Condition"]):
            return None
        model = self.models.get(declared["Type"])
        if model is None:
            log.warning("%s (%s) is not created locally", logical, declared["Type"])
            return None
        properties = self.value(declared.get("Properties", {}))
        name = properties.get(model.cloudformation_name_type()) or f"{self.name}-{logical}-{secrets.token_hex(6)}"
        kind = declared["Type"]
        made = model.create_from_cloudformation_json(
            name, {"Properties": properties}, self.account, self.region, LogicalId=logical, ResourceType=kind
        )
        made.logical_resource_id = logical
        return made

    def create(self) -> dict:
        """Every resource of the stage; the outputs whose condition holds."""
        for logical, declared in self.template["Resources"].items():
            if logical not in self.resources:
                self.resources[logical] = self._create(logical, declared)
        outputs = self.template.get("Outputs", {}).items()
        return {
            name: str(self.value(output["Value"]))
            for name, output in outputs
            if "Condition" not in output or self.condition(output["Condition"])
        }


def create_stack(stage: str) -> dict:
    """Create infra/resources.yaml for this stage in this process's moto; its outputs."""
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return LocalStack(load_resources(TEMPLATE), stage, region).create()
