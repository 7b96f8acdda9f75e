"""The Invidious web pages: /login (sign in, SID cookie), /logout, and /authorize_token (approve a token for an
app).

Public routes that answer HTML; the session and CSRF rules live in functions.services.invidious.web_sessions, the
markup in
functions.http.invidious.pages. A GET never issues anything: a token exists only after a signed-in user's POST with
the consent form's CSRF token.
"""

import functools
import json
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from chalice import Response

from functions.core import lazy
from functions.core.errors import BadRequest, DomainError, TooManyRequests
from functions.core.settings import get_settings
from functions.http.addresses import base_path
from functions.http.invidious import pages
from functions.http.routing import PUBLIC, Call, Router, status_of

if TYPE_CHECKING:
    from functions.services.auth import sessions, users
    from functions.services.invidious import tokens, web_sessions
else:  # imported when a view first uses them (functions/core/lazy.py)
    sessions, users = lazy.modules("functions.services.auth", "sessions", "users")
    tokens, web_sessions = lazy.modules("functions.services.invidious", "tokens", "web_sessions")

router = Router(__name__)
LOGIN = "/login"
LOGOUT = "/logout"
AUTHORIZE = "/authorize_token"
DEFAULT_AFTER_LOGIN = "/"


def html(body: str, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=body, status_code=status, headers={**pages.PAGE_HEADERS, **(headers or {})})


def redirect(location: str, headers: dict | None = None) -> Response:
    return html("", 302, {"Location": location, **(headers or {})})


def html_errors(view):
    """Errors of a page route (a body that is not a form, too large...) as an HTML page, not JSON."""

    @functools.wraps(view)
    def wrapper(call: Call, **params):
        try:
            return view(call, **params)
        except DomainError as error:
            return html(pages.error_page("Request refused", error.message), status_of(error))

    return wrapper


# ---------------------------------------------------------------- /login


def _login_page(call: Call, referer: str, status: int = 200, error: str | None = None, username: str = ""):
    base = base_path(call.request)
    csrf = web_sessions.login_csrf(call.headers)
    cookie = web_sessions.cookie(
        web_sessions.LOGIN_CSRF_COOKIE, csrf, call.headers, path=base + LOGIN, same_site="Strict"
    )
    return html(pages.login_page(referer, csrf, error, username, base), status, {"Set-Cookie": cookie})


def _default_after_login(call: Call) -> str:
    return base_path(call.request) + DEFAULT_AFTER_LOGIN


@router.route(LOGIN, auth=PUBLIC)
@html_errors
def web_login_form(call: Call):
    """The sign-in form; `referer` (a local path) is where a successful sign-in goes."""
    return _login_page(call, web_sessions.local_path(call.query.get("referer"), _default_after_login(call)))


@router.route(LOGIN, methods=("POST",), auth=PUBLIC)
@html_errors
def web_login(call: Call):
    """Sign in with the form fields `email` (Invidious' name; it holds the username) or `username`, and
    `password`: a new web session, its id in the `SID` cookie, and 302 to `referer` when it is a local path, else
    to "/". Invidious apps (Yattee, Clipious) POST here directly and only read the cookie of the 302.

    Failures re-render the form: 400 when a field is missing, 403 for wrong credentials and for a browser POST
    whose double-submit CSRF token (cookie `csrf` = field `csrf_token`) does not match. Native apps send no
    Origin/Sec-Fetch-* headers and no csrf cookie or field: for them there is no form to forge."""
    fields = call.form()
    referer = web_sessions.local_path(fields.get("referer") or call.query.get("referer"), _default_after_login(call))
    username = fields.get("email") or fields.get("username") or ""
    password = fields.get("password") or ""
    if not web_sessions.check_login_csrf(call.headers, fields):
        return _login_page(call, referer, 403, "This form has expired; please sign in again.", username)
    if not username or not password:
        return _login_page(call, referer, 400, "Enter your username and password.", username)
    try:
        user = users.verify_login(username, password, call.client_address)
    except BadRequest:
        return _login_page(call, referer, 403, "Wrong username or password.", username)
    except TooManyRequests as error:
        page = _login_page(call, referer, 429, "Too many failed sign-ins; try again later.", username)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    sid = web_sessions.start_web_session(user)
    lifetime = get_settings().session_days * 86400
    # first: some apps read only the first cookie
    cookies = [web_sessions.cookie(tokens.SID_COOKIE, sid, call.headers, max_age=lifetime)]
    if sessions.session_cookie_named(call.headers, web_sessions.LOGIN_CSRF_COOKIE) is not None:
        cookies.append(
            web_sessions.cookie(
                web_sessions.LOGIN_CSRF_COOKIE, "", call.headers, base_path(call.request) + LOGIN, "Strict", max_age=0
            )
        )
    return redirect(referer, {"Set-Cookie": cookies if len(cookies) > 1 else cookies[0]})


