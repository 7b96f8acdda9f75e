"""The web login and token approval pages over HTTP (chalice's test client): /login and /authorize_token."""

import html
import json
import re
import time
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import pytest

from functions.http.invidious import pages
from functions.services.invidious import tokens, web_sessions
from functions.storage.models import InvidiousSession

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
KEY = b"test-hmac-key"
HTML = "text/html; charset=utf-8"


def sessions_of(user) -> list[InvidiousSession]:
    return [InvidiousSession.get(s.session) for s in InvidiousSession.by_user.query(user.user_id)]


def field(body: bytes, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', body.decode())
    assert match, f"no field {name}"
    return html.unescape(match[1])


def cookies(response) -> list[str]:
    value = response.headers.get("Set-Cookie", [])
    return value if isinstance(value, list) else [value]


def cookie_value(response, name: str) -> str | None:
    for text in cookies(response):
        if text.startswith(name + "="):
            return text.split(";")[0].split("=", 1)[1]
    return None


def post_form(client, path: str, fields: dict, headers: dict | None = None):
    return client.http.post(path, headers={**FORM, **(headers or {})}, body=urlencode(fields).encode())


def login(client, username="admin", password="admin-password", **extra):
    return post_form(client, "/login", {"email": username, "password": password, **extra})


@pytest.fixture
def signed_in(client, admin) -> dict:
    response = login(client)
    assert response.status_code == 302
    return {"Cookie": "SID=" + cookie_value(response, "SID")}


def consent(client, headers: dict, **params):
    response = client.http.get("/authorize_token?" + urlencode(params), headers=headers)
    assert response.status_code == 200, response.body
    return response


def approve(client, headers: dict, consent_page, **changes):
    fields = {name: field(consent_page.body, name) for name in ("scopes", "callback_url", "expire", "csrf_token")}
    return post_form(client, "/authorize_token", {**fields, **changes}, headers)


def assert_page(response, status: int) -> str:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == HTML
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    body = response.body.decode()
    assert body.startswith("<!doctype html>")  # text, never base64 through binary_types
    return body


# ---------------------------------------------------------------- /login


def test_login_form(client):
    response = client.http.get("/login?referer=%2Fauthorize_token%3Fscopes%3DGET%3Afeed")
    body = assert_page(response, 200)
    for name in ('name="email"', 'name="password"', 'type="password"', 'action="/login"', 'method="post"'):
        assert name in body
    assert field(response.body, "referer") == "/authorize_token?scopes=GET:feed"
    csrf = cookie_value(response, "csrf")
    assert field(response.body, "csrf_token") == csrf and len(csrf) == 43
    assert cookies(response) == [f"csrf={csrf}; Path=/login; HttpOnly; SameSite=Strict"]
    # the same browser keeps its value (several tabs), a new one gets another
    again = client.http.get("/login", headers={"Cookie": f"csrf={csrf}"})
    assert field(again.body, "csrf_token") == csrf
    assert cookie_value(client.http.get("/login"), "csrf") != csrf


@pytest.mark.parametrize("referer", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:x", ""])
def test_login_form_keeps_only_local_referers(client, referer):
    response = client.http.get("/login?" + urlencode({"referer": referer}))
    assert field(response.body, "referer") == "/"


def test_login_form_escapes_what_it_shows(client):
    response = client.http.get("/login?" + urlencode({"referer": '/x"><script>alert(1)</script>'}))
    body = response.body.decode()
    assert "<script>" not in body
    assert "&quot;&gt;&lt;script&gt;" in body
    failed = login(client, username='<b onmouseover="x">', password="p").body.decode()
    assert "<b onmouseover" not in failed and "&lt;b onmouseover=&quot;x&quot;&gt;" in failed


def test_login_as_an_app_does(client, admin):
    # Yattee, Clipious: POST the credentials, read the SID cookie of the 302
    response = login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    sid = cookie_value(response, "SID")
    assert cookies(response) == [f"SID={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age={30 * 86400}"]
    (session,) = sessions_of(admin)
    assert (session.session, session.kind, session.username) == (tokens.web_session_id(sid), "web", "admin")
    # the cookie is a login: it works on the API with every scope
    assert client.http.get("/api/v1/auth/tokens", headers={"Cookie": f"SID={sid}"}).status_code == 200


def test_login_with_the_username_field_over_https(client, admin):
    response = post_form(
        client,
        "/login?referer=%2Fauthorize_token%3Fscopes%3DGET%3Afeed",
        {"username": "admin", "password": "admin-password"},
        {"X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/authorize_token?scopes=GET:feed"
    assert cookies(response)[0].endswith(f"; Path=/; HttpOnly; SameSite=Lax; Max-Age={30 * 86400}; Secure")


@pytest.mark.parametrize(("referer", "location"), [("/feed?x=1", "/feed?x=1"), ("https://evil.example/", "/")])
def test_login_goes_back_to_local_referers_only(client, admin, referer, location):
    assert login(client, referer=referer).headers["Location"] == location


@pytest.mark.parametrize(
    ("username", "password", "status", "message"),
    [
        ("admin", "wrong", 403, "Wrong username or password."),
        ("nobody", "admin-password", 403, "Wrong username or password."),
        ("admin", "", 400, "Enter your username and password."),
        ("", "admin-password", 400, "Enter your username and password."),
    ],
)
def test_login_failures_show_the_form_again(client, admin, username, password, status, message):
    response = login(client, username, password, referer="/authorize_token?scopes=GET:feed")
    body = assert_page(response, status)
    assert message in body
    assert field(response.body, "email") == username  # kept, the password is not
    assert field(response.body, "referer") == "/authorize_token?scopes=GET:feed"
    assert cookie_value(response, "SID") is None
    assert sessions_of(admin) == []


def test_browser_login_needs_the_double_submit_token(client, admin):
    form = client.http.get("/login")
    csrf = cookie_value(form, "csrf")
    browser = {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"}
    refused = [
        post_form(client, "/login", {"email": "admin", "password": "admin-password"}, browser),
        post_form(client, "/login", {"email": "admin", "password": "admin-password", "csrf_token": csrf}, browser),
        post_form(
            client,
            "/login",
            {"email": "admin", "password": "admin-password", "csrf_token": "x" * 43},
            {**browser, "Cookie": f"csrf={csrf}"},
        ),
        post_form(client, "/login", {"email": "admin", "password": "admin-password", "csrf_token": ""}),
        post_form(client, "/login", {"email": "admin", "password": "admin-password"}, {"Cookie": f"csrf={csrf}"}),
    ]
    for response in refused:
        assert "This form has expired" in assert_page(response, 403)
        assert cookie_value(response, "SID") is None
    assert sessions_of(admin) == []

    fields = {"email": "admin", "password": "admin-password", "csrf_token": csrf}
    response = post_form(client, "/login", fields, {**browser, "Cookie": f"csrf={csrf}"})
    assert response.status_code == 302
    sid = cookie_value(response, "SID")
    assert cookies(response) == [
        f"SID={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age={30 * 86400}",
        "csrf=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0",
    ]


def test_login_form_must_be_a_form(client, admin):
    response = client.http.post(
        "/login", headers={"Content-Type": "application/json"}, body=b'{"email":"admin","password":"admin-password"}'
    )
    assert assert_page(response, 415)
    assert sessions_of(admin) == []


# ---------------------------------------------------------------- GET /authorize_token


def test_authorize_signed_out_goes_to_login_and_back(client, admin):
    params = {"scopes": "GET:tokens,:playlists*", "callback_url": "http://127.0.0.1:9/cb?a=1", "expire": "60"}
    response = client.http.get("/authorize_token?" + urlencode(params))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?referer=")
    back = unquote(location.removeprefix("/login?referer="))
    assert back == "/authorize_token?" + urlencode(params)
    # the login form carries it, and signing in returns there
    form = client.http.get(location)
    assert field(form.body, "referer") == back
    assert login(client, referer=field(form.body, "referer")).headers["Location"] == back
    assert [s.kind for s in sessions_of(admin)] == ["web"]  # nothing issued


def test_a_tokens_session_is_not_a_login(client, admin):
    token = tokens.issue(admin.user_id, admin.username, [":*"], None)
    response = client.http.get("/authorize_token?scopes=GET:feed", headers={"Cookie": f"SID={token['session']}"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")


@pytest.mark.parametrize(
    "params",
    [
        {"scopes": "GET:feed,bad scope"},
        {"scopes": "FETCH:feed"},
        {},
        {"scopes": "GET:feed", "callback_url": "javascript:alert(1)"},
        {"scopes": "GET:feed", "callback_url": "data:text/html,x"},
        {"scopes": "GET:feed", "callback_url": "/relative"},
        {"scopes": "GET:feed", "callback_url": "http:///nohost"},
        {"scopes": "GET:feed", "callback_url": "https://a.example/with space"},
        {"scopes": "GET:feed", "expire": "tomorrow"},
        {"scopes": "GET:feed", "expire": "99999999999999999999"},  # past the year 9999: was a 500
        {"scopes": "GET:feed", "expire": "9" * 5000},
        {"scopes": "GET:feed", "callback_url": "http://127.0.0.1@evil.example/cb"},
        {"scopes": "GET:feed", "callback_url": "https://user:pw@a.example/cb"},
        {"scopes": "GET:feed", "callback_url": "myapp://me@cb"},
    ],
)
def test_authorize_refuses_bad_requests(client, signed_in, params):
    for headers in ({}, signed_in):
        response = client.http.get("/authorize_token?" + urlencode(params), headers=headers)
        assert "Invalid authorization request" in assert_page(response, 400)


def test_consent_page(client, admin, signed_in):
    response = consent(client, signed_in, scopes="GET:tokens,:playlists*", callback_url="myapp-auth://cb", expire=3600)
    body = assert_page(response, 200)
    assert "Signed in as <strong>admin</strong>" in body
    assert "<code>GET:tokens</code>: GET on the tokens endpoint" in body
    assert "<code>:playlists*</code>: any method on every endpoint starting with playlists" in body
    assert "myapp-auth://cb" in body and "The token expires on" in body
    assert 'action="/authorize_token"' in body and ">Approve</button>" in body
    assert field(response.body, "scopes") == "GET:tokens,:playlists*"
    assert field(response.body, "callback_url") == "myapp-auth://cb"
    assert field(response.body, "expire") == "3600"
    session_id = tokens.web_session_id(signed_in["Cookie"][4:])
    assert field(response.body, "csrf_token") == web_sessions.authorize_csrf(session_id)
    assert [s.session for s in sessions_of(admin)] == [session_id]  # showing the page issues nothing


def test_consent_page_escapes_the_callback(client, signed_in):
    response = consent(client, signed_in, scopes="GET:feed", callback_url='https://a.example/"><script>x</script>')
    body = response.body.decode()
    assert "<script>" not in body
    assert field(response.body, "callback_url") == 'https://a.example/"><script>x</script>'


# ---------------------------------------------------------------- POST /authorize_token


def test_approve_needs_the_session_and_its_csrf_token(client, admin, other, signed_in):
    page = consent(client, signed_in, scopes="GET:tokens", callback_url="http://127.0.0.1:9/cb")
    other_sid = cookie_value(login(client, "other", "other-password"), "SID")
    attempts = [
        ({}, {}),  # signed out
        (signed_in, {"csrf_token": ""}),
        (signed_in, {"csrf_token": "wrong"}),
        (signed_in, {"csrf_token": web_sessions.authorize_csrf(other_sid)}),  # another session's token
        ({"Cookie": f"SID={other_sid}"}, {}),  # this session's token in another session
    ]
    for headers, changes in attempts:
        response = approve(client, headers, page, **changes)
        assert_page(response, 403)
        assert "Location" not in response.headers
    assert [s.kind for s in sessions_of(admin)] == ["web"]
    assert [s.kind for s in sessions_of(other)] == ["web"]
    # a form without the token at all
    fields = {"scopes": "GET:tokens", "callback_url": "http://127.0.0.1:9/cb"}
    assert_page(post_form(client, "/authorize_token", fields, signed_in), 403)
    assert [s.kind for s in sessions_of(admin)] == ["web"]


def decode_callback(location: str) -> tuple[dict, str, dict]:
    """What an app does with the callback: parse the query (one decoding), then decode the values once more."""
    query = parse_qs(urlsplit(location).query)
    token = json.loads(unquote(query["token"][0]))
    return token, unquote(query["username"][0]), query


def test_approve_redirects_to_the_callback_with_a_working_token(client, admin, signed_in):
    callback = "http://127.0.0.1:9/cb?keep=1&token=stale#done"
    page = consent(client, signed_in, scopes="GET:tokens,GET:feed", callback_url=callback, expire="3600")

    response = approve(client, signed_in, page)

    assert response.status_code == 302
    location = response.headers["Location"]
    token, username, query = decode_callback(location)
    assert location.startswith("http://127.0.0.1:9/cb?keep=1&token=%257B%2522session%2522%253A%2522v1%253A")
    assert location.endswith("&username=admin#done")
    assert query["keep"] == ["1"] and len(query["token"]) == 1  # kept, and the stale token replaced
    assert username == "admin"
    compact = json.dumps(token, separators=(",", ":"))
    assert f"token={quote(quote(compact, safe=''), safe='')}&" in location  # encoded exactly twice
    assert token["scopes"] == ["GET:tokens", "GET:feed"]
    assert int(time.time()) + 3590 < token["expire"] <= int(time.time()) + 3600
    assert token["signature"] == tokens.sign(token, KEY)
    assert InvidiousSession.get(token["session"]).kind == "token"

    # the token works where it is scoped: raw JSON, or URL-encoded as the callback carried it
    for value in (compact, query["token"][0]):
        listed = client.http.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {value}"})
        assert listed.status_code == 200
        assert {item["session"] for item in listed.json_body} == {
            token["session"],
            tokens.web_session_id(signed_in["Cookie"][4:]),
        }
    refused = client.http.post("/api/v1/auth/tokens/register", headers={"Authorization": compact})
    assert refused.json_body == {"error": "Invalid scope"}


def test_approve_to_a_custom_scheme(client, admin, signed_in):
    page = consent(client, signed_in, scopes="GET:feed", callback_url="myapp-auth://callback")
    response = approve(client, signed_in, page)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("myapp-auth://callback?token=%257B")
    token, username, _ = decode_callback(location)
    assert (token["scopes"], username) == (["GET:feed"], "admin")
    assert "expire" not in token


def test_approve_without_a_callback_shows_the_token(client, admin, signed_in):
    page = consent(client, signed_in, scopes="GET:feed")
    response = approve(client, signed_in, page)
    body = assert_page(response, 200)
    shown = json.loads(html.unescape(re.search(r"<textarea[^>]*>([^<]*)</textarea>", body)[1]))
    assert shown["scopes"] == ["GET:feed"]
    assert shown["signature"] == tokens.sign(shown, KEY)
    assert client.http.get("/api/v1/auth/feed", headers={"Authorization": json.dumps(shown)}).status_code == 200


def test_approve_checks_the_fields_again(client, admin, signed_in):
    page = consent(client, signed_in, scopes="GET:feed")
    for changes in ({"scopes": "GET:feed,nope"}, {"callback_url": "javascript:x"}, {"expire": "-1"}):
        assert_page(approve(client, signed_in, page, **changes), 400)
    assert [s.kind for s in sessions_of(admin)] == ["web"]


# ---------------------------------------------------------------- pieces


def test_callback_with_keeps_the_callback_as_it_was():
    added = web_sessions.callback_with("myapp://x/y?a=%20b&c&d=1#f?g", '{"a": 1}', "us er")
    assert added == "myapp://x/y?a=%20b&c&d=1&token=%257B%2522a%2522%253A%25201%257D&username=us%2520er#f?g"
    assert web_sessions.callback_with("myapp:cb", "t", "u") == "myapp:cb?token=t&username=u"


def test_scope_descriptions():
    assert pages.describe_scope(":*") == "any method on every endpoint"
    assert pages.describe_scope("post;GET:Feed") == "GET, POST on the feed endpoint"
