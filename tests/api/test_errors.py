"""Errors are JSON with a JSON content type; Invidious errors stay readable by browser clients (CORS)."""

import pytest

from tests.conftest import token_headers


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
