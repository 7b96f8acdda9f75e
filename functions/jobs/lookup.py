"""The lookup function: what the API must ask yt-dlp while a request waits (the API function has no yt-dlp).

Registered in app.py as the pure Lambda `youtube_lookup` and invoked directly (functions.storage.lookup.call):
`validate_cookie` reads the account's Liked Videos with the stored cookie; `resolve_channel` turns an @handle or
channel URL into the channel's metadata; `video_summary` reads a video's title, channel and length (an Invidious
playlist taking a video the archive does not hold). Typed errors travel back as {"error": {"kind", "message"}} and are
raised again on the API side.
"""

from functions.core.errors import DomainError
from functions.services import app_settings, cookies, network
from functions.youtube import ytdlp


def handle(event: dict) -> dict:
    action = event.get("action")
    try:
        network.apply(app_settings.current())  # the proxy and PO token provider yt-dlp goes through
        if action == "validate_cookie":
            valid, why = cookies.check(cookies.stored_cookie())
            return {"valid": valid, "message": why}
        if action == "resolve_channel":
            return {"channel": ytdlp.channel_info(event["query"], cookies.current_cookie())}
        if action == "video_summary":
            return {"video": ytdlp.video_summary(event["youtube_id"], cookies.current_cookie())}
    except ytdlp.BotCheck as error:  # YouTube refuses the archive for now, not the request: 503
        return {"error": {"kind": "ServiceUnavailable", "message": error.message}}
    except DomainError as error:
        return {"error": {"kind": type(error).__name__, "message": error.message}}
    except ytdlp.YtDlpError as error:  # what yt-dlp could not read is the request's problem: 400
        return {"error": {"kind": "BadRequest", "message": error.message}}
    return {"error": {"kind": "BadRequest", "message": f"unknown lookup {action!r}"}}
