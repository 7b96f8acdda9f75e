"""Fuzzing: schemathesis generates requests for every documented operation that the app routes and sends them to
the app served over HTTP (chalice's local server over moto, tests/invidious/live_server.py), with an admin's
credentials. Every answer must be no 5xx and must match functions/http/openapi.py: status code, content type, body
schema, headers.

Per operation: the document's examples, then positive cases (valid per the document), then negative ones
(invalid on purpose: the app must refuse them with a documented 4xx, never crash). Hypothesis runs derandomized,
so CI sees the same requests every run; the totals are printed (`pytest -s tests/test_fuzz.py`).
"""

import contextlib
import copy
import ipaddress
import json
import socket
import time
from collections import Counter, defaultdict
from decimal import Decimal

import boto3
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from functions.core.settings import get_settings
from functions.http import openapi
from functions.schemas.invidious import PlaylistCreate, PlaylistVideoAdd
from functions.services.invidious import playlists as invidious_playlists
from functions.services.invidious import tokens, web_sessions
from functions.storage import s3
from functions.storage.aws import client as bucket_client
from tests.factories import make_channel, make_playlist, make_video
from tests.invidious.live_server import serve_app
from tests.test_openapi_sync import HTTP_METHODS, routed_operations

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Cases per operation and mode: about 2,400 requests over the 75 operations. The app, moto and the generator
# share this process, so its CPU time is the run's time on an idle machine, whatever else a shared one runs.
POSITIVE_CASES = 24
NEGATIVE_CASES = 11
MIN_REQUESTS = 2000
TIMEOUT_SECONDS = 60  # generous: a client that gives up would overlap the next request, and moto is not thread-safe
ITEM_LIMIT = 400 * 1024


class Credentials:
    """What each kind of operation sends: the admin's TubeArchivist token, an Invidious token (renewed when a
    case revokes it), the SID cookie of a web login."""

    def __init__(self, admin):
        self.admin = admin
        self.ta = {"Authorization": f"Token {admin.api_token}"}
        self.sid = web_sessions.start_web_session(admin)
        self.renew()

    def renew(self) -> None:
        token = tokens.issue(self.admin.user_id, self.admin.username, [":*"], None)
        self.invidious = {"Authorization": "Bearer " + json.dumps(token)}

    def for_operation(self, security: list) -> tuple[dict, dict]:
        """(headers, cookies) for an operation's security requirements."""
        names = {name for requirement in security for name in requirement}
        if "taToken" in names:
            return self.ta, {}
        if "invidiousBearer" in names:
            return self.invidious, {}
        return {}, {tokens.SID_COOKIE: self.sid}  # public: the web pages go further for a signed-in user


def seed(admin, monkeypatch) -> None:
    """A few items, so the document's example ids reach real ones."""
    make_channel(1, subscribed=True)
    make_channel(2)
    for n in range(1, 5):
        make_video(n, channel=1 if n < 4 else 2)
    make_playlist(1, [1, 2])
    video, channel = openapi.VIDEO_EXAMPLE, openapi.CHANNEL_EXAMPLE
    for key in (
        s3.media_key(channel, video),
        s3.video_thumb_key(video),
        s3.channel_art_key(channel, "banner"),
        s3.playlist_thumb_key(openapi.PLAYLIST_EXAMPLE),
    ):
        bucket_client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"file")

    class Owner:
        user_id = admin.user_id
        username = admin.username

    # The document's example ids name this playlist and its entry.
    monkeypatch.setattr(invidious_playlists, "new_id", lambda: openapi.IV_PLAYLIST_EXAMPLE)
    monkeypatch.setattr(invidious_playlists, "new_index_id", lambda: openapi.INDEX_EXAMPLE)
    invidious_playlists.create(Owner, PlaylistCreate("Seeded", "public"))
    invidious_playlists.add_video(Owner, openapi.IV_PLAYLIST_EXAMPLE, PlaylistVideoAdd(openapi.VIDEO_EXAMPLE))
    monkeypatch.undo()


def is_loopback(host) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


def keep_on_this_machine(monkeypatch) -> None:
    """Generated ids and URLs may reach code that would fetch them (yt-dlp): no connection or name lookup leaves
    the loopback, so fuzzing never sends traffic elsewhere and never waits on a network that is not there."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
            raise OSError(f"fuzzing stays on this machine, not {address[0]}")
        return connect(sock, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host is not None and not is_loopback(host if isinstance(host, str) else host.decode()):
            raise socket.gaierror(socket.EAI_NONAME, f"fuzzing looks up no names ({host})")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture
def live(aws, admin, monkeypatch):
    seed(admin, monkeypatch)
    keep_on_this_machine(monkeypatch)
    with serve_app() as base:
        yield base


def number_fits(text: str) -> bool:
    """DynamoDB numbers: 38 significant digits, magnitudes from 1e-130 to below 1e126 (moto takes any)."""
    value = Decimal(text)
    if value == 0:
        return True
    digits = value.normalize().as_tuple().digits
    return len(digits) <= 38 and Decimal("1e-130") <= abs(value) < Decimal("1e126")


def value_size(value: dict) -> int:
    """An attribute value's size as DynamoDB counts it, closely enough for the 400 KB item limit."""
    ((kind, content),) = value.items()
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(v) for name, v in content.items())
    if kind == "L":
        return 3 + sum(value_size(v) for v in content)
    if kind in ("S", "B"):
        return len(content.encode() if isinstance(content, str) else content)
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode()) for v in content)
    return 1 + len(str(content)) // 2


