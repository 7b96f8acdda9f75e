"""Absolute URLs of what Invidious clients fetch: every URL in their JSON is absolute (Clipious refuses relative
thumbnails) and every file URL is a signed link (their players send no credential).

The API's public address depends on the request (host, scheme, API Gateway stage); the web layer sets it for the
request it serves (`serve`), and the renderers read it here, so the services stay free of HTTP.
"""

from contextvars import ContextVar

from functions.storage import s3, signing

_base_url: ContextVar[str] = ContextVar("invidious_base_url", default="")


def serve(base_url: str) -> None:
    """The public address of the request being served: `https://host[/stage]`, no trailing slash."""
    _base_url.set(base_url.rstrip("/"))


def base_url() -> str:
    return _base_url.get()


def absolute(path: str) -> str:
    return base_url() + path


def file_url(key: str) -> str:
    """A signed, absolute link to a bucket file."""
    return absolute(signing.signed_path(key))


def video_thumbnail(youtube_id: str) -> str:
    return file_url(s3.video_thumb_key(youtube_id))


def channel_art(channel_id: str, kind: str) -> str:
    return file_url(s3.channel_art_key(channel_id, kind))
