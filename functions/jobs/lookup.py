"""The lookup function: what the API must ask yt-dlp while a request waits (the API function has no yt-dlp).

Registered in app.py as the pure Lambda `youtube_lookup` and invoked directly (functions.storage.lookup.call):
`validate_cookie` reads the account's Liked Videos with the stored cookie; `resolve_channel` turns an @handle or
channel URL into the channel's metadata; `video_summary` reads a video's title, channel and length (an Invidious
playlist taking a video the archive does not hold). Typed errors travel back as {"error": {"status", "body"}} and are
raised again on the API side.
"""

from functions.core.errors import ApiError
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
    except ApiError as error:
        return {"error": {"status": error.status_code, "body": error.body}}
    except ytdlp.BotCheck as error:  # YouTube refuses the archive for now, not the request: 503
        return {"error": {"status": 503, "body": {"error": error.message}}}
    except ytdlp.YtDlpError as error:  # what yt-dlp could not read is the request's problem: 400
        return {"error": {"status": 400, "body": {"error": error.message}}}
    return {"error": {"status": 400, "body": {"error": f"unknown lookup {action!r}"}}}
