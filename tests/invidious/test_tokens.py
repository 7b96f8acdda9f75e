"""functions.services.invidious.tokens: the signature, the scope grammar, token formats and the order of the checks."""

import json
import time
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from functions.core.errors import BadRequest, Forbidden
from functions.core.settings import get_settings
from functions.services.invidious import tokens
from functions.storage.models import InvidiousSession

VECTOR_KEY = b"CHANGE_ME_test_key"
VECTOR_TOKEN = {
    "session": "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "scopes": ["GET:feed", ":playlists*"],
    "expire": 1700000000,
}
VECTOR_SIGNATURE = "DB1eo9j3pJFfpMHgFA0KHmOmIaIKfyq8kUnVGaUMIE0="


# ---------------------------------------------------------------- signature


def test_signature_test_vector():
    assert tokens.sign(VECTOR_TOKEN, VECTOR_KEY) == VECTOR_SIGNATURE


def test_signature_ignores_key_order_scope_order_and_the_signature_itself():
    reordered = {"expire": 1700000000, "scopes": [":playlists*", "GET:feed"], "session": VECTOR_TOKEN["session"]}
    assert tokens.sign(reordered, VECTOR_KEY) == VECTOR_SIGNATURE
    assert tokens.sign({**VECTOR_TOKEN, "signature": "anything"}, VECTOR_KEY) == VECTOR_SIGNATURE


