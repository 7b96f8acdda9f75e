"""The API's description: /api/docs (the OpenAPI document as JSON) and /api/docs/ui (Swagger UI to browse it).

Public: the document holds no data. Swagger UI's files come from the swagger-ui-py package and are served
by this function, so the page works without any other site (and offline).
"""

import importlib.util
import json
from functools import cache, lru_cache
from pathlib import Path

from chalice import Response

from functions.core.errors import NotFound
from functions.http import openapi, routing
from functions.http.routing import PUBLIC, Answer, Call, Router

router = Router(__name__)
DOCS = "/api/docs"
UI = DOCS + "/ui"
# Our start script: reads the document's URL from the page, so the script itself stays a static file.
START_SCRIPT = """\
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: root.dataset.spec, dom_id: "#swagger-ui", deepLinking: true});
});
"""
ASSETS = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "start.js": "application/javascript",
}
PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ytarchive API</title>
<link rel="stylesheet" href="{ui}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec="{spec}"></div>
<script src="{ui}/swagger-ui-bundle.js"></script>
<script src="{ui}/start.js"></script>
</body>
</html>
"""
# Swagger UI sets inline styles and shows inline SVG/data images; everything else comes from this origin only.
PAGE_HEADERS: dict[str, str | list[str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
ASSET_CACHE = "public, max-age=86400"


def base_path(call: Call) -> str:
    """What comes before /api/docs in the address the client used: API Gateway's stage, or nothing locally."""
    path = (call.request.context or {}).get("path") or ""
    cut = path.find(DOCS)
    return path[:cut] if cut > 0 else ""


@lru_cache(maxsize=8)
def document_json(app, base: str) -> str:
    """The document of what `app` routes, as JSON for a client reaching it under `base`."""
    served = dict(openapi.document(app))
    if base:  # behind a stage prefix, Swagger UI's requests must carry it too
        served["servers"] = [{"url": base}]
    return json.dumps(served, separators=(",", ":"))


@cache
def asset(name: str) -> str:
    if name == "start.js":
        return START_SCRIPT
    return (swagger_ui_files() / name).read_text(encoding="utf-8")


def swagger_ui_files() -> Path:
    """swagger-ui-py's copy of Swagger UI's files, found without importing the package (its adapters need
    jinja2)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise NotFound("Swagger UI is not installed")
    return Path(spec.submodule_search_locations[0]) / "static"


@router.route(DOCS, auth=PUBLIC)
def openapi_document(call: Call):
    return Response(
        body=document_json(router.blueprint.current_app, base_path(call)),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": "no-cache"},
    )


@router.route(UI, auth=PUBLIC, returns=routing.PAGE)
def swagger_ui(call: Call):
    base = base_path(call)
    return Response(body=PAGE.format(ui=base + UI, spec=base + DOCS), status_code=200, headers=PAGE_HEADERS)


@router.route(
    UI + "/{asset_name}", auth=PUBLIC, returns=tuple(Answer(media_type=kind) for kind in sorted(set(ASSETS.values())))
)
def swagger_ui_asset(call: Call, asset_name: str):
    if asset_name not in ASSETS:
        raise NotFound(f"file {asset_name} not found")
    return Response(
        body=asset(asset_name),
        status_code=200,
        headers={"Content-Type": ASSETS[asset_name], "Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff"},
    )
