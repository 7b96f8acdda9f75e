"""Fuzzing: schemathesis generates requests for every documented operation that the app routes and sends them to
the app served over HTTP (chalice's local server over moto, tests/invidious/live_server.py), with an admin's
credentials. Every answer must be no 5xx and must match functions/http/openapi.py: status code, content type, body
schema, headers.

Per operation: the document's examples, then positive cases (valid per the document), then negative ones
(invalid on purpose: the app must refuse them with a documented 4xx, never crash). Hypothesis runs derandomized,
so CI sees the same requests every run; the totals are printed (`pytest -s tests/fuzz/`).

The operations are fuzzed in groups of paths (`GROUPS`), one test file each over its own seeded archive, so that
pytest's workers (`--dist loadfile`) share them; every operation falls in exactly one group (`group_of`).
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

from app import app
from functions.core.settings import get_settings
from functions.http import openapi
from functions.schemas.invidious import PlaylistCreate, PlaylistVideoAdd
from functions.services.invidious import playlists as invidious_playlists
from functions.services.invidious import tokens, web_sessions
from functions.storage import s3
from functions.storage.aws import client as bucket_client
from tests.factories import make_channel, make_playlist, make_video
from tests.test_openapi_sync import HTTP_METHODS, routed_operations

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Cases per operation and mode. The app, moto and the generator share this process, so its CPU time is the run's
# time on an idle machine, whatever else a shared one runs.
POSITIVE_CASES = 24
NEGATIVE_CASES = 11
MIN_REQUESTS = 2000  # over every group; each group's share is its part of the routed operations
TIMEOUT_SECONDS = 60  # generous: a client that gives up would overlap the next request, and moto is not thread-safe
ITEM_LIMIT = 400 * 1024

# Examples of path parameters and bodies, for the ids `seed` stores: added to the document the fuzzing reads (the
# served one carries none), so the example requests reach real items.
VIDEO_EXAMPLE = "vid00000001"
CHANNEL_EXAMPLE = "UC0000000000000000000001"
PLAYLIST_EXAMPLE = "PL0000000000000001"
IV_PLAYLIST_EXAMPLE = "IVPL" + "seededplaylist".ljust(31, "0")
INDEX_EXAMPLE = "1A2B3C4D5E6F7081"
PATH_EXAMPLES = {
    "video_id": VIDEO_EXAMPLE,
    "channel_id": CHANNEL_EXAMPLE,
    "ucid": CHANNEL_EXAMPLE,
    "playlist_id": PLAYLIST_EXAMPLE,
    "index_id": INDEX_EXAMPLE,
    "name": "mqdefault.jpg",
    "asset_name": "swagger-ui.css",
    "shard": VIDEO_EXAMPLE[0],
    "expires": "1767225600",
    "signature": "c2lnbmF0dXJlc2lnbmF0dXJl",
    "folder": "bWVkaWEvVUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDE",
}
# Where one path's parameter differs: deletions take items the other cases do not read, files their own names.
OPERATION_PATH_EXAMPLES = {
    ("delete", "/api/video/{video_id}"): {"video_id": "vid00000003"},
    ("delete", "/api/channel/{channel_id}"): {"channel_id": "UC0000000000000000000002"},
    ("get", "/media/{channel_id}/{filename}"): {"filename": f"{VIDEO_EXAMPLE}.mp4"},
    ("get", "/cache/videos/{shard}/{filename}"): {"filename": f"{VIDEO_EXAMPLE}.jpg"},
    ("get", "/cache/channels/{filename}"): {"filename": f"{CHANNEL_EXAMPLE}_banner.jpg"},
    ("get", "/cache/playlists/{filename}"): {"filename": f"{PLAYLIST_EXAMPLE}.jpg"},
}
IV_PATH_EXAMPLES = {"playlist_id": IV_PLAYLIST_EXAMPLE}  # under /api/v1/
BODY_EXAMPLES = {
    ("post", "/api/video/{video_id}/progress"): {"position": 100},
    ("post", "/api/watched"): {"id": VIDEO_EXAMPLE, "is_watched": True},
    ("post", "/api/channel"): {"data": [{"channel_id": CHANNEL_EXAMPLE, "channel_subscribed": True}]},
    ("post", "/api/download"): {"data": [{"youtube_id": "NYj3DnI81AQ", "status": "pending"}]},
    ("post", "/api/download/{video_id}"): {"status": "ignore"},
    ("post", "/api/task"): {"run": "download_pending"},
    ("post", "/api/refresh"): {"videos": [VIDEO_EXAMPLE]},
    ("put", "/api/cookie"): {"cookie": "# Netscape HTTP Cookie File\n"},
}


# The groups of TubeArchivist paths, by the segment after /api/: the library, the settings, then the rest of them
# (tasks, users, sessions, docs, and any section added since). Invidious (/api/v1/) and the web pages (every path
# outside /api/) are the two others.
TA_LIBRARY = "ta_library"
TA_SETTINGS = "ta_settings"
TA_OTHERS = "ta_others"
INVIDIOUS = "invidious"
WEB = "web"
GROUPS = (TA_LIBRARY, TA_SETTINGS, TA_OTHERS, INVIDIOUS, WEB)
TA_SECTIONS = {
    TA_LIBRARY: {"video", "channel", "playlist", "download", "refresh", "search", "watched", "proxy", "stats"},
    TA_SETTINGS: {"appsettings", "snapshot", "cookie"},
}


def group_of(path: str) -> str:
    first, _, rest = path.strip("/").partition("/")
    if first != "api":
        return WEB
    section = rest.partition("/")[0]
    if section == "v1":
        return INVIDIOUS
    return next((group for group, sections in TA_SECTIONS.items() if section in sections), TA_OTHERS)


def with_examples(document: dict) -> dict:
    """A copy of the document with the examples above on its path parameters and request bodies."""
    document = copy.deepcopy(document)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            examples = {**PATH_EXAMPLES, **(IV_PATH_EXAMPLES if path.startswith("/api/v1/") else {})}
            examples.update(OPERATION_PATH_EXAMPLES.get((method, path), {}))
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in examples:
                    parameter["example"] = examples[parameter["name"]]
            if (method, path) in BODY_EXAMPLES:
                operation["requestBody"]["content"]["application/json"]["example"] = BODY_EXAMPLES[(method, path)]
    return document


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
    video, channel = VIDEO_EXAMPLE, CHANNEL_EXAMPLE
    for key in (
        s3.media_key(channel, video),
        s3.video_thumb_key(video),
        s3.channel_art_key(channel, "banner"),
        s3.playlist_thumb_key(PLAYLIST_EXAMPLE),
    ):
        bucket_client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"file")

    class Owner:
        user_id = admin.user_id
        username = admin.username

    # The document's example ids name this playlist and its entry.
    monkeypatch.setattr(invidious_playlists, "new_id", lambda: IV_PLAYLIST_EXAMPLE)
    monkeypatch.setattr(invidious_playlists, "new_index_id", lambda: INDEX_EXAMPLE)
    invidious_playlists.create(Owner, PlaylistCreate("Seeded", "public"))
    invidious_playlists.add_video(Owner, IV_PLAYLIST_EXAMPLE, PlaylistVideoAdd(VIDEO_EXAMPLE))
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


def example_path_parameters(operation) -> dict:
    """The document's example for each path parameter (an 11-character word where it has none)."""
    return {
        parameter.name: parameter.definition.get("example", "abcdefghijk") for parameter in operation.path_parameters
    }


def fuzz_group(group: str, live: str, admin) -> None:
    """Fuzz every routed operation of one group (examples, positive cases, negative ones), then check what the
    archive stored; the totals are printed."""
    document = with_examples(openapi.document(app))
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
        if group_of(operation.path) != group:
            continue
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
    print(f"\nfuzz {group}: {total} requests to {len(statuses)} operations in {elapsed:.1f} s ({cpu:.1f} s of CPU)")
    for label, counter in sorted(statuses.items()):
        print(f"  {label}: {dict(sorted(counter.items()))} in {seconds[label]:.1f} s")
    if skipped:
        print(f"  not routed yet, not fuzzed: {', '.join(skipped)}")
    assert not failures, "\n\n".join(f"{label}\n{message}" for label, message in failures.items())
    assert not unstorable_items(), "moto kept items that DynamoDB refuses (a 500 on AWS)"
    in_group = [key for key in routed if group_of(key[0]) == group]
    least = MIN_REQUESTS * len(in_group) // len(routed)
    assert total >= least, f"only {total} requests of {group}; raise POSITIVE_CASES/NEGATIVE_CASES"
