"""The download queue: /api/download/... (anyone reads it; admins change it, as it is shared)."""

from typing import TYPE_CHECKING

import msgspec

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import ADMIN, NO_CONTENT, USER, Call, Router
from functions.http.ta5 import shapes
from functions.schemas import decode
from functions.schemas import ta_objects as wire
from functions.schemas.ta import DownloadListQuery, DownloadQuery, DownloadRequest, DownloadStatus, QueueClearQuery
from functions.schemas.ta5 import DownloadAddQuery, DownloadBulkChange, DownloadBulkQuery

if TYPE_CHECKING:
    from functions.services.downloads import bulk, intake, items
else:  # imported when a view first uses them (functions/core/lazy.py)
    bulk, intake, items = lazy.modules("functions.services.downloads", "bulk", "intake", "items")

router = Router(__name__)


@router.route(
    "/api/download",
    auth=USER,
    query=DownloadListQuery,
    as_v05=shapes.listing,
    returns=wire.Envelope[list[wire.DownloadItem]],
)
def list_queue(call: Call):
    params = call.params
    return intake.list_page(
        call.viewer, call.page(), params.filter, params.channel, params.vid_type, params.error, params.q
    )


@router.route("/api/download", methods=("POST",), auth=ADMIN, body=DownloadRequest, query=DownloadQuery)
def add_to_queue(call: Call):
    """Queue videos, channels and playlists by id or URL; rows whose status is not pending are left out. A row
    may name several, separated by whitespace, as TubeArchivist splits them (its web frontend's "Redownload"
    sends the selected ids in one row). Every one is checked before anything is stored: one bad one is a 400
    and nothing of the batch is queued. v0.5's `?force=true` queues archived videos too, to be downloaded again
    (the query string of each dialect: v0.4 has no `force`)."""
    rows = call.body.data
    wanted = [text for row in rows if row.status == items.PENDING for text in row.youtube_id.split() or [""]]
    params = decode(call.query, DownloadAddQuery, query=True) if call.viewer.dialect == V05 else None
    auto_start = params.autostart if params else call.params.autostart
    summary = intake.add(wanted, auto_start=auto_start, redownload=bool(params and params.force))
    return {"data": msgspec.to_builtins(rows), **summary}


@router.route(
    "/api/download",
    methods=("PATCH",),
    auth=ADMIN,
    body=DownloadBulkChange,
    query=DownloadBulkQuery,
    returns=NO_CONTENT,
)
def change_by_filter(call: Call):
    """v0.5's bulk change: every item of `?filter=` (and `&channel=`) gets the body's status; 204 in either dialect."""
    bulk.update_by_filter(call.params.filter, call.body.status, call.params.channel)
    return shapes.no_content()


@router.route("/api/download", methods=("DELETE",), auth=ADMIN, query=QueueClearQuery, as_v05=shapes.no_content)
def clear_queue(call: Call):
    status = call.params.filter
    return {"success": True, "filter": status, "removed": intake.delete_by_filter(status)}


@router.route("/api/download/{video_id}", auth=USER, as_v05=shapes.bare, returns=wire.Envelope[wire.DownloadItem])
def get_item(call: Call, video_id: str):
    return intake.detail(call.viewer, video_id)


@router.route("/api/download/{video_id}", methods=("POST",), auth=ADMIN, body=DownloadStatus)
def set_item_status(call: Call, video_id: str):
    intake.set_status(video_id, call.body.status)
    return {"youtube_id": video_id, "status": call.body.status}


@router.route("/api/download/{video_id}", methods=("DELETE",), auth=ADMIN, as_v05=shapes.no_content)
def delete_item(call: Call, video_id: str):
    intake.delete(video_id)
    return {"success": True, "youtube_id": video_id}
