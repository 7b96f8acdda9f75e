"""The AWS services besides DynamoDB: one botocore client per service and container, the SQS sender of every
queue, the SNS topics of notifications, and the secrets the deployment keeps in Secrets Manager.

Clients come from botocore (already loaded by pynamodb), not boto3, which would cost the API's cold start.
A queue is found by its URL setting (deployed stages) or, on the local stage and in tests, by its name: the
table prefix and the queue (`ytarchive-local-download`), as infra/resources.yaml names them.
"""

import contextlib
import json
from functools import cache

from functions.core.settings import get_settings

DOWNLOAD, REFRESH, SNAPSHOT = "download", "refresh", "snapshot"  # the queues
SQS_BATCH = 10  # messages per SendMessageBatch (SQS's limit)


@cache
def client(service: str):
    import botocore.session
    from botocore.config import Config

    # SigV4: botocore presigns us-east-1 URLs with the legacy SigV2 otherwise, which S3 is retiring.
    config = Config(signature_version="s3v4") if service == "s3" else None
    return botocore.session.get_session().create_client(service, region_name=get_settings().region, config=config)


def queue_url(queue: str) -> str:
    settings = get_settings()
    configured = {
        DOWNLOAD: settings.download_queue_url,
        REFRESH: settings.refresh_queue_url,
        SNAPSHOT: settings.snapshot_queue_url,
    }[queue]
    return configured or _queue_url_by_name(settings.table_prefix + queue)


@cache
def _queue_url_by_name(name: str) -> str:
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def send(queue: str, bodies: list[dict], delay_seconds: int = 0) -> None:
    """Send JSON messages to a queue, SQS_BATCH a request, delivered after `delay_seconds` (SQS: at most 900);
    raises when SQS refused any."""
    url = queue_url(queue)
    delay = {"DelaySeconds": min(int(delay_seconds), 900)} if delay_seconds else {}
    for start in range(0, len(bodies), SQS_BATCH):
        chunk = bodies[start : start + SQS_BATCH]
        entries = [{"Id": str(n), "MessageBody": json.dumps(body), **delay} for n, body in enumerate(chunk)]
        response = client("sqs").send_message_batch(QueueUrl=url, Entries=entries)
        if response.get("Failed"):
            reasons = "; ".join(f"{f.get('Code')}: {f.get('Message')}" for f in response["Failed"])
            raise RuntimeError(f"SQS refused {len(response['Failed'])} message(s): {reasons}")


def has_messages(queue: str) -> bool:
    """Whether a queue has work: messages waiting or in flight."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = client("sqs").get_queue_attributes(QueueUrl=queue_url(queue), AttributeNames=names)["Attributes"]
    return any(int(attributes.get(name, 0)) for name in names)


def notify_topic() -> str:
    """The ARN of the stage's notification topic (infra/resources.yaml NotificationTopic)."""
    return get_settings().notify_topic_arn or _topic_by_name(get_settings().table_prefix + "notify")


@cache
def _topic_by_name(name: str) -> str:
    # CreateTopic of an existing name returns its ARN: how the local stage finds the topic its stack made
    return client("sns").create_topic(Name=name)["TopicArn"]


def topic_arn(name: str) -> str:
    """The ARN of the topic `name` in the account and region of the stage's own."""
    return notify_topic().rsplit(":", 1)[0] + ":" + name


def publish(topic: str, subject: str, message: str, attributes: dict[str, str] | None = None) -> str:
    """Publish to an SNS topic (string message attributes, which subscriptions' filter policies match); the
    message id."""
    attrs = {key: {"DataType": "String", "StringValue": value} for key, value in (attributes or {}).items()}
    # SNS subjects: at most 100 printable ASCII characters, no line breaks
    subject = "".join(c for c in subject if 32 <= ord(c) < 127)[:100] or "ytarchive"
    response = client("sns").publish(TopicArn=topic, Subject=subject, Message=message, MessageAttributes=attrs)
    return response["MessageId"]


def subscribe_email(topic: str, address: str, filter_attribute: str) -> str:
    """Subscribe an e-mail address to a topic, receiving only messages whose `filter_attribute` is the address
    (SNS mails it a confirmation first); the subscription's ARN."""
    response = client("sns").subscribe(
        TopicArn=topic,
        Protocol="email",
        Endpoint=address,
        Attributes={"FilterPolicy": json.dumps({filter_attribute: [address]})},
        ReturnSubscriptionArn=True,
    )
    return response["SubscriptionArn"]


def unsubscribe(subscription_arn: str) -> None:
    sns = client("sns")
    with contextlib.suppress(sns.exceptions.NotFoundException):  # unsubscribed already (the recipient's own link)
        sns.unsubscribe(SubscriptionArn=subscription_arn)


def read_secret(secret_id: str) -> str | None:
    """A secret's text; None when there is no such secret."""
    secrets = client("secretsmanager")
    try:
        return secrets.get_secret_value(SecretId=secret_id).get("SecretString") or ""
    except secrets.exceptions.ResourceNotFoundException:
        return None


def read_secret_field(secret_id: str, field: str) -> str | None:
    """The text under `field` of a secret holding a JSON object; None when there is none (or it is blank)."""
    try:
        parsed = json.loads(read_secret(secret_id) or "{}")
    except ValueError:
        return None
    value = parsed.get(field) if isinstance(parsed, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def write_secret(secret_id: str, value: str) -> None:
    client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=value)
