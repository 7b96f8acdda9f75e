"""How an endpoint group declares its routes: roles, request bodies and unsupported methods handled once here.

Each group builds a `Router`; `app.py` registers its blueprint. Every route declares who may call it
(`auth=PUBLIC | USER | ADMIN | INVIDIOUS(scope)`). A view receives a `Call` (the request and its viewer) and the
path parameters, and returns a body or a `chalice.Response`.
"""

import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from chalice import Blueprint, CORSConfig

from functions.core.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    storage_unavailable,
)
from functions.core.pagination import Page, page_from_query
from functions.core.settings import get_settings
from functions.services.auth import sessions
from functions.services.invidious import tokens

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
JSON_TYPES = ("application/json", "text/json")
FORM_TYPE = "application/x-www-form-urlencoded"
# Invidious clients run in browsers on other origins and send tokens in the Authorization header.
INVIDIOUS_CORS = CORSConfig(allow_origin="*", allow_headers=["Authorization", "Content-Type"], max_age=600)


@dataclass(frozen=True)
class Role:
    """Who may call a route. `kind` is public, user, admin or invidious; an Invidious role names the endpoint its
    token's scopes must allow (`scope`, path parameters in braces) and, when `optional`, lets anyone in as
    anonymous (viewer None) whose credentials are missing or refused."""

    kind: str
    scope: str | None = None
    optional: bool = False

    def viewer(self, request):
        """The request's viewer under this role; 403 with the API's own body when it has none."""
        if self.kind == "public":
            return None
        if self.kind == "invidious":
            endpoint = tokens.AUTH_PREFIX + self.scope.format(**(request.uri_params or {}))
            try:
                return tokens.authenticate_as(request.headers, request.method, endpoint)
            except Forbidden:
                if self.optional:
                    return None
                raise
        viewer = sessions.authenticate(request.headers)
        return viewer.require_admin() if self.kind == "admin" else viewer


PUBLIC = Role("public")
USER = Role("user")  # any TubeArchivist user: `Authorization: Token` or the session cookie
ADMIN = Role("admin")  # writes to the shared archive, as TubeArchivist's admin-only views


def INVIDIOUS(scope: str, optional: bool = False) -> Role:
    """An Invidious token (or SID web login) whose scopes allow `scope`, e.g. "playlists/{playlist_id}"."""
    return Role("invidious", scope, optional)


@dataclass(frozen=True)
class Route:
    """One declared view: its path, methods, role and CORS answer."""

    path: str
    methods: tuple[str, ...]
    auth: Role
    cors: CORSConfig | None
    view: Callable


class Call:
    """One request as a view sees it."""

    def __init__(self, request, viewer):
        self.request = request
        self.viewer = viewer

    @property
    def query(self) -> dict:
        return dict(self.request.query_params or {})

    @property
    def headers(self):
        return self.request.headers

    def page(self) -> Page:
        return page_from_query(self.query)

    def _raw_body(self) -> bytes:
        raw = self.request.raw_body or b""
        if len(raw) > get_settings().max_body_bytes:
            raise PayloadTooLarge(f"request body over {get_settings().max_body_bytes} bytes")
        return raw

    def _media_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    def json(self, default=None, required: tuple[str, ...] = ()):
        """The JSON body (an object unless `default` says otherwise); `default` when the body is empty.

        Keys in `required` must be present (400 otherwise)."""
        raw = self._raw_body()
        if not raw.strip():
            if default is None:
                raise BadRequest("request body must be a JSON object")
            return default
        media_type = self._media_type()
        if media_type and media_type not in JSON_TYPES:
            raise UnsupportedMediaType(f"unsupported media type {media_type!r}, send application/json")
        body = parse_json(raw)
        expected = type(default) if default is not None else dict
        if not isinstance(body, expected):
            raise BadRequest(f"request body must be a JSON {'array' if expected is list else 'object'}")
        missing = [key for key in required if key not in body]
        if missing:
            raise BadRequest(f"missing key: {', '.join(missing)}")
        return body

    def form(self) -> dict:
        """An HTML form's fields (`application/x-www-form-urlencoded`)."""
        raw = self._raw_body()
        if self._media_type() != FORM_TYPE:
            raise UnsupportedMediaType(f"send the form as {FORM_TYPE}")
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise BadRequest("form is not valid UTF-8") from None


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number out of range: {text}")
    return number


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes):
    """A request body's JSON; 400 for anything that is not plain JSON a store can keep: malformed or too deeply
    nested text, NaN, Infinity and numbers past a float's range, strings with unpaired surrogates."""
    try:
        body = json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
        json.dumps(body, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError) as error:
        raise BadRequest(f"malformed JSON: {error}") from None
    return body


class Router:
    """The routes of one endpoint group; `blueprint` adds 405 answers for every method a path does not serve."""

    def __init__(self, import_name: str):
        self._import_name = import_name
        self.routes: list[Route] = []
        self._blueprint: Blueprint | None = None

    def route(self, path: str, methods: tuple[str, ...] = ("GET",), *, auth: Role, cors: CORSConfig | None = None):
        """Declare a view and who may call it (`auth`, required: PUBLIC, USER, ADMIN or INVIDIOUS(scope))."""
        if not isinstance(auth, Role):
            raise TypeError(f"{path}: auth must be PUBLIC, USER, ADMIN or INVIDIOUS(scope), not {auth!r}")

        def decorator(view: Callable) -> Callable:
            self.routes.append(Route(path, tuple(methods), auth, cors, view))
            return view

        return decorator

    @property
    def blueprint(self) -> Blueprint:
        if self._blueprint is None:
            self._blueprint = self._build()
        return self._blueprint

    def _build(self) -> Blueprint:
        blueprint = Blueprint(self._import_name)
        served: dict[str, set[str]] = defaultdict(set)
        for route in self.routes:
            served[route.path].update(route.methods)
            # content_types=[]: Chalice checks nothing; Call.json and Call.form check the bodies they read.
            blueprint.route(
                route.path, methods=list(route.methods), content_types=[], cors=route.cors, name=route.view.__name__
            )(_handler(blueprint, route))
        for path, methods in served.items():
            others = [m for m in METHODS if m not in methods]
            if others:
                blueprint.route(path, methods=others, content_types=[], name=f"not_allowed{path}")(
                    _not_allowed(sorted(methods))
                )
        return blueprint


def _handler(blueprint: Blueprint, route: Route) -> Callable:
    def handle(**params):
        request = blueprint.current_request
        try:
            return route.view(Call(request, route.auth.viewer(request)), **params)
        except Exception as error:
            if isinstance(error, ApiError) or not storage_unavailable(error):
                raise
            raise ServiceUnavailable("storage unavailable: nothing was saved; try again later") from error

    handle.__name__ = route.view.__name__
    handle.__doc__ = route.view.__doc__
    handle.route = route  # type: ignore[attr-defined]  # what the route table declares, for tests and the OpenAPI document
    return handle


def _not_allowed(allowed: list[str]) -> Callable:
    def not_allowed(**params):
        raise MethodNotAllowed("method not allowed", headers={"Allow": ", ".join(allowed)})

    return not_allowed
