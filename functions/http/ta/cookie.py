"""The YouTube cookie: /api/cookie/ (admins only). No answer ever contains the cookie."""

from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, Call, Router
from functions.services import cookies
from functions.storage import lookup

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


@router.route("/api/cookie", methods=("PUT",), auth=ADMIN)
def import_cookie(call: Call):
    """Store, then validate; a cookie YouTube refuses is not kept (400)."""
    cookie = call.json(required=("cookie",))["cookie"]
    if not isinstance(cookie, str) or not cookie.strip():
        raise BadRequest("cookie must be the text of a Netscape cookies.txt file")
    cookies.store(cookie)
    if not validate():
        message = cookies.state().get("message")
        cookies.revoke()
        cookies.record_validation(False, message)
        raise BadRequest(message or "YouTube refused the cookie", body=dict(IMPORT_FAILED))
    return {"cookie_import": "done", "cookie_validated": True}
