"""Invidious tokens: the signed token JSON, its scope grammar, and authenticating a request with it.

A token is `{"session", "scopes", "expire"?, "signature"}`; the signature is an HMAC-SHA256 of its other keys
under the deployment's secret key. Checks run in Invidious' order: expired, unknown session, scope, signature.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest, Forbidden
from functions.core.settings import get_settings
from functions.services.auth.sessions import session_cookie_named
from functions.services.auth.viewer import Viewer
from functions.storage import aws, db
from functions.storage.models import InvidiousSession

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
SCOPE = re.compile(r"^(?P<methods>[A-Za-z;]*):(?P<endpoint>[A-Za-z0-9_./-]*)(?P<prefix>\*?)$")
AUTH_PREFIX = "/api/v1/auth/"
SID_COOKIE = "SID"
TOKEN = "token"
WEB = "web"

NOT_AUTHENTICATED = "Request must be authenticated"
EXPIRED = "Token is expired, please try again"
ERRONEOUS = "Erroneous token"
INVALID_SCOPE = "Invalid scope"
INVALID_SIGNATURE = "Invalid signature"

_secret: bytes | None = None


def secret_key() -> bytes:
    """The deployment's HMAC key: `HMAC_KEY` (local run, tests) or the secret `HMAC_SECRET_ID` names (cloud)."""
    global _secret
    if _secret is None:
        settings = get_settings()
        if settings.hmac_key:
            _secret = settings.hmac_key.encode()
        elif settings.hmac_secret_id:
            _secret = (aws.read_secret(settings.hmac_secret_id) or "").encode()
        if not _secret:
            raise RuntimeError("no HMAC key: set HMAC_KEY or HMAC_SECRET_ID")
    return _secret


def sign(token: dict, key: bytes) -> str:
    """One `key=value` line per key but `signature` (lists sorted and comma-joined), lines sorted, HMAC-SHA256."""
    lines = []
    for name, value in token.items():
        if name == "signature":
            continue
        if isinstance(value, list):
            value = ",".join(sorted(str(v) for v in value))
        lines.append(f"{name}={value}")
    message = "\n".join(sorted(lines)).encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


# ---------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    methods: frozenset[str]  # empty: every method
    endpoint: str  # lower case, without the trailing `*`
    prefix: bool

    def allows(self, method: str, path: str) -> bool:
        """Whether this scope covers `METHOD:path`, path being what follows /api/v1/auth/."""
        if self.methods and method.upper() not in self.methods:
            return False
        path = path.lower()
        return path.startswith(self.endpoint) if self.prefix else path == self.endpoint

    def covers(self, other: "Scope") -> bool:
        """Whether everything `other` allows is allowed by this scope (tokens/register grants only those)."""
        if self.methods and (not other.methods or not other.methods <= self.methods):
            return False
        if self.prefix:
            return other.endpoint.startswith(self.endpoint)
        return not other.prefix and other.endpoint == self.endpoint


def parse_scope(text) -> Scope:
    """`METHOD1;METHOD2:endpoint*`; raises BadRequest for anything else."""
    match = SCOPE.match(text) if isinstance(text, str) else None
    if not match:
        raise BadRequest(f"invalid scope: {text!r}")
    methods = [m.upper() for m in match["methods"].split(";") if m]
    if any(m not in METHODS for m in methods):
        raise BadRequest(f"invalid scope: {text!r}")
    return Scope(frozenset(methods), match["endpoint"].lower(), bool(match["prefix"]))


def parse_scopes(texts) -> list[str]:
    """Validated scopes in the order asked; a comma-separated string is accepted as /authorize_token sends it."""
    if isinstance(texts, str):
        texts = [t for t in texts.split(",") if t]
    if not isinstance(texts, list) or not texts:
        raise BadRequest("scopes must be a non-empty list")
    for text in texts:
        parse_scope(text)
    return list(dict.fromkeys(texts))


# ---------------------------------------------------------------- issuing


def new_session(user_id: int, username: str, kind: str = TOKEN) -> str:
    session = "v1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    InvidiousSession(session, user_id=user_id, username=username, issued=int(time.time()), kind=kind).save()
    return session


def revoke(session_id: str, user_id: int) -> bool:
    """End one of the user's sessions; False when they have no such session (nothing changes)."""
    session = InvidiousSession(session_id)
    return db.conditional(session.delete, condition=InvidiousSession.user_id == user_id)


