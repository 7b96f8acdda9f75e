"""The YouTube cookie: /api/cookie/ (admins only). No answer ever contains the cookie."""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.http.routing import ADMIN, Call, Router
from functions.schemas.ta import CookieImport

if TYPE_CHECKING:
    from functions.services import cookies
    from functions.storage import lookup
else:  # imported when a view first uses them (functions/core/lazy.py)
    cookies = lazy.modules("functions.services", "cookies")
    lookup = lazy.modules("functions.storage", "lookup")

router = Router(__name__)
IMPORT_FAILED = {"cookie_import": "fail", "cookie_validated": False}


def validate() -> bool:
    """Ask the lookup function (yt-dlp) whether YouTube accepts the stored cookie; the outcome is recorded."""
    answer = lookup.call("validate_cookie")
    cookies.record_validation(answer["valid"], answer.get("message"))
    return answer["valid"]


@router.route("/api/cookie", auth=ADMIN)
def cookie_status(call: Call):
    return cookies.status(call.viewer.config)


@router.route("/api/cookie", methods=("POST",), auth=ADMIN)
def validate_cookie(call: Call):
    return {"cookie_validated": validate()}


@router.route("/api/cookie", methods=("PUT",), auth=ADMIN, body=CookieImport)
def import_cookie(call: Call):
    """Store, then validate; a cookie YouTube refuses is not kept (400)."""
    cookies.store(call.body.cookie)
    if not validate():
        message = cookies.state().get("message") or "YouTube refused the cookie"
        cookies.revoke()
        cookies.record_validation(False, message)
        return Response(body=dict(IMPORT_FAILED), status_code=400)
    return {"cookie_import": "done", "cookie_validated": True}
