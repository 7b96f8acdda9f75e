"""/api/docs (the OpenAPI document) and /api/docs/ui (Swagger UI): served without credentials, from this API only;
and the page really works in a browser (Debian's Chromium driven by Playwright, as tests/invidious/test_browser.py
does): it lists every operation and calls the API with a token."""

import json
from types import SimpleNamespace

from app import app
from functions.http import docs
from functions.http.openapi import document
from tests.conftest import token_headers
from tests.invidious.live_server import serve_app
from tests.invidious.test_browser import TIMEOUT_MS, browser  # noqa: F401 (a fixture, shared)
from tests.test_openapi_sync import documented_operations


def test_document_is_served_without_credentials(client):
    for path in ("/api/docs", "/api/docs/"):
        response = client.http.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "application/json"
        assert json.loads(response.body) == json.loads(json.dumps(document(app)))


def test_page_loads_swagger_ui_from_this_api(client):
    response = client.http.get("/api/docs/ui/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert 'src="/api/docs/ui/swagger-ui-bundle.js"' in page
    assert 'href="/api/docs/ui/swagger-ui.css"' in page
    assert 'data-spec="/api/docs"' in page
    assert "http" not in page  # nothing from another site
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_assets_are_the_packaged_files(client):
    for name, content_type in (("swagger-ui-bundle.js", "application/javascript"), ("swagger-ui.css", "text/css")):
        response = client.http.get(f"/api/docs/ui/{name}")
        assert response.status_code == 200, name
        assert response.headers["Content-Type"] == content_type
        assert response.body == (docs.swagger_ui_files() / name).read_bytes()
    assert b"SwaggerUIBundle" in client.http.get("/api/docs/ui/start.js").body


def test_other_files_are_not_served(client):
    for name in ("index.html", "swagger-ui-bundle.js.map", "..%2F__init__.py", "%2E%2E"):
        response = client.http.get(f"/api/docs/ui/{name}")
        assert response.status_code == 404, name
        assert response.json_body["data"] is False


def test_behind_a_stage_prefix_links_and_servers_carry_it():
    staged = SimpleNamespace(request=SimpleNamespace(context={"path": "/api/api/docs/ui"}))
    assert docs.base_path(staged) == "/api"
    local = SimpleNamespace(request=SimpleNamespace(context={"path": "/api/docs/ui/"}))
    assert docs.base_path(local) == ""
    assert json.loads(docs.document_json(app, "/api"))["servers"] == [{"url": "/api"}]
    assert "servers" not in json.loads(docs.document_json(app, ""))


def test_swagger_ui_in_a_browser_lists_every_operation_and_calls_the_api(browser, aws, admin):  # noqa: F811
    with serve_app() as base:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        requested, errors = [], []
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/api/docs/ui/")
        page.wait_for_selector(".opblock")
        assert page.locator(".opblock").count() == len(documented_operations())
        assert "ytarchive" in page.text_content(".info .title")

        page.click(".auth-wrapper .authorize")
        scheme = page.locator(".auth-container", has_text="taToken")
        scheme.locator("input").fill(token_headers(admin)["Authorization"])
        scheme.locator("button.authorize").click()
        page.click(".btn-done")

        ping = page.locator("#operations-session-get_api_ping")
        ping.locator(".opblock-summary").click()
        ping.locator(".try-out__btn").click()
        ping.locator("button.execute").click()
        result = ping.locator(".live-responses-table .response")
        result.wait_for()
        assert result.locator(".response-col_status").first.inner_text().strip() == "200"
        assert '"pong"' in result.inner_text()

        assert not errors, errors
        foreign = [url for url in requested if not url.startswith((base, "data:"))]
        assert not foreign, foreign
        page.close()