@router.route(LOGOUT, methods=("POST",), auth=PUBLIC)
@html_errors
def web_logout(call: Call):
    """Sign out: the SID's web login ends (its tokens stay, each revocable on its own), the cookie is cleared, and
    302 to the login page. Cross-site forms are refused by the Origin check every cookie-borne write passes."""
    web_sessions.end_web_session(call.headers)
    return redirect(LOGIN, {"Set-Cookie": web_sessions.cookie(tokens.SID_COOKIE, "", call.headers, max_age=0)})


# ---------------------------------------------------------------- /authorize_token


def _authorize_request(fields: dict) -> tuple[list[str], str | None, object]:
    """The scopes, callback and expire of an authorize request (query or form); BadRequest when they are wrong."""
    scopes = tokens.parse_scopes(fields.get("scopes"))
    callback = web_sessions.parse_callback(fields.get("callback_url"))
    expire = fields.get("expire") or None
    tokens.absolute_expiry(expire)
    return scopes, callback, expire


@router.route(AUTHORIZE, auth=PUBLIC)
@html_errors
def web_authorize_form(call: Call):
    """The consent page for `scopes` (comma-separated), `callback_url` and `expire` (seconds). The parameters are
    checked first (400 page: no point signing in for a broken link); signed out → 302 to the login page, which
    comes back here. Never issues anything."""
    query = call.query
    try:
        scopes, callback, expire = _authorize_request(query)
    except BadRequest as error:
        return html(pages.error_page("Invalid authorization request", error.message), 400)
    session = web_sessions.web_session(call.headers)
    base = base_path(call.request)
    if session is None:
        back = base + AUTHORIZE + ("?" + urlencode(query) if query else "")
        return redirect(f"{base}{LOGIN}?referer={quote(back, safe='')}")
    csrf = web_sessions.authorize_csrf(session.session)
    return html(pages.consent_page(session.username, scopes, callback, expire, csrf, base))


@router.route(AUTHORIZE, methods=("POST",), auth=PUBLIC)
@html_errors
def web_authorize(call: Call):
    """The signed-in user approved: issue the token. Needs the SID web session and the consent form's CSRF token
    for that session (403 page otherwise, nothing issued). With `callback_url`: 302 to it with `token` and
    `username` added, each URL-encoded twice as Invidious does; without: a page showing the token."""
    fields = call.form()
    session = web_sessions.web_session(call.headers)
    if session is None:
        return html(pages.error_page("Not signed in", "Sign in, then approve the token again."), 403)
    if not web_sessions.check_authorize_csrf(session.session, fields.get("csrf_token")):
        return html(pages.error_page("Request refused", "This form has expired; open the link again."), 403)
    try:
        scopes, callback, expire = _authorize_request(fields)
    except BadRequest as error:
        return html(pages.error_page("Invalid authorization request", error.message), 400)
    token = tokens.issue(int(session.user_id), session.username, scopes, tokens.absolute_expiry(expire))
    token_json = json.dumps(token, separators=(",", ":"))
    if callback:
        return redirect(web_sessions.callback_with(callback, token_json, session.username))
    return html(pages.token_page(token_json))
