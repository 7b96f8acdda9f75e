"""How a v0.4 answer looks in v0.5: single items bare, lists `{"data", "paginate"}` without the config, and
204s where v0.5 answers nothing."""

import msgspec
from chalice import Response

from functions.core.settings import TA_V05_API_VERSION


def _plain(answer):
    """A Struct answer as the dicts and lists it encodes to, so its envelope can be taken apart."""
    return msgspec.to_builtins(answer) if isinstance(answer, msgspec.Struct) else answer


def bare(answer):
    """The object itself: v0.4's `{"data": object, "config": ...}` without its envelope."""
    answer = _plain(answer)
    if isinstance(answer, dict) and "config" in answer:
        return answer["data"]
    return answer


def listing(answer):
    """A page: `{"data": [...], "paginate": {...}}`, v0.4's envelope without the config; the first page's
    `prev_pages` is null and the last page's `last_page` 0, not v0.4's false, as v0.5's PaginationSerializer
    writes them (typed clients refuse a boolean there: the Jellyfin plugin's `Collection<int>` and `int`)."""
    answer = _plain(answer)
    if isinstance(answer, dict) and "config" in answer:
        answer = {key: answer[key] for key in ("data", "paginate") if key in answer}
        paginate = answer.get("paginate")
        if isinstance(paginate, dict):
            numbered = {"prev_pages": None, "last_page": 0}
            answer["paginate"] = paginate | {
                key: value for key, value in numbered.items() if paginate.get(key) is False
            }
    return answer


def no_content(answer=None) -> Response:
    """v0.5 answers a done deletion with an empty 204 (a new Response each time: middlewares add headers)."""
    return Response(body="", status_code=204)


def ping(answer):
    """The ping naming the v0.5 release: v0.5 clients show it (the web app's footer) and pick fields by it."""
    return {**_plain(answer), "version": TA_V05_API_VERSION}
