"""Every /api/v1/auth/ route, taken from the route table: the authentication matrix, another user's token, a deleted
user, the one session read of token validation, and CORS on every /api/v1/ route.

A route added to the table without a case here fails `test_every_auth_route_has_a_case`.
"""

import json
import time
from dataclasses import dataclass
from urllib.parse import quote

import boto3
import pytest

from functions.http.invidious import resources
from functions.http.invidious import tokens as token_routes
from functions.services.invidious import tokens
from functions.storage.models import ALL_MODELS, InvidiousSession, Subscription, User
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.invidious.iv_helpers import auth, bearer, call, count_dynamo_calls, token

AUTH = "/api/v1/auth/"
ROUTERS = (resources.router, token_routes.router)
INVALID_USER = {"error": "Invalid user"}
SESSION_NOT_FOUND = {"error": "Session not found"}


@dataclass(frozen=True)
class Case:
    """How to call one route on the admin's things: the path after /api/v1/auth/ (a template over `World`),
    a JSON body or a form, the status a right token gets, and what another user's token gets (None: it acts on
    that user's own things, so the admin's stay as they were)."""

    path: str
    ok: int
    body: dict | None = None
    form: str | None = None
    foreign: tuple[int, dict] | None = None
    reads_user: bool = False


CASES = {
    ("GET", "feed"): Case("feed", 200, reads_user=True),
    ("GET", "notifications"): Case("notifications?topics={channel}&since=0", 200),
    ("POST", "notifications"): Case("notifications", 200, form="topics={channel}&since=0"),
    ("GET", "playlists"): Case("playlists", 200),
    ("POST", "playlists"): Case("playlists", 201, body={"title": "New", "privacy": "public"}),
    ("GET", "playlists/{playlist_id}"): Case("playlists/{playlist}", 200),
    ("PATCH", "playlists/{playlist_id}"): Case(
        "playlists/{playlist}", 204, body={"title": "Changed"}, foreign=(403, INVALID_USER)
    ),
    ("DELETE", "playlists/{playlist_id}"): Case("playlists/{playlist}", 204, foreign=(403, INVALID_USER)),
    ("POST", "playlists/{playlist_id}/videos"): Case(
        "playlists/{playlist}/videos", 201, body={"videoId": "{video2}"}, foreign=(403, INVALID_USER)
    ),
    ("DELETE", "playlists/{playlist_id}/videos/{index_id}"): Case(
        "playlists/{playlist}/videos/{index}", 204, foreign=(403, INVALID_USER)
    ),
    ("GET", "preferences"): Case("preferences", 200, reads_user=True),
    ("POST", "preferences"): Case("preferences", 204, body={"volume": 5}, reads_user=True),
    ("GET", "subscriptions"): Case("subscriptions", 200),
    ("POST", "subscriptions/{ucid}"): Case("subscriptions/{channel2}", 204),
    ("DELETE", "subscriptions/{ucid}"): Case("subscriptions/{channel}", 204),
    ("GET", "history"): Case("history", 200, reads_user=True),
    ("DELETE", "history"): Case("history", 204),
    ("POST", "history/{video_id}"): Case("history/{video2}", 204, reads_user=True),
    ("DELETE", "history/{video_id}"): Case("history/{video}", 204, reads_user=True),
    ("GET", "tokens"): Case("tokens", 200),
    ("POST", "tokens/register"): Case("tokens/register", 200, body={"scopes": ["GET:feed"]}),
    # the body names the admin's web login: another user's token must not end it
    ("POST", "tokens/unregister"): Case("tokens/unregister", 204, body={}, foreign=(404, SESSION_NOT_FOUND)),
}


def auth_routes() -> set[tuple[str, str]]:
    return {
        (method, route.path.removeprefix(AUTH))
        for router in ROUTERS
        for route in router.routes
        if route.auth.kind == "invidious" and not route.auth.optional
        for method in route.methods
    }


def api_v1_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if route.path.startswith("/api/v1/")
        for method in route.methods
    )


def test_every_auth_route_has_a_case():
    assert auth_routes() == set(CASES)
    assert all(route.path.startswith(AUTH) for router in ROUTERS for route in router.routes if "/auth/" in route.path)


