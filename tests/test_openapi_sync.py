"""The OpenAPI document (functions/openapi.py) and the app's routes name the same operations, path for path and
method for method: a route nobody documented, or a documented operation the app does not serve, fails here with
the list of what is missing on which side."""

import warnings

from openapi_spec_validator import validate

from functions.openapi import document

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Documented from the spec while their routes are still being written; each must become a route. A listed
# operation that is routed by now only warns (it should leave this list), so landing it breaks nothing.
PLANNED: set[tuple[str, str]] = {
    ("/api/search", "get"),
    ("/api/video/{video_id}/similar", "get"),
}


def routed_operations() -> set[tuple[str, str]]:
    """(path, method) of every view of the app; the 405 answers routing.Router adds are not operations."""
    from app import app

    return {
        (path, method.lower())
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if not entry.view_name.startswith("not_allowed")
    }


def documented_operations() -> set[tuple[str, str]]:
    return {(path, method) for path, item in document()["paths"].items() for method in item if method in HTTP_METHODS}


def _listing(operations: set[tuple[str, str]]) -> str:
    return "\n".join(f"  {method.upper():6} {path}" for path, method in sorted(operations))


def test_document_is_valid_openapi():
    validate(document())


def test_every_route_is_documented():
    undocumented = routed_operations() - documented_operations()
    assert not undocumented, f"routed in app.py but missing from functions/openapi.py:\n{_listing(undocumented)}"


def test_every_documented_operation_is_routed():
    routed = routed_operations()
    unrouted = documented_operations() - routed - PLANNED
    assert not unrouted, f"documented in functions/openapi.py but not routed in app.py:\n{_listing(unrouted)}"
    landed = PLANNED & routed
    if landed:
        warnings.warn(f"routed by now, remove from PLANNED in {__name__}:\n{_listing(landed)}", stacklevel=1)


def test_planned_operations_are_documented():
    assert not PLANNED - documented_operations(), _listing(PLANNED - documented_operations())
