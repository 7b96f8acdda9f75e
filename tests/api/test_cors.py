"""CORS of the TubeArchivist routes: browser extensions (and owner-listed origins) may call with a token."""

import re

import pytest

from functions.core.settings import get_settings
from functions.http.routes import ROUTERS
from tests.api.calls import SAMPLE_PARAMS, send

CHROME = "chrome-extension://jjdbkdmplgfjfkjddbdelngmnjdgbjfi"
FIREFOX = "moz-extension://1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"


def ta_paths() -> list[str]:
    paths = {route.path for router in ROUTERS for route in router.routes}
    ta = [p for p in paths if p.startswith("/api/") and not p.startswith("/api/v1/")]
    return sorted(re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "x1"), p) for p in ta)


@pytest.fixture
def listed_origin(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://tools.example.org/, https://other.example.org")
    get_settings.cache_clear()
    yield "https://tools.example.org"
    get_settings.cache_clear()


@pytest.mark.parametrize("origin", [CHROME, FIREFOX])
def test_extension_reads_answers_with_its_token(client, admin, origin):
    response = send(client, "GET", "/api/ping/", admin, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Vary"] == "Origin"


def test_extension_reads_errors_too(client):
    response = send(client, "GET", "/api/video/", headers={"Origin": CHROME})
    assert response.status_code == 403
    assert response.headers["Access-Control-Allow-Origin"] == CHROME


def test_preflight_answered_on_every_ta_path(client):
    paths = ta_paths()
    assert "/api/download" in paths and len(paths) > 20
    for path in paths:
        response = client.http.request(
            "OPTIONS",
            path,
            headers={
                "Origin": FIREFOX,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert response.status_code == 204, path
        assert response.headers["Access-Control-Allow-Origin"] == FIREFOX, path
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"], path
        assert "OPTIONS" in response.headers["Access-Control-Allow-Methods"], path


def test_preflight_names_the_path_methods(client):
    response = client.http.request("OPTIONS", "/api/download", headers={"Origin": CHROME})
    methods = response.headers["Access-Control-Allow-Methods"].split(", ")
    assert set(methods) == {"GET", "POST", "PATCH", "DELETE", "OPTIONS"}


@pytest.mark.parametrize("origin", ["https://evil.example.com", "chrome-extension://", "null"])
def test_other_origins_get_no_grant(client, admin, origin):
    response = send(client, "GET", "/api/ping/", admin, headers={"Origin": origin})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.http.request("OPTIONS", "/api/ping", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_owner_listed_origin_is_allowed(client, admin, listed_origin):
    response = send(client, "GET", "/api/ping/", admin, headers={"Origin": listed_origin})
    assert response.headers["Access-Control-Allow-Origin"] == listed_origin
    unlisted = send(client, "GET", "/api/ping/", admin, headers={"Origin": "https://tools.example.org.evil.com"})
    assert "Access-Control-Allow-Origin" not in unlisted.headers


def test_invidious_routes_keep_their_own_policy(client):
    response = client.http.get("/api/v1/auth/feed", headers={"Origin": CHROME})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