@pytest.mark.parametrize(
    "change",
    [
        {"expire": 1700000001},
        {"scopes": ["GET:feed"]},
        {"session": "v1:BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
        {"extra": "x"},
    ],
)
def test_signature_covers_every_key(change):
    assert tokens.sign({**VECTOR_TOKEN, **change}, VECTOR_KEY) != VECTOR_SIGNATURE


def test_signature_depends_on_the_key():
    assert tokens.sign(VECTOR_TOKEN, b"another key") != VECTOR_SIGNATURE


def test_signature_is_urlsafe_base64_with_padding():
    signature = tokens.sign({"session": "v1:x", "scopes": []}, VECTOR_KEY)
    assert len(signature) == 44 and signature.endswith("=")
    assert "+" not in signature and "/" not in signature


# ---------------------------------------------------------------- scopes


@pytest.mark.parametrize(
    ("scope", "method", "path", "allowed"),
    [
        ("GET:feed", "GET", "feed", True),
        ("GET:feed", "POST", "feed", False),
        ("GET:feed", "GET", "feed/x", False),  # exact without `*`
        ("GET:feed", "GET", "fee", False),
        (":playlists*", "GET", "playlists", True),
        (":playlists*", "DELETE", "playlists/IVPLxyz/videos/AB", True),
        (":playlists*", "GET", "preferences", False),
        (":playlists/*", "GET", "playlists", False),
        (":playlists/*", "PATCH", "playlists/IVPLxyz", True),
        ("GET;POST:preferences", "GET", "preferences", True),
        ("GET;POST:preferences", "POST", "preferences", True),
        ("GET;POST:preferences", "DELETE", "preferences", False),
        (":preferences", "PATCH", "preferences", True),  # no methods: every method
        (":preferences", "put", "preferences", True),
        (":*", "DELETE", "anything/at/all", True),
        (":*", "GET", "", True),
        ("GET:*", "POST", "feed", False),
        ("GET:Feed", "GET", "FEED", True),  # endpoints compare case-insensitively
        ("get;Post:feed", "POST", "feed", True),  # methods too
        ("GET:playlists/IVPAAAAAAA", "GET", "playlists/ivpaaaaaaa", True),
        ("GET:playlists/IVPAAAAAAA", "GET", "playlists/IVPAAAAAAB", False),
    ],
)
def test_scope_allows(scope, method, path, allowed):
    assert tokens.parse_scope(scope).allows(method, path) is allowed


@pytest.mark.parametrize(
    "scope",
    ["GET", "feed", "", "FOO:feed", "GET,POST:feed", "GET:feed**", "GET:fe ed", "GET:feed*x", "GET::feed", None, 5],
)
def test_invalid_scopes_are_refused(scope):
    with pytest.raises(BadRequest):
        tokens.parse_scope(scope)


def test_parse_scopes_keeps_order_drops_duplicates_and_takes_a_comma_list():
    assert tokens.parse_scopes(["GET:feed", ":playlists*", "GET:feed"]) == ["GET:feed", ":playlists*"]
    assert tokens.parse_scopes("GET:feed,:playlists*") == ["GET:feed", ":playlists*"]
    for bad in ([], "", None, {"a": 1}, ["GET:feed", "nope"], "GET:feed,nope"):
        with pytest.raises(BadRequest):
            tokens.parse_scopes(bad)


@pytest.mark.parametrize(
    ("own", "asked", "covered"),
    [
        (":*", "DELETE:playlists/x", True),
        (":*", ":*", True),
        ("GET:playlists*", "GET:playlists/IVPL1", True),
        ("GET:playlists*", "GET:playlists*", True),
        ("GET:play*", "GET:playlists*", True),
        ("GET:playlists*", "POST:playlists", False),
        ("GET:playlists*", ":playlists", False),  # every method is more than GET
        ("GET:playlists*", "GET:feed", False),
        ("GET;POST:feed", "POST;GET:feed", True),
        ("GET;POST:feed", "GET:feed", True),
        ("GET:feed", "GET;POST:feed", False),
        ("GET:feed", "GET:feed*", False),  # an exact scope never covers a prefix
        ("GET:feed", "GET:Feed", True),
        (":feed", "PATCH:feed", True),
        ("GET:feed", ":*", False),
    ],
)
def test_scope_covers(own, asked, covered):
    assert tokens.parse_scope(own).covers(tokens.parse_scope(asked)) is covered


# ---------------------------------------------------------------- expiry


def test_absolute_expiry():
    now = int(time.time())
    assert tokens.absolute_expiry(None) is None
    assert tokens.absolute_expiry("") is None
    assert tokens.absolute_expiry(0) is None
    assert now + 60 <= tokens.absolute_expiry(60) <= now + 62
    assert now + 60 <= tokens.absolute_expiry("60") <= now + 62
    assert tokens.absolute_expiry(2_000_000_000) == 2_000_000_000  # already a unix time
    for bad in (-1, "soon", [1]):
        with pytest.raises(BadRequest):
            tokens.absolute_expiry(bad)


# ---------------------------------------------------------------- authenticating


def request(headers: dict, method: str = "GET", path: str = "/api/v1/auth/feed") -> SimpleNamespace:
    return SimpleNamespace(headers=headers, method=method, path=path, uri_params=None)


def denied(headers: dict, method: str = "GET", path: str = "/api/v1/auth/feed") -> str:
    with pytest.raises(Forbidden) as caught:
        tokens.authenticate(request(headers, method, path))
    assert caught.value.status_code == 403
    assert caught.value.body == {"error": caught.value.message}
    return caught.value.message


def compact(token: dict) -> str:
    return json.dumps(token, separators=(",", ":"))


@pytest.fixture
def token(admin):
    return tokens.issue(admin.user_id, admin.username, ["GET:feed", ":playlists*"], None)


def test_issue_makes_a_signed_token_for_a_new_session(admin):
    expire = int(time.time()) + 100
    token = tokens.issue(admin.user_id, admin.username, ["GET:feed"], expire)
    assert list(token) == ["session", "scopes", "expire", "signature"]
    assert token["session"].startswith("v1:") and len(token["session"]) == 47
    assert token["signature"] == tokens.sign(token, b"test-hmac-key")
    session = InvidiousSession.get(token["session"])
    assert (session.user_id, session.username, session.kind) == (admin.user_id, "admin", "token")
    assert "expire" not in tokens.issue(admin.user_id, admin.username, ["GET:feed"], None)


@pytest.mark.parametrize(
    "format_",
    [
        lambda t: "Bearer " + compact(t),
        lambda t: "bearer " + json.dumps(t),
        lambda t: compact(t),  # the prefix is optional
        lambda t: "Bearer " + quote(compact(t), safe=""),  # URL-encoded JSON
        lambda t: quote(json.dumps(t), safe=""),
    ],
)
def test_token_formats(token, admin, format_):
    viewer = tokens.authenticate(request({"authorization": format_(token)}))
    assert (viewer.user_id, viewer.username, viewer.session, viewer.via_token) == (1, "admin", token["session"], True)
    assert [s.endpoint for s in viewer.scopes] == ["feed", "playlists"]


def test_no_credentials():
    assert denied({}) == "Request must be authenticated"
    assert denied({"cookie": "sessionid=abc"}) == "Request must be authenticated"


@pytest.mark.parametrize("value", ["Bearer not json", "Bearer [1, 2]", 'Bearer {"scopes": []}', "Bearer %7Bbroken"])
def test_malformed_tokens_are_erroneous(aws, value):
    assert denied({"authorization": value}) == "Erroneous token"


def test_check_order_expired_first(token):
    # everything is wrong at once: expired wins
    bad = {**token, "session": "v1:unknown", "scopes": ["GET:nothing"], "expire": int(time.time()) - 1}
    assert denied({"authorization": compact(bad)}) == "Token is expired, please try again"
    assert denied({"authorization": compact({**token, "expire": "tomorrow"})}) == "Token is expired, please try again"


def test_check_order_unknown_session_before_scope_and_signature(token):
    bad = {**token, "session": "v1:unknown", "scopes": ["GET:nothing"], "signature": "x"}
    assert denied({"authorization": compact(bad)}) == "Erroneous token"


def test_check_order_revoked_session(token):
    InvidiousSession(token["session"]).delete()
    assert denied({"authorization": compact(token)}) == "Erroneous token"


def test_check_order_scope_before_signature(token):
    assert denied({"authorization": compact({**token, "signature": "x"})}, "GET", "/api/v1/auth/history") == (
        "Invalid scope"
    )
    assert denied({"authorization": compact(token)}, "POST", "/api/v1/auth/feed") == "Invalid scope"
    assert denied({"authorization": compact({**token, "scopes": "GET:feed"})}) == "Invalid scope"
    assert denied({"authorization": compact({**token, "scopes": ["GET feed"]})}) == "Invalid scope"


def test_check_order_signature_last(token, admin):
    assert denied({"authorization": compact({**token, "signature": token["signature"][::-1]})}) == "Invalid signature"
    assert denied({"authorization": compact({k: v for k, v in token.items() if k != "signature"})}) == (
        "Invalid signature"
    )
    # widening the scopes of a real token breaks its signature
    widened = {**token, "scopes": [*token["scopes"], "GET:history"]}
    assert denied({"authorization": compact(widened)}, "GET", "/api/v1/auth/history") == "Invalid signature"
    # adding an expiry the signature does not cover, too
    future = {**token, "expire": int(time.time()) + 100}
    assert denied({"authorization": compact(future)}) == "Invalid signature"


def test_the_path_is_the_request_path_with_its_parameters(admin):
    token = tokens.issue(admin.user_id, admin.username, ["GET:playlists/IVPLone"], None)
    headers = {"authorization": compact(token)}
    route = SimpleNamespace(
        headers=headers,
        method="GET",
        path="/api/v1/auth/playlists/{playlist_id}",
        uri_params={"playlist_id": "IVPLone"},
    )
    assert tokens.authenticate(route).user_id == admin.user_id
    route.uri_params = {"playlist_id": "IVPLtwo"}
    with pytest.raises(Forbidden, match="Invalid scope"):
        tokens.authenticate(route)


def test_sid_cookie_of_a_web_login_has_every_scope(admin):
    sid = tokens.new_session(admin.user_id, admin.username, kind="web")
    viewer = tokens.authenticate(request({"cookie": f"SID={sid}"}, "DELETE", "/api/v1/auth/anything"))
    assert (viewer.user_id, viewer.session, viewer.via_token) == (1, sid, False)
    assert viewer.scopes[0].covers(tokens.parse_scope("DELETE:anything"))


def test_sid_cookie_must_be_a_web_login(token, admin):
    # a token's session id is not a login: presenting it as SID gives nothing
    assert denied({"cookie": f"SID={token['session']}"}) == "Request must be authenticated"
    assert denied({"cookie": "SID=v1:unknown"}) == "Erroneous token"
    # and a web login's id inside a token is not a token
    sid = tokens.new_session(admin.user_id, admin.username, kind="web")
    forged = {"session": sid, "scopes": [":*"]}
    forged["signature"] = tokens.sign(forged, b"test-hmac-key")
    assert denied({"authorization": compact(forged)}) == "Erroneous token"


# ---------------------------------------------------------------- the deployment's key


@pytest.fixture
def environment(monkeypatch):
    """The environment as a test changes it, read again by get_settings, and restored afterwards."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_cloud_key_is_the_stacks_secret_read_once_per_container(aws, environment):
    """In the cloud the key is the stack's Secrets Manager secret: every container (a cold start, a restart) reads
    the same value, so tokens signed by one are valid in all; a warm container asks Secrets Manager only once."""
    import boto3
    import botocore.client

    environment.delenv("HMAC_KEY")
    environment.setenv("HMAC_SECRET_ID", aws["HmacSecretArn"])
    get_settings.cache_clear()
    stored = boto3.client("secretsmanager").get_secret_value(SecretId=aws["HmacSecretArn"])["SecretString"]
    reads = []
    original = botocore.client.BaseClient._make_api_call

    def counting(client, operation, params):
        reads.append(operation)
        return original(client, operation, params)

    environment.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    environment.setattr(tokens, "_secret", None)  # a cold start
    first = tokens.secret_key()
    assert first == stored.encode() and len(first) >= 32
    assert tokens.secret_key() is first and reads == ["GetSecretValue"]
    token = tokens.issue(1, "admin", ["GET:feed"], None)

    environment.setattr(tokens, "_secret", None)  # another container, or the same after a restart
    assert tokens.secret_key() == first
    assert tokens.sign(token, tokens.secret_key()) == token["signature"]


def test_without_a_key_the_function_refuses_to_sign(environment):
    environment.delenv("HMAC_KEY")
    environment.delenv("HMAC_SECRET_ID", raising=False)
    get_settings.cache_clear()
    environment.setattr(tokens, "_secret", None)
    with pytest.raises(RuntimeError, match="no HMAC key"):
        tokens.secret_key()
