"""Snapshots: /api/snapshot/ and /api/snapshot/<id>/, for admins only (a restore replaces everyone's state)."""

from functions import snapshots
from functions.api.routing import Call, Router
from functions.auth import Viewer, authenticate_request
from functions.errors import Forbidden

NOT_ADMIN = "You do not have permission to perform this action."

router = Router(__name__)


def admin_request(request) -> Viewer:
    viewer = authenticate_request(request)
    if not viewer.user.is_admin:
        raise Forbidden(NOT_ADMIN, body={"detail": NOT_ADMIN})
    return viewer


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
