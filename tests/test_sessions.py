"""Sessions of both APIs end when they should: logout, password reset, the user's removal, expiry; and what is
stored or listed about them is never a usable secret."""

import time
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from functions.core.settings import get_settings
from functions.services.auth import sessions, users
from functions.services.invidious import tokens
from functions.storage.models import AuthKey, InvidiousSession
from infra import cli
from tests.api.calls import send
from tests.conftest import token_headers
from tests.invidious.iv_helpers import bearer, call

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TOKENS = "/api/v1/auth/tokens"
FEED = "/api/v1/auth/feed"
DAY = 86400


def cookie_of(response, name: str) -> str:
    values = response.headers.get("Set-Cookie", [])
    for text in values if isinstance(values, list) else [values]:
        cookie = SimpleCookie()
        cookie.load(text)
        if name in cookie:
            return cookie[name].value
    raise AssertionError(f"no {name} cookie in {values!r}")


def ta_login(client, username="admin", password="admin-password") -> str:
    response = send(client, "POST", "/api/login/", body={"username": username, "password": password})
    assert response.status_code == 200, response.body
    return cookie_of(response, sessions.SESSION_COOKIE)


def iv_login(client, username="admin", password="admin-password") -> str:
    body = urlencode({"email": username, "password": password}).encode()
    response = client.http.post("/login", headers=FORM, body=body)
    assert response.status_code == 302, response.body
    return cookie_of(response, tokens.SID_COOKIE)


def register(client, sid: str, scopes: list[str]) -> dict:
    response = call(client, "POST", TOKENS + "/register", {"Cookie": f"SID={sid}"}, {"scopes": scopes})
    assert response.status_code == 200, response.body
    return response.json_body


def ta_ok(client, headers) -> bool:
    return client.http.get("/api/ping/", headers=headers).status_code == 200


def iv_ok(client, headers) -> bool:
    return client.http.get(FEED, headers=headers).status_code == 200


def credentials(client, user, password) -> dict:
    """One of each: TA session cookie, SID, Invidious token."""
    sid = iv_login(client, user.username, password)
    return {
        "session": {"Cookie": f"{sessions.SESSION_COOKIE}={ta_login(client, user.username, password)}"},
        "sid": {"Cookie": f"SID={sid}"},
        "token": bearer(register(client, sid, [":*"])),
    }


def working(client, creds: dict) -> dict:
    return {
        "session": ta_ok(client, creds["session"]),
        "sid": iv_ok(client, creds["sid"]),
        "token": iv_ok(client, creds["token"]),
    }


ALL_ON = {"session": True, "sid": True, "token": True}
ALL_OFF = {"session": False, "sid": False, "token": False}


# ---------------------------------------------------------------- what is stored and listed


def test_the_token_list_holds_no_usable_secret(client, admin):
    sid = iv_login(client)
    lister = register(client, sid, ["GET:tokens"])
    listed = call(client, "GET", TOKENS, bearer(lister)).json_body
    assert tokens.web_session_id(sid) in [item["session"] for item in listed]
    assert sid not in str(listed)
    for item in listed:  # none of them signs anyone in
        assert client.http.get(FEED, headers={"Cookie": f"SID={item['session']}"}).status_code == 403
        assert (
            client.http.get(
                "/authorize_token?scopes=GET:feed", headers={"Cookie": f"SID={item['session']}"}
            ).status_code
            == 302
        )


def test_a_listed_web_login_can_be_unregistered_by_its_id(client, admin):
    sid = iv_login(client)
    manager = register(client, sid, ["GET:tokens", "POST:tokens/unregister"])
    response = call(client, "POST", TOKENS + "/unregister", bearer(manager), {"session": tokens.web_session_id(sid)})
    assert response.status_code == 204
    assert not iv_ok(client, {"Cookie": f"SID={sid}"})
    assert [item["session"] for item in call(client, "GET", TOKENS, bearer(manager)).json_body] == [manager["session"]]


def test_sids_are_stored_as_digests_and_expire_after_the_session_days(client, admin):
    before = time.time()
    body = urlencode({"email": "admin", "password": "admin-password"}).encode()
    response = client.http.post("/login", headers=FORM, body=body)
    sid = cookie_of(response, tokens.SID_COOKIE)
    assert f"Max-Age={30 * DAY}" in response.headers["Set-Cookie"]
    (stored,) = [InvidiousSession.get(s.session) for s in InvidiousSession.by_user.query(admin.user_id)]
    assert stored.session == tokens.web_session_id(sid) and sid not in str(stored.attribute_values)
    assert before + 30 * DAY - 5 <= stored.expires.timestamp() <= time.time() + 30 * DAY


