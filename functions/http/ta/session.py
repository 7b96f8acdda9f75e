"""Login and ping: /api/login/, /api/ping/."""

from chalice import Response

from functions.core.settings import VERSION
from functions.http.routing import PUBLIC, USER, Call, Router
from functions.services import downloader
from functions.services.auth import sessions, users

router = Router(__name__)


@router.route("/api/login", methods=("POST",), auth=PUBLIC)
def login(call: Call):
    """Answer the user's API token and start a web session (cookie), as TubeArchivist's login does."""
    body = call.json()
    user = users.verify_login(body.get("username"), body.get("password"))
    secret, lifetime = sessions.start_session(user)
    cookie = f"{sessions.SESSION_COOKIE}={secret}; Max-Age={lifetime}; Path=/; HttpOnly; SameSite=Lax"
    if call.headers.get("x-forwarded-proto", "http") == "https":
        cookie += "; Secure"
    return Response(
        body={"token": user.api_token, "user_id": int(user.user_id)}, status_code=200, headers={"Set-Cookie": cookie}
    )


@router.route("/api/ping", auth=USER)
def ping(call: Call):
    user_id = call.viewer.confirm().user_id
    return {"response": "pong", "user": user_id, "version": VERSION, "downloader": downloader.shown()}
