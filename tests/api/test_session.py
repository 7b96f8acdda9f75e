"""/api/login/ and /api/ping/: the token and session cookie login gives, and how every credential is checked."""

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest

from functions.core.settings import VERSION, get_settings
from functions.http.ta import channel as channel_api
from functions.http.ta import playlist as playlist_api
from functions.http.ta import session as session_api
from functions.http.ta import video as video_api
from functions.services.auth import sessions, users
from functions.storage.aws import client as bucket_client
from functions.storage.models import AuthKey, Channel, User, UserVideo, Video
from tests.api.calls import BAD_TOKEN, INVALID_TOKEN, NO_CREDENTIALS, OVER_ONE_MB, routes, send
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_playlist, make_video, video_id

LOGIN_FAILED = {"non_field_errors": ["Unable to log in with provided credentials."]}


def login(client, username="admin", password="admin-password", path="/api/login/", headers=None):
    return send(client, "POST", path, body={"username": username, "password": password}, headers=headers)


def session_of(response) -> str:
    cookie = SimpleCookie()
    cookie.load(response.headers["Set-Cookie"])
    return cookie[sessions.SESSION_COOKIE].value


def ping(client, headers):
    return client.http.get("/api/ping/", headers=headers)


# ---------------------------------------------------------------- login


@pytest.mark.parametrize("path", ["/api/login", "/api/login/"])
def test_login_answers_the_token_and_sets_the_session_cookie(client, admin, path):
    response = login(client, path=path)
    assert response.status_code == 200
    assert response.json_body == {"token": admin.api_token, "user_id": int(admin.user_id)}
    attributes = [part.strip() for part in response.headers["Set-Cookie"].split(";")]
    assert attributes[0].startswith(f"{sessions.SESSION_COOKIE}=")
    assert "HttpOnly" in attributes and "SameSite=Lax" in attributes and "Path=/" in attributes
    assert f"Max-Age={30 * 86400}" in attributes  # SESSION_DAYS' default
    assert "Secure" not in attributes  # plain http, as the local run serves


def test_login_over_https_marks_the_cookie_secure(client, admin):
    response = login(client, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in [part.strip() for part in response.headers["Set-Cookie"].split(";")]


def test_the_session_cookie_authenticates(client, admin, other):
    session = session_of(login(client, "other", "other-password"))
    response = ping(client, {"Cookie": f"{sessions.SESSION_COOKIE}={session}"})
    assert response.status_code == 200 and response.json_body["user"] == int(other.user_id)
    listed = client.http.get("/api/video/", headers={"Cookie": f"csrftoken=x; {sessions.SESSION_COOKIE}={session}"})
    assert listed.status_code == 200
    stored = AuthKey.get(users.digest(session))
    assert stored.kind == users.SESSION and session not in str(stored.attribute_values)  # only its hash is kept


def test_each_login_is_a_new_session(client, admin):
    first, second = session_of(login(client)), session_of(login(client))
    assert first != second
    for session in (first, second):
        assert ping(client, {"Cookie": f"{sessions.SESSION_COOKIE}={session}"}).status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "wrong"), ("nobody", "admin-password"), ("ADMIN", "admin-password"), ("admin", ""), ("", "")],
)
def test_bad_credentials_are_400_with_tubearchivists_body(client, admin, username, password):
    response = login(client, username, password)
    assert (response.status_code, response.json_body) == (400, LOGIN_FAILED)
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"username": "admin"}',
        b'{"password": "admin-password"}',
        b'{"username": 5, "password": "admin-password"}',
        b'{"username": "admin", "password": ["admin-password"]}',
        b'{"username": "a/../admin", "password": "admin-password"}',
    ],
)
def test_missing_or_wrongly_typed_credentials_are_400(client, admin, body):
    response = send(client, "POST", "/api/login/", body=body)
    assert (response.status_code, response.json_body) == (400, LOGIN_FAILED)


@pytest.mark.parametrize("body", [b"{", b"[]", b'"admin"', b"null", b"", b'{"username": "admin", "password": NaN}'])
def test_malformed_login_bodies_are_400(client, admin, body):
    response = client.http.post("/api/login/", headers={"Content-Type": "application/json"}, body=body)
    assert response.status_code == 400
    assert "error" in response.json_body or response.json_body == LOGIN_FAILED


