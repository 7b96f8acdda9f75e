"""The v0.5 frontend's login: /api/user/login/ (204, session and CSRF cookies), the CSRF token on every write of
that session (Django's X-CSRFToken rule, beside the Origin check), logout, /api/user/me/ and /api/user/account/."""

from http.cookies import SimpleCookie

import pytest

from functions.services.auth import origin
from functions.storage.models import User
from tests.api.calls import send
from tests.factories import make_video, video_id

HOST = {"Host": "archive.example"}
SAME_ORIGIN = {**HOST, "Origin": "http://archive.example"}


def cookies_of(answer) -> dict[str, str]:
    values = answer.headers.get("Set-Cookie")
    jar: SimpleCookie = SimpleCookie()
    for value in values if isinstance(values, list) else [values]:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def login(client, username="admin", password="admin-password", **extra) -> tuple[dict, str]:
    """Log in; the Cookie header the browser sends from then on, and the CSRF token the frontend reads."""
    answer = send(client, "POST", "/api/user/login/", body={"username": username, "password": password, **extra})
    assert answer.status_code == 204, answer.body
    jar = cookies_of(answer)
    cookie = f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"
    return {**HOST, "Cookie": cookie}, jar["csrftoken"]


def test_login_sets_the_session_and_csrf_cookies(client, admin):
    answer = send(client, "POST", "/api/user/login/", body={"username": "admin", "password": "admin-password"})
    assert (answer.status_code, answer.body) == (204, b"")
    raw = answer.headers["Set-Cookie"]
    lines = raw if isinstance(raw, list) else [raw]
    session = next(line for line in lines if line.startswith("sessionid="))
    csrf = next(line for line in lines if line.startswith("csrftoken="))
    assert "HttpOnly" in session and "Max-Age=172800" in session  # two days unless remembered
    assert "HttpOnly" not in csrf  # the frontend reads it to send X-CSRFToken
    assert User.get("admin").last_login is not None


def test_remember_me_keeps_the_session_a_year(client, admin):
    body = {"username": "admin", "password": "admin-password", "remember_me": "on"}
    answer = send(client, "POST", "/api/user/login/", body=body)
    assert "Max-Age=31536000" in str(answer.headers["Set-Cookie"])


@pytest.mark.parametrize(
    "body",
    [{"username": "admin", "password": "wrong"}, {"username": "nobody", "password": "admin-password"}],
)
def test_wrong_credentials(client, admin, body):
    answer = send(client, "POST", "/api/user/login/", body=body)
    assert (answer.status_code, answer.json_body) == (400, {"error": "Invalid credentials"})
    assert "Set-Cookie" not in answer.headers


def test_a_malformed_login_is_400(client, admin):
    answer = send(client, "POST", "/api/user/login/", body={"username": "admin"})
    assert answer.status_code == 400
    assert "password" in answer.json_body["error"]


def test_the_session_speaks_v05(client, admin):
    make_video(1)
    cookie, _ = login(client)
    answer = send(client, "GET", f"/api/video/{video_id(1)}/", headers=cookie)
    assert answer.status_code == 200
    assert answer.json_body["youtube_id"] == video_id(1) and "config" not in answer.json_body


def test_me_reads_the_defaults_and_keeps_changes(client, admin, other):
    cookie, csrf = login(client)
    config = send(client, "GET", "/api/user/me/", headers=cookie).json_body
    assert config["view_style_home"] == "grid" and config["hide_watched"] is False and config["grid_items"] == 3
    change = {"view_style_home": "list", "hide_watched": True, "grid_items": 5, "page_size": 40}
    answer = send(client, "POST", "/api/user/me/", body=change, headers={**SAME_ORIGIN, **cookie, "X-CSRFToken": csrf})
    assert answer.status_code == 200, answer.body
    assert {key: answer.json_body[key] for key in change} == change
    again = send(client, "GET", "/api/user/me/", headers=cookie).json_body
    assert again == answer.json_body and again["sort_by"] == "published"
    assert send(client, "GET", "/api/video/", headers=cookie).json_body["paginate"]["page_size"] == 40
    assert send(client, "GET", "/api/user/me/", other).json_body["view_style_home"] == "grid"  # per user


