"""Search: /api/search/."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import USER, Call, Router
from functions.schemas.ta import SearchQuery

if TYPE_CHECKING:
    from functions.services.search import service
else:  # imported when a view first uses them (functions/core/lazy.py)
    service = lazy.modules("functions.services.search", "service")

router = Router(__name__)


@router.route("/api/search", auth=USER, query=SearchQuery)
def search(call: Call):
    return service.search(call.viewer, call.params.query)
