"""Who a request is: TubeArchivist's `Authorization: Token` header or its session cookie, and new web sessions."""

import hmac
import secrets
import time
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie

from pynamodb.exceptions import DoesNotExist

from functions.core import dialects
from functions.core.errors import Forbidden
from functions.core.settings import get_settings
from functions.services.auth.users import API_TOKEN, SESSION, digest
from functions.services.auth.viewer import INVALID_TOKEN, NO_CREDENTIALS, Viewer
from functions.storage import db
from functions.storage.models import AuthKey, User

SESSION_COOKIE = "sessionid"


def start_session(user: User, lifetime: int | None = None, csrf_token: str | None = None) -> tuple[str, int]:
    """A new web session for `user`: the cookie's secret and its lifetime in seconds (the settings' session_days
    unless given). A session with a `csrf_token` is a v0.5 one: it speaks v0.5 and its writes carry that token."""
    secret = secrets.token_urlsafe(32)
    lifetime = lifetime or get_settings().session_days * 86400
    now = int(time.time())
    AuthKey(
        digest(secret),
        kind=SESSION,
        user_id=user.user_id,
        username=user.username,
        created=now,
        expires=timedelta(seconds=lifetime),
        dialect=dialects.V05 if csrf_token else None,
        csrf_hash=digest(csrf_token) if csrf_token else None,
    ).save()
    return secret, lifetime


def end_session(secret: str) -> bool:
    """Log out: delete the TubeArchivist session this cookie value opened; False when there was none."""
    return db.conditional(AuthKey(digest(secret)).delete, condition=AuthKey.kind == SESSION)


def authenticate(headers: dict) -> Viewer:
    """The viewer a request's `Authorization: Token` header or session cookie names; 403 otherwise."""
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "token" or not token.strip():
            raise Forbidden(INVALID_TOKEN)
        return _viewer_for(token.strip(), API_TOKEN, Forbidden(INVALID_TOKEN))
    session = session_cookie_named(headers, SESSION_COOKIE)
    if session:
        return _viewer_for(session, SESSION, Forbidden(NO_CREDENTIALS))
    raise Forbidden(NO_CREDENTIALS)


def session_cookie_named(headers: dict, name: str) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie") or "")
    except CookieError:
        return None
    morsel = cookie.get(name)
    return morsel.value if morsel else None


def _viewer_for(secret: str, kind: str, failure: Forbidden) -> Viewer:
    expected = digest(secret)
    try:
        key = AuthKey.get(expected)
    except DoesNotExist:
        raise failure from None
    if key.kind != kind or not hmac.compare_digest(key.key_hash, expected):
        raise failure
    if key.expires is not None and key.expires.timestamp() <= time.time():
        raise failure
    return Viewer(int(key.user_id), key.username, key.dialect or dialects.V04, key.csrf_hash)
