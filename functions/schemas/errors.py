"""The error bodies the router answers with (functions/http/routing.error_body), for the OpenAPI document."""

from typing import Literal

from msgspec import Struct


class Error(Struct):
    """Invidious' error body, and TubeArchivist's for what has no own shape."""

    error: str


class NotFound(Struct):
    """TubeArchivist's unknown item: `data: false` beside the error."""

    data: Literal[False]
    error: str


class Refused(Struct):
    """DRF's permission body: no, bad or insufficient credentials."""

    detail: str


class LoginRefused(Struct):
    """DRF's failed login."""

    non_field_errors: list[str]
