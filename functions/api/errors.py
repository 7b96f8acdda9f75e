"""The one place where errors become JSON responses, as Chalice middleware over every route."""

from chalice import Response

from functions.errors import ApiError


def json_errors(event, get_response):
    try:
        response = get_response(event)
    except ApiError as error:
        return Response(body=error.body, status_code=error.status_code, headers=error.headers)
    if response.status_code >= 400 and isinstance(response.body, dict) and "Code" in response.body:
        # Chalice's own answers (unhandled errors, its own checks) get the API's error shape too.
        response.body = {"error": str(response.body.get("Message", "error"))}
    return response
