"""The one place where errors become JSON responses, as Chalice middleware over every route."""

from chalice import Response

from functions.core.errors import ApiError
from functions.http.routing import INVIDIOUS_CORS

JSON = {"Content-Type": "application/json"}
# Paths browser players on other origins call: their errors must be readable there, not a CORS failure.
CORS_PREFIXES = ("/api/v1/", "/signed/", "/vi/")


def json_errors(request, get_response):
    try:
        response = get_response(request)
    except ApiError as error:
        headers = {**JSON, **error.headers}
        if (request.path or "").startswith(CORS_PREFIXES):
            headers.update(INVIDIOUS_CORS.get_access_control_headers())
        return Response(body=error.body, status_code=error.status_code, headers=headers)
    if response.status_code >= 400 and isinstance(response.body, dict) and "Code" in response.body:
        # Chalice's own answers (unhandled errors, its own checks) get the API's error shape too.
        response.body = {"error": str(response.body.get("Message", "error"))}
        response.headers.update(JSON)
    return response
