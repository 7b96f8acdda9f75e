"""TubeArchivist's numbered pagination: page 0 and page 1 are the first page, totals capped at 10,000."""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from functions.core.errors import BadRequest, NotFound

MAX_HITS = 10_000
WINDOW = 5


@dataclass(frozen=True)
class Page:
    """A numbered page asked for; its size is the viewer's setting."""

    number: int
    params: str

    def offset(self, size: int) -> int:
        return 0 if self.number <= 1 else (self.number - 1) * size


def page_from_query(query: dict | None) -> Page:
    """Read `page` from the query string; the other parameters are carried in `params`."""
    query = dict(query or {})
    raw = query.pop("page", "0") or "0"
    if raw.startswith("-") and raw[1:].isdecimal():
        raise BadRequest("page must not be negative")
    try:
        if not (raw.isascii() and raw.isdecimal()):  # int() would take " 2", "1_0" and other scripts' digits
            raise ValueError
        number = int(raw)  # ValueError past 4300 digits
    except ValueError:
        raise BadRequest(f"page must be a whole number, got {raw[:20]!r}") from None
    return Page(number=number, params=urlencode(query))


def _max_pages(size: int, total: int) -> int:
    pages = math.ceil(min(total, MAX_HITS) / size)
    return pages - 1 if total >= MAX_HITS else pages


def is_past_end(page: Page, size: int, total: int) -> bool:
    """A page after the last one (or past the 10,000 hits a list shows): it holds nothing."""
    return page.number > 1 and (page.number > _max_pages(size, total) or page.offset(size) >= MAX_HITS)


def paginate(page: Page, size: int, total: int, past_end_empty: bool = False) -> dict:
    """The `paginate` object of a list response. A page past the last one is 404, except where `past_end_empty`
    (the top-level list views): there TubeArchivist v0.4.13 answers it like any page, with no items."""
    offset = page.offset(size)
    total_hits = min(total, MAX_HITS)
    max_hits = total >= MAX_HITS
    max_pages = _max_pages(size, total)
    first_page = page.number <= 1
    if not past_end_empty and is_past_end(page, size, total):
        raise NotFound(f"page {page.number} not found")
    return {
        "page_size": size,
        "page_from": offset,
        "prev_pages": False if first_page else list(range(max(2, page.number - WINDOW), page.number)),
        "current_page": page.number,
        "max_hits": max_hits,
        "params": page.params,
        "last_page": max_pages if page.number < max_pages and max_pages > 1 else False,
        "next_pages": [p for p in range(page.number + 1, page.number + WINDOW + 1) if 1 < p < max_pages],
        "total_hits": total_hits,
    }
