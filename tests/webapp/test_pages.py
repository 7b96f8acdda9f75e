"""A person's whole path through the web app in Chromium, and each page on a phone and a desktop, light and dark,
without console errors; a non-admin sees no admin pages and the API refuses their forms."""

import json
import re
import time

from functions.services import downloader, task_runs
from functions.storage.models import AppSetting
from tests.webapp.conftest import DESKTOP, PHONE, Page

PAGES = ("/", "/videos", "/channels", "/playlists", "/search?query=lab", "/downloads", "/settings", "/users")


def wait_until(check, timeout: float = 60, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not true after {timeout} s: {check}")


def api_call(page, method: str, path: str, body=None) -> dict:
    """A request from the page itself, with its session cookie (and the Origin a browser adds)."""
    return page.evaluate(
        """async ([method, path, body]) => {
          const init = {method, credentials: "same-origin", headers: {"Content-Type": "application/json"}};
          if (body !== null) init.body = JSON.stringify(body);
          const answer = await fetch(path, init);
          return {status: answer.status, body: await answer.text()};
        }""",
        [method, path, body],
    )


def wait_js(page, expression: str, timeout: float = 30):
    """Poll a JavaScript expression until it is truthy (page.wait_for_function evaluates strings, which the app's
    CSP forbids; page.evaluate does not)."""
    return wait_until(lambda: page.evaluate(f"() => {expression}"), timeout, every=0.1)


def expect_toast(page, text: str) -> None:
    page.wait_for_selector("#toast:not(.hidden)")
    wait_until(lambda: page.inner_text("#toast") != "", timeout=5)
    assert text in page.inner_text("#toast"), page.inner_text("#toast")
    page.evaluate("() => document.getElementById('toast').classList.add('hidden')")


def current_time(page) -> float:
    return page.evaluate("document.getElementById('player').currentTime")


def test_a_persons_whole_path(site):
    browser, base, archive = site
    user = Page(browser, base)
    page = user.goto("/")
    # Signed out: the sign-in form, a wrong password refused with the API's message
    page.wait_for_selector("form.signin")
    user.shot("signin")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong")
    page.click("form.signin button[type=submit]")
    page.wait_for_selector("form.signin .error")
    assert "Unable to log in" in page.inner_text("form.signin .error")
    user.errors.clear()  # the refused login's 400 is the one expected console line
    user.sign_in()
    assert page.locator("header nav a", has_text="Users").count() == 1
    page.wait_for_selector("#newest article.video")
    user.shot("home")

    # Add the second channel by @handle, watch its downloads progress until they are archived
    to_add = archive["to_add"]
    archive["server"].rate = 6000  # bytes per second per connection: each download takes a few seconds
    page.click("header nav a:text('Downloads')")
    page.fill("#add-targets", to_add.handle)
    page.click("form.add button[type=submit]")
    page.wait_for_selector("li.queue-item progress", timeout=60_000)
    user.shot("downloads-progress")
    assert re.search(r"downloading \d+%", page.inner_text("#queue"))
    page.wait_for_selector("text=The queue is empty.", timeout=120_000)
    user.shot("downloads")
    page.click("header nav a:text('Channels')")
    page.click(f"article.channel[data-id='{to_add.channel_id}'] a.title")
    page.wait_for_selector("main article.video")
    assert to_add.name in page.inner_text("main h1")
    user.shot("channel")

    # Play a video, leave, come back: it resumes where it was paused
    page.click("main article.video a.title")
    page.wait_for_selector("#player")
    video_path = page.url.removeprefix(base)
    page.evaluate("(() => { const p = document.getElementById('player'); p.muted = true; return p.play(); })()")
    # the demo's videos last 2 s: pause before half of it, past which a video counts as watched
    wait_js(page, "document.getElementById('player').currentTime >= 0.4")
    page.evaluate("document.getElementById('player').pause()")
    paused_at = current_time(page)
    video_id = video_path.rsplit("/", 1)[1]
    wait_until(
        lambda: json.loads(api_call(page, "GET", f"/api/video/{video_id}/progress/", None)["body"])["position"] > 0
    )
    user.shot("watch")
    page.click("header nav a:text('Home')")
    page.wait_for_selector(f"#continue article.video[data-id='{video_id}']")
    user.shot("home-continue")
    page.go_back()
    wait_js(page, "document.getElementById('player')?.readyState >= 1")
    wait_js(page, "document.getElementById('player').currentTime > 0.2")
    assert abs(current_time(page) - paused_at) < 0.15
    # the watched toggle is stored
    page.click("#watched")
    page.wait_for_selector("#watched[aria-pressed=true]")
    detail = json.loads(api_call(page, "GET", f"/api/video/{video_id}/", None)["body"])
    assert detail["data"]["player"]["watched"] is True

    # Search with the query syntax
    page.click("header nav a:text('Search')")
    page.fill("#search-box", f"channel:{to_add.name.split()[0].lower()}")
    page.press("#search-box", "Enter")
    page.wait_for_selector("#channel-results a")
    assert to_add.name in page.inner_text("#channel-results")
    user.shot("search")

    # Change a setting (snapshots on), take a snapshot, change another, restore the snapshot with confirmation
    page.click("header nav a:text('Settings')")
    page.check("#setting-application-enable_snapshot")
    page.fill("#setting-downloads-sleep_interval", "3")
    assert page.input_value("#setting-scheduler-update_subscribed") == "0 */6 *"
    page.fill("#setting-scheduler-update_subscribed", "15 7 *")
    page.fill("#setting-scheduler-autodelete", "0")
    page.click("#settings-form button[type=submit]")
    expect_toast(page, "Settings saved")
    config = lambda: json.loads(api_call(page, "GET", "/api/appsettings/config/", None)["body"])  # noqa: E731
    assert config()["downloads"]["sleep_interval"] == 3 and config()["application"]["enable_snapshot"] is True
    assert config()["scheduler"]["update_subscribed"] == "15 7 *" and config()["scheduler"]["autodelete"] is False
    page.wait_for_selector("#setting-scheduler-autodelete")
    assert page.input_value("#setting-scheduler-autodelete") == "0"
    page.wait_for_selector("#snapshot-create")
    page.click("#snapshot-create")

    def restorable():
        page.reload()
        page.wait_for_selector("#snapshots")
        return page.locator("#snapshots button[data-action=restore]:enabled").count()

    wait_until(restorable)

    page.fill("#setting-downloads-sleep_interval", "17")
    page.click("#settings-form button[type=submit]")
    expect_toast(page, "Settings saved")
    assert config()["downloads"]["sleep_interval"] == 17
    page.wait_for_selector("#snapshots button[data-action=restore]:enabled")
    page.click("#snapshots button[data-action=restore]")
    page.wait_for_selector("#restore-dialog[open]")
    user.shot("settings-restore-confirm")
    page.click("#restore-cancel")  # cancelled: nothing happens
    assert config()["downloads"]["sleep_interval"] == 17
    page.click("#snapshots button[data-action=restore]")
    page.click("#restore-confirm")
    expect_toast(page, "Restore started")
    wait_until(lambda: config()["downloads"]["sleep_interval"] == 3)
    user.shot("settings")

    # Sign out: the sign-in form again, the session is gone
    page.click("#sign-out")
    page.wait_for_selector("form.signin")
    assert json.loads(api_call(page, "GET", "/api/users/me/", None)["body"]) == {"signed_in": False}
    assert not user.errors, user.errors
    user.close()


def test_every_page_on_a_phone_and_a_desktop_light_and_dark(site):
    browser, base, archive = site
    video = next(iter(archive["catalog"].videos_of(archive["archived"].channel_id)))
    playlist = next(
        p for p, pl in archive["catalog"].playlists.items() if pl.channel_id == archive["archived"].channel_id
    )
    paths = (
        *PAGES,
        f"/watch/{video.youtube_id}",
        f"/channels/{archive['archived'].channel_id}",
        f"/playlists/{playlist}",
    )
    for viewport, scheme, label in ((PHONE, "dark", "phone-dark"), (DESKTOP, "light", "desktop-light")):
        user = Page(browser, base, viewport=viewport, color_scheme=scheme)
        user.goto("/")
        user.sign_in()
        for path in paths:
            page = user.goto(path)
            page.wait_for_selector("main h1")
            page.wait_for_load_state("networkidle")
            assert "Something went wrong" not in page.inner_text("main"), (path, page.inner_text("main"))
            name = path.strip("/").split("?")[0].replace("/", "-") or "home"
            user.shot(f"{label}-{name}")
            assert not user.errors, (path, user.errors)
        # keyboard: a nav link opens its page with Enter, and focus lands in the new page (the search box)
        page.focus("header nav a:text('Search')")
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-box")
        wait_js(page, "document.activeElement?.id === 'search-box'")
        page.keyboard.type("lab")
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-results .results, #search-results .empty")
        user.close()


def test_a_non_admin_sees_no_admin_pages_and_the_api_refuses_their_forms(site):
    browser, base, _ = site
    user = Page(browser, base)
    user.goto("/")
    user.sign_in("viewer", "viewer-password")
    page = user.page
    nav = page.inner_text("header nav")
    assert "Settings" not in nav and "Users" not in nav and "Videos" in nav
    page.goto(base + "/users")
    page.wait_for_selector("text=This page is for admins.")
    page.goto(base + "/downloads")
    page.wait_for_selector("text=Only admins change the queue.")
    assert page.locator("#add-targets").count() == 0
    user.shot("viewer-downloads")
    assert not user.errors, user.errors  # the pages asked nothing the viewer may not have
    refused = [
        api_call(page, "POST", "/api/users/", {"username": "mallory", "password": "x"}),
        api_call(page, "POST", "/api/users/admin/password/", {"password": "taken-over"}),
        api_call(page, "POST", "/api/users/admin/token/", None),
        api_call(page, "POST", "/api/appsettings/config/", {"downloads": {"sleep_interval": 1}}),
        api_call(page, "POST", "/api/download/", {"data": [{"youtube_id": "@someone", "status": "pending"}]}),
        api_call(page, "POST", "/api/snapshot/", None),
        api_call(page, "GET", "/api/users/", None),
    ]
    assert [answer["status"] for answer in refused] == [403] * len(refused), refused
    user.close()


def test_an_admin_manages_users(site):
    browser, base, _ = site
    user = Page(browser, base)
    user.goto("/")
    user.sign_in()
    page = user.goto("/users")
    page.wait_for_selector("#users tbody tr")
    page.fill("#new-username", "newcomer")
    page.fill("#new-password", "first-password")
    page.click("#create-user button[type=submit]")
    page.wait_for_selector("#issued-token")
    token = page.inner_text("#issued-token")
    assert page.locator("#users tr[data-username=newcomer]").count() == 1
    row = "#users tr[data-username=newcomer]"
    user.dialog_answers.append("second-password")
    page.click(f"{row} button[data-action=reset]")
    page.wait_for_selector("text=Password changed")
    page.click(f"{row} button[data-action=token]")
    wait_js(page, f"document.getElementById('issued-token')?.textContent !== {json.dumps(token)}")
    new_token = page.inner_text("#issued-token")
    user.shot("users")
    other = Page(browser, base)
    other.goto("/")
    other.sign_in("newcomer", "second-password")
    assert "Users" not in other.page.inner_text("header nav")
    old = other.page.evaluate(
        "async (t) => (await fetch('/api/ping/', {headers: {Authorization: 'Token ' + t}})).status", token
    )
    new = other.page.evaluate(
        "async (t) => (await fetch('/api/ping/', {headers: {Authorization: 'Token ' + t}})).status", new_token
    )
    assert (old, new) == (403, 200)
    other.errors = [e for e in other.errors if "403" not in e]  # the old token's refusal, asked for on purpose
    assert not other.errors and not user.errors, (other.errors, user.errors)
    other.close()
    user.close()


def test_a_playlist_card_shows_the_playlists_stored_art(site):
    browser, base, archive = site
    playlist = next(
        p for p, pl in archive["catalog"].playlists.items() if pl.channel_id == archive["archived"].channel_id
    )
    user = Page(browser, base)
    user.goto("/")
    user.sign_in()
    page = user.goto("/playlists")
    image = f"article.playlist[data-id='{playlist}'] .thumb img"
    page.wait_for_selector(image)
    wait_js(page, f'document.querySelector("{image}").complete')
    assert page.evaluate(f'document.querySelector("{image}").naturalWidth') > 0  # the image loaded, not a 404
    assert not user.errors, user.errors
    user.close()


def test_an_admin_has_a_channels_playlists_archived_by_the_rescan(site):
    browser, base, archive = site
    channel, catalog = archive["archived"], archive["catalog"]
    made = catalog.add_playlist("more", "More from the lab", channel, catalog.videos_of(channel.channel_id)[:2])
    user = Page(browser, base)
    user.goto("/")
    user.sign_in()
    page = user.goto(f"/channels/{channel.channel_id}")
    page.wait_for_selector("form.overrides")
    assert page.locator("text=More from the lab").count() == 0
    if page.inner_text("#subscribe") == "Subscribe":
        page.click("#subscribe")
        expect_toast(page, "Subscribed")
        page.wait_for_selector("#subscribe:text('Unsubscribe')")
        page.wait_for_selector("form.overrides")
    page.select_option("form.overrides select[name=index_playlists]", "true")
    page.click("form.overrides button[type=submit]")
    expect_toast(page, "Overrides saved")
    shown = api_call(page, "GET", f"/api/channel/{channel.channel_id}/")
    assert json.loads(shown["body"])["data"]["channel_overwrites"] == {"index_playlists": True}
    page.click("header nav a:text('Downloads')")
    page.click("button:text('Rescan subscriptions now')")
    expect_toast(page, "Rescan started")

    def listed() -> bool:
        page.goto(f"{base}/channels/{channel.channel_id}")
        page.wait_for_selector("form.overrides")
        return page.locator("text=More from the lab").count() == 1

    wait_until(listed, timeout=90, every=2)
    assert page.locator(f"a[href$='/playlists/{made.playlist_id}']").count() == 1
    assert page.locator("form.overrides select[name=index_playlists]").input_value() == "true"
    user.shot("channel-playlists-indexed")
    assert not user.errors, user.errors
    user.close()


def test_a_page_left_before_its_answers_arrive_never_replaces_the_next_one(site):
    browser, base, archive = site
    channel = archive["archived"]
    user = Page(browser, base)
    page = user.goto("/")
    user.sign_in()
    held = []
    page.route(f"**/api/channel/{channel.channel_id}/video/*", lambda route: held.append(route))
    page.click("header nav a:text('Channels')")
    page.click(f"article.channel[data-id='{channel.channel_id}'] a.title")
    wait_until(lambda: held, timeout=15, every=0.1)
    page.click("header nav a:text('Downloads')")
    page.wait_for_selector("button:text('Rescan subscriptions now')")
    for route in held:
        route.continue_()
    page.wait_for_timeout(1000)  # the channel page's answers have arrived and were dropped
    assert page.locator("button:text('Rescan subscriptions now')").count() == 1
    assert page.locator("form.overrides").count() == 0
    assert not user.errors, user.errors
    user.close()


def test_settings_show_a_newer_yt_dlp_and_start_a_version_check(site):
    """The settings page names the yt-dlp the downloads run and the newer release the version check stored (ping's
    `downloader` and `ytdlp_update`); its button starts a version check run."""
    browser, _, _ = site
    AppSetting(downloader.STATE, value={"yt_dlp": "2025.01.15", "deno": None, "ejs": None, "recorded": 1}).save()
    found = {"version": "2099.12.31", "installed": "2025.01.15", "checked": int(time.time())}
    AppSetting(downloader.UPDATE, value=found).save()
    user = Page(browser, site[1])
    user.goto("/")
    user.sign_in()
    page = user.goto("/settings")
    page.wait_for_selector("#ytdlp-update")
    assert page.inner_text("#ytdlp-running") == "The downloads run yt-dlp 2025.01.15."
    assert page.inner_text("#ytdlp-update").startswith("yt-dlp 2099.12.31 is out (found ")
    page.click("#version-check")
    expect_toast(page, "Version check started")
    assert [run.status for run in task_runs.runs_of(task_runs.VERSION_CHECK)] == [task_runs.PENDING]
    assert not user.errors, user.errors
    user.close()
