"""The API behind API Gateway's HTTP API (infra/merge.py's default front door) as well as its REST API.

The HTTP API sends every request to the API function through one `$default` route (and the few routes that only
exist for their own throttling) in payload format 1.0: the REST API's event, with the headers, the multi-value
query string, cookies and base64 bodies where Chalice reads them, but naming the gateway's route
(`$default`, `/api/v1/{proxy+}`) instead of one of the app's. `as_rest_event` finds the app's route for the path
as the REST API does (a literal segment before a parameter, no empty parameter, a trailing slash ignored) and
names it, so every route, middleware and error answer runs as it does behind REST. One route per app route in the
HTTP API instead would pass the 300 routes an HTTP API may have (the app has about 450 method routes).
"""

from functools import cache

from chalice import Chalice

from functions.http.missing import NO_SUCH_ENDPOINT
from functions.http.routing import error_response


def _specificity(route: str) -> tuple:
    """Sort key: at each segment a literal comes before a parameter, as API Gateway prefers."""
    return tuple(segment.startswith("{") for segment in route.split("/"))


@cache
def _routes_by_depth(routes: tuple[str, ...]) -> dict[int, list[tuple[str, list[str]]]]:
    by_depth: dict[int, list[tuple[str, list[str]]]] = {}
    for route in sorted(routes, key=_specificity):
        segments = route.split("/")
        by_depth.setdefault(len(segments), []).append((route, segments))
    return by_depth


def match(routes: tuple[str, ...], path: str) -> tuple[str, dict[str, str]] | None:
    """The app's route serving `path` and its path parameters; None when none does."""
    if path != "/" and path.endswith("/"):
        path = path[:-1]
    parts = path.split("/")
    for route, segments in _routes_by_depth(routes).get(len(parts), []):
        captured = {}
        for part, segment in zip(parts, segments, strict=True):
            if segment.startswith("{"):
                if not part:
                    break
                captured[segment[1:-1]] = part
            elif part != segment:
                break
        else:
            return route, captured
    return None


def is_http_api_event(event: dict) -> bool:
    """HTTP API payload 1.0 carries `version`; the REST API's events have none."""
    return isinstance(event, dict) and event.get("version") == "1.0" and "httpMethod" in event


def as_rest_event(event: dict, routes: tuple[str, ...]) -> dict | None:
    """The REST API's event for an HTTP API 1.0 event; None when no route of the app serves its path."""
    matched = match(routes, event.get("path") or "/")
    if matched is None:
        return None
    route, captured = matched
    context = {**(event.get("requestContext") or {}), "resourcePath": route}
    return {**event, "resource": route, "pathParameters": captured or None, "requestContext": context}


class FrontDoorChalice(Chalice):
    """Chalice that also reads the HTTP API's events (REST events pass through unchanged)."""

    def __call__(self, event, context):
        if is_http_api_event(event):
            rest_event = as_rest_event(event, tuple(self.routes))
            if rest_event is None:  # deeper than any route (functions/http/missing.py): the same 404
                response = error_response(event.get("path") or "/", 404, {"error": NO_SUCH_ENDPOINT})
                return response.to_dict(self.api.binary_types)
            event = rest_event
        return super().__call__(event, context)
