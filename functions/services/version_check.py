"""The version check: TubeArchivist's version_check, made true for this archive.

TubeArchivist asks tubearchivist.com for its latest release (`release_version`, `breaking_changes`) once a day
and, when that is newer than the one running, stores {status, version, is_breaking}; `/api/ping/` shows it as
`ta_update`, and v0.5's web app's footer says "<version> available" with a link to TubeArchivist's release page
of that version. This archive has no release feed (its owner deploys it from source), and what goes stale here
and breaks downloads is yt-dlp (YouTube changes weekly; the media layer pins a release: layers/requirements.txt).
So a run reads the latest yt-dlp release from `VERSION_FEED_URL` (PyPI's JSON of yt-dlp by default: its
`info.version` is the newest release, pre-releases left out) and compares it with the yt-dlp the refresh
function runs (the downloads' layer). A newer one is stored (AppSetting `version_check`: {version, installed,
checked}) and ping shows it as `ytdlp_update` while the downloads run an older one (functions.services.downloader);
one not newer clears it. v0.5's `ta_update` stays empty: the web app would show a yt-dlp release as a TubeArchivist
one, linked to a TubeArchivist release page that does not exist.

The version_check notification URLs (`/api/task/notification/`) get the run's message when it finds a release
not found before, and when a run fails; a run that finds nothing new, or the same release again, sends none.

A run is asked for by the schedule (`scheduler.version_check`, TubeArchivist's "0 11 *", off at the start) or by
`POST /api/task/by-name/version_check/`, on the refresh queue (functions.services.file_tasks: one at a time), and
made by the refresh function, which runs the downloads' yt-dlp. A feed that does not answer, or answers no
release version, fails the run (FeedUnreadable, its reason the result) and changes nothing stored.
"""

import json
import urllib.error
import urllib.request

from functions.core import logs
from functions.core.dates import now
from functions.core.settings import VERSION, get_settings
from functions.services import downloader, file_tasks, task_runs
from functions.storage import aws
from functions.storage.models import AppSetting

log = logs.logger(__name__)
TASK = task_runs.VERSION_CHECK
TIMEOUT_SECONDS = 20  # TubeArchivist's
MAX_FEED_BYTES = 16 * 1024 * 1024  # PyPI's JSON of yt-dlp lists every release's files: a few MB


class FeedUnreadable(Exception):
    """The release feed did not answer, or answered no release version."""


def request() -> str:
    """Ask for a run on the refresh queue; its task id (409 while one is asked for or runs)."""
    return file_tasks.ask(TASK, {}, queue=aws.REFRESH)


def scheduled() -> str | None:
    """The version_check schedule's run; None when one is under way already."""
    return file_tasks.ask_scheduled(TASK, aws.REFRESH)


def latest(url: str) -> str:
    """The newest release the feed names (a PyPI project's JSON: `info.version`)."""
    headers = {"Accept": "application/json", "User-Agent": f"ytarchive/{VERSION} version check"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_SECONDS) as answer:
            document = json.loads(answer.read(MAX_FEED_BYTES))
    except urllib.error.HTTPError as error:
        raise FeedUnreadable(f"the release feed {url} answered {error.code}") from error
    except (OSError, ValueError) as error:  # unreachable, timed out, or not JSON
        raise FeedUnreadable(f"the release feed {url} could not be read: {error}") from error
    info = document.get("info") if isinstance(document, dict) else None
    version = info.get("version") if isinstance(info, dict) else None
    if not isinstance(version, str) or downloader.version_key(version) is None:
        raise FeedUnreadable(f"the release feed {url} names no release version: {str(version)[:100]!r}")
    return version


def check(installed: str, run: task_runs.Run) -> str:
    """One check against `installed`: the newer release stored, or the stored one cleared; the result text. A
    release found before is no news (run.notify off), nor is being up to date."""
    feed = get_settings().version_feed_url
    release = latest(feed)
    if not downloader.is_newer(release, installed):
        AppSetting(downloader.UPDATE).delete()
        run.notify = False
        return f"yt-dlp {installed} is up to date (the latest release is {release})"
    try:
        found_before = AppSetting.get(downloader.UPDATE).value["version"] == release
    except AppSetting.DoesNotExist:
        found_before = False
    AppSetting(downloader.UPDATE, value={"version": release, "installed": installed, "checked": now()}).save()
    run.notify = not found_before
    log.info("version check: yt-dlp %s is out, %s installed", release, installed)
    return f"yt-dlp {release} is out; the downloads run {installed}: rebuild the media layer (make layer) and deploy"


def run_job(run: task_runs.Run, installed: str) -> str | None:
    """The refresh queue's `version_check` message, holding the task (None when another run holds it)."""
    result = file_tasks.run(TASK, lambda: check(installed, run))
    run.result = result
    return result
