"""TubeArchivist's numbered pages (functions/core/pagination.py), as API.md spells them out."""

import pytest

from functions.core.errors import BadRequest, NotFound
from functions.core.pagination import MAX_HITS, Page, page_from_query, paginate
from functions.http.routing import error_body, status_of


def page(number: int, size: int = 12, total: int = 30, params: str = "") -> dict:
    return paginate(Page(number, params), size, total)


def test_api_md_example():
    assert page(0) == {
        "page_size": 12,
        "page_from": 0,
        "prev_pages": False,
        "current_page": 0,
        "max_hits": False,
        "params": "",
        "last_page": 3,
        "next_pages": [2],
        "total_hits": 30,
    }


def test_page_zero_and_page_one_are_the_same_first_page():
    zero, one = page(0), page(1)
    assert one["current_page"] == 1
    assert {**zero, "current_page": 1} == one
    assert Page(0, "").offset(12) == Page(1, "").offset(12) == 0


@pytest.mark.parametrize(
    ("number", "page_from", "prev_pages"),
    [(2, 12, []), (3, 24, [2]), (7, 72, [2, 3, 4, 5, 6]), (8, 84, [3, 4, 5, 6, 7]), (20, 228, [15, 16, 17, 18, 19])],
)
def test_previous_pages_are_up_to_five_never_page_one(number, page_from, prev_pages):
    result = page(number, total=1000)
    assert result["page_from"] == page_from and result["prev_pages"] == prev_pages


@pytest.mark.parametrize(
    ("number", "total", "next_pages"),
    [
        (0, 1000, [2, 3, 4, 5]),  # page+1 is page 1: never listed
        (1, 1000, [2, 3, 4, 5, 6]),
        (2, 1000, [3, 4, 5, 6, 7]),
        (0, 30, [2]),  # 3 pages: the last page is never a next page
        (2, 30, []),
        (80, 1000, [81, 82, 83]),  # 84 pages
        (0, 12, []),
        (0, 0, []),
    ],
)
def test_next_pages_stop_before_the_last_page(number, total, next_pages):
    assert page(number, total=total)["next_pages"] == next_pages


@pytest.mark.parametrize(
    ("number", "total", "last_page"),
    [(0, 30, 3), (2, 30, 3), (3, 30, False), (0, 12, False), (0, 13, 2), (1, 13, 2), (2, 13, False), (0, 0, False)],
)
def test_last_page(number, total, last_page):
    assert page(number, total=total)["last_page"] == last_page


def test_the_last_page_of_a_list():
    last = page(3)
    assert last == {
        "page_size": 12,
        "page_from": 24,
        "prev_pages": [2],
        "current_page": 3,
        "max_hits": False,
        "params": "",
        "last_page": False,
        "next_pages": [],
        "total_hits": 30,
    }


@pytest.mark.parametrize(("number", "total"), [(4, 30), (2, 12), (2, 0), (3, 13), (10**6, 30)])
def test_a_page_past_the_last_page_is_404(number, total):
    with pytest.raises(NotFound) as raised:
        page(number, total=total)
    assert status_of(raised.value) == 404 and error_body(raised.value, "/api/video/")["data"] is False


@pytest.mark.parametrize("number", [0, 1])
def test_an_empty_list_has_a_first_page(number):
    result = page(number, total=0)
    assert result["total_hits"] == 0 and result["prev_pages"] is False and result["last_page"] is False


@pytest.mark.parametrize("total", [MAX_HITS, MAX_HITS + 1, 250_000])
def test_totals_are_capped_at_ten_thousand(total):
    result = page(0, total=total)
    assert result["total_hits"] == MAX_HITS and result["max_hits"] is True
    assert result["last_page"] == 834 - 1  # ceil(10000 / 12) = 834, one less at the cap
    assert result["next_pages"] == [2, 3, 4, 5]


def test_the_last_page_under_the_cap():
    last = page(833, total=50_000)
    assert last["page_from"] == 832 * 12 and last["last_page"] is False and last["next_pages"] == []
    assert last["prev_pages"] == [828, 829, 830, 831, 832]
    with pytest.raises(NotFound):
        page(834, total=50_000)


def test_just_under_the_cap_is_not_capped():
    result = page(0, total=MAX_HITS - 1)
    assert result["max_hits"] is False and result["total_hits"] == MAX_HITS - 1 and result["last_page"] == 834


def test_pages_never_start_past_ten_thousand_hits():
    assert page(99, size=100, total=MAX_HITS + 5)["page_from"] == 9_800  # 99 pages at the cap
    with pytest.raises(NotFound):
        page(100, size=100, total=MAX_HITS + 5)


@pytest.mark.parametrize("size", [1, 5, 12, 50, 100])
def test_every_page_of_a_list_is_reachable_and_the_next_is_not(size):
    total = 123
    pages = -(-total // size)
    seen = []
    for number in range(1, pages + 1):
        result = page(number, size=size, total=total)
        seen.append(result["page_from"])
    assert seen == list(range(0, total, size))
    with pytest.raises(NotFound):
        page(pages + 1, size=size, total=total)


# ---------------------------------------------------------------- the query string


def test_page_from_the_query():
    assert page_from_query(None) == Page(0, "")
    assert page_from_query({}) == Page(0, "")
    assert page_from_query({"page": ""}) == Page(0, "")
    assert page_from_query({"page": "3"}) == Page(3, "")
    assert page_from_query({"page": "007"}) == Page(7, "")


def test_params_are_the_other_parameters_url_encoded():
    query = {"filter": "subscribed", "page": "2", "q": "a b&c"}
    assert page_from_query(query) == Page(2, "filter=subscribed&q=a+b%26c")
    assert query["page"] == "2"  # the caller's dict is left alone


@pytest.mark.parametrize("raw", ["-1", "-0", "x", "1.5", " 2", "2 ", "1_0", "٣", "+3", "1e3", "9" * 5000])
def test_pages_that_are_not_whole_numbers_are_400(raw):
    with pytest.raises(BadRequest):
        page_from_query({"page": raw})
