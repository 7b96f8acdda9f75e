"""Chalice's own answers (unhandled errors, its own checks) in the API's JSON error shape, as middleware over
every route; domain errors are answered by functions.http.routing."""

from functions.http.routing import JSON_HEADERS


def json_errors(request, get_response):
    response = get_response(request)
    if response.status_code >= 400 and isinstance(response.body, dict) and "Code" in response.body:
        response.body = {"error": str(response.body.get("Message", "error"))}
        response.headers.update(JSON_HEADERS)
    return response
