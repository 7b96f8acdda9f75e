"""The lookup function: what the API must ask yt-dlp while a request waits (the API function has no yt-dlp).

Registered in app.py as the pure Lambda `youtube_lookup` and invoked directly (functions.storage.lookup.call):
`validate_cookie` reads the account's Liked Videos with the stored cookie; `resolve_channel` turns an @handle or
channel URL into the channel's metadata; `video_summary` reads a video's title, channel and length (an Invidious
playlist taking a video the archive does not hold). Typed errors travel back as {"error": {"status", "body"}} and are
raised again on the API side.
"""

from functions.core.errors import ApiError
from functions.services import app_settings, cookies, network

VIDEO_SUMMARY = ("title", "channel", "uploader", "channel_id", "duration")  # of yt-dlp's info: what callers show


def handle(event: dict) -> dict:
    from functions.youtube import ytdlp

    action = event.get("action")
    try:
        network.apply(app_settings.current())  # the proxy and PO token provider yt-dlp goes through
        if action == "validate_cookie":
            valid, why = cookies.check(cookies.stored_cookie())
            return {"valid": valid, "message": why}
        if action == "resolve_channel":
            return {"channel": ytdlp.channel_info(event["query"], cookies.current_cookie())}
        if action == "video_summary":
            info = ytdlp.video_info(event["youtube_id"], cookies.current_cookie())
            return {"video": {field: info.get(field) for field in VIDEO_SUMMARY}}
    except ApiError as error:
        return {"error": {"status": error.status_code, "body": error.body}}
    return {"error": {"status": 400, "body": {"error": f"unknown lookup {action!r}"}}}
