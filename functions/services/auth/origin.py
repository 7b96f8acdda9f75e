"""CSRF: a write that a session cookie (TubeArchivist's `sessionid`, Invidious' `SID`) authenticates must come
from a page of this site. Browsers put `Origin` on every cross-origin request and on same-origin writes, so a
write whose Origin is another site (another port counts: cookies do not tell ports apart) is refused. A request
with neither Origin nor a cross-site `Sec-Fetch-Site` is not from a browser page (curl, the Invidious apps), and a
request carrying `Authorization` is authenticated by that header, which no other page can set."""

import hmac
from urllib.parse import urlsplit

from functions.core.errors import Forbidden
from functions.core.settings import get_settings
from functions.services.auth.users import digest

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CREDENTIAL_COOKIES = ("sessionid", "SID")
CROSS_SITE = ("cross-site", "same-site")
DEFAULT_PORTS = {"http": 80, "https": 443}
REFUSED = "Cross-site request refused: its Origin is not this site."


def _origin_of(scheme: str, host: str) -> tuple[str, str, int] | None:
    if scheme not in DEFAULT_PORTS:
        return None
    try:
        parts = urlsplit(f"{scheme}://{host}")
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    return (scheme, parts.hostname, port) if parts.hostname else None


def _parse_origin(origin: str) -> tuple[str, str, int] | None:
    scheme, sep, host = origin.strip().lower().rstrip("/").partition("://")
    return _origin_of(scheme, host) if sep and "/" not in host else None


def own_origin(headers) -> tuple[str, str, int] | None:
    scheme = (headers.get("x-forwarded-proto") or "http").split(",")[0].strip().lower()
    return _origin_of(scheme, (headers.get("host") or "").strip().lower())


def _has_credential_cookie(headers) -> bool:
    cookie = headers.get("cookie") or ""
    names = {part.split("=", 1)[0].strip() for part in cookie.split(";")}
    return any(name in names for name in CREDENTIAL_COOKIES)


def check(method: str, headers) -> None:
    """Refuse (403) a cookie-authenticated write from another origin; anything else passes."""
    if method.upper() in SAFE_METHODS or headers.get("authorization") or not _has_credential_cookie(headers):
        return
    origin = headers.get("origin")
    if origin is None:
        if (headers.get("sec-fetch-site") or "").lower() in CROSS_SITE:
            raise Forbidden(REFUSED)
        return
    presented = _parse_origin(origin)  # "null" (sandboxed frames, data: pages) parses to None: refused
    trusted = {_parse_origin(o) for o in get_settings().trusted_origins}
    if presented is None or (presented != own_origin(headers) and presented not in trusted):
        raise Forbidden(REFUSED)


CSRF_COOKIE = "csrftoken"  # Django's names, which TubeArchivist's frontend reads and sends
CSRF_HEADER = "x-csrftoken"
CSRF_MISSING = "CSRF Failed: CSRF token missing."
CSRF_INCORRECT = "CSRF Failed: CSRF token incorrect."


def check_token(method: str, headers, csrf_hash: str | None) -> None:
    """Django's CSRF rule for a v0.5 web session (`csrf_hash` is its token's digest): an unsafe request its cookie
    authenticates carries that token in X-CSRFToken (403 otherwise). Pages of other sites cannot read the cookie
    that holds it, so they cannot send it."""
    if csrf_hash is None or method.upper() in SAFE_METHODS or headers.get("authorization"):
        return
    presented = headers.get(CSRF_HEADER)
    if not presented:
        raise Forbidden(CSRF_MISSING)
    if not hmac.compare_digest(digest(presented), csrf_hash):
        raise Forbidden(CSRF_INCORRECT)
