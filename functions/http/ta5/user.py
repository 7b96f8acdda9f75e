"""The v0.5 frontend's login and the signed-in user: /api/user/login/, logout/, me/, account/.

A login here starts a v0.5 session: the `sessionid` cookie, and Django's `csrftoken` cookie whose value every
write of that session repeats in `X-CSRFToken` (functions.services.auth.origin.check_token)."""

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.dialects import V05
from functions.core.errors import BadRequest, InvalidCredentials
from functions.http.routing import NO_CONTENT, PUBLIC, USER, Call, Router
from functions.schemas.ta5 import UserConfig, WebLogin

if TYPE_CHECKING:
    from functions.services import user_config
    from functions.services.auth import origin, sessions, users
else:  # imported when a view first uses them (functions/core/lazy.py)
    user_config = lazy.modules("functions.services", "user_config")
    origin, sessions, users = lazy.modules("functions.services.auth", "origin", "sessions", "users")

router = Router(__name__, dialect=V05)
DAY = 86400
REMEMBERED = 365 * DAY  # TubeArchivist's lifetimes: a year when remembered, two days otherwise
FORGOTTEN = 2 * DAY


def _cookie(call: Call, name: str, value: str, lifetime: int, http_only: bool) -> str:
    cookie = f"{name}={value}; Max-Age={lifetime}; Path=/; SameSite=Lax"
    if http_only:
        cookie += "; HttpOnly"
    if call.headers.get("x-forwarded-proto", "http") == "https":
        cookie += "; Secure"
    return cookie


@router.route("/api/user/login", methods=("POST",), auth=PUBLIC, body=WebLogin, returns=NO_CONTENT)
def login(call: Call):
    """204 with the session and CSRF cookies; 400 `{"error"}` for wrong credentials, as TubeArchivist answers."""
    body = call.body
    try:
        user = users.verify_login(body.username, body.password, call.client_address)
    except InvalidCredentials:
        raise BadRequest("Invalid credentials") from None
    users.record_login(user)
    csrf_token = secrets.token_urlsafe(32)
    lifetime = REMEMBERED if body.remember_me == "on" else FORGOTTEN
    secret, lifetime = sessions.start_session(user, lifetime, csrf_token)
    # two Set-Cookie headers: Chalice sends a list as multiple headers in multi_value_headers
    cookies = [
        _cookie(call, sessions.SESSION_COOKIE, secret, lifetime, http_only=True),
        _cookie(call, origin.CSRF_COOKIE, csrf_token, lifetime, http_only=False),  # the frontend reads it
    ]
    return Response(body="", status_code=204, headers={"Set-Cookie": cookies})


@router.route("/api/user/logout", methods=("POST",), auth=USER, returns=NO_CONTENT)
def logout(call: Call):
    """End the session of the cookie (204, both cookies cleared); the API token stays valid."""
    call.viewer.confirm()
    secret = sessions.session_cookie_named(call.headers, sessions.SESSION_COOKIE)
    if secret:
        sessions.end_session(secret)
    cleared = [
        _cookie(call, sessions.SESSION_COOKIE, "", 0, http_only=True),
        _cookie(call, origin.CSRF_COOKIE, "", 0, http_only=False),
    ]
    return Response(body="", status_code=204, headers={"Set-Cookie": cleared})


@router.route("/api/user/me", auth=USER)
def get_config(call: Call):
    return user_config.of(call.viewer.user)


@router.route("/api/user/me", methods=("POST",), auth=USER, body=UserConfig)
def update_config(call: Call):
    """Change the fields the body names; an unknown field or value changes nothing (400)."""
    return user_config.update(call.viewer.user, call.body)


@router.route("/api/user/account", auth=USER)
def account(call: Call):
    """The account as TubeArchivist's AccountSerializer shows it; admins are its staff and superusers."""
    user = call.viewer.user
    admin = bool(user.is_admin)
    return {
        "id": int(user.user_id),
        "name": user.username,
        "is_superuser": admin,
        "is_staff": admin,
        "groups": [],
        "user_permissions": [],
        "last_login": datetime.fromtimestamp(int(user.last_login), UTC).isoformat() if user.last_login else None,
    }
