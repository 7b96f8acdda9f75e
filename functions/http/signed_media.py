"""Signed media: /signed/... paths (functions.storage.signing) serve archive files without a credential.

GET answers 302 to a short-lived presigned S3 URL (S3 answers range requests with 206); HEAD answers the object's
type and size, which players read before choosing how to play (shaka-player asks HEAD for a URL it cannot type).
Both carry CORS headers: web players on other origins read them.
"""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.http.routing import HEADERS_ONLY, INVIDIOUS_CORS, PUBLIC, REDIRECT, Call, Router

if TYPE_CHECKING:
    from functions.storage import s3, signing
else:  # imported when a view first uses them (functions/core/lazy.py)
    s3, signing = lazy.modules("functions.storage", "s3", "signing")

router = Router(__name__)
CORS_HEADERS = INVIDIOUS_CORS.get_access_control_headers()


@router.route(signing.ROUTE, methods=("GET",), auth=PUBLIC, cors=INVIDIOUS_CORS, returns=REDIRECT)
def signed_file(call: Call, expires: str, signature: str, folder: str, filename: str):
    """302 to the file a signed path names; 403 when its signature is wrong or expired, 404 when it is gone."""
    key = signing.verify(expires, signature, folder, filename)
    return Response(body="", status_code=302, headers={"Location": s3.presigned_url(key), **CORS_HEADERS})


@router.route(signing.ROUTE, methods=("HEAD",), auth=PUBLIC, cors=INVIDIOUS_CORS, returns=HEADERS_ONLY)
def signed_file_head(call: Call, expires: str, signature: str, folder: str, filename: str):
    """The file's Content-Type and Content-Length, without its bytes."""
    head = s3.head(signing.verify(expires, signature, folder, filename))
    headers = {
        "Content-Type": head.get("ContentType") or "application/octet-stream",
        "Content-Length": str(head["ContentLength"]),
        "Accept-Ranges": "bytes",
        **CORS_HEADERS,
    }
    return Response(body="", status_code=200, headers=headers)