# ---------------------------------------------------------------- the admin's things, and how to see them change


@dataclass
class World:
    names: dict  # what the path templates name
    web_session: str


@pytest.fixture
def world(client, admin, other) -> World:
    make_channel(1)
    make_channel(2)
    make_video(1, channel=1)
    make_video(2, channel=1)
    Subscription(admin.user_id, channel_id(1), created=1).save()
    headers = auth(admin)
    playlist = call(client, "POST", AUTH + "playlists", headers, {"title": "Mine", "privacy": "public"})
    playlist_id = playlist.json_body["playlistId"]
    entry = call(client, "POST", f"{AUTH}playlists/{playlist_id}/videos", headers, {"videoId": video_id(1)})
    assert call(client, "POST", f"{AUTH}history/{video_id(1)}", headers).status_code == 204
    assert call(client, "POST", AUTH + "preferences", headers, {"speed": 1.5}).status_code == 204
    web_session = tokens.new_session(admin.user_id, admin.username, kind=tokens.WEB)
    names = {
        "channel": channel_id(1),
        "channel2": channel_id(2),
        "video": video_id(1),
        "video2": video_id(2),
        "playlist": playlist_id,
        "index": entry.json_body["indexId"],
    }
    return World(names, web_session)


def request_of(case: Case, world: World, body_session: str | None = None) -> tuple[str, dict | None, str | None]:
    path = AUTH + case.path.format(**world.names)
    body = None if case.body is None else json.loads(json.dumps(case.body).replace("{video2}", video_id(2)))
    if body == {} and body_session:
        body = {"session": body_session}
    form = None if case.form is None else case.form.format(**world.names)
    return path, body, form


def store() -> dict:
    """Every item of every table: a request that must change nothing leaves this as it was."""
    dynamodb = boto3.client("dynamodb")
    return {
        model.Meta.table_name: sorted(
            json.dumps(item, sort_keys=True, default=str)
            for item in dynamodb.scan(TableName=model.Meta.table_name)["Items"]
        )
        for model in ALL_MODELS
    }


ADMIN_VIEWS = ("feed", "playlists", "preferences", "subscriptions", "history?max_results=100", "tokens")


def admin_view(client, admin_headers: dict) -> dict:
    """What the admin sees of their own things through the API."""
    return {view: call(client, "GET", AUTH + view, admin_headers).json_body for view in ADMIN_VIEWS}


# ---------------------------------------------------------------- the matrix


def failures(user) -> list[tuple[str, dict, str]]:
    """Every way to fail authentication; the tokens exist (and their sessions) before the request."""
    forged = token(user)
    forged["signature"] = forged["signature"][::-1]
    widened = token(user, ["GET:nothing"])
    widened["scopes"] = [":*"]
    revoked = token(user)
    InvidiousSession(revoked["session"]).delete()
    return [
        ("no token", {}, tokens.NOT_AUTHENTICATED),
        ("not JSON", {"Authorization": "Bearer not json"}, tokens.ERRONEOUS),
        ("no session", {"Authorization": 'Bearer {"scopes": [":*"]}'}, tokens.ERRONEOUS),
        ("URL-encoded garbage", {"Authorization": "%7Bbroken"}, tokens.ERRONEOUS),
        ("unknown SID", {"Cookie": "SID=v1:unknown"}, tokens.ERRONEOUS),
        ("bad signature", bearer(forged), tokens.INVALID_SIGNATURE),
        ("widened scopes", bearer(widened), tokens.INVALID_SIGNATURE),
        ("expired", bearer(token(user, expire=int(time.time()) - 10)), tokens.EXPIRED),
        ("revoked", bearer(revoked), tokens.ERRONEOUS),
        ("another endpoint", bearer(token(user, ["GET:nothing", "POST:elsewhere*", ":*x"])), tokens.INVALID_SCOPE),
    ]


