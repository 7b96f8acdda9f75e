"""GET /api/v1/auth/tokens, POST /api/v1/auth/tokens/register and /unregister, and CORS on /api/v1/auth/."""

import json
import time
import urllib.request

import pytest
from pynamodb.exceptions import DoesNotExist

from functions.services.invidious import tokens
from functions.storage.models import InvidiousSession
from tests.invidious.iv_helpers import auth, bearer, call, token
from tests.invidious.live_server import serve_app

TOKENS = "/api/v1/auth/tokens"
REGISTER = "/api/v1/auth/tokens/register"
UNREGISTER = "/api/v1/auth/tokens/unregister"
KEY = b"test-hmac-key"


def session_exists(session: str) -> bool:
    try:
        InvidiousSession.get(session)
    except DoesNotExist:
        return False
    return True


def web_cookie(user) -> dict:
    return {"Cookie": "SID=" + tokens.new_session(user.user_id, user.username, kind="web")}


# ---------------------------------------------------------------- GET tokens


def test_list_is_the_users_sessions_newest_first(client, admin, other):
    for issued, kind in ((1_600_000_300, "token"), (1_600_000_100, "web"), (1_600_000_200, "token")):
        InvidiousSession(f"v1:admin-{issued}", user_id=admin.user_id, username="admin", issued=issued, kind=kind).save()
    InvidiousSession("v1:other", user_id=other.user_id, username="other", issued=1_600_000_250).save()
    caller = token(admin, ["GET:tokens"])

    response = call(client, "GET", TOKENS, bearer(caller))

    assert response.status_code == 200
    listed = response.json_body
    assert listed[0]["session"] == caller["session"]  # issued now: the newest
    assert abs(listed[0]["issued"] - time.time()) < 5
    assert listed[1:] == [
        {"session": "v1:admin-1600000300", "issued": 1_600_000_300},
        {"session": "v1:admin-1600000200", "issued": 1_600_000_200},
        {"session": "v1:admin-1600000100", "issued": 1_600_000_100},
    ]
    assert all(set(item) == {"session", "issued"} for item in listed)


def test_list_with_a_web_login(client, admin):
    headers = web_cookie(admin)
    response = call(client, "GET", TOKENS, headers)
    assert response.status_code == 200
    assert [item["session"] for item in response.json_body] == [tokens.web_session_id(headers["Cookie"][4:])]


# ---------------------------------------------------------------- register


def test_register_with_a_web_login_grants_every_asked_scope_in_order(client, admin):
    asked = [":playlists*", "GET:feed", "DELETE:history/*"]
    response = call(client, "POST", REGISTER, web_cookie(admin), {"scopes": asked})
    assert response.status_code == 200
    new = response.json_body
    assert list(new) == ["session", "scopes", "signature"]  # no expire asked: never expires
    assert new["scopes"] == asked
    assert new["signature"] == tokens.sign(new, KEY)
    stored = InvidiousSession.get(new["session"])
    assert (stored.user_id, stored.kind) == (admin.user_id, "token")


def test_register_grants_only_the_scopes_the_caller_covers(client, admin):
    caller = token(admin, ["GET:feed", ":playlists*", "POST:tokens/register"])
    asked = ["GET:playlists/IVPLone", ":*", "GET:feed", "DELETE:feed", "POST:playlists*", "GET:tokens", "GET:feed*"]

    response = call(client, "POST", REGISTER, bearer(caller), {"scopes": asked})

    assert response.status_code == 200
    new = response.json_body
    assert new["scopes"] == ["GET:playlists/IVPLone", "GET:feed", "POST:playlists*"]
    assert new["session"] != caller["session"]
    # the new token works within its scopes, and only there
    assert call(client, "GET", "/api/v1/auth/tokens", bearer(new)).json_body == {"error": "Invalid scope"}
    assert call(client, "GET", "/api/v1/auth/feed", bearer(new)).status_code == 200


def test_register_covering_nothing_gives_a_token_without_scopes(client, admin):
    caller = token(admin, ["POST:tokens/register"])
    response = call(client, "POST", REGISTER, bearer(caller), {"scopes": ["GET:feed"]})
    assert response.status_code == 200
    assert response.json_body["scopes"] == []
    assert call(client, "GET", "/api/v1/auth/feed", bearer(response.json_body)).status_code == 403


def test_register_expire_is_absolute(client, admin):
    before = int(time.time())
    response = call(client, "POST", REGISTER, web_cookie(admin), {"scopes": ["GET:feed"], "expire": 3600})
    assert before + 3600 <= response.json_body["expire"] <= int(time.time()) + 3600
    assert response.json_body["signature"] == tokens.sign(response.json_body, KEY)
    at = int(time.time()) + 86400 * 30
    response = call(client, "POST", REGISTER, web_cookie(admin), {"scopes": ["GET:feed"], "expire": at})
    assert response.json_body["expire"] == at


def test_a_token_never_mints_one_that_outlives_it(client, admin):
    limit = int(time.time()) + 600
    caller = token(admin, [":*"], expire=limit)
    for asked in ({}, {"expire": 86400}):
        response = call(client, "POST", REGISTER, bearer(caller), {"scopes": ["GET:feed"], **asked})
        assert response.json_body["expire"] == limit
    response = call(client, "POST", REGISTER, bearer(caller), {"scopes": ["GET:feed"], "expire": 60})
    assert response.json_body["expire"] < limit


def test_register_takes_invidious_form_bodies(client, admin):
    form = "scopes%5B1%5D=GET%3Afeed&scopes%5B0%5D=%3Aplaylists%2A&expire=60"
    response = call(client, "POST", REGISTER, web_cookie(admin), form=form)
    assert response.status_code == 200
    assert response.json_body["scopes"] == [":playlists*", "GET:feed"]


