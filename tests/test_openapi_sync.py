"""The OpenAPI document (functions/http/openapi.py) and the app's routes name the same operations, path for path and
method for method: a route nobody documented, or a documented operation the app does not serve, fails here with
the list of what is missing on which side."""

from openapi_spec_validator import validate

from app import app
from functions.http.openapi import document

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def routed_operations() -> set[tuple[str, str]]:
    """(path, method) of every view of the app; the 405 and preflight answers routing.Router adds and the 404
    catch-alls of functions.http.missing are not operations."""
    return {
        (path, method.lower())
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if not entry.view_name.startswith(("not_allowed", "preflight", "not_found"))
    }


def documented_operations() -> set[tuple[str, str]]:
    paths = document(app)["paths"]
    return {(path, method) for path, item in paths.items() for method in item if method in HTTP_METHODS}


def _listing(operations: set[tuple[str, str]]) -> str:
    return "\n".join(f"  {method.upper():6} {path}" for path, method in sorted(operations))


def test_document_is_valid_openapi():
    validate(document(app))


def test_every_route_is_documented():
    undocumented = routed_operations() - documented_operations()
    assert not undocumented, f"routed in app.py but missing from functions/http/openapi.py:\n{_listing(undocumented)}"


def test_every_documented_operation_is_routed():
    unrouted = documented_operations() - routed_operations()
    assert not unrouted, f"documented in functions/http/openapi.py but not routed in app.py:\n{_listing(unrouted)}"
