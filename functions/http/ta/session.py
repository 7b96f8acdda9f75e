"""Login, logout and ping: /api/login/, /api/logout/, /api/ping/."""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.settings import TA_API_VERSION, VERSION
from functions.http.routing import NO_CONTENT, PUBLIC, USER, Call, Router
from functions.http.ta5 import shapes
from functions.schemas import ta_objects as wire
from functions.schemas.ta import Login

if TYPE_CHECKING:
    from functions.services import downloader
    from functions.services.auth import sessions, users
else:  # imported when a view first uses them (functions/core/lazy.py)
    downloader = lazy.modules("functions.services", "downloader")
    sessions, users = lazy.modules("functions.services.auth", "sessions", "users")

router = Router(__name__)


@router.route("/api/login", methods=("POST",), auth=PUBLIC, body=Login)
def login(call: Call):
    """Answer the user's API token and start a web session (cookie), as TubeArchivist's login does."""
    user = users.verify_login(call.body.username, call.body.password, call.client_address)
    secret, lifetime = sessions.start_session(user)
    cookie = f"{sessions.SESSION_COOKIE}={secret}; Max-Age={lifetime}; Path=/; HttpOnly; SameSite=Lax"
    if call.headers.get("x-forwarded-proto", "http") == "https":
        cookie += "; Secure"
    return Response(
        body={"token": user.api_token, "user_id": int(user.user_id)}, status_code=200, headers={"Set-Cookie": cookie}
    )


@router.route("/api/logout", methods=("POST",), auth=USER, returns=NO_CONTENT)
def logout(call: Call):
    """End the web session of the session cookie (204, the cookie cleared); a token-only caller has none to end.
    The API token stays valid: it ends only with a password reset or the user's removal."""
    call.viewer.confirm()  # a removed user's key ends nothing: 403, as on every route
    secret = sessions.session_cookie_named(call.headers, sessions.SESSION_COOKIE)
    if secret:
        sessions.end_session(secret)
    cookie = f"{sessions.SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
    return Response(body="", status_code=204, headers={"Set-Cookie": cookie})


@router.route("/api/ping", auth=USER, returns=wire.Ping, as_v05=shapes.ping)
def ping(call: Call):
    """`version` is the TubeArchivist API the caller's dialect speaks: clients pick date formats and fields by it."""
    shown, update = downloader.shown(call.viewer)  # confirms the viewer too, in the same read
    user_id = call.viewer.user_id
    return wire.Ping(
        response="pong",
        user=user_id,
        version=TA_API_VERSION,
        ytarchive_version=VERSION,
        downloader=None if shown is None else wire.Downloader(**shown),
        ytdlp_update=None if update is None else wire.YtDlpUpdate(**update),
    )
