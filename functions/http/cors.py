"""CORS of the TubeArchivist routes: browser extensions and the origins the owner lists may call the API.

TubeArchivist's browser extension runs on `chrome-extension://` and `moz-extension://` origins and sends its
token in the `Authorization` header. Only token auth crosses origins: no `Access-Control-Allow-Credentials`, so
a page elsewhere can never ride on a logged-in user's session cookie. The Invidious routes (`/api/v1/`) keep
their own `*` policy (functions.http.routing.INVIDIOUS_CORS).
"""

from chalice import Response

from functions.core.settings import get_settings

EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://", "safari-web-extension://")
# The extension's background.js also sends a `mode: no-cors` header (fetch's option, put among the headers), which
# TubeArchivist allows (its CORS_ALLOW_HEADERS adds "mode"): unlisted, the browser refuses every preflight.
ALLOW_HEADERS = "Authorization, Content-Type, Mode"
MAX_AGE = "600"


def is_ta_path(path: str) -> bool:
    return path.startswith("/api/") and not path.startswith("/api/v1/")


def allowed_origin(origin: str | None) -> bool:
    """An extension's origin, or one the owner listed in CORS_ORIGINS."""
    if not origin:
        return False
    if origin.startswith(EXTENSION_SCHEMES) and len(origin) > origin.index("://") + 3:
        return True
    return origin.rstrip("/") in get_settings().cors_origins


def preflight(allowed_methods: list[str]) -> Response:
    """The answer to a preflight (OPTIONS) of a TA path; `ta_cors` adds the origin when it is allowed."""
    methods = ", ".join([*allowed_methods, "OPTIONS"])
    return Response(
        body="",
        status_code=204,
        headers={
            "Allow": methods,
            "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": MAX_AGE,
        },
    )


def ta_cors(request, get_response):
    """Middleware: every answer of a TA path (errors included) names an allowed origin back to it."""
    response = get_response(request)
    if is_ta_path(request.path or ""):
        response.headers["Vary"] = "Origin"
        origin = request.headers.get("origin")
        if allowed_origin(origin):
            response.headers["Access-Control-Allow-Origin"] = origin
    return response
