"""Search: /api/search/."""

from functions.api.routing import Call, Router
from functions.search import service

router = Router(__name__)


@router.route("/api/search")
def search(call: Call):
    return service.search(call.viewer, call.query.get("query"))
