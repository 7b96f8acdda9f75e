"""The fuzzing harness itself (tests/fuzz/harness.py): its examples and groups reach every operation, its checks
catch what they must, it stays on this machine; and what random input rarely reaches: bad bodies, other methods,
answers that need real credentials or a prior step."""

import copy
import socket
from collections import Counter

import pytest
import requests
import schemathesis
from schemathesis.core.failures import FailureGroup

from app import app
from functions.http import openapi
from functions.services.invidious import tokens, web_sessions
from tests.fuzz.harness import (
    BODY_EXAMPLES,
    CHANNEL_EXAMPLE,
    CHECKS,
    GROUPS,
    OPERATION_PATH_EXAMPLES,
    PLAYLIST_EXAMPLE,
    TIMEOUT_SECONDS,
    VIDEO_EXAMPLE,
    Credentials,
    example_path_parameters,
    group_of,
    is_loopback,
    unstorable_items,
    with_examples,
)
from tests.test_openapi_sync import HTTP_METHODS, routed_operations


def test_every_example_reaches_a_documented_operation():
    """An example left behind by a route's change would silently stop seeding its cases."""
    paths = openapi.document(app)["paths"]
    for method, path in [*OPERATION_PATH_EXAMPLES, *BODY_EXAMPLES]:
        assert method in paths.get(path, {}), (method, path)
    for method, path in BODY_EXAMPLES:
        assert "requestBody" in paths[path][method], (method, path)


def test_every_group_fuzzes_some_operations():
    """Each group's file has operations to fuzz, and each operation one group (group_of answers for every path)."""
    assert {group_of(path) for path in openapi.document(app)["paths"]} == set(GROUPS)


def test_the_checks_catch_an_answer_that_does_not_match(live, admin):
    """The harness itself: a document that promises another ping body makes validation fail."""
    document = copy.deepcopy(openapi.document(app))
    ping = document["paths"]["/api/ping"]["get"]["responses"]["200"]["content"]["application/json"]
    ping["schema"] = {"type": "object", "required": ["not_sent"]}
    operation = schemathesis.openapi.from_dict(document)["/api/ping"]["GET"]
    case = operation.Case()
    response = case.call(base_url=live, headers={"Authorization": f"Token {admin.api_token}"})
    assert response.status_code == 200
    with pytest.raises(FailureGroup) as failed:
        case.validate_response(response, checks=CHECKS)
    assert "not_sent" in str(failed.value.exceptions[0])


def test_the_store_check_sees_what_dynamodb_refuses(aws, admin):
    from functions.storage.models import User

    assert not unstorable_items()
    User(admin.username).update(actions=[User.preferences.set({"speed": 1e300})])
    assert unstorable_items()


def test_bad_bodies_and_other_methods_get_documented_errors(live, admin):
    """What random JSON does not reach: a body that is not JSON, of another media type, or too large, on every
    operation that reads a body; and every method a documented path does not serve, which is 405 with `Allow`."""
    document = with_examples(openapi.document(app))
    schema = schemathesis.openapi.from_dict(copy.deepcopy(document))
    routed = routed_operations()
    credentials = Credentials(admin)
    too_large = b"{" + b" " * (1024 * 1024) + b"}"
    sent = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        method = operation.method.lower()
        raw = document["paths"][operation.path][method]
        if (operation.path, method) not in routed or "requestBody" not in raw:
            continue
        media_type = next(iter(raw["requestBody"]["content"]))
        headers, cookies = credentials.for_operation(raw["security"])
        bad_bodies = [(b'{"a": 1}', "text/plain", {400, 403, 415}), (too_large, media_type, {403, 413})]
        if media_type == "application/json":  # any text is some form, only JSON can be malformed
            bad_bodies.append((b"{not json", media_type, {400, 403}))
        for data, content_type, statuses in bad_bodies:
            case = operation.Case(path_parameters=example_path_parameters(operation))
            response = case.call(
                base_url=live,
                headers={**headers, "Content-Type": content_type},
                cookies=cookies,
                data=data,
                timeout=TIMEOUT_SECONDS,
            )
            label = f"{operation.method.upper()} {operation.path} with {content_type} {data[:10]!r}"
            assert response.status_code in statuses, (label, response.status_code, response.text[:300])
            case.validate_response(response, checks=CHECKS)
            sent[label] += 1

    for path, item in document["paths"].items():
        served = {method for method in item if method in HTTP_METHODS}
        if any((path, method) not in routed for method in served):
            continue  # not routed yet: nothing answers this path
        # path parameters are declared on the path or on each of its operations
        declared = [*item.get("parameters", []), *(p for m in served for p in item[m].get("parameters", []))]
        path_parameters = {p["name"]: p.get("example", "abcdefghijk") for p in declared}
        url = live + path.format(**path_parameters)
        for method in ("get", "post", "put", "patch", "delete"):
            if method in served:
                continue
            response = requests.request(method.upper(), url, headers=credentials.ta, timeout=TIMEOUT_SECONDS)
            assert response.status_code == 405, (method, path, response.status_code)
            assert "error" in response.json()
            assert set(response.headers["Allow"].lower().split(", ")) == served, (method, path)
            sent[f"{method} {path}"] += 1
    print(f"\nbad bodies and other methods: {sum(sent.values())} requests")


