"""Errors are JSON with a JSON content type; Invidious errors stay readable by browser clients (CORS)."""

import json

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.conftest import token_headers
from tests.factories import video_id


def test_error_is_json_with_content_type(client):
    response = client.http.get("/api/video/")
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.json_body == {"detail": "Authentication credentials were not provided."}


def test_invidious_error_carries_cors_headers(client):
    response = client.http.get("/api/v1/auth/feed")
    assert response.status_code == 403
    assert response.json_body == {"error": "Request must be authenticated"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_tubearchivist_error_has_no_cors_headers(client):
    response = client.http.get("/api/ping/")
    assert "Access-Control-Allow-Origin" not in response.headers


# "/" is the web app's shell (tests/api/test_webapp.py); the paths below it that no page serves are 404s.
@pytest.mark.parametrize("path", ["/nope", "/videos/x", "/api/nope/", "/api/video/x/y/z", "/a/b/c/d/e/f/g/h/i/j/k/l"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_a_missing_route_is_404_and_never_quotes_the_token(client, admin, path, method):
    response = client.http.request(method, path, headers=token_headers(admin), body=b"")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert admin.api_token not in response.body.decode()
    assert response.json_body["error"] == "no such endpoint"


@pytest.mark.parametrize(
    "refusal",
    ["The table does not have the specified index: by_status", "Cannot read from backfilling global secondary index"],
)
def test_a_read_of_an_index_a_deploy_rebuilds_is_503_with_retry_after(client, admin, monkeypatch, refusal):
    """infra/deploy_steps.py deletes then creates an index whose key or projection changed: the queue's list reads
    by_status, which DynamoDB refuses until it is back (README "Deploy")."""
    headers = {**token_headers(admin), "Content-Type": "application/json"}
    queued = json.dumps({"data": [{"youtube_id": video_id(1), "status": "pending"}]})
    assert client.http.post("/api/download/", headers=headers, body=queued).status_code == 200
    real_call = BaseClient._make_api_call

    def rebuilding(self, operation, params):
        if operation == "Query" and params.get("IndexName") == "by_status":
            error = {"Error": {"Code": "ValidationException", "Message": refusal}}
            raise ClientError({**error, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)
        return real_call(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", rebuilding)
    answer = client.http.get("/api/download/?filter=pending", headers=token_headers(admin))
    assert answer.status_code == 503, answer.body
    assert answer.headers["Retry-After"] == "60"
    assert "rebuilding an index" in answer.json_body["error"]
    monkeypatch.undo()
    listed = client.http.get("/api/download/?filter=pending", headers=token_headers(admin)).json_body
    assert [item["youtube_id"] for item in listed["data"]] == [video_id(1)]
