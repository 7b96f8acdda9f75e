"""The download queue: /api/download/... (anyone reads it; admins change it, as it is shared)."""

from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, USER, Call, Router
from functions.services.downloads import intake, items

router = Router(__name__)


def _flag(call: Call, name: str) -> bool:
    raw = (call.query.get(name) or "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise BadRequest(f"{name} must be true or false, got {raw[:20]!r}")
    return raw in ("true", "1")


@router.route("/api/download", auth=USER)
def list_queue(call: Call):
    return intake.list_page(call.viewer, call.page(), call.query.get("filter"), call.query.get("channel"))


@router.route("/api/download", methods=("POST",), auth=ADMIN)
def add_to_queue(call: Call):
    """Queue videos, channels and playlists by id or URL; rows whose status is not pending are left out. Every
    row is checked before anything is stored: one bad row is a 400 and nothing of the batch is queued."""
    rows = call.json(required=("data",))["data"]
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise BadRequest('data must be a list of objects {"youtube_id": ..., "status": "pending"}')
    for n, row in enumerate(rows):
        if not isinstance(row.get("youtube_id"), str):
            raise BadRequest(f"data[{n}].youtube_id must be a video, channel or playlist id or URL")
        if not isinstance(row.get("status", "pending"), str):
            raise BadRequest(f"data[{n}].status must be a string")
    auto_start = _flag(call, "autostart")
    wanted = [row["youtube_id"] for row in rows if row.get("status", "pending") == items.PENDING]
    summary = intake.add(wanted, auto_start=auto_start)
    return {"data": rows, **summary}


@router.route("/api/download", methods=("DELETE",), auth=ADMIN)
def clear_queue(call: Call):
    status = call.query.get("filter")
    return {"success": True, "filter": status, "removed": intake.delete_by_filter(status)}


@router.route("/api/download/{video_id}", auth=USER)
def get_item(call: Call, video_id: str):
    return intake.detail(call.viewer, video_id)


@router.route("/api/download/{video_id}", methods=("POST",), auth=ADMIN)
def set_item_status(call: Call, video_id: str):
    status = call.json(required=("status",))["status"]
    if not isinstance(status, str):
        raise BadRequest("status must be pending, ignore or priority")
    intake.set_status(video_id, status)
    return {"youtube_id": video_id, "status": status}


@router.route("/api/download/{video_id}", methods=("DELETE",), auth=ADMIN)
def delete_item(call: Call, video_id: str):
    intake.delete(video_id)
    return {"success": True, "youtube_id": video_id}
