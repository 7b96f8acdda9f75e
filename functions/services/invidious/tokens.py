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
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest, Forbidden
from functions.core.settings import get_settings
from functions.services.auth import activity
from functions.services.auth.sessions import session_cookie_named
from functions.services.auth.users import digest
from functions.services.auth.viewer import Viewer
from functions.storage import db
from functions.storage.hmac_key import secret_key
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


LATEST_EXPIRY = 253402300799  # 9999-12-31 23:59:59 UTC: later times break date formatting everywhere


# ---------------------------------------------------------------- issuing


def web_session_id(sid: str) -> str:
    """The stored id of the web login a SID cookie names; what GET tokens lists and unregister takes."""
    return "web:" + digest(sid)


def new_session(user_id: int, username: str, kind: str = TOKEN, expire: int | None = None) -> str:
    """A new session: a token's session id, or a web login's SID (stored only as its digest, ending after
    SESSION_DAYS). `expire`: a token's own end (unix time)."""
    secret = "v1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    now = int(time.time())
    if kind == WEB:
        session, expire = web_session_id(secret), now + get_settings().session_days * 86400
    else:
        session = secret
    ends = datetime.fromtimestamp(expire, UTC) if expire is not None else None
    InvidiousSession(session, user_id=user_id, username=username, issued=now, kind=kind, expires=ends).save()
    return secret


def revoke(session_id: str, user_id: int) -> bool:
    """End one of the user's sessions; False when they have no such session (nothing changes)."""
    session = InvidiousSession(session_id)
    return db.conditional(session.delete, condition=InvidiousSession.user_id == user_id)


def issue(user_id: int, username: str, scopes: list[str], expire: int | None) -> dict:
    """A new signed token for a new session; `expire` is an absolute unix time, or None for never."""
    token: dict[str, Any] = {"session": new_session(user_id, username, expire=expire), "scopes": scopes}
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
    expiry = seconds if seconds > 1_000_000_000 else int(time.time()) + seconds
    if expiry > LATEST_EXPIRY:
        raise BadRequest("expire is past the year 9999")
    return expiry


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
        session = web_login(sid)
        if session is None:
            raise _denied(ERRONEOUS)
        activity.record(session)
        scopes = [parse_scope(":*")]
        return InvidiousViewer(int(session.user_id), session.username, session.session, scopes, via_token=False)
    raise _denied(NOT_AUTHENTICATED)


def _ended(session: InvidiousSession) -> bool:
    return session.expires is not None and session.expires.timestamp() <= time.time()


def web_login(sid: str) -> InvidiousSession | None:
    """The live web login a SID cookie names; None when there is none, it ended, or it names a token's session."""
    if len(sid) > 100:
        return None
    try:
        session = InvidiousSession.get(web_session_id(sid))
    except DoesNotExist:
        return None
    return session if session.kind == WEB and not _ended(session) else None


def _session(session_id: str) -> InvidiousSession:
    try:
        return InvidiousSession.get(session_id)
    except DoesNotExist:
        raise _denied(ERRONEOUS) from None


def _unexpired_session(token: dict) -> InvidiousSession:
    expire = token.get("expire")
    if expire is not None and (not isinstance(expire, int) or expire < time.time()):
        raise _denied(EXPIRED)
    session = _session(token["session"])
    if session.kind != TOKEN:
        raise _denied(ERRONEOUS)
    return session


def _check_signature(token: dict) -> None:
    signature = token.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(sign(token, secret_key()), signature):
        raise _denied(INVALID_SIGNATURE)


def signed_in_viewer(request) -> InvidiousViewer:
    """Whoever an Invidious token (whatever its scopes) or a SID web login names: the public API, when private,
    is open to every user of the instance; 403 with Invidious' reason otherwise."""
    header = request.headers.get("authorization")
    if header:
        token = read_token(header)
        session = _unexpired_session(token)
        _check_signature(token)
        activity.record(session)
        return InvidiousViewer(int(session.user_id), session.username, session.session, [], via_token=True)
    return authenticate(request)


def _token_viewer(token: dict, method: str, path: str) -> InvidiousViewer:
    session = _unexpired_session(token)
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
    _check_signature(token)
    activity.record(session)
    return InvidiousViewer(int(session.user_id), session.username, session.session, scopes, via_token=True)
