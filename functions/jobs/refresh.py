"""The refresh function: consumes the refresh queue, one message per video, channel or playlist to read again,
and the rescans asked for through /api/task/.

A refresh that fails (yt-dlp or the network) raises, so SQS delivers the message again; the third failure sends it
to the dead-letter queue, and its RefreshItem is removed then, so /api/refresh/ does not count it forever.
"""

import json
import logging

from chalice import Blueprint

from functions.core.errors import BadRequest
from functions.services import app_settings, cookies, network, rescan
from functions.services import refresh as refresh_service

blueprint = Blueprint(__name__)
log = logging.getLogger("ytarchive.refresh")
MAX_RECEIVES = 3  # the refresh queue's maxReceiveCount (infra/resources.yaml)


@blueprint.on_sqs_message(queue="refresh", batch_size=1)
def refresh(event):
    for record in event:
        handle(record.body, int((record.to_dict().get("attributes") or {}).get("ApproximateReceiveCount", 1)))


def handle(raw: str, receives: int = 1) -> str:
    """One message; what was done (for logs and tests)."""
    try:
        body = json.loads(raw)
        action = body["action"]
    except (ValueError, KeyError, TypeError):
        log.error("dropping malformed message %.200r", raw)
        return "malformed"
    if action == refresh_service.RESCAN:
        return "rescanned" if rescan.run() is not None else "busy"
    kind, item_id = body.get("kind"), body.get("id")
    if (
        action != refresh_service.REFRESH
        or kind not in refresh_service.KINDS
        or not refresh_service.ID_CHECKS[kind](item_id)
    ):
        log.error("dropping message with unknown action or item %.200r", raw)
        return "malformed"
    from functions.youtube import ytdlp

    try:
        network.apply(app_settings.current())
        outcome = refresh_service.run_item(kind, item_id, bool(body.get("extract_videos")), cookies.current_cookie())
    except BadRequest as error:
        if isinstance(error, ytdlp.CookieRejected):
            cookies.record_validation(False, error.message)
        if receives >= MAX_RECEIVES:
            refresh_service.done(kind, item_id)
        log.warning("refresh of %s %s failed (attempt %d): %s", kind, item_id, receives, error.message)
        raise
    except Exception:
        if receives >= MAX_RECEIVES:
            refresh_service.done(kind, item_id)
        raise
    refresh_service.done(kind, item_id)
    return outcome