def test_answers_random_input_rarely_reaches_match_the_document(live, admin):
    """Successful answers that need real credentials, real ids or a prior step: each must be as documented."""
    schema = schemathesis.openapi.from_dict(with_examples(openapi.document(app)))
    credentials = Credentials(admin)
    form = "application/x-www-form-urlencoded"

    def check(method, path, expect, auth=None, cookies=None, **case_fields) -> str:
        case = schema[path][method].Case(**case_fields)
        response = case.call(base_url=live, headers=auth or {}, cookies=cookies or {}, timeout=TIMEOUT_SECONDS)
        assert response.status_code == expect, (method, path, response.status_code, response.text[:300])
        case.validate_response(response, checks=CHECKS)
        return response.text

    ta, iv, sid = credentials.ta, credentials.invidious, {tokens.SID_COOKIE: credentials.sid}
    channel, video, playlist = CHANNEL_EXAMPLE, VIDEO_EXAMPLE, PLAYLIST_EXAMPLE
    login = {"username": "admin", "password": "admin-password"}
    check("POST", "/api/login", 200, body=login, media_type="application/json")
    for path, parameters in (
        ("/media/{channel_id}/{filename}", {"channel_id": channel, "filename": f"{video}.mp4"}),
        ("/cache/videos/{shard}/{filename}", {"shard": video[0], "filename": f"{video}.jpg"}),
        ("/cache/channels/{filename}", {"filename": f"{channel}_banner.jpg"}),
        ("/cache/playlists/{filename}", {"filename": f"{playlist}.jpg"}),
    ):
        check("GET", path, 302, ta, path_parameters=parameters)
    check("POST", "/login", 302, body={"email": "admin", "password": "admin-password"}, media_type=form)

    consent = {"scopes": "GET:feed", "callback_url": "http://127.0.0.1:9/cb"}
    check("GET", "/authorize_token", 302, query=consent)  # signed out: to the sign-in page
    check("GET", "/authorize_token", 200, cookies=sid, query=consent)
    approval = {**consent, "csrf_token": web_sessions.authorize_csrf(tokens.web_session_id(credentials.sid))}
    check("POST", "/authorize_token", 302, cookies=sid, body=approval, media_type=form)
    check("POST", "/authorize_token", 200, cookies=sid, body={**approval, "callback_url": ""}, media_type=form)

    check("POST", "/api/v1/auth/subscriptions/{ucid}", 204, iv, path_parameters={"ucid": channel})
    assert video in check("GET", "/api/v1/auth/feed", 200, iv)
    assert channel in check("GET", "/api/v1/auth/subscriptions", 200, iv)
    topics = {"topics": channel, "since": 0}
    assert video in check("GET", "/api/v1/auth/notifications", 200, iv, query=topics)
    check(
        "POST", "/api/video/{video_id}/progress", 200, ta, path_parameters={"video_id": video}, body={"position": 299}
    )
    assert video in check("GET", "/api/v1/auth/history", 200, iv)
    assert video in check("GET", "/api/video/{video_id}", 200, ta, path_parameters={"video_id": video})
    assert video in check(
        "GET", "/api/playlist/{playlist_id}/video", 200, ta, path_parameters={"playlist_id": playlist}
    )
    check("GET", "/api/v1/auth/tokens", 200, iv)


def test_fuzzing_connects_to_nothing_but_this_machine(live):
    assert requests.get(f"{live}/api/docs", timeout=TIMEOUT_SECONDS).status_code == 200
    with pytest.raises(OSError, match="looks up no names"):
        socket.create_connection(("www.youtube.com", 443), timeout=1)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.0.2.1") and not is_loopback("youtube.com")
