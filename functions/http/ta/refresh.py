"""Metadata refresh: /api/refresh/ (admins only)."""

from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, Call, Router
from functions.services import refresh

router = Router(__name__)


def _flag(value: str | None) -> bool:
    if value is None or value.lower() in ("", "false", "0", "no"):
        return False
    if value.lower() in ("true", "1", "yes"):
        return True
    raise BadRequest(f"extract_videos must be true or false, got {value!r}")


@router.route("/api/refresh", auth=ADMIN)
def refresh_status(call: Call):
    return refresh.progress(call.query.get("type"), call.query.get("id"))


@router.route("/api/refresh", methods=("POST",), auth=ADMIN)
def start_refresh(call: Call):
    return refresh.request(call.json(), _flag(call.query.get("extract_videos")))
