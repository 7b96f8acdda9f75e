"""Users: /api/users/me/ (who is signed in) and, for admins, /api/users/... to list, create and remove users,
reset a password and issue a new API token (what `python -m infra.cli` does, over HTTP for the web app)."""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.errors import BadRequest, Forbidden
from functions.http.routing import ADMIN, CREATED, NO_CONTENT, PUBLIC, USER, Call, Router
from functions.schemas.users import NewPassword, NewUser

if TYPE_CHECKING:
    from functions.services.archive import continue_watching as continue_watching_service
    from functions.services.auth import sessions, users
else:  # imported when a view first uses them (functions/core/lazy.py)
    continue_watching_service = lazy.modules("functions.services.archive", "continue_watching")
    sessions, users = lazy.modules("functions.services.auth", "sessions", "users")

router = Router(__name__)


def _user(user) -> dict:
    """Never a password hash nor a token."""
    return {
        "username": user.username,
        "user_id": int(user.user_id),
        "is_admin": user.is_admin,
        "created": int(user.created),
    }


@router.route("/api/users/me", auth=PUBLIC)
def who_am_i(call: Call):
    """`signed_in: false` rather than a 403 when no one is: the web app asks this before it shows its sign-in
    form, and a page's first request should not be a refusal in the console."""
    try:
        viewer = sessions.authenticate(call.headers)
        return {"signed_in": True, **_user(viewer.user)}
    except Forbidden:
        return {"signed_in": False}


@router.route("/api/users/me/continue", auth=USER)
def continue_watching(call: Call):
    """The signed-in user's started, unfinished videos, with their saved positions."""
    return continue_watching_service.in_progress(call.viewer)


@router.route("/api/users", auth=ADMIN)
def list_users(call: Call):
    return {"data": [_user(user) for user in users.list_users()]}


@router.route("/api/users", methods=("POST",), auth=ADMIN, body=NewUser, returns=CREATED)
def create_user(call: Call):
    """The new user and their API token (201); 409 when the name is taken."""
    user = users.create_user(call.body.username, call.body.password, is_admin=call.body.is_admin)
    return Response(body={**_user(user), "token": user.api_token}, status_code=201)


@router.route("/api/users/{username}", methods=("DELETE",), auth=ADMIN, returns=NO_CONTENT)
def remove_user(call: Call, username: str):
    if username == call.viewer.username:
        raise BadRequest("you cannot remove yourself")
    users.remove_user(username)
    return Response(body="", status_code=204)


@router.route("/api/users/{username}/password", methods=("POST",), auth=ADMIN, body=NewPassword)
def reset_password(call: Call, username: str):
    """Set the password; every session and Invidious token of the user ends, their API token stays."""
    users.set_password(username, call.body.password)
    return {"username": username, "password_changed": True}


@router.route("/api/users/{username}/token", methods=("POST",), auth=ADMIN)
def new_token(call: Call, username: str):
    return {"username": username, "token": users.replace_token(users.get_user(username)).api_token}
