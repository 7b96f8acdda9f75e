"""Who may read the public Invidious API: anyone when the owner opened it (the local run, PUBLIC_INVIDIOUS=true),
else the instance's users by any credential they hold; media links stay signed either way. CORS on every answer,
errors included, and the pages and URLs of a stage-prefixed deployment."""

import json
from urllib.parse import unquote, urlsplit

import pytest
from chalice.local import LambdaContext, LambdaEventConverter, RouteMatcher

from functions.core.settings import get_settings
from functions.services.auth import sessions
from functions.services.invidious import access, tokens, web_sessions
from functions.storage import aws as aws_clients
from functions.storage import s3, signing
from tests.conftest import token_headers
from tests.factories import make_channel, make_video, video_id
from tests.invidious.iv_helpers import auth

CORS = "Access-Control-Allow-Origin"
PUBLIC_PATHS = [
    "/api/v1/stats",
    f"/api/v1/videos/{video_id(1)}",
    "/api/v1/channels/UC0000000000000000000001",
    "/api/v1/channels/UC0000000000000000000001/videos",
    "/api/v1/search?q=video",
    "/api/v1/search/suggestions?q=vid",
    "/api/v1/popular",
    "/api/v1/trending",
    f"/api/v1/comments/{video_id(1)}",
    f"/api/v1/captions/{video_id(1)}",
    f"/vi/{video_id(1)}/mqdefault.jpg",
    "/api/v1/playlists/PL0000000000000001",
]


@pytest.fixture
def settings_env(monkeypatch):
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def private(settings_env):
    settings_env.setenv("PUBLIC_INVIDIOUS", "false")
    get_settings.cache_clear()


@pytest.fixture
def archived(aws):
    from tests.factories import make_playlist

    make_channel(1)
    make_video(1)
    make_playlist(1, [1])
    bucket = get_settings().media_bucket
    aws_clients.client("s3").put_object(Bucket=bucket, Key=s3.video_thumb_key(video_id(1)), Body=b"jpg")


def test_the_local_run_opens_the_public_api(client, archived):
    assert get_settings().public_invidious
    for path in PUBLIC_PATHS:
        answer = client.http.get(path)
        assert answer.status_code in (200, 302), (path, answer.body)
        assert answer.headers[CORS] == "*"


def test_a_deployed_stage_is_private_unless_its_owner_opens_it(settings_env):
    settings_env.setenv("APP_STAGE", "prod")
    get_settings.cache_clear()
    assert not get_settings().public_invidious
    settings_env.setenv("PUBLIC_INVIDIOUS", "true")
    get_settings.cache_clear()
    assert get_settings().public_invidious


def test_private_without_a_credential_is_403_saying_what_to_send(client, archived, private):
    for path in PUBLIC_PATHS:
        answer = client.http.get(path)
        assert answer.status_code == 403 and answer.json_body == {"error": access.PRIVATE}, path
        assert answer.headers[CORS] == "*"
    bad = client.http.get("/api/v1/stats", headers={"Authorization": 'Bearer {"session": "v1:nope"}'})
    assert bad.status_code == 403 and bad.json_body == {"error": access.PRIVATE}
    wrong = client.http.get("/api/v1/stats", headers={"Authorization": "Token " + "0" * 40})
    assert wrong.status_code == 403


def test_private_accepts_every_credential_a_user_has(client, admin, archived, private):
    narrow = auth(admin, ["GET:feed"])  # any valid token: its scopes are for /auth/ endpoints
    sid = web_sessions.start_web_session(admin)
    session, _ = sessions.start_session(admin)
    for headers in (
        narrow,
        {"Cookie": f"{tokens.SID_COOKIE}={sid}"},
        token_headers(admin),
        {"Cookie": f"{sessions.SESSION_COOKIE}={session}"},
    ):
        for path in PUBLIC_PATHS:
            answer = client.http.get(path, headers=headers)
            assert answer.status_code in (200, 302), (path, headers, answer.body)


