"""How an endpoint group declares its routes: roles, request bodies, unsupported methods and the answer to each
kind of domain error, handled once here.

Each group builds a `Router`; `app.py` registers its blueprint. Every route declares who may call it
(`auth=PUBLIC | USER | ADMIN | INVIDIOUS(scope)`) and the Structs of functions.schemas its JSON body and query
string decode into (`body=`, `query=`: 400 naming the field otherwise). A view receives a `Call` (the request, its
viewer, the decoded body and query) and the path parameters, and returns a body or a `chalice.Response`.

TubeArchivist dialects (functions.core.dialects): a router's routes speak its `dialect` (v0.4 unless it says
v0.5). A route that both speak declares `as_v05=`, how its v0.4 answer looks in v0.5; the caller's credential
picks which one it gets (`Call.dialect`). A path of one dialect only answers every credential in that dialect.
"""

import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import msgspec
from chalice import Blueprint, CORSConfig, Response

from functions.core import lazy
from functions.core.dialects import V04, V05
from functions.core.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidCredentials,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    index_rebuilding,
    storage_unavailable,
)
from functions.core.pagination import Page, page_from_query
from functions.core.settings import get_settings
from functions.http.cors import is_ta_path, preflight
from functions.schemas import decode

if TYPE_CHECKING:
    from functions.services.auth import origin, sessions
    from functions.services.invidious import access, tokens
else:  # imported by the first request that authenticates (functions/core/lazy.py)
    origin, sessions = lazy.modules("functions.services.auth", "origin", "sessions")
    access, tokens = lazy.modules("functions.services.invidious", "access", "tokens")

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
JSON_TYPES = ("application/json", "text/json")
FORM_TYPE = "application/x-www-form-urlencoded"
# Invidious clients run in browsers on other origins and send tokens in the Authorization header.
INVIDIOUS_CORS = CORSConfig(allow_origin="*", allow_headers=["Authorization", "Content-Type"], max_age=600)
INVIDIOUS_API = "/api/v1/"
# Paths Invidious clients and browser players call: Invidious' error bodies, readable from other origins.
INVIDIOUS_PATHS = (INVIDIOUS_API, "/signed/", "/vi/")
JSON_HEADERS = {"Content-Type": "application/json"}
INDEX_RETRY_SECONDS = 60  # a client's wait while a deploy rebuilds an index (functions.core.errors.index_rebuilding)
# The status of each kind of domain error; the first that matches (subclasses before their bases).
STATUS = (
    (NotFound, 404),
    (Forbidden, 403),
    (Unauthorized, 401),
    (Conflict, 409),
    (PayloadTooLarge, 413),
    (UnsupportedMediaType, 415),
    (TooManyRequests, 429),
    (ServiceUnavailable, 503),
    (BadRequest, 400),
)


def status_of(error: DomainError) -> int:
    return next((status for kind, status in STATUS if isinstance(error, kind)), 400)


def error_body(error: DomainError, path: str, dialect: str = V04) -> dict:
    """The body each API's clients read: Invidious `{"error"}`; TubeArchivist `data: false` beside a 404's error
    (v0.5: `{"error"}` alone), DRF's `detail` for a refusal and its `non_field_errors` for a failed login."""
    message = error.message
    if not path.startswith(INVIDIOUS_PATHS):
        if isinstance(error, NotFound) and dialect == V04:
            return {"data": False, "error": message}
        if isinstance(error, Forbidden):
            return {"detail": message}
        if isinstance(error, InvalidCredentials):
            return {"non_field_errors": [message]}
    return {"error": message}