@pytest.mark.parametrize(
    "body",
    [
        {"scopes": ["GET:feed", "not a scope"]},
        {"scopes": []},
        {"scopes": "GET:feed,bad scope"},
        {},
        {"scopes": ["GET:feed"], "expire": "soon"},
        {"scopes": ["GET:feed"], "expire": True},
        {"scopes": ["GET:feed"], "expire": -5},
        {"scopes": ["GET:feed"], "callbackUrl": "javascript:alert(1)"},
        {"scopes": ["GET:feed"], "callbackUrl": 5},
        {"scopes": ["GET:feed"], "expire": 10**20},  # past the year 9999: was a 500
        {"scopes": ["GET:feed"], "callbackUrl": "http://127.0.0.1@evil.example/cb"},
    ],
)
def test_register_refuses_bad_bodies(client, admin, body):
    headers = web_cookie(admin)
    response = call(client, "POST", REGISTER, headers, body)
    assert response.status_code == 400
    assert set(response.json_body) == {"error"}
    assert len(list(InvidiousSession.by_user.query(admin.user_id))) == 1  # only the web login


def test_register_refuses_malformed_json(client, admin):
    headers = {**web_cookie(admin), "Content-Type": "application/json"}
    response = client.http.post(REGISTER, headers=headers, body=b"{not json")
    assert response.status_code == 400 and "error" in response.json_body


# ---------------------------------------------------------------- unregister


def test_unregister_revokes_an_own_token(client, admin):
    victim = token(admin, ["GET:feed"])
    assert call(client, "GET", "/api/v1/auth/feed", bearer(victim)).status_code == 200

    response = call(client, "POST", UNREGISTER, auth(admin, ["GET:tokens", "POST:tokens/unregister"]), victim)

    assert response.status_code == 204 and response.body == b""
    assert not session_exists(victim["session"])
    again = call(client, "GET", "/api/v1/auth/feed", bearer(victim))
    assert (again.status_code, again.json_body) == (403, {"error": "Erroneous token"})


def test_unregister_never_touches_another_users_session(client, admin, other):
    foreign = token(other, [":*"])
    for caller in (auth(admin), web_cookie(admin)):
        response = call(client, "POST", UNREGISTER, caller, {"session": foreign["session"]})
        assert (response.status_code, response.json_body) == (404, {"error": "Session not found"})
    assert session_exists(foreign["session"])
    assert call(client, "GET", TOKENS, bearer(foreign)).status_code == 200
    # an unknown session is the same answer
    response = call(client, "POST", UNREGISTER, auth(admin), {"session": "v1:nobody"})
    assert (response.status_code, response.json_body) == (404, {"error": "Session not found"})


def test_unregister_without_a_session_revokes_the_callers_own(client, admin):
    caller = token(admin, ["POST:tokens/unregister"])
    response = call(client, "POST", UNREGISTER, bearer(caller))
    assert response.status_code == 204
    assert not session_exists(caller["session"])
    assert call(client, "POST", UNREGISTER, bearer(caller)).json_body == {"error": "Erroneous token"}


def test_unregister_of_another_own_session_needs_get_tokens(client, admin):
    sibling = token(admin, ["GET:feed"])
    narrow = token(admin, ["POST:tokens/unregister"])
    response = call(client, "POST", UNREGISTER, bearer(narrow), {"session": sibling["session"]})
    assert (response.status_code, response.json_body) == (403, {"error": "Invalid scope"})
    assert session_exists(sibling["session"])
    response = call(client, "POST", UNREGISTER, bearer(narrow), {"session": narrow["session"]})
    assert response.status_code == 204


def test_unregister_a_web_login_ends_it(client, admin):
    headers = web_cookie(admin)
    response = call(client, "POST", UNREGISTER, auth(admin), {"session": tokens.web_session_id(headers["Cookie"][4:])})
    assert response.status_code == 204
    assert call(client, "GET", TOKENS, headers).json_body == {"error": "Erroneous token"}


@pytest.mark.parametrize("body", [{"session": 5}, {"session": ""}, {"session": ["v1:x"]}, [1]])
def test_unregister_refuses_bad_bodies(client, admin, body):
    response = call(client, "POST", UNREGISTER, auth(admin), body)
    assert response.status_code == 400 and set(response.json_body) == {"error"}


# ---------------------------------------------------------------- CORS


PREFLIGHT = {
    "Origin": "https://client.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


def assert_preflight(status: int, headers: dict, method: str) -> None:
    headers = {name.lower(): value for name, value in headers.items()}
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "authorization" in headers["access-control-allow-headers"].lower().split(",")
    assert method in headers["access-control-allow-methods"].split(",")


def test_cors_headers_on_answers(client, admin):
    response = call(client, "GET", TOKENS, {**auth(admin), "Origin": "https://client.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_and_token_use_over_a_real_server(aws, admin):
    with serve_app() as base:
        for path, method in ((TOKENS, "GET"), (REGISTER, "POST"), ("/api/v1/auth/feed", "GET")):
            preflight = urllib.request.Request(base + path, method="OPTIONS", headers=PREFLIGHT)
            with urllib.request.urlopen(preflight, timeout=10) as response:
                assert_preflight(response.status, dict(response.headers), method)
        use = urllib.request.Request(base + TOKENS, headers={"Authorization": "Bearer " + json.dumps(token(admin))})
        with urllib.request.urlopen(use, timeout=10) as response:
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert len(json.loads(response.read())) == 1
