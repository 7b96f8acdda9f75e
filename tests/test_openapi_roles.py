"""The OpenAPI document says of each operation who may call it as the route table declares it: PUBLIC routes
need nothing, OPEN_INVIDIOUS ones nothing or any credential (the owner's switch), USER and ADMIN routes a
TubeArchivist token or session, INVIDIOUS ones an Invidious token or SID (optional ones anonymous too), and every
route that checks a credential documents its 403."""

from app import app
from functions.http import openapi

SECURITY = {
    "public": openapi.PUBLIC,
    "user": openapi.TA,
    "admin": openapi.TA,
    "invidious": openapi.INVIDIOUS,
    "open_invidious": openapi.OPEN_OR_SIGNED_IN,  # the public Invidious API: open, or any credential when closed
}


def declared() -> list[tuple[str, str, object]]:
    return [
        (path, method.lower(), entry.view_function.route.auth)
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if hasattr(entry.view_function, "route")
    ]


def test_each_operation_documents_its_routes_role():
    paths = openapi.document(app)["paths"]
    wrong = []
    for path, method, role in declared():
        operation = paths[path][method]
        expected = [*SECURITY[role.kind], {}] if role.optional else SECURITY[role.kind]
        if operation["security"] != expected:
            wrong.append((method, path, role.kind, operation["security"]))
        if role.kind != "public" and not role.optional and "403" not in operation["responses"]:
            wrong.append((method, path, role.kind, "no 403"))
    assert not wrong
