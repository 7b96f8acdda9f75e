"""The download proxy: /api/proxy/ (admins only). No answer contains its credentials."""

from functions.http.routing import Call, Router
from functions.http.ta.snapshot import admin_request
from functions.services import network

router = Router(__name__)


@router.route("/api/proxy", auth=admin_request)
def proxy_status(call: Call):
    return network.status()


@router.route("/api/proxy", methods=("PUT",), auth=admin_request)
def set_proxy(call: Call):
    return network.store_proxy(call.json(required=("proxy",))["proxy"])


@router.route("/api/proxy", methods=("DELETE",), auth=admin_request)
def remove_proxy(call: Call):
    return network.remove_proxy()
