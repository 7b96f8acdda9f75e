"""The web side of Invidious auth: the SID session a login starts, CSRF tokens, and where a login or an
approval may send the browser (local referers, token callbacks).

CSRF: the consent form carries an HMAC of the SID session under the deployment's key (bound to that session, so
a token from one session is worthless in another); the login form, before any session exists, uses a
double-submit cookie.
"""

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import quote, unquote_plus, urlsplit

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest
from functions.services.auth.sessions import session_cookie_named
from functions.services.invidious import tokens
from functions.storage.models import InvidiousSession

LOGIN_CSRF_COOKIE = "csrf"
LOGIN_CSRF_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
AUTHORIZE_PURPOSE = b"authorize_token"
CALLBACK_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
# Schemes that run or read something in the browser instead of handing the token to an app.
REFUSED_SCHEMES = {"javascript", "data", "vbscript", "file", "blob", "about", "filesystem"}
MAX_URL = 2048
BROWSER_HEADERS = ("origin", "sec-fetch-site", "sec-fetch-mode")
TOKEN_PARAMS = ("token", "username")


def is_https(headers) -> bool:
    return (headers.get("x-forwarded-proto") or "http").split(",")[0].strip().lower() == "https"


def cookie(name: str, value: str, headers, path: str = "/", same_site: str = "Lax", max_age: int | None = None) -> str:
    text = f"{name}={value}; Path={path}; HttpOnly; SameSite={same_site}"
    if max_age is not None:
        text += f"; Max-Age={max_age}"
    return text + ("; Secure" if is_https(headers) else "")


# ---------------------------------------------------------------- the SID session


def web_session(headers) -> InvidiousSession | None:
    """The web login session the request's SID cookie names; None when there is none (or it names a token's)."""
    sid = session_cookie_named(headers, tokens.SID_COOKIE)
    if not sid or len(sid) > 100:
        return None
    try:
        session = InvidiousSession.get(sid)
    except DoesNotExist:
        return None
    return session if session.kind == tokens.WEB else None  # a token's session id must never act as a login


def start_web_session(user) -> str:
    return tokens.new_session(int(user.user_id), user.username, kind=tokens.WEB)


# ---------------------------------------------------------------- CSRF


def authorize_csrf(session_id: str) -> str:
    """The consent form's CSRF token: bound to the SID session, unguessable without the deployment's key."""
    digest = hmac.new(tokens.secret_key(), AUTHORIZE_PURPOSE + b"\0" + session_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def check_authorize_csrf(session_id: str, presented) -> bool:
    return isinstance(presented, str) and hmac.compare_digest(authorize_csrf(session_id).encode(), presented.encode())


def login_csrf(headers) -> str:
    """The login form's double-submit value: the browser's `csrf` cookie when it has a well-formed one (so several
    open tabs keep working), else a new random one."""
    current = session_cookie_named(headers, LOGIN_CSRF_COOKIE)
    if current and LOGIN_CSRF_PATTERN.match(current):
        return current
    return secrets.token_urlsafe(32)


def from_browser(headers, fields: dict) -> bool:
    """Whether a login POST came from a browser (which sends Origin / Sec-Fetch-* on every form POST) or from our
    own form; native Invidious apps (Yattee, Clipious) POST the credentials alone and send none of these."""
    return (
        any(headers.get(name) for name in BROWSER_HEADERS)
        or session_cookie_named(headers, LOGIN_CSRF_COOKIE) is not None
        or "csrf_token" in fields
    )


def check_login_csrf(headers, fields: dict) -> bool:
    """Double submit: the hidden field must equal the `csrf` cookie, which another site can neither read nor set."""
    if not from_browser(headers, fields):
        return True
    expected = session_cookie_named(headers, LOGIN_CSRF_COOKIE) or ""
    presented = fields.get("csrf_token") or ""
    return bool(LOGIN_CSRF_PATTERN.match(expected)) and hmac.compare_digest(expected.encode(), presented.encode())


# ---------------------------------------------------------------- where to go next


def local_path(referer, default: str = "/") -> str:
    """`referer` when it is a path on this site ("/..."), else `default`: a login never sends the browser away."""
    if not isinstance(referer, str) or not referer.startswith("/") or len(referer) > MAX_URL:
        return default
    if referer.startswith("//") or "\\" in referer or any(ord(ch) < 33 or ord(ch) > 126 for ch in referer):
        return default
    parts = urlsplit(referer)
    return referer if not parts.scheme and not parts.netloc else default


def parse_callback(url) -> str | None:
    """A token callback: any absolute URL, custom app schemes (`myapp-auth://cb`) included, but nothing a browser
    would run or read itself; None when absent. ASCII only: it goes into a Location header."""
    if url is None or url == "":
        return None
    if not isinstance(url, str) or len(url) > MAX_URL or any(ord(ch) < 33 or ord(ch) > 126 for ch in url):
        raise BadRequest("callback_url must be an absolute URL without spaces")
    scheme, colon, rest = url.partition(":")
    if not colon or not CALLBACK_SCHEME.match(scheme) or scheme.lower() in REFUSED_SCHEMES or not rest.strip("/"):
        raise BadRequest("callback_url must be an absolute URL (https://... or an app's own scheme)")
    if scheme.lower() in ("http", "https") and not urlsplit(url).hostname:
        raise BadRequest("callback_url needs a host")
    return url


def twice_encoded(value: str) -> str:
    """URL-encoded twice, as Invidious does: the app decodes the query once, then the value once more."""
    return quote(quote(value, safe=""), safe="")


def callback_with(url: str, token_json: str, username: str) -> str:
    """The callback with `token` and `username` added to its query; its other parameters and fragment are kept as
    they were (only a `token` or `username` already there is replaced)."""
    base, hash_mark, fragment = url.partition("#")
    base, _, query = base.partition("?")
    kept = [part for part in query.split("&") if part and unquote_plus(part.split("=", 1)[0]) not in TOKEN_PARAMS]
    kept += [f"token={twice_encoded(token_json)}", f"username={twice_encoded(username)}"]
    return f"{base}?{'&'.join(kept)}{hash_mark}{fragment}"
