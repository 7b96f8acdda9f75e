"""The public Invidious API (`/api/v1/...` without /auth/) and `/vi/` thumbnails: thin routes over
functions.services.invidious (public, channels, discovery, video_extras), open or private as
functions.services.invidious.access decides."""

import re
from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.errors import NotFound
from functions.http.routing import INVIDIOUS_CORS, OPEN_INVIDIOUS, Call, Router

if TYPE_CHECKING:
    from functions.services.invidious import channels, discovery, public, video_extras
    from functions.storage import delivery
else:  # imported when a view first uses them (functions/core/lazy.py)
    channels, discovery, public, video_extras = lazy.modules(
        "functions.services.invidious", "channels", "discovery", "public", "video_extras"
    )
    delivery = lazy.modules("functions.storage", "delivery")

router = Router(__name__)
API = "/api/v1"
THUMBNAIL_NAME = re.compile(r"^[A-Za-z0-9_]{1,30}\.(jpg|webp)$")  # maxres.jpg, mqdefault.jpg, 1.jpg...
VTT: dict[str, str | list[str]] = {"Content-Type": "text/vtt; charset=utf-8"}


def public_route(path: str, methods: tuple[str, ...] = ("GET",)):
    return router.route(path, methods, auth=OPEN_INVIDIOUS, cors=INVIDIOUS_CORS)


@public_route(API + "/stats")
def get_stats(call: Call):
    return public.stats()


@public_route(API + "/videos/{video_id}")
def get_video(call: Call, video_id: str):
    return public.video(video_id)


@public_route(API + "/channels/{ucid}")
def get_channel(call: Call, ucid: str):
    return channels.channel(ucid)


@public_route(API + "/channels/{ucid}/videos")
def get_channel_videos(call: Call, ucid: str):
    return channels.channel_tab(ucid, "videos", call.query)


@public_route(API + "/channels/{ucid}/latest")
def get_channel_latest(call: Call, ucid: str):
    return channels.channel_tab(ucid, "videos", {})


@public_route(API + "/channels/{ucid}/shorts")
def get_channel_shorts(call: Call, ucid: str):
    return channels.channel_tab(ucid, "shorts", call.query)


@public_route(API + "/channels/{ucid}/streams")
def get_channel_streams(call: Call, ucid: str):
    return channels.channel_tab(ucid, "streams", call.query)


@public_route(API + "/channels/{ucid}/playlists")
def get_channel_playlists(call: Call, ucid: str):
    return channels.channel_playlists(ucid, call.query)


@public_route(API + "/channels/{ucid}/search")
def search_channel(call: Call, ucid: str):
    return channels.channel_search(ucid, call.query)


@public_route(API + "/search")
def search(call: Call):
    return discovery.search(call.query)


@public_route(API + "/search", methods=("HEAD",))
def search_head(call: Call):
    """invidtui checks an instance with HEAD /api/v1/search."""
    return Response(body="", status_code=200)


@public_route(API + "/search/suggestions")
def search_suggestions(call: Call):
    return discovery.suggestions(call.query)


@public_route(API + "/popular")
def get_popular(call: Call):
    return discovery.popular()


@public_route(API + "/trending")
def get_trending(call: Call):
    return discovery.trending()


@public_route(API + "/comments/{video_id}")
def get_comments(call: Call, video_id: str):
    return video_extras.comments(video_id, call.query)


@public_route(API + "/captions/{video_id}")
def get_captions(call: Call, video_id: str):
    """The tracks; with `label` or `lang`, that track's WebVTT text."""
    query = call.query
    label, lang = query.get("label"), query.get("lang") or query.get("tlang")
    if label is None and lang is None:
        return video_extras.captions(video_id)
    return Response(body=video_extras.caption_text(video_id, label, lang), status_code=200, headers=VTT)


@public_route("/vi/{video_id}/{name}")
def get_thumbnail(call: Call, video_id: str, name: str):
    """FreeTube and others build `/vi/<id>/<quality>.jpg` themselves: 302 to the archived image."""
    if not THUMBNAIL_NAME.match(name):
        raise NotFound("No such thumbnail")
    return Response(body="", status_code=302, headers={"Location": delivery.url(video_extras.thumbnail_key(video_id))})