@pytest.mark.parametrize(
    "change", [{"grid_items": 9}, {"view_style_home": "tiles"}, {"unknown": 1}, {"hide_watched": "yes"}]
)
def test_me_refuses_bad_values_and_changes_nothing(client, admin, change):
    before = send(client, "GET", "/api/user/me/", admin).json_body
    answer = send(client, "POST", "/api/user/me/", admin, body={"view_style_channel": "grid", **change})
    assert answer.status_code == 400
    assert send(client, "GET", "/api/user/me/", admin).json_body == before


def other_token(token: str) -> str:
    """The token with its first character changed (whatever that character is)."""
    return ("y" if token[0] == "x" else "x") + token[1:]


def test_writes_of_the_session_need_its_csrf_token(client, admin):
    cookie, csrf = login(client)
    write = {**SAME_ORIGIN, **cookie}
    body = {"view_style_home": "table"}
    missing = send(client, "POST", "/api/user/me/", body=body, headers=write)
    assert (missing.status_code, missing.json_body) == (403, {"detail": origin.CSRF_MISSING})
    wrong = send(client, "POST", "/api/user/me/", body=body, headers={**write, "X-CSRFToken": other_token(csrf)})
    assert (wrong.status_code, wrong.json_body) == (403, {"detail": origin.CSRF_INCORRECT})
    other_site = {**cookie, **HOST, "Origin": "http://evil.example", "X-CSRFToken": csrf}
    assert send(client, "POST", "/api/user/me/", body=body, headers=other_site).status_code == 403  # Origin still
    assert send(client, "GET", "/api/user/me/", headers=cookie).json_body["view_style_home"] == "grid"
    ok = send(client, "POST", "/api/user/me/", body=body, headers={**write, "X-CSRFToken": csrf})
    assert ok.status_code == 200 and ok.json_body["view_style_home"] == "table"


def test_another_sessions_token_does_not_pass(client, admin):
    cookie, _ = login(client)
    _, other_csrf = login(client)
    write = {**SAME_ORIGIN, **cookie, "X-CSRFToken": other_csrf}
    assert send(client, "POST", "/api/user/me/", body={"grid_items": 4}, headers=write).status_code == 403


def test_logout_ends_the_session(client, admin):
    cookie, csrf = login(client)
    answer = send(client, "POST", "/api/user/logout/", headers={**SAME_ORIGIN, **cookie, "X-CSRFToken": csrf})
    assert answer.status_code == 204
    assert "sessionid=;" in str(answer.headers["Set-Cookie"]) and "csrftoken=;" in str(answer.headers["Set-Cookie"])
    assert send(client, "GET", "/api/user/me/", headers=cookie).status_code == 403
    assert send(client, "GET", "/api/ping/", admin).status_code == 200  # the API token stays


def test_account(client, admin, other):
    login(client)
    account = send(client, "GET", "/api/user/account/", admin).json_body
    assert account["id"] == int(admin.user_id) and account["name"] == "admin"
    assert account["is_superuser"] is True and account["is_staff"] is True and account["last_login"]
    plain = send(client, "GET", "/api/user/account/", other).json_body
    assert (plain["is_staff"], plain["last_login"]) == (False, None)


def test_v04_sessions_are_unchanged(client, admin):
    """The v0.4 login's session needs no CSRF token (its clients never had one) and speaks v0.4."""
    answer = send(client, "POST", "/api/login/", body={"username": "admin", "password": "admin-password"})
    session = SimpleCookie(answer.headers["Set-Cookie"])["sessionid"].value
    cookie = {**SAME_ORIGIN, "Cookie": f"sessionid={session}"}
    assert send(client, "POST", "/api/user/me/", body={"grid_items": 4}, headers=cookie).status_code == 200
    make_video(1)
    assert "config" in send(client, "GET", f"/api/video/{video_id(1)}/", headers=cookie).json_body