def headers_of(error: DomainError) -> dict:
    """A refusal's own headers: when to try again, for a throttled login."""
    retry_after = getattr(error, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after is not None else {}


def error_response(path: str, status: int, body: dict, headers: dict | None = None) -> Response:
    """A JSON error; on the Invidious API readable by browser clients of other origins (not a CORS failure)."""
    headers = {**JSON_HEADERS, **(headers or {})}
    if path.startswith(INVIDIOUS_PATHS):
        headers.update(INVIDIOUS_CORS.get_access_control_headers())
    return Response(body=body, status_code=status, headers=headers)


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
        if self.kind == "open_invidious":
            return access.public_viewer(request)
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
# The public Invidious API: anyone when the owner opened it (settings.public_invidious), else any signed-in user.
OPEN_INVIDIOUS = Role("open_invidious")


def INVIDIOUS(scope: str, optional: bool = False) -> Role:
    """An Invidious token (or SID web login) whose scopes allow `scope`, e.g. "playlists/{playlist_id}"."""
    return Role("invidious", scope, optional)


@dataclass(frozen=True)
class Answer:
    """A success answer of a route as the OpenAPI document describes it (functions/http/openapi.py): its status,
    media type (None: no body) and the type its body renders from (None: a JSON object not typed yet)."""

    status: int = 200
    media_type: str | None = JSON_TYPES[0]
    body: Any = None


NO_CONTENT = Answer(204, None)
CREATED = Answer(201)
REDIRECT = Answer(302, None)  # Location: where the client goes next
PAGE = Answer(200, "text/html")
EVENTS = Answer(200, "text/event-stream")
HEADERS_ONLY = Answer(200, None)  # HEAD


def answers(returns) -> tuple[Answer, ...]:
    """`returns=` of a route: a type its JSON body renders from, an Answer, or several; nothing: untyped JSON."""
    if returns is None:
        return (Answer(),)
    if isinstance(returns, Answer):
        return (returns,)
    if isinstance(returns, tuple):
        return tuple(a for item in returns for a in answers(item))
    return (Answer(body=returns),)


@dataclass(frozen=True)
class Route:
    """One declared view: its path, methods, role, CORS answer and the Structs of its body and query string."""

    path: str
    methods: tuple[str, ...]
    auth: Role
    cors: CORSConfig | None
    view: Callable
    body: type | None = None
    query: type | None = None
    dialect: str = V04  # the TubeArchivist dialect it speaks, unless `as_v05` lets the caller's credential pick
    as_v05: Callable[[Any], Any] | None = None  # the v0.4 answer as v0.5 shows it
    answers: tuple[Answer, ...] = (Answer(),)
    page: bool = False  # an HTML page: its errors are pages too

    def dialect_for(self, viewer) -> str:
        if self.as_v05 is None:
            return self.dialect
        return getattr(viewer, "dialect", V04)  # public routes (no viewer) and Invidious viewers: v0.4

    def error_dialect(self, viewer) -> str:
        """The dialect of an error's body: the caller's on a v0.4 path, also where both dialects answer alike
        (no `as_v05`: a progress, a deletion), since the client reading it speaks its credential's dialect."""
        if self.dialect == V05:
            return V05
        return getattr(viewer, "dialect", V04)


def body_optional(kind: type) -> bool:
    """Whether a route's body Struct may be left out: every field has a default (it stands for `{}`), unless the
    Struct says a body is required (`body_required`)."""
    if getattr(kind, "body_required", False):
        return False
    return not any(field.required for field in msgspec.structs.fields(kind))


class Call:
    """One request as a view sees it."""

    def __init__(self, request, viewer, route: Route | None = None):
        self.request = request
        self.viewer = viewer
        self.dialect = route.dialect_for(viewer) if route else V04  # the TubeArchivist API the answer speaks
        # Any: each view knows the Structs its route declares (None only where it declares none)
        self.body: Any = self._decoded_body(route.body) if route and route.body else None
        self.params: Any = decode(self.query, route.query, query=True) if route and route.query else None

    @property
    def query(self) -> dict:
        return dict(self.request.query_params or {})

    @property
    def headers(self):
        return self.request.headers

    @property
    def client_address(self) -> str | None:
        """The caller's address as the gateway saw it (not X-Forwarded-For, which the caller writes)."""
        return ((self.request.context or {}).get("identity") or {}).get("sourceIp")

    def page(self) -> Page:
        return page_from_query(self.query)

    def _decoded_body(self, kind: type):
        """The JSON body as a `kind`; an empty body stands for `{}` when the body is optional (body_optional)."""
        return decode(self.json(default={} if body_optional(kind) else None), kind)

    def _raw_body(self) -> bytes:
        raw = self.request.raw_body or b""
        if len(raw) > get_settings().max_body_bytes:
            raise PayloadTooLarge(f"request body over {get_settings().max_body_bytes} bytes")
        return raw

    def _media_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    def json(self, default=None):
        """The JSON body (an object unless `default` says otherwise); `default` when the body is empty."""
        raw = self._raw_body()
        if not raw.strip():
            if default is None:
                raise BadRequest("request body must be a JSON object")
            return default
        media_type = self._media_type()
        if media_type not in JSON_TYPES:  # none at all too: a Blob a page posts has none
            raise UnsupportedMediaType(f"unsupported media type {media_type or 'none'!r}, send application/json")
        body = parse_json(raw)
        expected = type(default) if default is not None else dict
        if not isinstance(body, expected):
            raise BadRequest(f"request body must be a JSON {'array' if expected is list else 'object'}")
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

    def __init__(self, import_name: str, dialect: str = V04):
        self._import_name = import_name
        self.dialect = dialect
        self.routes: list[Route] = []
        self._blueprint: Blueprint | None = None

    def route(
        self,
        path: str,
        methods: tuple[str, ...] = ("GET",),
        *,
        auth: Role,
        cors: CORSConfig | None = None,
        body: type | None = None,
        query: type | None = None,
        as_v05: Callable[[Any], Any] | None = None,
        returns=None,
        page: bool = False,
    ):
        """Declare a view, who may call it (`auth`, required: PUBLIC, USER, ADMIN or INVIDIOUS(scope)), the
        Structs its JSON body and query string must decode into (the view reads `call.body`, `call.params`) and
        what it answers (`returns`: the type of its JSON body, or Answers; `page`: an HTML page, errors too).
        `as_v05`: the route speaks both TubeArchivist dialects, and this is its answer in v0.5."""
        if not isinstance(auth, Role):
            raise TypeError(f"{path}: auth must be PUBLIC, USER, ADMIN or INVIDIOUS(scope), not {auth!r}")

        def decorator(view: Callable) -> Callable:
            route = Route(
                path, tuple(methods), auth, cors, view, body, query, self.dialect, as_v05, answers(returns), page
            )
            self.routes.append(route)
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
            if is_ta_path(path):  # Invidious paths: Chalice answers preflights from INVIDIOUS_CORS
                blueprint.route(path, methods=["OPTIONS"], content_types=[], name=f"preflight{path}")(
                    _preflight(sorted(methods))
                )
            others = [m for m in METHODS if m not in methods]
            if others:
                blueprint.route(path, methods=others, content_types=[], name=f"not_allowed{path}")(
                    _not_allowed(blueprint, sorted(methods))
                )
        return blueprint


def _handler(blueprint: Blueprint, route: Route) -> Callable:
    def handle(**params):
        request = blueprint.current_request
        viewer = None
        try:
            viewer = route.auth.viewer(request)  # first: a cookie that names no session is refused as such
            dialect = route.dialect_for(viewer)
            origin.check(request.method, request.headers)  # CSRF: a cookie's write must come from this site
            origin.check_token(request.method, request.headers, getattr(viewer, "csrf_hash", None))  # and v0.5's
            answer = route.view(Call(request, viewer, route), **params)
            if route.as_v05 is not None and dialect == V05:
                answer = route.as_v05(answer)
            return json_answer(answer)
        except DomainError as error:
            body = error_body(error, request.path, route.error_dialect(viewer))
            return error_response(request.path, status_of(error), body, headers_of(error))
        except Exception as error:
            if storage_unavailable(error):
                unavailable = ServiceUnavailable("storage unavailable: nothing was saved; try again later")
                return error_response(request.path, 503, error_body(unavailable, request.path))
            if index_rebuilding(error):
                rebuilding = ServiceUnavailable(
                    "a deploy is rebuilding an index this reads; try again in a few minutes"
                )
                headers = {"Retry-After": str(INDEX_RETRY_SECONDS)}
                return error_response(request.path, 503, error_body(rebuilding, request.path), headers)
            raise

    handle.__name__ = route.view.__name__
    handle.__doc__ = route.view.__doc__
    handle.route = route  # type: ignore[attr-defined]  # what the route table declares, for tests and the OpenAPI document
    return handle


# Decimal as a JSON number, as Chalice's own encoder writes it.
_ENCODER = msgspec.json.Encoder(decimal_format="number")


def json_answer(result):
    """A view's answer: a Response or text as it is; anything else (Structs of functions.schemas, dicts and lists
    holding them) as JSON, encoded by msgspec."""
    if isinstance(result, Response | str | bytes):
        return result
    return Response(body=_ENCODER.encode(result).decode(), status_code=200, headers=dict(JSON_HEADERS))


def _preflight(allowed: list[str]) -> Callable:
    def answer_preflight(**params):
        return preflight(allowed)

    return answer_preflight


def _not_allowed(blueprint: Blueprint, allowed: list[str]) -> Callable:
    def not_allowed(**params):
        path = blueprint.current_request.path
        return error_response(path, 405, {"error": "method not allowed"}, {"Allow": ", ".join(allowed)})

    return not_allowed
