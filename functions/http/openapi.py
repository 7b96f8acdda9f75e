"""The OpenAPI 3.1 document of every route, generated from the route table: the TubeArchivist API, the Invidious
API, the web pages, files.

Each operation comes from one `Router.route(...)` declaration (functions/http/routing.py): its methods and path
(path parameters from the braces), its role (the security requirement), its query Struct (query parameters), its
body Struct (the request body), its answers (`returns=`: the type its body renders from, or Answers of another
status or media type), and the router's error mapping (one response per status it answers errors with, in the
body the path's API uses). Components are msgspec's schemas of those Structs. Summaries and descriptions are the
views' docstrings; tags are the route modules, described by their docstrings' first lines.

Built on first use (`document(app)`), served by functions.http.docs; tests/test_openapi_sync.py keeps its paths equal
to the app's routes, tests/fuzz/ checks the app's answers against it. Paths are written as the app
registers them (no trailing slash); every path is served with a trailing slash too.
"""

import re
import sys
from functools import cache

import msgspec

from functions.core import ids
from functions.core.settings import VERSION
from functions.http import routing
from functions.http.routing import JSON_TYPES, Answer, Route
from functions.schemas import errors

OPENAPI_VERSION = "3.1.0"
JSON = JSON_TYPES[0]
HTML = "text/html"
REF = "#/components/schemas/{name}"

