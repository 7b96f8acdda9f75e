"""Signed media: /signed/... paths (functions.storage.signing) serve archive files without a credential.

GET answers 302 to a short-lived URL of the file (storage.delivery: S3 or CloudFront, both answer ranges with 206);
HEAD answers the object's type and size, which players read before choosing how to play (shaka-player asks HEAD for
a URL it cannot type).
Both carry CORS headers: web players on other origins read them.
"""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.http.routing import INVIDIOUS_CORS, PUBLIC, Call, Router
from functions.storage import s3, signing

if TYPE_CHECKING:
    from functions.services.invidious import dash
    from functions.storage import delivery
else:  # imported when a view first uses them (functions/core/lazy.py)
    dash = lazy.modules("functions.services.invidious", "dash")
    delivery = lazy.modules("functions.storage", "delivery")

router = Router(__name__)
CORS_HEADERS = INVIDIOUS_CORS.get_access_control_headers()
MPD_HEADERS = {"Content-Type": s3.MANIFEST_TYPE, "Cache-Control": "private, max-age=300"}


@router.route(signing.ROUTE, methods=("GET",), auth=PUBLIC, cors=INVIDIOUS_CORS)
def signed_file(call: Call, expires: str, signature: str, folder: str, filename: str):
    """302 to the file a signed path names; 403 when its signature is wrong or expired, 404 when it is gone.
    A DASH manifest's name is answered with the manifest itself."""
    key = signing.verify(expires, signature, folder, filename)
    if s3.is_manifest_key(key):
        return Response(body=dash.manifest_for_key(key), status_code=200, headers={**MPD_HEADERS, **CORS_HEADERS})
    return Response(body="", status_code=302, headers={"Location": delivery.url(key), **CORS_HEADERS})


@router.route(signing.ROUTE, methods=("HEAD",), auth=PUBLIC, cors=INVIDIOUS_CORS)
def signed_file_head(call: Call, expires: str, signature: str, folder: str, filename: str):
    """The file's Content-Type and Content-Length, without its bytes."""
    key = signing.verify(expires, signature, folder, filename)
    if s3.is_manifest_key(key):
        size = str(len(dash.manifest_for_key(key).encode()))
        return Response(body="", status_code=200, headers={**MPD_HEADERS, "Content-Length": size, **CORS_HEADERS})
    head = s3.head(key)
    headers = {
        "Content-Type": head.get("ContentType") or "application/octet-stream",
        "Content-Length": str(head["ContentLength"]),
        "Accept-Ranges": "bytes",
        **CORS_HEADERS,
    }
    return Response(body="", status_code=200, headers=headers)
