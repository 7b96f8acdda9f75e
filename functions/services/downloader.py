"""Which yt-dlp (and JavaScript runtime, and challenge solver) the downloads use, and the newer yt-dlp the
version check found (functions.services.version_check), for GET /api/ping/.

The API function has no yt-dlp, and YouTube breaks old versions often: so the download function records what it
runs with (AppSetting `downloader`) once per process, when it first downloads, and ping shows the last record.
A newer yt-dlp comes with a rebuilt layer (README: `make layer`, then deploy); ping shows the version check's
find (AppSetting `version_check`) only while it is newer than what the downloads last ran with, so a deploy of a
new layer ends it, as TubeArchivist's is_updated does after an update.
"""

from functions.core.dates import now
from functions.storage.models import AppSetting

STATE = "downloader"
UPDATE = "version_check"  # the version check's find: {version, installed, checked}
_recorded: dict | None = None


def record() -> None:
    """Store this process's versions unless this process already did."""
    global _recorded
    if _recorded is not None:
        return
    from functions.youtube import ytdlp

    versions = ytdlp.versions()
    AppSetting(STATE, value={**versions, "recorded": now()}).save()
    _recorded = versions


def version_key(version: str) -> tuple[int, ...] | None:
    """A release's numbers to compare (yt-dlp's `2026.10.26`, `2026.10.26.1`; a leading v allowed); None for
    what is not a release version (a nightly's `.dev0`, a word)."""
    parts = version.strip().removeprefix("v").split(".")
    return tuple(int(part) for part in parts) if all(part.isdigit() for part in parts) else None


def is_newer(version: str, than: str | None) -> bool:
    """`version` is a later release than `than` (any release is, than an unknown one)."""
    key, other = version_key(version), version_key(than or "")
    return key is not None and (other is None or key > other)


def shown(viewer) -> tuple[dict | None, dict | None]:
    """({yt_dlp, deno, ejs, recorded} as last recorded, or None before the first download; the version check's
    newer yt-dlp {version, installed, checked}, or None), read with what the viewer's first read loads (its user,
    the settings): one round trip for ping."""
    (found,) = viewer.fetch((AppSetting, [STATE, UPDATE]))
    running = found[STATE].value.as_dict() if STATE in found else None
    update = found[UPDATE].value.as_dict() if UPDATE in found else None
    if update is not None and not is_newer(update["version"], (running or {}).get("yt_dlp") or update["installed"]):
        update = None  # the downloads run it, or a later one, now
    versions = None if running is None else {key: running.get(key) for key in ("yt_dlp", "deno", "ejs", "recorded")}
    return versions, update
