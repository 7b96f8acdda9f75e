"""Fixtures: AWS in moto, created from infra/ like the local run; the app under chalice's test client."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Before any project import: models read the region and table prefix when they are defined.
for name in list(os.environ):
    if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        del os.environ[name]
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    APP_STAGE="local",
    TABLE_PREFIX="ytarchive-local-",
    MEDIA_BUCKET="ytarchive-local-media",
    HMAC_KEY="test-hmac-key",
)

import boto3  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402


@pytest.fixture
def aws():
    """Every table, the bucket and the queues, made from infra/resources.yaml in a fresh moto."""
    with mock_aws():
        cloudformation = boto3.client("cloudformation")
        cloudformation.create_stack(StackName="ytarchive", TemplateBody=(ROOT / "infra/resources.yaml").read_text())
        stack = cloudformation.describe_stacks(StackName="ytarchive")["Stacks"][0]
        yield {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}


@pytest.fixture
def client(aws):
    from app import app

    with Client(app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client


@pytest.fixture
def admin(aws):
    from functions import auth

    return auth.create_user("admin", "admin-password", is_admin=True)


@pytest.fixture
def other(aws):
    from functions import auth

    return auth.create_user("other", "other-password")


def token_headers(user) -> dict:
    return {"Authorization": f"Token {user.api_token}"}


@pytest.fixture
def headers(admin):
    return token_headers(admin)
