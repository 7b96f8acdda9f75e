"""The API function behind the HTTP API answers as behind the REST API: the Chalice handler is fed the events each
gateway sends for the same request (payload format 1.0 as the HTTP API sends it through `$default` or a throttling
route, the REST API's as API Gateway sends it for one of the app's routes) and the answers are compared."""

import base64
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from chalice.local import RouteMatcher

from functions.http import front_door
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_video, video_id

HOST = "archive.example.org"
TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")


def _request_parts(path: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(path)
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    return parts.path, multi_query


def _body(body: bytes | None, headers: list[tuple[str, str]]) -> tuple[str | None, bool]:
    """The body as the gateways pass it: text as is, anything else base64 (the HTTP API: by Content-Type)."""
    if body is None:
        return None, False
    kind = dict((k.lower(), v) for k, v in headers).get("content-type", "")
    if kind.startswith(TEXT_TYPES):
        try:
            return body.decode(), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode(), True


def rest_event(app, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None = None) -> dict:
    """The REST API's event on a custom domain at the root: the app's route and its path parameters."""
    route_path, multi_query = _request_parts(path)
    route = RouteMatcher(list(app.routes)).match_route(route_path).route  # chalice's own route matching
    segments = zip(route.split("/"), route_path.rstrip("/").split("/"), strict=True)
    captured = {name[1:-1]: value for name, value in segments if name.startswith("{")}
    raw, encoded = _body(body, headers)
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    return {
        "resource": route,
        "path": route_path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": captured or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route,
            "httpMethod": method,
            "path": route_path,
            "stage": "api",
            "domainName": HOST,
            "identity": {"sourceIp": "198.51.100.7"},
            "requestId": "rest-request",
        },
        "body": raw,
        "isBase64Encoded": encoded,
    }


def http_api_event(method: str, path: str, headers: list[tuple[str, str]], body: bytes | None = None) -> dict:
    """Payload format 1.0 as the HTTP API sends it: header names in lower case, repeated headers joined by
    commas in `headers` and listed in `multiValueHeaders`, the gateway's route (`$default`, or a `{proxy+}` route
    that only exists for its throttling) instead of the app's."""
    route_path, multi_query = _request_parts(path)
    raw, encoded = _body(body, headers)
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name.lower(), []).append(value)
    throttled = route_path.startswith("/api/v1/") and not route_path.startswith("/api/v1/auth/")
    route = "/api/v1/{proxy+}" if throttled else "$default"
    return {
        "version": "1.0",
        "resource": route,
        "path": route_path,
        "httpMethod": method,
        "headers": {name: ",".join(values) for name, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": route_path.removeprefix("/api/v1/")} if throttled else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route,
            "httpMethod": method,
            "path": route_path,
            "stage": "$default",
            "domainName": HOST,
            "identity": {"sourceIp": "198.51.100.7"},
            "requestId": "http-request",
            "protocol": "HTTP/1.1",
        },
        "body": raw,
        "isBase64Encoded": encoded,
    }


def both(app, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None = None):
    rest = app(rest_event(app, method, path, headers, body), None)
    http = app(http_api_event(method, path, headers, body), None)
    return rest, http


@pytest.fixture
def archived(aws):
    make_channel(1)
    return make_video(1).youtube_id


@pytest.fixture
def app(aws):
    from app import app as chalice_app

    return chalice_app


