"""Numbered pages of an index: the total from a counter (read in the reader's batch), then keys only up to the
page's end, so a page costs one batch and one Query however long the list."""

from typing import Protocol

from pynamodb.models import Model

from functions.core.pagination import Page, paginate
from functions.storage.models import Counter


class PageReader(Protocol):
    """What reads a page: a batch read (a request's viewer batches the counter with its own items) and a size."""

    @property
    def page_size(self) -> int: ...

    def fetch(self, *requests: tuple[type[Model], list]) -> list[dict]: ...


def query_page(index, hash_key, page_from: int, page_size: int, scan_forward: bool = False) -> list:
    """The items of one numbered page: read keys only up to the offset, keep the last `page_size`."""
    limit = page_from + page_size
    results = index.query(hash_key, scan_index_forward=scan_forward, limit=limit, page_size=limit)
    return list(results)[page_from:]


def page_keys(reader: PageReader, counter: str, index, hash_key: str, page: Page, scan_forward: bool = False):
    """The index keys of one page and its `paginate` object."""
    return merged_page_keys(reader, [(counter, index, hash_key)], page, scan_forward)


def merged_page_keys(reader: PageReader, lists: list[tuple], page: Page, scan_forward: bool, order=None):
    """One page over several index partitions read as one list (`lists`: (counter, index, hash_key) each), keys
    merged by `order` (their sort key); the total is the sum of the counters."""
    names = [counter for counter, _, _ in lists]
    (found,) = reader.fetch((Counter, names))
    total = sum(int(found[name].count) for name in names if name in found)
    size = reader.page_size
    paging = paginate(page, size, total)
    offset = page.offset(size)
    if not total:
        return [], paging
    if len(lists) == 1:
        _, index, hash_key = lists[0]
        return query_page(index, hash_key, offset, size, scan_forward), paging
    keys = [key for _, index, hash_key in lists for key in query_page(index, hash_key, 0, offset + size, scan_forward)]
    keys.sort(key=order, reverse=not scan_forward)
    return keys[offset : offset + size], paging
