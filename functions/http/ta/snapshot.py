"""Snapshots: /api/snapshot/ and /api/snapshot/<id>/, for admins only (a restore replaces everyone's state)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import ADMIN, Call, Router
from functions.schemas import ta_objects as wire

if TYPE_CHECKING:
    from functions.services import snapshots
else:  # imported when a view first uses them (functions/core/lazy.py)
    snapshots = lazy.modules("functions.services", "snapshots")

router = Router(__name__)


@router.route("/api/snapshot", auth=ADMIN)
def list_snapshots(call: Call):
    return snapshots.overview(call.viewer.config)


@router.route("/api/snapshot", methods=("POST",), auth=ADMIN)
def create_snapshot(call: Call):
    return wire.SnapshotCreated(snapshot_name=snapshots.start(call.viewer.config))


@router.route("/api/snapshot/{snapshot_id}", auth=ADMIN)
def get_snapshot(call: Call, snapshot_id: str):
    return snapshots.detail(snapshot_id)


@router.route("/api/snapshot/{snapshot_id}", methods=("POST",), auth=ADMIN)
def restore_snapshot(call: Call, snapshot_id: str):
    return snapshots.request_restore(snapshot_id)


@router.route("/api/snapshot/{snapshot_id}", methods=("DELETE",), auth=ADMIN)
def delete_snapshot(call: Call, snapshot_id: str):
    return snapshots.delete(snapshot_id)