TA: list[dict] = [{"taToken": []}, {"taSession": []}]
INVIDIOUS: list[dict] = [{"invidiousBearer": []}, {"invidiousSid": []}]
PUBLIC: list = []
OPEN_OR_SIGNED_IN = [{}, *INVIDIOUS, *TA]  # open when the owner opened it, else any credential
SECURITY = {"public": PUBLIC, "user": TA, "admin": TA, "invidious": INVIDIOUS, "open_invidious": OPEN_OR_SIGNED_IN}
SECURITY_SCHEMES = {
    "taToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <40-hex key>`: the user's API token (POST /api/login answers it)",
    },
    "taSession": {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": "set by POST /api/login"},
    "invidiousBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "Invidious token JSON (raw or URL-encoded; the Bearer prefix is optional)",
    },
    "invidiousSid": {"type": "apiKey", "in": "cookie", "name": "SID", "description": "set by POST /login"},
}
# Path parameters the ids module checks, wherever a route names them so.
PATH_PATTERNS = {"video_id": ids.VIDEO_ID.pattern, "channel_id": ids.CHANNEL_ID.pattern}
PATH_PARAMETER = re.compile(r"{(\w+)}")
DESCRIPTION = """A self-hosted YouTube archive on AWS serverless functions, with two APIs:

* the **TubeArchivist API** (`/api/...`): `Authorization: Token <key>` or the session cookie `/api/login` sets;
  items in envelopes `{"data", "config"}` (lists add `"paginate"`); errors `{"error": "..."}`, unknown items
  404 `{"data": false, "error": "..."}`, refused credentials 403 `{"detail": "..."}`.
* the **Invidious API** (`/api/v1/...`): `Authorization: Bearer <token JSON>` with scopes, or the `SID` cookie of
  a web login (`/login`); tokens are approved at `/authorize_token`; errors `{"error": "..."}`.

Every path is served with and without a trailing slash. Files under `/media/` and `/cache/` answer 302 to a
short-lived presigned URL.
"""
ERROR_REASONS = {
    400: "malformed or invalid input",
    401: "credentials required",
    403: "refused: no, bad or insufficient credentials, a scope, a signature, a cross-site write",
    404: "unknown item, or a page past the last one",
    409: "conflicts with the current state",
    413: "request body too large",
    415: "request body of another media type",
    429: "too many attempts; try again after Retry-After seconds",
    503: "storage or YouTube unavailable for now: nothing was saved",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds until it is let through again", "schema": {"type": "string"}}}


# ---------------------------------------------------------------- errors


def error_family(route: Route) -> str:
    """Whose error bodies a route answers with (routing.error_body): a page's, Invidious', TubeArchivist's."""
    if route.page:
        return "Page"
    return "Invidious" if route.path.startswith(routing.INVIDIOUS_PATHS) else "Ta"


def error_schema(family: str, status: int) -> dict:
    if family == "Invidious":
        return ref(errors.Error)
    if status == 404:  # v0.4's `data: false` beside the error; v0.5 credentials and v0.5-only paths: the error alone
        return {"anyOf": [ref(errors.NotFound), ref(errors.Error)]}
    if status == 403:
        return ref(errors.Refused)
    if status == 400:  # a failed login answers DRF's non_field_errors
        return {"anyOf": [ref(errors.Error), ref(errors.LoginRefused)]}
    return ref(errors.Error)


def error_responses() -> dict:
    """One response per API and status the router answers errors with (routing.STATUS)."""
    responses = {}
    for family in ("Ta", "Invidious", "Page"):
        for status in sorted({status for _, status in routing.STATUS}):
            media_type, schema = (
                (HTML, {"type": "string"}) if family == "Page" else (JSON, error_schema(family, status))
            )
            response: dict = {"description": ERROR_REASONS[status], "content": {media_type: {"schema": schema}}}
            if status == 429:
                response["headers"] = RETRY_AFTER
            responses[f"{family}{status}"] = response
    return responses


# ---------------------------------------------------------------- operations


def ref(kind: type) -> dict:
    return {"$ref": REF.format(name=kind.__name__)}


def schema_of(kind, schemas: dict) -> dict:
    """The schema of a body type, its Structs' definitions collected into `schemas`."""
    (schema,), components = msgspec.json.schema_components([kind], ref_template=REF)
    schemas.update(components)
    return schema


def parameters(route: Route, schemas: dict) -> list[dict]:
    found = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": PATH_PATTERNS[name]}}
        if name in PATH_PATTERNS
        else {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in PATH_PARAMETER.findall(route.path)
    ]
    if route.query is not None:
        _, components = msgspec.json.schema_components([route.query], ref_template=REF)
        query = components.pop(route.query.__name__)
        schemas.update(components)
        required = set(query.get("required", ()))
        for name, schema in query["properties"].items():
            found.append({"name": name, "in": "query", "required": name in required, "schema": schema})
    return found


def request_body(body: type, schemas: dict) -> dict:
    return {"required": not routing.body_optional(body), "content": {JSON: {"schema": schema_of(body, schemas)}}}


def success(answer: Answer, schemas: dict) -> dict:
    if answer.media_type is None:
        return {}
    if answer.body is not None:
        return {answer.media_type: {"schema": schema_of(answer.body, schemas)}}
    if answer.media_type == JSON:
        return {JSON: {"schema": {"type": "object"}}}  # not typed yet
    return {answer.media_type: {}}  # a page, a caption file, server-sent events


def responses(route: Route, schemas: dict) -> dict:
    found: dict = {}
    for answer in route.answers:
        response = found.setdefault(str(answer.status), {"description": answer_description(answer)})
        content = success(answer, schemas)
        if content:
            response.setdefault("content", {}).update(content)
        if answer.status in (301, 302, 303, 307):
            response["headers"] = {
                "Location": {"description": "where the client goes next", "schema": {"type": "string"}}
            }
    family = error_family(route)
    for status in sorted({status for _, status in routing.STATUS}):  # a route's own answer of that status first
        found.setdefault(str(status), {"$ref": f"#/components/responses/{family}{status}"})
    return found


def answer_description(answer: Answer) -> str:
    if answer.status == 204:
        return "done"
    if answer.status == 302:
        return "a redirect"
    return "an HTML page" if answer.media_type == HTML else "the answer"


def operation(route: Route, tag: str, schemas: dict) -> dict:
    """An operation of `route`: summed up by its view's docstring's first sentence, described by all of it."""
    text = _dedent(route.view.__doc__ or "")
    summary = text.split("\n\n")[0].replace("\n", " ").split(". ")[0].rstrip(".")
    result: dict = {"tags": [tag], "summary": summary or route.view.__name__.replace("_", " ").capitalize()}
    result["security"] = security(route.auth)
    if len(text) > len(summary) + 1:
        result["description"] = text
    found = parameters(route, schemas)
    if found:
        result["parameters"] = found
    if route.body is not None:
        result["requestBody"] = request_body(route.body, schemas)
    result["responses"] = responses(route, schemas)
    return result


def security(role: routing.Role) -> list:
    required = SECURITY[role.kind]
    return [*required, {}] if role.optional else required


def _dedent(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


def declared_routes(app) -> list[Route]:
    """The routes a Chalice app serves, as their Routers declared them (not the 405, preflight and 404 answers
    the router and functions.http.missing add), in the order they were registered."""
    found: dict[int, Route] = {}
    for methods in app.routes.values():
        for entry in methods.values():
            route = getattr(entry.view_function, "route", None)
            if route is not None:
                found.setdefault(id(route), route)
    return list(found.values())


def tag_of(route: Route, taken: set[str]) -> dict:
    """A route module's tag: its name (with its package's when another module has that name, e.g. the v0.5
    `ta5.appsettings` beside `appsettings`), described by its docstring's first line."""
    module = route.view.__module__
    name = module.rpartition(".")[2]
    if name in taken:
        name = ".".join(module.split(".")[-2:])
    return {"name": name, "description": (sys.modules[module].__doc__ or name).strip().splitlines()[0]}


# ---------------------------------------------------------------- the document


@cache
def document(app) -> dict:
    """The document of what `app` (app.py's Chalice app) routes."""
    schemas: dict = {}
    paths: dict = {}
    tags: dict[str, dict] = {}
    for route in declared_routes(app):
        if route.view.__module__ not in tags:
            tags[route.view.__module__] = tag_of(route, {tag["name"] for tag in tags.values()})
        tag = tags[route.view.__module__]
        item = paths.setdefault(route.path, {})
        for method in route.methods:
            item[method.lower()] = operation(route, tag["name"], schemas)
    for kind in (errors.Error, errors.NotFound, errors.Refused, errors.LoginRefused):
        schema_of(kind, schemas)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "ytarchive", "version": VERSION, "description": DESCRIPTION},
        "tags": list(tags.values()),
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": error_responses(),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