def auth(user) -> list[tuple[str, str]]:
    return [(name, value) for name, value in token_headers(user).items()] + [("Host", HOST)]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/video/{video_id(1)}/", 200),  # a TA route with a path parameter, trailing slash
        (f"/api/video/{video_id(1)}", 200),
        (f"/api/channel/{channel_id(1)}/video/?page=2&page=1", 200),  # a repeated query parameter: the last one counts
        ("/api/ping/", 200),
        ("/api/v1/stats", 200),  # an Invidious route through the HTTP API's throttling route
        (f"/api/v1/videos/{video_id(1)}?fields=title,videoId&local=true", 200),
        ("/api/v1/search?q=first&q=second&page=1", 200),
        ("/api/nowhere/", 404),
    ],
)
def test_gets_answer_the_same(app, admin, archived, path, status):
    headers = [*auth(admin), ("Accept", "application/json"), ("Accept", "text/html"), ("X-Forwarded-Proto", "https")]
    rest, http = both(app, "GET", path, headers)
    assert rest["statusCode"] == status
    for answer in (rest, http):  # the Invidious stats' updatedAt is the second it answers: the two may differ
        answer["body"] = re.sub(r'"updatedAt":\d+', '"updatedAt":0', answer["body"])
    assert http == rest


def test_a_path_deeper_than_any_route_is_the_apps_json_404(app, admin):
    """The REST API answers it itself (403, quoting the token); the HTTP API hands it to the function."""
    http = app(http_api_event("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", auth(admin)), None)
    assert http["statusCode"] == 404 and json.loads(http["body"]) == {"error": "no such endpoint"}


def test_json_and_binary_bodies_are_read_the_same(app, admin, archived):
    progress = f"/api/video/{video_id(1)}/progress/"
    headers = [*auth(admin), ("Content-Type", "application/json")]
    for position in (12, 30):
        rest, http = both(app, "POST", progress, headers, json.dumps({"position": position}).encode())
        assert http["statusCode"] == rest["statusCode"] == 200 and http["body"] == rest["body"]
    binary = [*auth(admin), ("Content-Type", "application/octet-stream")]
    rest, http = both(app, "POST", progress, binary, b"\xff\x00\xfe")  # base64 through both gateways
    assert http["statusCode"] == rest["statusCode"] == 415 and http == rest
    rest, http = both(app, "GET", progress, auth(admin))
    assert http == rest and json.loads(http["body"])["position"] == 30


def test_cookies_and_form_logins_work_the_same(app, admin):
    form = [("Host", HOST), ("Content-Type", "application/x-www-form-urlencoded")]
    body = b"email=admin&password=admin-password"
    logins = both(app, "POST", "/login", form, body)
    for answer in logins:
        assert answer["statusCode"] == 302, answer
        assert answer["headers"].get("Location", answer.get("multiValueHeaders", {}).get("Location", [""])[0]) == "/"
    sids = []
    for answer in logins:
        set_cookie = answer.get("multiValueHeaders", {}).get("Set-Cookie") or [answer["headers"]["Set-Cookie"]]
        sids.append(next(c.split(";")[0] for c in set_cookie if c.startswith("SID=")))
    cookie = [("Host", HOST), ("Cookie", f"theme=dark; {sids[0]}")]
    rest, http = both(app, "GET", "/api/v1/auth/tokens", cookie)
    assert rest["statusCode"] == 200 and http == rest
    options = [("Host", HOST), ("Origin", "moz-extension://abc"), ("Access-Control-Request-Method", "POST")]
    rest, http = both(app, "OPTIONS", "/api/video/", options)
    assert http == rest


def test_the_matcher_prefers_literals_and_needs_every_parameter():
    routes = ("/api/video/{video_id}", "/api/video/search", "/{p1}/{p2}/{p3}", "/")
    assert front_door.match(routes, "/api/video/search/") == ("/api/video/search", {})
    assert front_door.match(routes, "/api/video/abc") == ("/api/video/{video_id}", {"video_id": "abc"})
    assert front_door.match(routes, "/") == ("/", {})
    assert front_door.match(routes, "/api//x") is None  # an empty segment fills no parameter
    assert front_door.match(routes, "/a/b") is None


def test_rest_events_pass_through_unchanged(app, admin):
    event = rest_event(app, "GET", "/api/ping/", auth(admin))
    assert not front_door.is_http_api_event(event)
    assert app(event, None)["statusCode"] == 200