def bad_numbers(value: dict) -> list[str]:
    ((kind, content),) = value.items()
    if kind == "N":
        return [] if number_fits(content) else [content]
    if kind == "NS":
        return [n for n in content if not number_fits(n)]
    if kind == "M":
        return [n for v in content.values() for n in bad_numbers(v)]
    if kind == "L":
        return [n for v in content for n in bad_numbers(v)]
    return []


def unstorable_items() -> list[str]:
    """Every item of every table that real DynamoDB would have refused: over 400 KB, or a number out of range."""
    dynamodb = boto3.client("dynamodb")
    problems = []
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                size = sum(len(name.encode()) + value_size(value) for name, value in item.items())
                numbers = [n for value in item.values() for n in bad_numbers(value)]
                if size > ITEM_LIMIT or numbers:
                    problems.append(f"{table}: {size} bytes, numbers out of range {numbers[:3]}")
    return problems


def describe(error: BaseException) -> str:
    """What went wrong, with every check's message when schemathesis found several."""
    parts = [f"{type(error).__name__}: {error}"]
    parts += [f"  {type(sub).__name__}: {sub}" for sub in getattr(error, "exceptions", ())]
    return "\n".join(parts)[:4000]


def fuzz_settings(cases: int):
    return settings(
        max_examples=cases,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the failing case as generated
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )


def test_fuzz_every_routed_operation(live, admin):
    document = openapi.document()
    schema = schemathesis.openapi.from_dict(copy.deepcopy(document))
    routed = routed_operations()
    credentials = Credentials(admin)
    statuses: dict[str, Counter] = defaultdict(Counter)
    seconds: Counter = Counter()
    failures: dict[str, str] = {}
    skipped = []
    started, started_cpu = time.monotonic(), time.process_time()

    def send(case) -> None:
        label = f"{case.method.upper()} {case.path}"
        security = document["paths"][case.path][case.method.lower()]["security"]
        headers, cookies = credentials.for_operation(security)
        before = time.monotonic()
        response = case.call(base_url=live, headers=headers, cookies=cookies, timeout=TIMEOUT_SECONDS)
        seconds[label] += time.monotonic() - before
        statuses[label][response.status_code] += 1
        if case.path.endswith("/tokens/unregister") and response.status_code == 204:
            credentials.renew()  # the case may have revoked the token every Invidious case sends
        case.validate_response(response, checks=CHECKS)

    def run(strategy, cases: int) -> None:
        def one_case(case):  # hypothesis decorates a function once: a new one each run
            send(case)

        given(case=strategy)(fuzz_settings(cases)(one_case))()

    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletions last, deepest paths first: the seeded items the examples name must exist for the others first.
    operations.sort(key=lambda operation: (operation.method.lower() == "delete", -len(operation.path)))
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        if (operation.path, operation.method.lower()) not in routed:
            skipped.append(label)  # documented but not routed yet: tests/test_openapi_sync.py reports it
            continue
        try:
            for strategy in operation.get_strategies_from_examples():
                run(strategy, 1)
            run(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), POSITIVE_CASES)
            with contextlib.suppress(Unsatisfiable):  # nothing of this operation can be made invalid
                run(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), NEGATIVE_CASES)
        except (Exception, FailureGroup) as error:  # one operation's failure must not hide the others'
            failures[label] = describe(error)

    elapsed, cpu = time.monotonic() - started, time.process_time() - started_cpu
    total = sum(sum(counter.values()) for counter in statuses.values())
    print(f"\nfuzz: {total} requests to {len(statuses)} operations in {elapsed:.1f} s ({cpu:.1f} s of CPU)")
    for label, counter in sorted(statuses.items()):
        print(f"  {label}: {dict(sorted(counter.items()))} in {seconds[label]:.1f} s")
    if skipped:
        print(f"  not routed yet, not fuzzed: {', '.join(skipped)}")
    assert not failures, "\n\n".join(f"{label}\n{message}" for label, message in failures.items())
    assert not unstorable_items(), "moto kept items that DynamoDB refuses (a 500 on AWS)"
    assert total >= MIN_REQUESTS, f"only {total} requests; raise POSITIVE_CASES/NEGATIVE_CASES"


def test_the_checks_catch_an_answer_that_does_not_match(live, admin):
    """The harness itself: a document that promises another ping body makes validation fail."""
    document = copy.deepcopy(openapi.document())
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


def example_path_parameters(operation) -> dict:
    """The document's example for each path parameter (an 11-character word where it has none)."""
    return {
        parameter.name: parameter.definition.get("example", "abcdefghijk") for parameter in operation.path_parameters
    }


def test_bad_bodies_and_other_methods_get_documented_errors(live, admin):
    """What random JSON does not reach: a body that is not JSON, of another media type, or too large, on every
    operation that reads a body; and every method a documented path does not serve, which is 405 with `Allow`."""
    document = openapi.document()
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
    schema = schemathesis.openapi.from_dict(copy.deepcopy(openapi.document()))
    credentials = Credentials(admin)
    form = "application/x-www-form-urlencoded"

    def check(method, path, expect, auth=None, cookies=None, **case_fields) -> str:
        case = schema[path][method].Case(**case_fields)
        response = case.call(base_url=live, headers=auth or {}, cookies=cookies or {}, timeout=TIMEOUT_SECONDS)
        assert response.status_code == expect, (method, path, response.status_code, response.text[:300])
        case.validate_response(response, checks=CHECKS)
        return response.text

    ta, iv, sid = credentials.ta, credentials.invidious, {tokens.SID_COOKIE: credentials.sid}
    channel, video, playlist = openapi.CHANNEL_EXAMPLE, openapi.VIDEO_EXAMPLE, openapi.PLAYLIST_EXAMPLE
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
