"""What moto's CloudFormation skips in infra/resources.yaml, created as CloudFormation would (local run and tests).

moto 5.2 creates tables, buckets and queues from a template but only warns on AWS::SecretsManager::Secret,
AWS::CloudWatch::Alarm and AWS::S3::BucketPolicy, and leaves out the outputs that name them. `register()` teaches
it these types through moto's own extension point (every CloudFormationModel subclass is a resource type), so the
stack the tests create has the HMAC secret the functions read and the dead-letter alarm, like the cloud's; the
local run creates the same types from these classes without moto's CloudFormation (infra/local_stack.py).
"""

import functools
import json

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import secretsmanager_backends


class StackSecret(CloudFormationModel):
    """AWS::SecretsManager::Secret with SecretString or GenerateSecretString; Ref gives its ARN."""

    def __init__(self, arn: str):
        self.physical_resource_id = arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        backend = secretsmanager_backends[account_id][region_name]
        value = properties.get("SecretString")
        if value is None:
            generate = properties.get("GenerateSecretString", {})
            generated = backend.get_random_password(
                password_length=int(generate.get("PasswordLength", 32)),
                exclude_characters=generate.get("ExcludeCharacters", ""),
                exclude_numbers=bool(generate.get("ExcludeNumbers")),
                exclude_punctuation=bool(generate.get("ExcludePunctuation")),
                exclude_uppercase=bool(generate.get("ExcludeUppercase")),
                exclude_lowercase=bool(generate.get("ExcludeLowercase")),
                include_space=bool(generate.get("IncludeSpace")),
                require_each_included_type=bool(generate.get("RequireEachIncludedType", True)),
            )
            value = json.loads(generated)["RandomPassword"]  # moto answers as its API does
        backend.create_secret(
            name=resource_name,
            secret_string=value,
            secret_binary=None,
            description=properties.get("Description"),
            tags=properties.get("Tags"),
            kms_key_id=properties.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        return cls(backend.describe_secret(resource_name).arn)


class StackAlarm(CloudFormationModel):
    """AWS::CloudWatch::Alarm on one metric; Ref gives its name."""

    def __init__(self, name: str):
        self.physical_resource_id = name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=resource_name,
            namespace=properties["Namespace"],
            metric_name=properties["MetricName"],
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=int(properties["Period"]),
            threshold=float(properties["Threshold"]),
            statistic=properties.get("Statistic"),
            description=properties.get("AlarmDescription"),
            dimensions=properties.get("Dimensions", []),
            alarm_actions=properties.get("AlarmActions", []),
            treat_missing_data=properties.get("TreatMissingData"),
        )
        return cls(resource_name)


class StackBucketPolicy(CloudFormationModel):
    """AWS::S3::BucketPolicy, accepted and not applied: moto would enforce its Deny without the condition that
    limits it to plain HTTP, refusing every request. The policy matters on AWS only."""

    def __init__(self, bucket: str):
        self.physical_resource_id = bucket

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(cloudformation_json["Properties"]["Bucket"])


@functools.cache
def register() -> None:
    """Make moto's CloudFormation create these types (it caches its type map on first use: drop the cache)."""
    from moto.cloudformation import parsing

    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
