"""The download proxy: /api/proxy/ (admins only). No answer contains its credentials."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import ADMIN, Call, Router
from functions.schemas.ta import ProxySet

if TYPE_CHECKING:
    from functions.services import network
else:  # imported when a view first uses them (functions/core/lazy.py)
    network = lazy.modules("functions.services", "network")

router = Router(__name__)


@router.route("/api/proxy", auth=ADMIN)
def proxy_status(call: Call):
    return network.status()


@router.route("/api/proxy", methods=("PUT",), auth=ADMIN, body=ProxySet)
def set_proxy(call: Call):
    return network.store_proxy(call.body.proxy)


@router.route("/api/proxy", methods=("DELETE",), auth=ADMIN)
def remove_proxy(call: Call):
    return network.remove_proxy()
