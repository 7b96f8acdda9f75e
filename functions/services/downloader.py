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


def shown(viewer) -> dict | None:
    """{yt_dlp, deno, ejs, recorded} as last recorded, or None before the first download; read with what the
    viewer's first read loads (its user, the settings): one round trip for ping."""
    (found,) = viewer.fetch((AppSetting, [STATE]))
    if STATE not in found:
        return None
    value = found[STATE].value.as_dict()
    return {key: value.get(key) for key in ("yt_dlp", "deno", "ejs", "recorded")}
