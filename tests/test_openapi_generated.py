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
    names = [tag["name"] for tag in document["tags"]]
    assert len(names) == len(set(names)) == len(modules)  # a tag per route module, names unique
    assert {name.rpartition(".")[2] for name in names} == {module.rpartition(".")[2] for module in modules}
    download = document["paths"]["/api/download"]["post"]
    assert download["requestBody"]["content"]["application/json"]["schema"] == openapi.ref(DownloadRequest)
    assert "DownloadRow" in document["components"]["schemas"]
    assert document["paths"]["/api/v1/auth/feed"]["get"]["responses"]["403"]["$ref"].endswith("/Invidious403")


def test_typed_answers_match_their_schemas(client, headers):
    """What a route declares with returns= is what it answers: real answers validate against the document."""
    from jsonschema import Draft202012Validator

    from tests.factories import make_channel, make_playlist, make_video

    ids = {"{channel_id}": make_channel(1).channel_id, "{video_id}": make_video(1).youtube_id}
    make_video(2)
    make_playlist(1, [1, 2])
    client.http.post("/api/snapshot", headers=headers)
    document = openapi.document(app)
    checked = []
    for path, item in document["paths"].items():
        answer = item.get("get", {}).get("responses", {}).get("200", {}).get("content", {}).get("application/json")
        concrete = path
        for name, value in ids.items():
            concrete = concrete.replace(name, value)
        if not answer or "$ref" not in answer["schema"] or "{" in concrete:
            continue  # untyped yet, or a path this test holds no item for
        if path == "/api/appsettings/membership/profile":
            continue  # the members platform's answer (tests/api/test_membership5.py)
        response = client.http.get(concrete, headers=headers)
        if response.status_code == 404 and path.startswith("/api/download/"):
            continue  # the video is archived, not queued
        assert response.status_code == 200, (path, response.body[:200])
        validator = Draft202012Validator({"components": document["components"], **answer["schema"]})
        errors = [error.message for error in validator.iter_errors(response.json_body)]
        assert not errors, (path, errors[:3])
        checked.append(path)
    assert {"/api/ping", "/api/video", "/api/video/{video_id}", "/api/channel", "/api/snapshot"} <= set(checked)