def test_login_limits(client, admin):
    assert send(client, "POST", "/api/login/", body=OVER_ONE_MB).status_code == 413
    form = send(
        client,
        "POST",
        "/api/login/",
        body=b"username=admin&password=admin-password",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415 and "error" in form.json_body
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = send(client, method, "/api/login/")
        assert response.status_code == 405 and response.headers["Allow"] == "POST", method


def test_login_needs_no_credentials_but_ignores_bad_ones(client, admin):
    assert login(client, headers=BAD_TOKEN).status_code == 200


# ---------------------------------------------------------------- ping and credentials


@pytest.mark.parametrize("path", ["/api/ping", "/api/ping/"])
def test_ping(client, admin, other, path):
    response = client.http.get(path, headers=token_headers(admin))
    assert (response.status_code, response.json_body) == (
        200,
        {
            "response": "pong",
            "user": int(admin.user_id),
            "version": "v0.4.13",
            "ytarchive_version": VERSION,
            "downloader": None,
            "ytdlp_update": None,
        },
    )
    assert client.http.get(path, headers=token_headers(other)).json_body["user"] == int(other.user_id)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_ping_other_methods_are_405(client, admin, method):
    response = send(client, method, "/api/ping/", admin)
    assert response.status_code == 405 and response.headers["Allow"] == "GET"


@pytest.mark.parametrize("path", ["/api/ping", "/api/ping/"])
def test_ping_without_credentials_is_403(client, path):
    response = client.http.get(path)
    assert (response.status_code, response.json_body) == (403, NO_CREDENTIALS)


@pytest.mark.parametrize(
    "authorization",
    [
        "Token " + "0" * 40,
        "Token ",
        "Token",
        "Bearer {token}",
        "Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=",
        "Token {token}x",
        "Token {token_upper}",
        "{token}",
    ],
)
def test_bad_tokens_are_403(client, admin, authorization):
    value = authorization.format(token=admin.api_token, token_upper=admin.api_token.upper())
    response = ping(client, {"Authorization": value})
    assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)


def test_token_scheme_is_case_insensitive(client, admin):
    assert ping(client, {"Authorization": f"token {admin.api_token}"}).status_code == 200


@pytest.mark.parametrize("cookie", ["sessionid=forged", "sessionid=", "other=1", 'sessionid="x;', "sessionid={token}"])
def test_bad_session_cookies_are_403(client, admin, cookie):
    response = ping(client, {"Cookie": cookie.format(token=admin.api_token)})
    assert response.status_code == 403
    assert response.json_body == NO_CREDENTIALS


def test_a_session_is_no_api_token(client, admin):
    session = session_of(login(client))
    response = ping(client, {"Authorization": f"Token {session}"})
    assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)


def test_an_expired_session_is_403(client, admin):
    session = session_of(login(client))
    key = AuthKey.get(users.digest(session))
    key.update(actions=[AuthKey.expires.set(datetime.now(UTC) - timedelta(seconds=1))])
    response = ping(client, {"Cookie": f"{sessions.SESSION_COOKIE}={session}"})
    assert (response.status_code, response.json_body) == (403, NO_CREDENTIALS)


def test_a_new_password_ends_every_session_but_keeps_the_token(client, admin):
    session = session_of(login(client))
    users.set_password("admin", "new-password")
    assert ping(client, {"Cookie": f"{sessions.SESSION_COOKIE}={session}"}).status_code == 403
    assert ping(client, token_headers(admin)).status_code == 200
    assert login(client).status_code == 400
    assert login(client, password="new-password").status_code == 200


def test_a_deleted_users_credentials_are_403(client, admin, other):
    session = session_of(login(client, "other", "other-password"))
    User.get("other").delete()
    for headers in (token_headers(other), {"Cookie": f"{sessions.SESSION_COOKIE}={session}"}):
        response = ping(client, headers)
        assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)
    assert ping(client, token_headers(admin)).status_code == 200


# ---------------------------------------------------------------- a deleted user, on every route


def every_route() -> list[tuple[str, str]]:
    found = []
    for router in (video_api.router, channel_api.router, playlist_api.router, session_api.router):
        found += routes(router)
    media = f"/media/{channel_id(1)}/{video_id(1)}.mp4"
    found = [(m, p + f"?q={channel_id(1)}" if p.endswith("/search") else p) for m, p in found]
    return [*found, ("GET", media), ("GET", f"/cache/channels/{channel_id(1)}_thumb.jpg")]


BODIES = {
    "/api/channel": {"data": [{"channel_id": channel_id(1), "channel_subscribed": True}]},
    "/api/watched": {"id": video_id(1), "is_watched": True},
    f"/api/video/{video_id(1)}/progress": {"position": 299},
}


@pytest.mark.parametrize(("method", "path"), every_route())
def test_a_deleted_users_token_is_refused_on_every_route_and_changes_nothing(client, admin, other, method, path):
    make_channel(1)
    make_video(1)
    make_playlist(1, [1])
    bucket = get_settings().media_bucket
    for key in (f"media/{channel_id(1)}/{video_id(1)}.mp4", f"cache/channels/{channel_id(1)}_thumb.jpg"):
        bucket_client("s3").put_object(Bucket=bucket, Key=key, Body=b"x")
    User.get("other").delete()
    response = send(client, method, path, other, BODIES.get(path) if method == "POST" else None)
    assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)
    assert Video.count() == 1 and Channel.get(channel_id(1)).channel_subscribed is False
    assert UserVideo.count() == 0
