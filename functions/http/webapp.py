"""The archive's web app (functions/webapp): the HTML shell at `/` and at each of its client routes, and its
assets under content-hashed names (`/assets/<name>.<hash>.<ext>`).

Public: the shell and the assets hold no data; the app signs in with the TubeArchivist session cookie and reads
everything through the JSON APIs. functions.webapp (the files, their hashes) is imported on these routes only, so
the JSON routes' cold start does not read or hash any of it.
"""

from chalice import Response

from functions.core.errors import NotFound
from functions.http.addresses import base_path
from functions.http.routing import PAGE, PUBLIC, Call, Router

router = Router(__name__)
# The client routes (main.js ROUTES): a reload or a shared link of any of them gets the shell.
CLIENT_ROUTES = (
    "/",
    "/videos",
    "/watch/{video_id}",
    "/channels",
    "/channels/{channel_id}",
    "/playlists",
    "/playlists/{playlist_id}",
    "/search",
    "/downloads",
    "/settings",
    "/users",
)
IMMUTABLE = "public, max-age=31536000, immutable"
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def _shell(call: Call, **segments):
    from functions.webapp import shell

    page = shell(base_path(call.request))
    headers: dict[str, str | list[str]] = {
        **COMMON_HEADERS,
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-cache",
        "Content-Security-Policy": page.content_security_policy,
        "X-Frame-Options": "DENY",
    }
    return Response(body=page.html, status_code=200, headers=headers)


for _path in CLIENT_ROUTES:
    router.route(_path, auth=PUBLIC, returns=PAGE)(_shell)


@router.route("/assets/{asset_name}", auth=PUBLIC)
def webapp_asset(call: Call, asset_name: str):
    """A hashed name only: an old name after a deploy is a 404, never another version's file under it."""
    from functions.webapp import assets

    asset = assets().get(asset_name)
    if asset is None:
        raise NotFound(f"file {asset_name} not found")
    headers: dict[str, str | list[str]] = {
        **COMMON_HEADERS,
        "Content-Type": asset.content_type,
        "Cache-Control": IMMUTABLE,
    }
    return Response(body=asset.body.decode(), status_code=200, headers=headers)
