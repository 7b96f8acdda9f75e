"""The web app's shell and assets (functions/http/webapp.py): the shell at / and at every client route, no-cache,
with a CSP that allows only its own files and its import map; assets only under their content-hashed names,
cacheable for a year; and the JSON 404s of unknown API paths unchanged. The app itself: tests/webapp/."""

import json
import re
import subprocess
import sys

from functions.http import webapp
from functions.webapp import assets, shell
from tests.conftest import ROOT

IMPORTMAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


def test_the_shell_is_served_at_every_client_route(client):
    for path in ("/", "/videos", "/watch/abcdefghijk", "/channels/UC1", "/playlists/PL1", "/search", "/users"):
        response = client.http.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-cache"
        assert '<div id="app">' in response.body.decode()


def test_the_import_map_names_every_module_by_its_hash_and_the_csp_allows_only_it(client):
    response = client.http.get("/")
    page = response.body.decode()
    imports = json.loads(IMPORTMAP.search(page).group(1))["imports"]
    scripts = {a.name: a.hashed for a in assets().values() if a.name.endswith(".js")}
    assert imports == {f"/assets/{name}": f"/assets/{hashed}" for name, hashed in scripts.items()}
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert len(re.findall(r"<script(?! type=\"importmap\")[^>]*>", page)) == 1  # the entry module, a file
    assert "frame-ancestors 'none'" in policy


def test_assets_are_served_under_hashed_names_for_a_year(client):
    for asset in assets().values():
        response = client.http.get(f"/assets/{asset.hashed}")
        assert response.status_code == 200, asset.hashed
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Type"] == asset.content_type
        assert response.body == asset.body
        assert re.fullmatch(r"[a-z]+\.[0-9a-f]{12}\.(js|css|svg)", asset.hashed)


def test_unhashed_and_unknown_names_are_json_404s(client):
    for name in ("main.js", "main.000000000000.js", "..%2Fapp.py", "nothing"):
        response = client.http.get(f"/assets/{name}")
        assert response.status_code == 404, name
        assert response.headers["Content-Type"] == "application/json"


def test_api_paths_still_answer_json_404_and_writes_to_the_shell_405(client):
    response = client.http.get("/api/nothing/here/")
    assert response.status_code == 404 and json.loads(response.body) == {"error": "no such endpoint"}
    assert client.http.get("/videos/extra/segment").status_code == 404
    response = client.http.post("/", body=b"")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"


def test_behind_a_stage_prefix_the_shell_links_carry_it():
    page = shell("/dev")
    assert '<meta name="ytarchive-base" content="/dev">' in page.html
    assert all(
        url.startswith("/dev/assets/") for url in json.loads(IMPORTMAP.search(page.html).group(1))["imports"].values()
    )


def test_every_client_route_of_the_app_is_served():
    """main.js ROUTES and the server's CLIENT_ROUTES name the same pages: a reload of any page gets the shell."""
    main = next(a for a in assets().values() if a.name == "main.js").body.decode()
    patterns = re.findall(r"\[/\^(.*?)\$/", main)
    served = {re.sub(r"\{\w+\}", "([^/]+)", path.replace("/", "\\/")) for path in webapp.CLIENT_ROUTES}
    assert set(patterns) == served


def test_json_routes_do_not_load_the_web_app():
    """`import app` (every JSON route's cold start) reads and hashes none of the web app's files."""
    probe = "import sys, app; print('functions.webapp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
