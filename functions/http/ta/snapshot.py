"""Snapshots: /api/snapshot/ and /api/snapshot/<id>/, for admins only (a restore replaces everyone's state)."""

from functions.http.routing import Call, Router
from functions.services import snapshots
from functions.services.auth.sessions import authenticate_request
from functions.services.auth.viewer import Viewer

router = Router(__name__)


def admin_request(request) -> Viewer:
    return authenticate_request(request).require_admin()


@router.route("/api/snapshot", auth=admin_request)
def list_snapshots(call: Call):
    return snapshots.overview(call.viewer.config)


@router.route("/api/snapshot", methods=("POST",), auth=admin_request)
def create_snapshot(call: Call):
    return {"snapshot_name": snapshots.start(call.viewer.config)}


@router.route("/api/snapshot/{snapshot_id}", auth=admin_request)
def get_snapshot(call: Call, snapshot_id: str):
    return snapshots.detail(snapshot_id)


@router.route("/api/snapshot/{snapshot_id}", methods=("POST",), auth=admin_request)
def restore_snapshot(call: Call, snapshot_id: str):
    return snapshots.request_restore(snapshot_id)


@router.route("/api/snapshot/{snapshot_id}", methods=("DELETE",), auth=admin_request)
def delete_snapshot(call: Call, snapshot_id: str):
    return snapshots.delete(snapshot_id)
