"""The archive's own web app: plain JavaScript ES modules and CSS in `static/`, no build step, served by the API
function (functions/http/webapp.py) under content-hashed names.

`assets()` reads the files once per process and names each `stem.<hash>.ext`; the HTML shell maps the modules'
plain names to the hashed ones with an import map, so a module imports `./api.js` and the browser fetches
`api.<hash>.js`, cacheable for a year. Nothing here imports Chalice or the AWS clients.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from pathlib import Path

STATIC = Path(__file__).parent / "static"
ASSET_PREFIX = "/assets/"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
ENTRY = "main.js"
STYLE = "app.css"
ICON = "icon.svg"


@dataclass(frozen=True)
class Asset:
    name: str  # the file's own name, e.g. api.js
    hashed: str  # api.3f2a9c1b0d.js
    body: bytes
    content_type: str


@cache
def assets() -> dict[str, Asset]:
    """Every static file by its hashed name."""
    found = {}
    for path in sorted(STATIC.iterdir()):
        if path.suffix not in TYPES:
            continue
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:12]
        asset = Asset(path.name, f"{path.stem}.{digest}{path.suffix}", body, TYPES[path.suffix])
        found[asset.hashed] = asset
    return found


def hashed_name(name: str) -> str:
    return next(asset.hashed for asset in assets().values() if asset.name == name)


@dataclass(frozen=True)
class Shell:
    html: str
    content_security_policy: str


SHELL = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="ytarchive-base" content="{base}">
<title>ytarchive</title>
<link rel="icon" href="{icon}" type="image/svg+xml">
<link rel="stylesheet" href="{style}">
<script type="importmap">{importmap}</script>
{preloads}
<script type="module" src="{entry}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div id="app"><main id="main" tabindex="-1"><p class="muted">Loading…</p></main></div>
<noscript><p>The archive's web app needs JavaScript.</p></noscript>
</body>
</html>
"""


@lru_cache(maxsize=8)
def shell(base: str) -> Shell:
    """The HTML shell for a path prefix (API Gateway's stage, or ''), with its import map and CSP."""
    root = base + ASSET_PREFIX
    scripts = sorted((a for a in assets().values() if a.name.endswith(".js")), key=lambda a: a.name)
    modules = {f"{root}{asset.name}": f"{root}{asset.hashed}" for asset in scripts}
    importmap = json.dumps({"imports": modules}, separators=(",", ":"), sort_keys=True)
    # Every module at once, not one import level after the other: the app is small, its pages import little.
    preloads = "\n".join(
        f'<link rel="modulepreload" href="{escape(root + asset.hashed)}">' for asset in scripts if asset.name != ENTRY
    )
    html = SHELL.format(
        base=escape(base),
        icon=escape(root + hashed_name(ICON)),
        style=escape(root + hashed_name(STYLE)),
        importmap=importmap,
        preloads=preloads,
        entry=escape(root + hashed_name(ENTRY)),
    )
    # The import map is the one inline script: allowed by its hash, nothing else inline runs.
    script_hash = base64.b64encode(hashlib.sha256(importmap.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; script-src 'self' 'sha256-{script_hash}'; style-src 'self'; img-src 'self' data: https:"
        " http:; media-src 'self' blob: https: http:; connect-src 'self' https: http:; frame-ancestors 'none';"
        " base-uri 'none'; form-action 'self'; manifest-src 'self'"
    )
    return Shell(html, policy)
