"""The OpenAPI document is generated from the route table: what a route declares (role, path, query and body
Structs, answers, page) is what its operation says, and the components are the Structs' schemas."""

import msgspec

from app import app
from functions.http import openapi
from functions.http.routes import ROUTERS
from functions.http.routing import ADMIN, NO_CONTENT, PAGE, PUBLIC, REDIRECT, Router
from functions.schemas.ta import DownloadQuery, DownloadRequest


def made(**declared) -> dict:
    """The operation of one route declared on a router of its own, and the schemas it collected."""
    router = Router(__name__)

    @router.route("/api/thing/{video_id}", ("POST",), **declared)
    def change_thing(call, video_id):
        """Change a thing. It stays changed.

        Nothing else happens."""

    schemas: dict = {}
    return {"operation": openapi.operation(router.routes[0], "thing", schemas), "schemas": schemas}


def test_an_operation_says_what_its_route_declares():
    made_ = made(auth=ADMIN, body=DownloadRequest, query=DownloadQuery)
    operation, schemas = made_["operation"], made_["schemas"]
    assert operation["summary"] == "Change a thing"
    assert "Nothing else happens." in operation["description"]
    assert operation["security"] == openapi.TA
    video_id, autostart = operation["parameters"]
    assert video_id["in"] == "path" and video_id["schema"]["pattern"] == openapi.PATH_PATTERNS["video_id"]
    assert autostart == {
        "name": "autostart",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False},
    }
    assert operation["requestBody"]["content"]["application/json"]["schema"] == openapi.ref(DownloadRequest)
    assert operation["requestBody"]["required"] is True
    _, components = msgspec.json.schema_components([DownloadRequest], ref_template=openapi.REF)
    assert {name: schemas[name] for name in components} == components  # its rows' Struct too
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {"type": "object"}
    assert operation["responses"]["404"] == {"$ref": "#/components/responses/Ta404"}


def test_answers_and_pages():
    redirect = made(auth=PUBLIC, returns=(PAGE, REDIRECT), page=True)["operation"]
    assert redirect["security"] == []
    assert list(redirect["responses"]["200"]["content"]) == ["text/html"]
    assert "content" not in redirect["responses"]["302"] and "Location" in redirect["responses"]["302"]["headers"]
    assert redirect["responses"]["403"] == {"$ref": "#/components/responses/Page403"}
    done = made(auth=ADMIN, returns=NO_CONTENT)["operation"]["responses"]
    assert "200" not in done and done["204"] == {"description": "done"}
    typed = made(auth=ADMIN, returns=list[DownloadQuery])
    schema = typed["operation"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": openapi.ref(DownloadQuery)} and "DownloadQuery" in typed["schemas"]


def test_the_document_is_openapi_3_1_of_every_router():
    document = openapi.document(app)
    assert document["openapi"].startswith("3.1")
    modules = {route.view.__module__ for router in ROUTERS for route in router.routes}
    assert {tag["name"] for tag in document["tags"]} == {module.rpartition(".")[2] for module in modules}
    download = document["paths"]["/api/download"]["post"]
    assert download["requestBody"]["content"]["application/json"]["schema"] == openapi.ref(DownloadRequest)
    assert "DownloadRow" in document["components"]["schemas"]
    assert document["paths"]["/api/v1/auth/feed"]["get"]["responses"]["403"]["$ref"].endswith("/Invidious403")
