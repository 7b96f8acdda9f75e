"""Fixtures: AWS in moto, created from infra/ like the local run; the app under chalice's test client.

The stack of infra/resources.yaml is created in moto once and emptied after each test (every table's items, the
bucket's objects, the queues' messages), which is what a fresh stack per test gave, for a fraction of the time.
It is created again whenever something else replaced it (a test with a moto of its own, a moto server).
Passwords are hashed with cheap argon2 parameters: the real ones cost half a second a user.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The deploy checks read earlier commits' templates; a shallow clone has none of them to read.
SHALLOW_CLONE = (ROOT / ".git" / "shallow").exists()
needs_history = pytest.mark.skipif(SHALLOW_CLONE, reason="a shallow clone holds no earlier templates")
REGION = "us-east-1"

# Before any project import: models read the region and table prefix when they are defined.
for name in list(os.environ):
    if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        del os.environ[name]
os.environ.update(
    AWS_DEFAULT_REGION=REGION,
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    APP_STAGE="local",
    TABLE_PREFIX="ytarchive-local-",
    MEDIA_BUCKET="ytarchive-local-media",
    HMAC_KEY="test-hmac-key",
    VERSION_FEED_URL="http://127.0.0.1:9/pypi/yt-dlp/json",  # the discard port: no test reads PyPI
)

import boto3  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.core.base_backend import BackendDict  # noqa: E402
from moto.core.models import reset_model_data  # noqa: E402

from infra import dynamo_index, moto_cloudformation  # noqa: E402

# YTARCHIVE_DYNAMO=indexed runs the suite over the local run's engine (Queries answered from sorted indexes beside
# moto's tables, infra/dynamo_index.py); by default it runs over moto's plain backend, as DynamoDB behaves.
INDEXED = os.environ.get("YTARCHIVE_DYNAMO") == "indexed"

pytest_plugins = ["tests.media_server"]  # the `fake_youtube` fixture: a local YouTube for yt-dlp


def wipe_moto() -> None:
    """Empty every moto backend, as a fresh mock_aws() does."""
    BackendDict.reset()
    reset_model_data()


class Stack:
    """The moto resources of infra/resources.yaml, made once and reused while nothing else replaced them."""

    def __init__(self):
        self.outputs: dict | None = None
        self._resources: tuple = ()

    @staticmethod
    def _backends():
        from moto.dynamodb.models import dynamodb_backends
        from moto.s3.models import s3_backends
        from moto.sqs.models import sqs_backends

        return (
            dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION],
            s3_backends[DEFAULT_ACCOUNT_ID]["aws"],
            sqs_backends[DEFAULT_ACCOUNT_ID][REGION],
        )

    def _current(self) -> tuple:
        dynamodb, s3, sqs = self._backends()
        return dict(dynamodb.tables), dict(s3.buckets), dict(sqs.queues)

    def _intact(self) -> bool:
        if self.outputs is None:
            return False
        return all(
            now.keys() == made.keys() and all(now[k] is made[k] for k in made)
            for now, made in zip(self._current(), self._resources, strict=True)
        )

    def ready(self) -> dict:
        """The stack's outputs, creating it in an emptied moto unless the one made before is still there."""
        if not self._intact():
            wipe_moto()
            moto_cloudformation.register()
            cloudformation = boto3.client("cloudformation")
            cloudformation.create_stack(StackName="ytarchive", TemplateBody=(ROOT / "infra/resources.yaml").read_text())
            stack = cloudformation.describe_stacks(StackName="ytarchive")["Stacks"][0]
            self.outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
            if INDEXED:
                dynamo_index.install(self._backends()[0])
            self._resources = self._current()
        return self.outputs

    def empty(self) -> None:
        """Remove every item, object and message the last test left."""
        if not self._intact():
            return
        tables, buckets, queues = self._resources
        for table in tables.values():
            table.items.clear()
            if INDEXED:
                dynamo_index.forget(table)
        _, s3, _ = self._backends()
        for bucket in buckets.values():
            for name in list(bucket.keys):
                s3.delete_object(bucket.name, name)
        for queue in queues.values():  # what PurgeQueue does, without its once-a-minute limit
            queue._messages = []
            queue._pending_messages = set()
        from moto.sns.models import sns_backends  # the notification topic: what was published and subscribed

        sns = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
        for topic in sns.topics.values():
            topic.sent_notifications.clear()
        sns.subscriptions.clear()

    def forget(self) -> None:
        if self.outputs is not None:
            wipe_moto()
            self.outputs = None
            self._resources = ()


STACK = Stack()


@pytest.fixture(autouse=True)
def _moto_belongs_to_the_aws_fixture(request):
    """A test without `aws` may run moto its own way (a server, its own stack): leave it an empty moto."""
    if "aws" not in request.fixturenames:
        STACK.forget()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    from argon2 import PasswordHasher

    from functions.services.auth import users

    original = users._hasher
    users._hasher = lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    users._hasher = original


@pytest.fixture
def aws():
    """Every table, the bucket and the queues, made from infra/resources.yaml, empty."""
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield STACK.ready()
    finally:
        try:
            STACK.empty()
        finally:
            mock.stop(remove_data=False)


@pytest.fixture
def client(aws):
    from app import app

    with Client(app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client


@pytest.fixture
def admin(aws):
    from functions.services.auth import users

    return users.create_user("admin", "admin-password", is_admin=True)


@pytest.fixture
def v05(aws):
    """An admin whose API token speaks v0.5."""
    from functions.core.dialects import V05
    from functions.services.auth import users

    return users.create_user("modern", "modern-password", is_admin=True, dialect=V05)


@pytest.fixture
def other(aws):
    from functions.services.auth import users

    return users.create_user("other", "other-password")


def token_headers(user) -> dict:
    return {"Authorization": f"Token {user.api_token}"}


@pytest.fixture
def headers(admin):
    return token_headers(admin)
