"""Invidious token management: GET /api/v1/auth/tokens, POST /api/v1/auth/tokens/register and /unregister."""

import re
from typing import TYPE_CHECKING

from chalice import Response
from msgspec import UNSET

from functions.core import lazy
from functions.core.errors import Forbidden, NotFound
from functions.http.routing import FORM_TYPE, INVIDIOUS, INVIDIOUS_CORS, Call, Router
from functions.schemas import decode
from functions.schemas.invidious import TokenRegister, TokenRevoke

if TYPE_CHECKING:
    from functions.services.invidious import tokens, web_sessions
    from functions.storage import models
else:  # imported when a view first uses them (functions/core/lazy.py)
    tokens, web_sessions = lazy.modules("functions.services.invidious", "tokens", "web_sessions")
    models = lazy.modules("functions.storage", "models")

router = Router(__name__)
AUTH = "/api/v1/auth"
FORM_SCOPE = re.compile(r"^scopes\[(\d+)\]$")
SESSION_NOT_FOUND = "Session not found"


def auth_route(path: str, methods: tuple[str, ...] = ("GET",), body: type | None = None):
    return router.route(AUTH + path, methods, auth=INVIDIOUS(path.lstrip("/")), cors=INVIDIOUS_CORS, body=body)


@auth_route("/tokens")
def list_tokens(call: Call):
    """The user's sessions (tokens and web logins), newest first: one Query on the sessions' by_user index."""
    sessions = models.InvidiousSession.by_user.query(call.viewer.user_id, scan_index_forward=False)
    return [{"session": s.session, "issued": int(s.issued)} for s in sessions]


def _register_body(call: Call) -> TokenRegister:
    """The register body: JSON, or a form with `scopes[0]`, `scopes[1]`... (or `scopes=a,b`) as Invidious takes
    (the route declares no body: a form is as good as JSON here)."""
    if (call.headers.get("content-type") or "").split(";")[0].strip().lower() != FORM_TYPE:
        return decode(call.json(), TokenRegister)
    fields: dict = call.form()
    indexed = sorted((int(m[1]), value) for name, value in fields.items() if (m := FORM_SCOPE.match(name)))
    if indexed:
        fields["scopes"] = [value for _, value in indexed]
    return decode(fields, TokenRegister)


@auth_route("/tokens/register", methods=("POST",))
def register_token(call: Call):
    """A new token for the caller, with the asked scopes the caller's own scopes cover, in the order asked (a SID
    web login covers every scope; a token asking for more than it has gets only its part, possibly none, as
    Invidious does). `expire` is seconds from now (or a unix time); a token never mints one that outlives it.
    `callbackUrl` is validated but the answer is always the token JSON (200), never a redirect: API clients
    call this with fetch, and the seed documents only the 200 body."""
    body = _register_body(call)
    asked = tokens.parse_scopes(body.scopes)
    web_sessions.parse_callback(body.callbackUrl)
    expire = tokens.absolute_expiry(body.expire)
    granted = [s for s in asked if any(own.covers(tokens.parse_scope(s)) for own in call.viewer.scopes)]
    if call.viewer.via_token:
        limit = tokens.read_token(call.headers["authorization"]).get("expire")
        if limit is not None and (expire is None or expire > limit):
            expire = limit
    return tokens.issue(call.viewer.user_id, call.viewer.username, granted, expire)


@auth_route("/tokens/unregister", methods=("POST",), body=TokenRevoke)
def unregister_token(call: Call):
    """Revoke one of the caller's own sessions (a token or a web login) → 204; no body or no `session`: the
    caller's own. A session of another user and an unknown one are the same 404 {"error": "Session not found"}
    (so nobody learns which session ids exist) and nothing changes: the delete is conditional on the owner.
    As in Invidious, revoking a session other than the caller's needs a scope covering GET:tokens (403
    "Invalid scope" otherwise): a token limited to unregistering can only end itself."""
    session = call.viewer.session if call.body.session is UNSET else call.body.session
    if session != call.viewer.session and not any(s.allows("GET", "tokens") for s in call.viewer.scopes):
        raise Forbidden(tokens.INVALID_SCOPE)
    if not tokens.revoke(session, call.viewer.user_id):
        raise NotFound(SESSION_NOT_FOUND)
    return Response(body="", status_code=204)
