"""Errors are JSON with a JSON content type; Invidious errors stay readable by browser clients (CORS)."""


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