@pytest.mark.parametrize(("method", "route"), sorted(CASES))
def test_auth_matrix(client, admin, world, method, route):
    """Each failure is 403 with Invidious' reason (readable cross-origin) and changes nothing anywhere."""
    case = CASES[method, route]
    path, body, form = request_of(case, world, world.web_session)
    endpoint = path.split("?")[0].removeprefix(AUTH)
    other_method = "GET" if method != "GET" else "POST"
    cases = [
        *failures(admin),
        ("another method", bearer(token(admin, [f"{other_method}:{endpoint}", f"{other_method};PUT:*"])), None),
        ("a longer endpoint", bearer(token(admin, [f"{method}:{endpoint}x", f"{method}:{endpoint}/*"])), None),
        ("a shorter endpoint", bearer(token(admin, [f"{method}:{endpoint[:-1]}"])), None),
    ]
    before = store()
    for name, headers, reason in cases:
        response = call(client, method, path, {**headers, "Origin": "https://app.example"}, body, form)
        assert response.status_code == 403, (name, response.body)
        assert response.json_body == {"error": reason or tokens.INVALID_SCOPE}, name
        assert response.headers["Access-Control-Allow-Origin"] == "*", name
    assert store() == before


@pytest.mark.parametrize(("method", "route"), sorted(CASES))
def test_a_token_scoped_to_exactly_the_route_works_with_one_session_read(
    client, admin, world, monkeypatch, method, route
):
    """The narrowest scope (upper-cased: endpoints compare case-insensitively) opens the route, sent as
    URL-encoded JSON without `Bearer `; authentication reads the session once and nothing else."""
    case = CASES[method, route]
    path, body, form = request_of(case, world)
    endpoint = path.split("?")[0].removeprefix(AUTH)
    exact = token(admin, [f"{method}:{endpoint.upper()}"])
    calls = count_dynamo_calls(monkeypatch)
    response = call(client, method, path, {"Authorization": quote(json.dumps(exact), safe="")}, body, form)
    assert response.status_code == case.ok, response.body
    session_reads = [op for op, table in calls.calls if table == InvidiousSession.Meta.table_name and op == "GetItem"]
    assert session_reads == ["GetItem"]
    assert not any(op == "GetItem" and table == User.Meta.table_name for op, table in calls.calls)


@pytest.mark.parametrize(("method", "route"), sorted(CASES))
def test_another_users_token_changes_nothing_of_the_admins(client, admin, other, world, method, route):
    """A valid token of another user: 403 (404 for a session id) on the admin's things, or it acts on that user's
    own; either way everything the admin sees stays as it was."""
    case = CASES[method, route]
    path, body, form = request_of(case, world, world.web_session)
    admin_headers = auth(admin)
    before = admin_view(client, admin_headers)
    response = call(client, method, path, auth(other), body, form)
    if case.foreign:
        assert (response.status_code, response.json_body) == case.foreign
    else:
        assert response.status_code == case.ok, response.body
    assert admin_view(client, admin_headers) == before
    assert InvidiousSession.get(world.web_session).user_id == admin.user_id


@pytest.mark.parametrize(("method", "route"), sorted(CASES))
def test_a_deleted_users_token_never_gets_tubearchivists_answer(client, admin, world, method, route):
    """Routes that load the user refuse a deleted user's token with Invidious' 403, not TubeArchivist's body."""
    case = CASES[method, route]
    path, body, form = request_of(case, world)
    headers = auth(admin)
    User(admin.username).delete()
    response = call(client, method, path, headers, body, form)
    assert "detail" not in (response.json_body or {}), response.body
    if case.reads_user:
        assert (response.status_code, response.json_body) == (403, {"error": tokens.ERRONEOUS})


# ---------------------------------------------------------------- CORS


@pytest.mark.parametrize(("method", "path"), api_v1_routes())
def test_preflight_on_every_api_v1_route(client, method, path):
    concrete = path.replace("{playlist_id}", "IVPL" + "a" * 31).replace("{ucid}", channel_id(1))
    concrete = concrete.replace("{video_id}", video_id(1)).replace("{index_id}", "AB12")
    preflight = {
        "Origin": "https://app.example",
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    # chalice.test's HTTPResponse cannot hold the preflight's empty body: ask its local gateway directly
    response = client.http._local_gateway.handle_request("OPTIONS", concrete, preflight, b"")
    headers = {name.lower(): value for name, value in response["headers"].items()}
    assert response["statusCode"] == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "authorization" in headers["access-control-allow-headers"].lower().split(",")
    assert method in headers["access-control-allow-methods"].split(",")