def test_ended_sids_and_ta_sessions_are_refused(client, admin):
    sid, session = iv_login(client), ta_login(client)
    past = datetime.now(UTC) - timedelta(seconds=1)
    InvidiousSession(tokens.web_session_id(sid)).update(actions=[InvidiousSession.expires.set(past)])
    AuthKey(users.digest(session)).update(actions=[AuthKey.expires.set(past)])
    assert call(client, "GET", FEED, {"Cookie": f"SID={sid}"}).status_code == 403
    assert client.http.get("/authorize_token?scopes=GET:feed", headers={"Cookie": f"SID={sid}"}).status_code == 302
    assert not ta_ok(client, {"Cookie": f"{sessions.SESSION_COOKIE}={session}"})


def test_session_days_sets_both_lifetimes(client, admin, monkeypatch):
    monkeypatch.setenv("SESSION_DAYS", "2")
    get_settings.cache_clear()
    try:
        response = send(client, "POST", "/api/login/", body={"username": "admin", "password": "admin-password"})
        assert f"Max-Age={2 * DAY}" in response.headers["Set-Cookie"]
        key = AuthKey.get(users.digest(cookie_of(response, sessions.SESSION_COOKIE)))
        assert abs(key.expires.timestamp() - (time.time() + 2 * DAY)) < 5
        sid = iv_login(client)
        assert abs(InvidiousSession.get(tokens.web_session_id(sid)).expires.timestamp() - (time.time() + 2 * DAY)) < 5
    finally:
        get_settings.cache_clear()


def test_a_token_session_ends_with_its_token(client, admin):
    sid = iv_login(client)
    response = call(client, "POST", TOKENS + "/register", {"Cookie": f"SID={sid}"}, {"scopes": [":*"], "expire": 60})
    stored = InvidiousSession.get(response.json_body["session"])
    assert stored.expires.timestamp() == response.json_body["expire"]  # the table's TTL tidies it away after


# ---------------------------------------------------------------- what ends them


def test_ta_logout_ends_that_session_only(client, admin):
    first, second = ta_login(client), ta_login(client)
    response = client.http.post("/api/logout/", headers={"Cookie": f"{sessions.SESSION_COOKIE}={first}"})
    assert response.status_code == 204
    assert (
        response.headers["Set-Cookie"].startswith(f"{sessions.SESSION_COOKIE}=;")
        and "Max-Age=0" in response.headers["Set-Cookie"]
    )
    assert not ta_ok(client, {"Cookie": f"{sessions.SESSION_COOKIE}={first}"})
    assert ta_ok(client, {"Cookie": f"{sessions.SESSION_COOKIE}={second}"})
    # the same cookie again: no session to end, so no credentials
    assert client.http.post("/api/logout/", headers={"Cookie": f"{sessions.SESSION_COOKIE}={first}"}).status_code == 403
    # with the token only: nothing to end, the token stays
    assert client.http.post("/api/logout/", headers=token_headers(admin)).status_code == 204
    assert ta_ok(client, token_headers(admin)) and ta_ok(client, {"Cookie": f"{sessions.SESSION_COOKIE}={second}"})


def test_invidious_logout_ends_the_sid_and_keeps_its_tokens(client, admin):
    sid, other_sid = iv_login(client), iv_login(client)
    issued = register(client, sid, ["GET:feed"])
    response = client.http.post("/logout", headers={"Cookie": f"SID={sid}"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "SID=;" in str(response.headers["Set-Cookie"]) and "Max-Age=0" in str(response.headers["Set-Cookie"])
    assert not iv_ok(client, {"Cookie": f"SID={sid}"})
    assert iv_ok(client, {"Cookie": f"SID={other_sid}"}) and iv_ok(client, bearer(issued))
    assert client.http.post("/logout").status_code == 302  # signed out already: nothing to end
    assert client.http.get("/logout").status_code == 405


def test_a_password_reset_ends_every_session_and_token_but_the_api_token(client, admin, other):
    mine, theirs = credentials(client, admin, "admin-password"), credentials(client, other, "other-password")
    assert working(client, mine) == ALL_ON
    users.set_password("admin", "new-password")
    assert working(client, mine) == ALL_OFF
    assert ta_ok(client, token_headers(admin))
    assert working(client, theirs) == ALL_ON
    assert list(InvidiousSession.by_user.query(admin.user_id)) == []


def test_removing_a_user_ends_every_credential(client, admin, other, capsys):
    theirs, mine = credentials(client, other, "other-password"), credentials(client, admin, "admin-password")
    assert cli.main(["remove-user", "other"]) == 0
    assert "removed other" in capsys.readouterr().out
    assert working(client, theirs) == ALL_OFF and not ta_ok(client, token_headers(other))
    assert working(client, mine) == ALL_ON
    assert list(AuthKey.by_user.query(other.user_id)) == []
    assert list(InvidiousSession.by_user.query(other.user_id)) == []
    assert cli.main(["remove-user", "other"]) == 1  # gone already
    with pytest.raises(Exception, match="Unable to log in"):
        users.verify_login("other", "other-password")
