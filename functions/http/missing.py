"""404 for every path no route serves, whatever the method.

Without these catch-all routes the gateway answers an unknown path with its own 403, whose message quotes the
request's Authorization header (the caller's API token) back to it, into logs and pages. A path deeper than
MAX_DEPTH segments is deeper than any route the app has, plus room.
"""

from chalice import Chalice

from functions.http.routing import METHODS, error_response

MAX_DEPTH = 12
NO_SUCH_ENDPOINT = "no such endpoint"


def _answer(app: Chalice):
    def not_found(**segments):
        return error_response(app.current_request.path, 404, {"error": NO_SUCH_ENDPOINT})

    return not_found


def catch_all_paths() -> list[str]:
    return ["/"] + ["".join(f"/{{p{n}}}" for n in range(1, depth + 1)) for depth in range(1, MAX_DEPTH + 1)]


def register(app: Chalice) -> None:
    """Route what no other route serves to 404; call it after every other blueprint is registered."""
    for depth, path in enumerate(catch_all_paths()):
        methods = [method for method in METHODS if method not in app.routes.get(path, {})]
        if methods:
            app.route(path, methods=methods, content_types=[], name=f"not_found{depth}")(_answer(app))
