"""SponsorBlock: segments fetched from its public API at download time and stored with the video
(`Video.sponsorblock`); votes and new segments sent through this API are validated and only simulated."""

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from typing import TypeGuard

from msgspec import UNSET

from functions.core import dates, logs
from functions.core.errors import BadRequest
from functions.core.settings import get_settings
from functions.schemas.ta import SponsorPost
from functions.services.archive import videos

log = logs.logger(__name__)

CATEGORIES = ("sponsor", "selfpromo", "interaction", "intro", "outro", "preview", "music_offtopic", "filler")
TIMEOUT_SECONDS = 10
SEGMENT_TEXT = ("UUID", "category", "actionType", "description")
SEGMENT_NUMBERS = ("videoDuration", "locked", "votes")


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _segment(raw) -> dict | None:
    """The fields of one API segment this archive keeps; None when it is not a segment."""
    if not isinstance(raw, dict):
        return None
    times = raw.get("segment")
    if not (isinstance(times, list) and len(times) == 2 and all(_number(t) for t in times)):
        return None
    kept = {"segment": [float(t) for t in times]}
    kept.update({k: raw[k] for k in SEGMENT_TEXT if isinstance(raw.get(k), str)})
    kept.update({k: raw[k] for k in SEGMENT_NUMBERS if _number(raw.get(k))})
    return kept


def fetch_segments(video_id: str) -> dict | None:
    """The video's segments as stored and served (`{last_refresh, has_unlocked, is_enabled, segments}`), or None
    when SponsorBlock cannot be asked (a download never fails for it)."""
    query = urllib.parse.urlencode({"videoID": video_id, "categories": json.dumps(CATEGORIES)})
    url = f"{get_settings().sponsorblock_url}/api/skipSegments?{query}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            raw = json.loads(response.read())
    except urllib.error.HTTPError as error:
        if error.code != 404:  # 404: SponsorBlock knows no segment of this video
            log.warning("SponsorBlock answered %s for %s", error.code, video_id)
            return None
        raw = []
    except (OSError, ValueError) as error:
        log.warning("SponsorBlock unreachable for %s: %s", video_id, error)
        return None
    segments = [s for s in (_segment(item) for item in (raw if isinstance(raw, list) else [])) if s]
    return {
        "last_refresh": dates.now(),
        "has_unlocked": any(not s.get("locked") for s in segments),
        "is_enabled": True,
        "segments": segments,
    }


def for_download(video_id: str, config: dict) -> dict | None:
    """What the download job stores in `Video.sponsorblock`: segments when the app integrates SponsorBlock."""
    return fetch_segments(video_id) if config["downloads"].get("integrate_sponsorblock") else None


def stored(video_id: str) -> dict | None:
    """GET /api/video/<id>/sponsor/: the stored data, or None; 404 for a video the archive does not hold."""
    video = videos.get(video_id)
    return video.sponsorblock.as_dict() if video.sponsorblock is not None else None


def simulate(video_id: str, body: SponsorPost) -> dict:
    """POST /api/video/<id>/sponsor/: a vote or a new segment (their fields checked by the Struct), never sent
    (as TubeArchivist does)."""
    videos.get(video_id)
    if (body.vote is UNSET) == (body.segment is UNSET):
        raise BadRequest("send either a vote or a segment")
    if body.segment is not UNSET and body.segment.endTime < body.segment.startTime:
        raise BadRequest("segment.endTime must not be before segment.startTime")
    return {"success": True}
