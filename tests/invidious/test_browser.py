"""The token approval flow in a real browser: Debian's Chromium, driven by Playwright, against the app served by
chalice's local HTTP server (over moto), with a callback server that records what the app sends it.

Chromium comes from `tests/setup_browser.sh` (`make test` runs it). Without it the test is skipped, except in CI
(`CI=true`), where a missing browser is a failure: this test must never be skipped silently there.
"""

import json
import os
import shutil
import urllib.request
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest

from tests.invidious.live_server import CallbackServer, serve_app

CHROMIUM = "/usr/bin/chromium"
# The flags headless Chromium needs on a machine without a network beyond loopback (root, no sandbox).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        return f"no Chromium at {CHROMIUM}: run tests/setup_browser.sh (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -r requirements-dev.txt"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def app_url(aws, admin):
    with serve_app() as base:
        yield base


def sign_in_and_approve(page, app_url: str, params: dict) -> None:
    """Open the authorize link signed out, sign in on the page it leads to, and approve on the consent page."""
    page.goto(f"{app_url}/authorize_token?{urlencode(params)}")
    assert urlsplit(page.url).path == "/login"
    page.fill("input[name=email]", "admin")
    page.fill("input[name=password]", "admin-password")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert urlsplit(page.url).path == "/authorize_token"
    assert page.text_content("h1") == "Authorize token?"
    assert "GET:tokens" in page.text_content("ul")


def token_from_query(query: str) -> tuple[str, dict, str]:
    """The callback's token and username, decoded as an app does (the query once, each value once more)."""
    values = parse_qs(query)
    encoded = values["token"][0]
    return encoded, json.loads(unquote(encoded)), unquote(values["username"][0])


def get_tokens(app_url: str, authorization: str) -> tuple[int, list]:
    request = urllib.request.Request(f"{app_url}/api/v1/auth/tokens", headers={"Authorization": authorization})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_approve_in_a_browser_sends_a_working_token_to_the_callback(browser, app_url):
    with CallbackServer() as callback:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        sign_in_and_approve(page, app_url, {"scopes": "GET:tokens", "callback_url": f"{callback.url}/cb?state=xyz"})
        with page.expect_navigation(url=f"{callback.url}/**"):
            page.click("button[type=submit]")
        assert "token received" in page.content()

        assert callback.received.wait(5)
        (path,) = [p for p in callback.paths if p.startswith("/cb")]  # Chromium may ask for /favicon.ico too
        parts = urlsplit(path)
        assert parts.path == "/cb"
        encoded, token, username = token_from_query(parts.query)
        assert parse_qs(parts.query)["state"] == ["xyz"]
        assert username == "admin"
        assert token["scopes"] == ["GET:tokens"]

        # the token works on the route it is scoped for, as JSON and as the URL-encoded value the callback got
        for authorization in ("Bearer " + json.dumps(token), "Bearer " + encoded):
            status, listed = get_tokens(app_url, authorization)
            assert status == 200
            assert token["session"] in {item["session"] for item in listed}
        page.close()


def test_approve_in_a_browser_to_a_custom_scheme(browser, app_url):
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sign_in_and_approve(page, app_url, {"scopes": "GET:tokens", "callback_url": "myapp-auth://cb"})

    # Chromium hands myapp-auth:// to the system (here: nobody); the redirect that carries the token is what counts
    with page.expect_response(lambda r: r.request.method == "POST" and "/authorize_token" in r.url) as answer:
        page.click("button[type=submit]")
    response = answer.value
    assert response.status == 302
    location = response.headers["location"]
    assert location.startswith("myapp-auth://cb?token=")
    encoded, token, username = token_from_query(urlsplit(location).query)
    assert (token["scopes"], username) == (["GET:tokens"], "admin")
    assert get_tokens(app_url, "Bearer " + encoded)[0] == 200
    page.close()