def test_media_links_stay_signed_when_private_and_open(client, archived, settings_env):
    path = signing.signed_path(s3.video_thumb_key(video_id(1)))
    for public in ("false", "true"):
        settings_env.setenv("PUBLIC_INVIDIOUS", public)
        get_settings.cache_clear()
        assert client.http.get(path).status_code == 302
        tampered = path.replace("/signed/", "/signed/1", 1)
        assert client.http.get(tampered).status_code == 403


def test_errors_carry_cors(client, aws):
    for path, status in ((f"/api/v1/videos/{video_id(5)}x", 404), ("/api/v1/search?type=nope&q=a", 400)):
        answer = client.http.get(path)
        assert answer.status_code == status and answer.headers[CORS] == "*" and "error" in answer.json_body
    not_allowed = client.http.post("/api/v1/stats", body=b"")
    assert not_allowed.status_code == 405 and not_allowed.headers[CORS] == "*"


# ---------------------------------------------------------------- a stage-prefixed deployment


def staged(method: str, path: str, headers: dict | None = None, body: bytes = b"", stage: str = "api") -> dict:
    """The app's answer to a request as API Gateway passes it behind its own domain: the stage before the path."""
    from app import app

    converter = LambdaEventConverter(RouteMatcher(list(app.routes)), app.api.binary_types)
    event = converter.create_lambda_event(method, path, {"host": "abc.execute-api.test", **(headers or {})}, body)
    event["requestContext"]["path"] = f"/{stage}" + path.split("?")[0]
    event["requestContext"]["stage"] = stage
    return app(event, LambdaContext("api_handler", 512))


def test_login_and_consent_pages_work_under_a_stage(aws, admin):
    answer = staged("GET", "/authorize_token?scopes=GET:feed&callback_url=clipious-auth://")
    assert answer["statusCode"] == 302
    location = answer["headers"]["Location"]
    assert location.startswith("/api/login?referer=")
    referer = unquote(location.split("referer=", 1)[1])
    assert referer.startswith("/api/authorize_token?")

    form = staged("GET", "/login?referer=" + location.split("referer=", 1)[1])
    assert 'action="/api/login"' in form["body"]
    cookie = form["headers"]["Set-Cookie"]
    assert "Path=/api/login" in cookie
    csrf = cookie.split("=", 1)[1].split(";")[0]
    fields = f"email=admin&password=admin-password&referer={location.split('referer=', 1)[1]}&csrf_token={csrf}"
    signed_in = staged(
        "POST",
        "/login",
        {"content-type": "application/x-www-form-urlencoded", "cookie": f"csrf={csrf}"},
        fields.encode(),
    )
    assert signed_in["statusCode"] == 302 and signed_in["headers"]["Location"] == referer
    set_cookie = signed_in.get("multiValueHeaders", {}).get("Set-Cookie") or [signed_in["headers"]["Set-Cookie"]]
    sid = next(c for c in set_cookie if c.startswith("SID=")).split("=", 1)[1].split(";")[0]

    consent = staged("GET", referer.removeprefix("/api"), {"cookie": f"SID={sid}"})
    assert consent["statusCode"] == 200 and 'action="/api/authorize_token"' in consent["body"]


def test_json_urls_carry_the_stage(aws):
    make_channel(1)
    make_video(1)
    answer = staged("GET", f"/api/v1/videos/{video_id(1)}", {"x-forwarded-proto": "https"})
    body = json.loads(answer["body"])
    url = urlsplit(body["formatStreams"][0]["url"])
    assert (url.scheme, url.netloc) == ("https", "abc.execute-api.test") and url.path.startswith("/api/signed/")
    served = staged("GET", url.path.removeprefix("/api"))
    assert served["statusCode"] in (302, 404)  # the file is not in the bucket here; the link itself verified
    assert served["statusCode"] != 403
