"""Where the API is reached: its public base URL and path prefix as the client sees them.

Behind API Gateway's own domain every path carries the stage (`/api/...` becomes `/<stage>/api/...`); pages,
redirects and the absolute URLs of the Invidious API must keep that prefix.
"""

from typing import TYPE_CHECKING

from functions.core import lazy

if TYPE_CHECKING:
    from functions.services.invidious import links, tokens
else:  # imported when a request first uses them (functions/core/lazy.py)
    links, tokens = lazy.modules("functions.services.invidious", "links", "tokens")


def base_path(request) -> str:
    """`/<stage>` when the client's path carries a prefix before the route's path, else ''."""
    sent = (request.context or {}).get("path") or ""
    path = tokens.request_path(request)
    if sent != path and sent.endswith(path):
        return sent[: -len(path)].rstrip("/")
    return ""


def base_url(request) -> str:
    """`scheme://host[/stage]`, from Host and X-Forwarded-Proto (API Gateway and proxies set it)."""
    proto = (request.headers.get("x-forwarded-proto") or "http").split(",")[0].strip()
    return f"{proto}://{request.headers.get('host') or 'localhost'}{base_path(request)}"


def public_base(request, get_response):
    """Middleware: the renderers of this request build absolute URLs on its base URL."""
    links.serve(base_url(request))
    return get_response(request)
