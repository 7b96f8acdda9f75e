"""The Invidious API's query strings (`/api/v1/...`)."""

from typing import Annotated

from msgspec import Meta, Struct


class ResultsPage(Struct):
    """`page` (from 1) of `max_results` items; no `max_results`: the user's preference."""

    page: Annotated[int, Meta(ge=1)] = 1
    max_results: Annotated[int, Meta(ge=0)] | None = None


class PlaylistPage(Struct):
    """`page` of a playlist's videos, 100 a page; 0 is the first page too."""

    page: Annotated[int, Meta(ge=0)] = 1
