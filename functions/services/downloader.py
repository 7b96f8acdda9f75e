"""Which yt-dlp (and JavaScript runtime, and challenge solver) the downloads use, for GET /api/ping/.

The API function has no yt-dlp, and YouTube breaks old versions often: so the download function records what it
runs with (AppSetting `downloader`) once per process, when it first downloads, and ping shows the last record.
A newer yt-dlp comes with a rebuilt layer (README: `make layer`, then deploy).
"""

from functions.core.dates import now
from functions.storage.models import AppSetting

STATE = "downloader"
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


def shown() -> dict | None:
    """{yt_dlp, deno, ejs, recorded} as last recorded, or None before the first download."""
    try:
        value = AppSetting.get(STATE).value.as_dict()
    except AppSetting.DoesNotExist:
        return None
    return {key: value.get(key) for key in ("yt_dlp", "deno", "ejs", "recorded")}
