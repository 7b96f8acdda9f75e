"""The web app's page weight and first render, per page, in Chromium, with an empty cache and with a warm one.

    python bench/webapp.py [--videos 200] [--runs 3]

An archive of --videos videos (bench/api_cost.py's, imported into an in-process moto) is served by chalice's
local server as the tests serve it; Debian's Chromium (Playwright) signs in and opens each page --runs times in a
fresh signed-in context with the HTTP cache cleared (cold) and then again (warm). Images and media are not counted
(their 302s lead to the in-process moto, which a browser cannot reach): they are the archive's files, not the
app's. (No request interception either: Playwright's routing turns the HTTP cache off.) Columns:
- app files: requests and bytes of the shell, scripts, stylesheet and icon (gzip: what they would weigh
  compressed); warm: what is fetched again (the shell only: assets are immutable under hashed names);
- API: JSON requests and bytes the page made;
- first paint: First Contentful Paint; rendered: the app's `ytarchive:rendered` mark (the page with its data);
  medians over the runs, milliseconds from navigation start.
Prints a Markdown table; asserts nothing (times depend on the machine and its load).
"""

import argparse
import gzip
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_cost import channel_id, create_stack, make_document, mock_aws, playlist_id, video_id  # noqa: E402

PAGES = [
    ("home", "/"),
    ("videos", "/videos"),
    ("watch", f"/watch/{video_id(5)}"),
    ("channels", "/channels"),
    ("channel", f"/channels/{channel_id(1)}"),
    ("playlists", "/playlists"),
    ("playlist", f"/playlists/{playlist_id(1)}"),
    ("search", "/search?query=video"),
    ("downloads", "/downloads"),
    ("settings", "/settings"),
    ("users", "/users"),
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


# What the page fetched over the network (Resource Timing: transferSize 0 is a cache hit), app files and API apart.
WEIGHTS = """() => {
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  const result = {app: [0, 0], api: [0, 0]};
  for (const entry of entries) {
    const path = new URL(entry.name).pathname;
    if (!entry.transferSize || path.startsWith("/cache/") || path.startsWith("/media/")) continue;
    const kind = path.startsWith("/api/") ? "api" : "app";
    result[kind][0] += 1;
    result[kind][1] += entry.encodedBodySize;
  }
  return result;
}"""


def gzip_weight() -> int:
    """The shell and every asset it loads, gzipped (API Gateway and CloudFront can compress them)."""
    from functions.webapp import assets, shell

    return len(gzip.compress(shell("").html.encode(), 6)) + sum(
        len(gzip.compress(a.body, 6)) for a in assets().values()
    )


def timings(page) -> tuple[float, float]:
    paint = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
    )
    rendered = page.evaluate(
        "() => (performance.getEntriesByName('ytarchive:rendered')[0] || {startTime: NaN}).startTime"
    )
    return paint, rendered


def visit(context, base: str, path: str, cold: bool) -> tuple[dict, float, float]:
    page = context.new_page()
    if cold:  # signed in (the cookie stays), but nothing cached
        context.new_cdp_session(page).send("Network.clearBrowserCache")
    page.goto(base + path)
    page.wait_for_selector("main h1")
    page.wait_for_load_state("networkidle")
    paint, rendered = timings(page)
    weights = page.evaluate(WEIGHTS)
    page.close()
    return weights, paint, rendered


def sign_in(context, base: str) -> None:
    page = context.new_page()
    page.goto(base + "/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin-password")
    page.click("form.signin button[type=submit]")
    page.wait_for_selector("header.top")
    page.close()


def kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with mock_aws():
        create_stack()
        from functions.services import importer
        from functions.services.auth import users
        from tests.invidious.live_server import serve_app

        importer.import_document(make_document(args.videos))
        users.create_user("admin", "admin-password", is_admin=True)
        with serve_app() as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            results = {name: {"cold": [], "warm": []} for name, _ in PAGES}
            for _ in range(args.runs):
                for name, path in PAGES:
                    context = browser.new_context()  # an empty cache, a new session
                    sign_in(context, base)
                    results[name]["cold"].append(visit(context, base, path, cold=True))
                    results[name]["warm"].append(visit(context, base, path, cold=False))
                    context.close()
            browser.close()

    print(f"## Web app pages ({args.videos} videos, median of {args.runs} runs; images and media not loaded)\n")
    print(
        "| page | app files cold: req / KB / gzip KB | warm: req / KB | API: req / KB | first paint ms cold / warm "
        "| rendered ms cold / warm |"
    )
    print("|---|---|---|---|---|---|")
    for name, _ in PAGES:
        cold, warm = results[name]["cold"], results[name]["warm"]
        app_cold, app_warm, api = cold[0][0]["app"], warm[0][0]["app"], cold[0][0]["api"]
        zipped = gzip_weight()
        paint = [statistics.median(r[1] for r in runs) for runs in (cold, warm)]
        rendered = [statistics.median(r[2] for r in runs) for runs in (cold, warm)]
        print(
            f"| {name} | {app_cold[0]} / {kb(app_cold[1])} / {kb(zipped)} | {app_warm[0]} / {kb(app_warm[1])} "
            f"| {api[0]} / {kb(api[1])} | {paint[0]:.0f} / {paint[1]:.0f} | {rendered[0]:.0f} / {rendered[1]:.0f} |"
        )


if __name__ == "__main__":
    main()
