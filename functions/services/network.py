"""How yt-dlp reaches YouTube from the cloud: a download proxy and a PO token provider, against its bot checks.

The proxy URL carries its credentials, so it is kept as the cookie is: only in the stage's Secrets Manager
secret (settings.proxy_secret_id), as `{"proxy": "<url>"}` (`{}` for none), and no answer shows its user or
password. The PO token provider is a setting (downloads.pot_provider_url: a bgutil provider server's URL, for
the plugin in the layer). The jobs call `apply` before using yt-dlp, which then sends every request through both.
"""

import json
import time
from urllib.parse import urlsplit

from functions.core.errors import BadRequest
from functions.core.settings import get_settings
from functions.storage import aws

PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")  # what yt-dlp's proxy accepts
POT_SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2048
CACHE_SECONDS = 60  # a warm function reads the secret again after this

_cached: tuple[float, str | None] | None = None


def check_url(value, schemes: tuple[str, ...], what: str) -> str:
    """`value` when it is a URL of one of `schemes` with a host (and a valid port); BadRequest otherwise."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_URL_LENGTH:
        raise BadRequest(f"{what} must be a URL like {schemes[0]}://host:port")
    value = value.strip()
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a port that is not a number in range
    except ValueError:
        raise BadRequest(f"{what} is not a valid URL: {value!r}") from None
    if parts.scheme.lower() not in schemes or not parts.hostname or any(c.isspace() for c in value):
        raise BadRequest(f"{what} must be a {', '.join(schemes)} URL with a host, got {_masked(value)!r}")
    if port == 0:
        raise BadRequest(f"{what} has port 0")
    return value


def _masked(url: str) -> str:
    """The URL without its user and password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(not a URL)"
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else "(not a URL)"


# ---------------------------------------------------------------- the proxy secret


def stored_proxy() -> str | None:
    return aws.read_secret_field(get_settings().proxy_secret_id, "proxy")


def store_proxy(url) -> dict:
    """Check and keep the proxy every yt-dlp request goes through; what `status` then says."""
    global _cached
    proxy = check_url(url, PROXY_SCHEMES, "proxy")
    aws.write_secret(get_settings().proxy_secret_id, json.dumps({"proxy": proxy}))
    _cached = None
    return status()


def remove_proxy() -> dict:
    global _cached
    aws.write_secret(get_settings().proxy_secret_id, "{}")
    _cached = None
    return status()


def status() -> dict:
    """GET /api/proxy/: whether a proxy is set, and where it goes (never its credentials)."""
    proxy = stored_proxy()
    return {"proxy_enabled": bool(proxy), "proxy": _masked(proxy) if proxy else None}


def current_proxy() -> str | None:
    """The stored proxy, read at most once a minute per process (the jobs ask for it on every message)."""
    global _cached
    if _cached is None or time.monotonic() - _cached[0] > CACHE_SECONDS:
        _cached = (time.monotonic(), stored_proxy())
    return _cached[1]


def apply(config: dict) -> None:
    """Point this process's yt-dlp at the stored proxy and the configured PO token provider. BadRequest when
    either is not a URL (the secret edited by hand, say): nothing is then downloaded the wrong way."""
    from functions.youtube import ytdlp

    proxy, provider = current_proxy(), config["downloads"].get("pot_provider_url")
    ytdlp.set_network(
        ytdlp.Network(
            check_url(proxy, PROXY_SCHEMES, "the stored proxy") if proxy else None,
            check_url(provider, POT_SCHEMES, "downloads.pot_provider_url") if provider else None,
        )
    )
