"""CSRF: a write authenticated by a session cookie (TubeArchivist's `sessionid`, Invidious' `SID`) must come from
this site's own origin; a JSON body must say it is JSON (415 otherwise). Reads, Authorization-header clients and
non-browser clients pass."""

import json
from urllib.parse import urlencode

import pytest

from functions.core.settings import get_settings
from functions.services.auth import sessions
from functions.storage.models import QueueItem, User, UserVideo
from tests.conftest import token_headers
from tests.factories import make_channel, make_video, video_id

HOST = "127.0.0.1:8700"
OWN = {"Host": HOST, "Origin": f"http://{HOST}"}
SAME_SITE_OTHER_PORT = {"Host": HOST, "Origin": "http://127.0.0.1:8709"}
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def ta_cookie(client, admin) -> dict:
    body = json.dumps({"username": "admin", "password": "admin-password"})
    response = client.http.post("/api/login/", headers=JSON, body=body)
    return {"Cookie": f"{sessions.SESSION_COOKIE}={response.headers['Set-Cookie'].split(';')[0].split('=', 1)[1]}"}


@pytest.fixture
def sid_cookie(client, admin) -> dict:
    body = urlencode({"email": "admin", "password": "admin-password"})
    response = client.http.post("/login", headers=FORM, body=body)
    return {"Cookie": response.headers["Set-Cookie"].split(";")[0]}


def progress(client, headers: dict, body=b'{"position": 42}'):
    return client.http.post(f"/api/video/{video_id(1)}/progress", headers=headers, body=body)


def position() -> int | None:
    found = list(UserVideo.scan())
    return int(found[0].position) if found and found[0].position is not None else None


@pytest.mark.parametrize(
    "origin",
    [
        SAME_SITE_OTHER_PORT,
        {"Host": HOST, "Origin": "http://evil.example"},
        {"Host": HOST, "Origin": f"https://{HOST}"},  # another scheme is another origin
        {"Host": HOST, "Origin": "null"},  # a sandboxed frame or a data: page
        {"Host": HOST, "Origin": "garbage"},
        {"Host": HOST, "Sec-Fetch-Site": "same-site"},  # a browser that left Origin out
        {"Host": HOST, "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_ta_cookie_write_from_another_origin_is_refused(client, admin, ta_cookie, origin):
    make_channel(1)
    make_video(1)
    response = progress(client, {**ta_cookie, **JSON, **origin})
    assert response.status_code == 403
    assert "Cross-site request refused" in response.json_body["detail"]
    assert position() is None


def test_a_download_queued_from_another_port_is_refused(client, admin, ta_cookie):
    body = json.dumps({"data": [{"youtube_id": video_id(7), "status": "pending"}]})
    response = client.http.post("/api/download/", headers={**ta_cookie, **JSON, **SAME_SITE_OTHER_PORT}, body=body)
    assert response.status_code == 403
    assert QueueItem.count() == 0


@pytest.mark.parametrize(
    "origin",
    [
        OWN,
        {"Host": HOST, "Origin": f"http://{HOST}/"},
        {"Host": "example.org", "Origin": "https://example.org", "X-Forwarded-Proto": "https"},
        {"Host": "example.org:443", "Origin": "https://example.org", "X-Forwarded-Proto": "https"},
        {"Host": HOST, "Sec-Fetch-Site": "same-origin"},
        {},  # no browser: curl, an app
    ],
)
def test_a_ta_cookie_write_from_this_site_passes(client, admin, ta_cookie, origin):
    make_channel(1)
    make_video(1)
    assert progress(client, {**ta_cookie, **JSON, **origin}).status_code == 200
    assert position() == 42


def test_trusted_origins_may_write(client, admin, ta_cookie, monkeypatch):
    make_channel(1)
    make_video(1)
    monkeypatch.setenv("TRUSTED_ORIGINS", "https://ui.example, http://127.0.0.1:8709/")
    get_settings.cache_clear()
    try:
        assert progress(client, {**ta_cookie, **JSON, **SAME_SITE_OTHER_PORT}).status_code == 200
        headers = {**ta_cookie, **JSON, "Host": HOST, "Origin": "https://ui.example"}
        assert progress(client, headers).status_code == 200
        headers["Origin"] = "https://other.example"
        assert progress(client, headers).status_code == 403
    finally:
        get_settings.cache_clear()


def test_reads_and_token_clients_pass_from_any_origin(client, admin, ta_cookie):
    make_channel(1)
    make_video(1)
    assert client.http.get("/api/video/", headers={**ta_cookie, **SAME_SITE_OTHER_PORT}).status_code == 200
    # the Authorization header authenticates; no other page can make a browser send it
    headers = {**token_headers(admin), **ta_cookie, **JSON, **SAME_SITE_OTHER_PORT}
    assert progress(client, headers).status_code == 200


def test_invidious_sid_writes_from_another_origin_are_refused(client, admin, sid_cookie):
    make_channel(1)
    writes = [
        ("POST", "/api/v1/auth/preferences", b'{"speed": 2.0}'),
        ("POST", f"/api/v1/auth/subscriptions/{make_channel(2).channel_id}", b""),
        ("POST", "/api/v1/auth/tokens/register", b'{"scopes": [":*"]}'),
        ("DELETE", "/api/v1/auth/history", b""),
    ]
    for method, path, body in writes:
        response = client.http.request(method, path, headers={**sid_cookie, **JSON, **SAME_SITE_OTHER_PORT}, body=body)
        assert response.status_code == 403, (method, path)
        assert "Cross-site request refused" in response.json_body["error"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"  # readable as an error by the page
    assert User.get("admin").preferences is None
    assert client.http.get("/api/v1/auth/subscriptions", headers=sid_cookie).json_body == []
    response = client.http.post(
        "/api/v1/auth/preferences", headers={**sid_cookie, **JSON, **OWN}, body=b'{"speed": 2.0}'
    )
    assert response.status_code == 204


def test_logout_from_another_origin_is_refused(client, admin, sid_cookie, ta_cookie):
    assert client.http.post("/logout", headers={**sid_cookie, **SAME_SITE_OTHER_PORT}).status_code == 403
    assert client.http.post("/api/logout/", headers={**ta_cookie, **SAME_SITE_OTHER_PORT}).status_code == 403
    assert client.http.get("/api/v1/auth/feed", headers=sid_cookie).status_code == 200
    assert client.http.get("/api/ping/", headers=ta_cookie).status_code == 200


# ---------------------------------------------------------------- 415


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_json_body_without_the_json_type_is_415(client, admin, ta_cookie, content_type):
    make_channel(1)
    make_video(1)
    headers = {**ta_cookie, **OWN}
    if content_type:
        headers["Content-Type"] = content_type
    response = progress(client, headers)  # what fetch() sends for a Blob body: no Content-Type at all
    assert response.status_code == 415
    assert "application/json" in response.json_body["error"]
    assert position() is None
    body = json.dumps({"data": [{"youtube_id": video_id(7)}]})
    assert client.http.post("/api/download/", headers=headers, body=body).status_code == 415
    assert QueueItem.count() == 0
