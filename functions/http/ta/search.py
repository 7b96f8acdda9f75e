"""Search: /api/search/."""

from functions.http.routing import USER, Call, Router
from functions.services.search import service

router = Router(__name__)


@router.route("/api/search", auth=USER)
def search(call: Call):
    return service.search(call.viewer, call.query.get("query"))
