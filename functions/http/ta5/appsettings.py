"""v0.5's settings paths: /api/appsettings/cookie/, token/ and snapshot/ (+ `<id>/`), admins only, as
TubeArchivist's AdminOnly views. The config (`appsettings/config/`) is functions.http.ta.appsettings."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, NO_CONTENT, Call, Router
from functions.http.ta import snapshot
from functions.http.ta.cookie import validate
from functions.http.ta5.shapes import no_content
from functions.schemas.ta import CookieImport
from functions.schemas.ta5 import TokenQuery

if TYPE_CHECKING:
    from functions.services import cookies, snapshots
    from functions.services.auth import users
else:  # imported when a view first uses them (functions/core/lazy.py)
    cookies, snapshots = lazy.modules("functions.services", "cookies", "snapshots")
    users = lazy.modules("functions.services.auth", "users")

router = Router(__name__, dialect=V05)


@router.route("/api/appsettings/cookie", auth=ADMIN)
def cookie_status(call: Call):
    """`cookie_enabled`, and whether and when YouTube last accepted it; never the cookie."""
    return cookies.status(call.viewer.config)


@router.route("/api/appsettings/cookie", methods=("POST",), auth=ADMIN)
def validate_cookie(call: Call):
    validate()
    return cookies.status(call.viewer.config)


@router.route("/api/appsettings/cookie", methods=("PUT",), auth=ADMIN, body=CookieImport)
def import_cookie(call: Call):
    """Store, then validate; a cookie YouTube refuses is not kept (400 `{"error"}`)."""
    if not call.body.cookie.strip():
        raise BadRequest("missing cookie key in request data")
    cookies.store(call.body.cookie)
    if not validate():
        message = cookies.state().get("message")
        cookies.revoke()
        cookies.record_validation(False, message)
        raise BadRequest("[cookie]: import failed, not valid")
    return cookies.status(call.viewer.config)


@router.route("/api/appsettings/cookie", methods=("DELETE",), auth=ADMIN, returns=NO_CONTENT)
def revoke_cookie(call: Call):
    cookies.revoke()
    return no_content()


@router.route("/api/appsettings/token", auth=ADMIN)
def show_token(call: Call):
    """The caller's API token and the dialect it speaks."""
    user = call.viewer.user
    return {"token": user.api_token, "dialect": users.token_dialect(user)}


@router.route("/api/appsettings/token", methods=("DELETE",), auth=ADMIN, query=TokenQuery, returns=NO_CONTENT)
def replace_token(call: Call):
    """Revoke the caller's token; its successor (in `?dialect=`, else the old one's) is the next GET's answer."""
    users.replace_token(call.viewer.user, call.params.dialect)
    return no_content()


# v0.5's snapshot paths: v0.4's views (functions.http.ta.snapshot), but a deletion is an empty 204
router.route("/api/appsettings/snapshot", auth=ADMIN)(snapshot.list_snapshots)
router.route("/api/appsettings/snapshot", methods=("POST",), auth=ADMIN)(snapshot.create_snapshot)
router.route("/api/appsettings/snapshot/{snapshot_id}", auth=ADMIN)(snapshot.get_snapshot)
router.route("/api/appsettings/snapshot/{snapshot_id}", methods=("POST",), auth=ADMIN)(snapshot.restore_snapshot)


@router.route("/api/appsettings/snapshot/{snapshot_id}", methods=("DELETE",), auth=ADMIN, returns=NO_CONTENT)
def delete_snapshot(call: Call, snapshot_id: str):
    snapshots.delete(snapshot_id)
    return no_content()