def issue(user_id: int, username: str, scopes: list[str], expire: int | None) -> dict:
    """A new signed token for a new session; `expire` is an absolute unix time, or None for never."""
    token: dict[str, Any] = {"session": new_session(user_id, username), "scopes": scopes}
    if expire is not None:
        token["expire"] = int(expire)
    token["signature"] = sign(token, secret_key())
    return token


def absolute_expiry(expire) -> int | None:
    """Clients send how long a token should live in seconds; a value that is already a unix time is kept."""
    if expire in (None, "", 0):
        return None
    try:
        seconds = int(expire)
    except (TypeError, ValueError):
        raise BadRequest("expire must be a whole number of seconds") from None
    if seconds < 0:
        raise BadRequest("expire must not be negative")
    return seconds if seconds > 1_000_000_000 else int(time.time()) + seconds


# ---------------------------------------------------------------- authenticating


class InvidiousViewer(Viewer):
    """A viewer authenticated by an Invidious token or SID cookie, with the scopes it carries."""

    def __init__(self, user_id: int, username: str, session: str, scopes: list[Scope], via_token: bool):
        super().__init__(user_id, username)
        self.session = session
        self.scopes = scopes
        self.via_token = via_token

    def fetch(self, *requests):
        """As Viewer.fetch, but a user deleted since the session began is Invidious' 403, not TubeArchivist's."""
        try:
            return super().fetch(*requests)
        except Forbidden:
            raise _denied(ERRONEOUS) from None


def _denied(reason: str) -> Forbidden:
    return Forbidden(reason)


def read_token(header: str) -> dict:
    """The token in an Authorization header: `Bearer ` optional, raw or URL-encoded JSON."""
    value = header.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    if value.startswith("%"):
        value = unquote(value)
    try:
        token = json.loads(value)
    except ValueError:
        raise _denied(ERRONEOUS) from None
    if not isinstance(token, dict) or not isinstance(token.get("session"), str):
        raise _denied(ERRONEOUS)
    return token


def request_path(request) -> str:
    """The concrete path of a request, from its route template and parameters (same under API Gateway)."""
    path = request.path
    for name, value in (request.uri_params or {}).items():
        path = path.replace("{" + name + "}", value)
    return path


def authenticate(request) -> InvidiousViewer:
    """The viewer of an /api/v1/auth/ request; 403 with Invidious' reason otherwise."""
    return authenticate_as(request.headers, request.method, request_path(request))


def authenticate_as(headers, method: str, path: str) -> InvidiousViewer:
    """The viewer whose token allows `method` on `path` (or whose SID web login allows everything); 403 with
    Invidious' reason otherwise."""
    header = headers.get("authorization")
    if header:
        return _token_viewer(read_token(header), method, path)
    sid = session_cookie_named(headers, SID_COOKIE)
    if sid:
        session = _session(sid)
        if session.kind == WEB:
            return InvidiousViewer(int(session.user_id), session.username, sid, [parse_scope(":*")], via_token=False)
    raise _denied(NOT_AUTHENTICATED)


def _session(session_id: str) -> InvidiousSession:
    try:
        return InvidiousSession.get(session_id)
    except DoesNotExist:
        raise _denied(ERRONEOUS) from None


def _token_viewer(token: dict, method: str, path: str) -> InvidiousViewer:
    expire = token.get("expire")
    if expire is not None and (not isinstance(expire, int) or expire < time.time()):
        raise _denied(EXPIRED)
    session = _session(token["session"])
    if session.kind != TOKEN:
        raise _denied(ERRONEOUS)
    raw_scopes = token.get("scopes")
    if not isinstance(raw_scopes, list):
        raise _denied(INVALID_SCOPE)
    try:
        scopes = [parse_scope(s) for s in raw_scopes]
    except BadRequest:
        raise _denied(INVALID_SCOPE) from None
    endpoint = path[len(AUTH_PREFIX) :] if path.startswith(AUTH_PREFIX) else path.lstrip("/")
    if not any(scope.allows(method, endpoint) for scope in scopes):
        raise _denied(INVALID_SCOPE)
    signature = token.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(sign(token, secret_key()), signature):
        raise _denied(INVALID_SIGNATURE)
    return InvidiousViewer(int(session.user_id), session.username, session.session, scopes, via_token=True)
