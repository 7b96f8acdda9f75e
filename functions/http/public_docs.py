"""The OpenAPI paths of the routes that need no credential: signed media and the public Invidious API."""

from functions.http import openapi as oa
from functions.storage import signing

SIGNED = [
    oa.path_param("expires", "unix time the link stops working", None, "1767225600"),
    oa.path_param("signature", "the link's HMAC, base64url", None, "c2lnbmF0dXJlc2lnbmF0dXJl"),
    oa.path_param("folder", "the file's folder, base64url", None, "bWVkaWEvVUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDE"),
    oa.path_param("filename", "the file's name", None, f"{oa.VIDEO_EXAMPLE}.mp4"),
]
SIGNED_ERRORS = {"403": oa.use("InvidiousError"), "404": oa.use("InvidiousNotFound")}
FILE_HEADERS = {
    "Content-Type": {"description": "the file's type", "schema": oa.STRING},
    "Content-Length": {"description": "the file's size in bytes", "schema": oa.STRING},
}


def _public(summary: str, responses: dict, **more) -> dict:
    return oa.operation("files", summary, responses, security=[], **more)


def paths() -> dict:
    return {
        signing.ROUTE: {
            "parameters": SIGNED,
            "get": _public("A file through a signed link: 302 to a presigned S3 URL", {**oa.REDIRECT, **SIGNED_ERRORS}),
            "head": _public(
                "A file's type and size through a signed link",
                {**oa.ok("the file's headers", headers=FILE_HEADERS), **SIGNED_ERRORS},
            ),
        },
    }
