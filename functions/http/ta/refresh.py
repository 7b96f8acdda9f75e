"""Metadata refresh: /api/refresh/ (admins only)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import ADMIN, Call, Router
from functions.schemas.ta import RefreshQuery, RefreshRequest, RefreshStatusQuery

if TYPE_CHECKING:
    from functions.services import refresh
else:  # imported when a view first uses them (functions/core/lazy.py)
    refresh = lazy.modules("functions.services", "refresh")

router = Router(__name__)


@router.route("/api/refresh", auth=ADMIN, query=RefreshStatusQuery)
def refresh_status(call: Call):
    return refresh.progress(call.params.type, call.params.id)


@router.route("/api/refresh", methods=("POST",), auth=ADMIN, body=RefreshRequest, query=RefreshQuery)
def start_refresh(call: Call):
    return refresh.request(call.body, call.params.extract_videos)
