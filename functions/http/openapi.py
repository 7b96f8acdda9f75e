"""The OpenAPI 3 description of every endpoint: the TubeArchivist API, the Invidious API, the web pages, files.

Built from plain data on first use (`document()`), served by functions.http.docs. tests/test_openapi_sync.py keeps
its paths equal to the app's routes; tests/test_fuzz.py checks the app's answers against it. Paths are written as
the app registers them (no trailing slash); every path is served with a trailing slash too.
"""

from functools import cache

from functions.core import ids
from functions.core.settings import VERSION
from functions.http.webapp import CLIENT_ROUTES
from functions.schemas import ta as ta_schemas
from functions.schemas import ta5 as ta5_schemas
from functions.schemas import users as user_schemas
from functions.storage import signing

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
HTML = "text/html"
FORM = "application/x-www-form-urlencoded"

TA: list[dict] = [{"taToken": []}, {"taSession": []}]
INVIDIOUS: list[dict] = [{"invidiousBearer": []}, {"invidiousSid": []}]
PUBLIC: list = []

# Request bodies declared once as Structs (the routes decode into them); their schemas are generated.
REQUEST_STRUCTS = (
    ta_schemas.DownloadRequest,
    ta_schemas.DownloadStatus,
    ta_schemas.ChannelSubscriptions,
    ta_schemas.TaskRun,
    ta_schemas.RefreshRequest,
    ta_schemas.CookieImport,
    ta_schemas.Watched,
    ta_schemas.ProgressUpdate,
    ta5_schemas.WebLogin,
    ta5_schemas.UserConfig,
    ta5_schemas.CustomPlaylistNew,
    ta5_schemas.CustomPlaylistChange,
    ta5_schemas.DownloadBulkChange,
    ta5_schemas.PlaylistChange,
    user_schemas.NewUser,
    user_schemas.NewPassword,
)

# Examples of path parameters: what tests/test_fuzz.py seeds, so the example requests reach real items.
VIDEO_EXAMPLE = "vid00000001"
CHANNEL_EXAMPLE = "UC0000000000000000000001"
PLAYLIST_EXAMPLE = "PL0000000000000001"
IV_PLAYLIST_EXAMPLE = "IVPL" + "seededplaylist".ljust(31, "0")
INDEX_EXAMPLE = "1A2B3C4D5E6F7081"


# ---------------------------------------------------------------- building blocks


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: tuple[str, ...] | list[str] | None = None, extra: bool = True, **more) -> dict:
    """An object schema; `required` defaults to every property."""
    schema = {"type": "object", "properties": properties, **more}
    keys = list(properties) if required is None else list(required)
    if keys:
        schema["required"] = keys
    if not extra:
        schema["additionalProperties"] = False
    return schema


def array(items: dict, **more) -> dict:
    return {"type": "array", "items": items, **more}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
NULLABLE_STRING = {"type": "string", "nullable": True}
FALSE = {"type": "boolean", "enum": [False]}
TRUE = {"type": "boolean", "enum": [True]}
DATE = {"type": "string", "description": "YYYY-MM-DD"}
EPOCH = {"type": "integer", "description": "unix time, seconds"}
DATE_OR_FALSE = {"anyOf": [DATE, FALSE], "description": "YYYY-MM-DD, or false when never"}
URL_PATH = {"type": "string", "description": "a path on this API, under /media/ or /cache/"}


def body(schema: dict, media_type: str = JSON, required: bool = True, example=None) -> dict:
    content = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"required": required, "content": {media_type: content}}


def answer(description: str, schema: dict | None = None, media_type: str = JSON, headers: dict | None = None) -> dict:
    response: dict = {"description": description}
    if schema is not None:
        response["content"] = {media_type: {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response


def use(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def path_param(name: str, description: str, pattern: str | None = None, example: str | None = None) -> dict:
    schema = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    param = {"name": name, "in": "path", "required": True, "description": description, "schema": schema}
    if example is not None:
        param["example"] = example
    return param


def query_param(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema or STRING}


def operation(
    tag: str,
    summary: str,
    responses: dict,
    security: list = TA,
    parameters: list | None = None,
    request: dict | None = None,
    description: str | None = None,
    operation_id: str | None = None,
) -> dict:
    """One operation. TubeArchivist routes answer 403 without a user; Invidious ones 403 with the reason."""
    result: dict = {"tags": [tag], "summary": summary, "security": security}
    if operation_id:
        result["operationId"] = operation_id
    if description:
        result["description"] = description
    if parameters:
        result["parameters"] = parameters
    if request:
        result["requestBody"] = request
    errors: dict = {}
    if security is TA:
        errors["403"] = use("TaForbidden")
    elif security is INVIDIOUS:
        errors["403"] = use("InvidiousError")
    if request and JSON in request["content"]:
        errors.update({"400": use("BadRequest"), "413": use("PayloadTooLarge"), "415": use("UnsupportedMediaType")})
    result["responses"] = {**errors, **responses}
    return result


# ---------------------------------------------------------------- parameters

VIDEO_ID = path_param("video_id", "a YouTube video id", ids.VIDEO_ID.pattern, VIDEO_EXAMPLE)
CHANNEL_ID = path_param("channel_id", "a YouTube channel id", ids.CHANNEL_ID.pattern, CHANNEL_EXAMPLE)
PLAYLIST_ID = path_param("playlist_id", "a YouTube playlist id", None, PLAYLIST_EXAMPLE)
PAGE = query_param(
    "page",
    "page number; 0 and 1 are both the first page",
    {"type": "integer", "minimum": 0, "maximum": 100000},
)
IV_PLAYLIST_ID = path_param(
    "playlist_id", "an Invidious playlist id: IVPL and 31 more characters", None, IV_PLAYLIST_EXAMPLE
)
UCID = path_param("ucid", "a YouTube channel id", None, CHANNEL_EXAMPLE)


# ---------------------------------------------------------------- schemas

PREF_TEXT = {"type": "string", "maxLength": 200}
PREF_LIST = array(PREF_TEXT, maxItems=20)
THUMBNAIL = obj({"quality": STRING, "url": STRING, "width": INTEGER, "height": INTEGER})

SCHEMAS: dict = {
    # -- errors
    "Error": obj({"error": STRING}),
    "NotFound": obj({"data": FALSE, "error": STRING}),
    "AuthError": obj({"detail": STRING}),
    "LoginError": obj({"non_field_errors": array(STRING)}),
    # -- TubeArchivist: envelope parts
    "Config": obj(
        {
            "page_size": INTEGER,
            "subscriptions": {"type": "object"},
            "downloads": {"type": "object"},
            "application": {"type": "object"},
        },
        description="the app's public settings, in every envelope",
    ),
    "Paginate": obj(
        {
            "page_size": INTEGER,
            "page_from": INTEGER,
            "prev_pages": {"anyOf": [FALSE, array(INTEGER)]},
            "current_page": INTEGER,
            "max_hits": BOOLEAN,
            "params": STRING,
            "last_page": {"anyOf": [FALSE, INTEGER]},
            "next_pages": array(INTEGER),
            "total_hits": INTEGER,
        }
    ),
    # -- TubeArchivist: objects
    "Channel": obj(
        {
            "channel_id": STRING,
            "channel_name": STRING,
            "channel_description": STRING,
            "channel_subscribed": BOOLEAN,
            "channel_active": BOOLEAN,
            "channel_last_refresh": DATE_OR_FALSE,
            "channel_subs": INTEGER,
            "channel_views": INTEGER,
            "channel_thumb_url": URL_PATH,
            "channel_banner_url": URL_PATH,
            "channel_tvart_url": URL_PATH,
            "channel_overwrites": {"type": "object"},
        },
        required=[
            "channel_id",
            "channel_name",
            "channel_description",
            "channel_subscribed",
            "channel_active",
            "channel_last_refresh",
            "channel_subs",
            "channel_views",
            "channel_thumb_url",
            "channel_banner_url",
            "channel_tvart_url",
        ],
    ),
    "Subtitle": obj({"ext": STRING, "lang": STRING, "name": STRING, "source": STRING, "media_url": URL_PATH}),
    "SponsorBlock": obj(
        {"last_refresh": {}, "has_unlocked": BOOLEAN, "is_enabled": BOOLEAN, "segments": array({"type": "object"})},
        required=[],
    ),
    "Video": obj(
        {
            "youtube_id": STRING,
            "title": STRING,
            "description": STRING,
            "published": DATE,
            "vid_last_refresh": DATE,
            "date_downloaded": EPOCH,
            "vid_type": {"type": "string", "enum": ["videos", "streams", "shorts"]},
            "vid_thumb_url": URL_PATH,
            "media_url": URL_PATH,
            "active": BOOLEAN,
            "category": array(STRING),
            "tags": array(STRING),
            "channel": ref("Channel"),
            "player": obj(
                {"watched": BOOLEAN, "watched_date": EPOCH, "duration": INTEGER, "duration_str": STRING},
                required=["watched", "duration", "duration_str"],
            ),
            "stats": obj(
                {
                    "view_count": INTEGER,
                    "like_count": INTEGER,
                    "dislike_count": INTEGER,
                    "average_rating": {"type": "number", "nullable": True},
                }
            ),
            "playlist": array(STRING),
            "subtitles": array(ref("Subtitle")),
            "comment_count": INTEGER,
            "sponsorblock": ref("SponsorBlock"),
            "media_size": INTEGER,
            "streams": array(
                obj(
                    {
                        "type": {"enum": ["video", "audio"]},
                        "index": INTEGER,
                        "codec": STRING,
                        "width": INTEGER,
                        "height": INTEGER,
                        "bitrate": {"type": "integer", "description": "bits per second, 0 when not known"},
                    },
                    required=["type", "index", "codec", "bitrate"],
                ),
                description="the file's streams as ffmpeg reads them; empty until read",
            ),
        },
        required=[
            "youtube_id",
            "title",
            "description",
            "published",
            "vid_last_refresh",
            "date_downloaded",
            "vid_type",
            "vid_thumb_url",
            "media_url",
            "active",
            "category",
            "tags",
            "channel",
            "player",
            "stats",
            "playlist",
            "subtitles",
            "media_size",
            "streams",
        ],
    ),
    "Playlist": obj(
        {
            "playlist_id": STRING,
            "playlist_name": STRING,
            "playlist_channel": STRING,
            "playlist_channel_id": STRING,
            "playlist_description": STRING,
            "playlist_subscribed": BOOLEAN,
            "playlist_active": BOOLEAN,
            "playlist_last_refresh": DATE_OR_FALSE,
            "playlist_thumbnail": URL_PATH,
            "playlist_type": STRING,
            "playlist_entries": array(
                obj({"youtube_id": STRING, "title": STRING, "uploader": STRING, "idx": INTEGER, "downloaded": BOOLEAN})
            ),
        },
        required=[
            "playlist_id",
            "playlist_name",
            "playlist_channel",
            "playlist_channel_id",
            "playlist_description",
            "playlist_subscribed",
            "playlist_active",
            "playlist_last_refresh",
            "playlist_thumbnail",
            "playlist_entries",
        ],
    ),
    "DownloadItem": obj(
        {
            "youtube_id": STRING,
            "title": STRING,
            "channel_id": STRING,
            "channel_name": STRING,
            "channel_indexed": BOOLEAN,
            "duration": {"type": "string", "description": "as 03:33"},
            "published": DATE_OR_FALSE,
            "status": {"type": "string", "enum": ["pending", "ignore"]},
            "timestamp": {"type": "integer", "description": "when it was queued, unix time"},
            "vid_thumb_url": URL_PATH,
            "vid_type": STRING,
            "auto_start": BOOLEAN,
            "message": {"type": "string", "description": "the last download error"},
            "progress": {"type": "number", "description": "percent, while it downloads"},
            "speed": {"type": "number", "nullable": True, "description": "bytes per second, while it downloads"},
            "runs_on": {"type": "string", "description": "where it downloads: lambda, local, a Fargate task"},
        },
        required=[
            "youtube_id",
            "title",
            "channel_id",
            "channel_name",
            "channel_indexed",
            "duration",
            "published",
            "status",
            "timestamp",
            "vid_thumb_url",
            "vid_type",
            "auto_start",
        ],
    ),
    "Comment": obj(
        {
            "comment_id": STRING,
            "comment_text": STRING,
            "comment_timestamp": {"type": "integer", "nullable": True, "description": "unix time, seconds"},
            "comment_time_text": STRING,
            "comment_likecount": INTEGER,
            "comment_is_favorited": BOOLEAN,
            "comment_author": STRING,
            "comment_author_id": STRING,
            "comment_author_thumbnail": STRING,
            "comment_author_is_uploader": BOOLEAN,
            "comment_parent": STRING,
            "comment_replies": array(ref("Comment")),
        },
    ),
    "Snapshot": obj(
        {
            "id": STRING,
            "state": STRING,
            "es_version": {"type": "string", "description": "the data format version"},
            "start_date": STRING,
            "end_date": STRING,
            "end_stamp": EPOCH,
            "duration_s": INTEGER,
        },
        required=["id", "state", "es_version", "start_date"],
        description="end_date, end_stamp and duration_s once it has ended",
    ),
    # -- TubeArchivist: request bodies and plain bodies
    "Progress": obj({"youtube_id": STRING, "user_id": INTEGER, "position": NUMBER}),
    "VideoDeleted": obj({"video": STRING, "state": {"type": "string", "enum": ["delete"]}}),
    "SponsorVote": obj(
        {"vote": obj({"uuid": STRING, "yourVote": {"type": "integer", "enum": [0, 1, 20]}})},
    ),
    "SponsorSegment": obj({"segment": obj({"startTime": NUMBER, "endTime": NUMBER})}),
    "Success": obj({"success": TRUE}),
    "DownloadAdded": obj(
        {
            "data": array({"type": "object"}, description="the rows sent"),
            "added": array(STRING, description="video ids queued now"),
            "skipped": array(STRING, description="video ids already archived or queued"),
            "expanding": array(STRING, description="channels and playlists whose videos are being queued"),
        }
    ),
    "DownloadCleared": obj(
        {"success": TRUE, "filter": {"type": "string", "enum": ["pending", "ignore"]}, "removed": INTEGER}
    ),
    "SnapshotList": obj(
        {
            "next_exec": {"type": "integer", "nullable": True},
            "next_exec_str": {"type": "string", "nullable": True},
            "expire_after": STRING,
            "snapshots": array(ref("Snapshot")),
        }
    ),
    "SnapshotCreated": obj({"snapshot_name": STRING}),
    "Accepted": obj({"accepted": TRUE}),
    "Acknowledged": obj({"acknowledged": TRUE}),
    "Login": obj({"username": STRING, "password": STRING}),
    "LoginToken": obj({"token": {"type": "string", "pattern": "^[0-9a-f]{40}$"}, "user_id": INTEGER}),
    "TaskState": obj({"rescan": BOOLEAN, "downloading": BOOLEAN}),
    "TaskStarted": obj({"success": BOOLEAN, "task": STRING}),
    "RefreshState": obj(
        {
            "total_queued": INTEGER,
            "type": {"type": "string", "enum": ["video", "channel", "playlist", "all"]},
            "state": {
                "anyOf": [{"type": "string", "enum": ["empty", "running", "in_queue"]}, FALSE],
                "description": "with id: in_queue, or false when that item does not wait",
            },
            "id": STRING,
        },
        required=["total_queued", "type", "state"],
    ),
    "RefreshQueued": obj(
        {"videos": array(STRING), "channels": array(STRING), "playlists": array(STRING)},
        description="the ids queued, by kind",
    ),
    "CookieState": obj(
        {
            "cookie_enabled": BOOLEAN,
            "status": {"type": "boolean", "description": "true once YouTube accepted it"},
            "validated": {"anyOf": [EPOCH, FALSE], "description": "when it was last checked, or false"},
            "validated_str": {"anyOf": [STRING, FALSE]},
            "message": {"type": "string", "description": "why the last check failed"},
        },
        required=["cookie_enabled", "status", "validated", "validated_str"],
    ),
    "CookieValidated": obj({"cookie_validated": BOOLEAN}),
    "CookieImported": obj({"cookie_import": {"type": "string", "enum": ["done", "fail"]}, "cookie_validated": BOOLEAN}),
    "SearchResults": obj(
        {
            "results": obj(
                {
                    "video_results": array({"type": "object"}),
                    "channel_results": array({"type": "object"}),
                    "playlist_results": array({"type": "object"}),
                    "fulltext_results": array({"type": "object"}),
                }
            ),
            "queryType": {"type": "string", "enum": ["simple", "video", "channel", "playlist", "full"]},
        }
    ),
    "AppConfig": obj(
        {"subscriptions": {"type": "object"}, "downloads": {"type": "object"}, "application": {"type": "object"}}
    ),
    "Ping": obj(
        {
            "response": {"type": "string", "enum": ["pong"]},
            "user": INTEGER,
            "version": STRING,  # the TubeArchivist API version
            "ytarchive_version": STRING,
            "downloader": obj(
                {"yt_dlp": STRING, "deno": NULLABLE_STRING, "ejs": NULLABLE_STRING, "recorded": EPOCH},
                nullable=True,
                description="what the downloads last ran with (yt-dlp, deno, the solver); null before the first",
            ),
        }
    ),
    "ProxyState": obj(
        {
            "proxy_enabled": BOOLEAN,
            "proxy": {**NULLABLE_STRING, "description": "scheme, host, port and path: never the credentials"},
        },
        required=["proxy_enabled", "proxy"],
    ),
    "ProxySet": obj({"proxy": {"type": "string", "description": "http(s) or socks URL, credentials allowed"}}),
    # -- Invidious
    "Thumbnail": THUMBNAIL,
    "ShortVideo": obj(
        {
            "type": {"type": "string", "enum": ["shortVideo"]},
            "title": STRING,
            "videoId": STRING,
            "videoThumbnails": array(ref("Thumbnail")),
            "lengthSeconds": INTEGER,
            "author": STRING,
            "authorId": STRING,
            "authorUrl": STRING,
            "published": EPOCH,
            "publishedText": STRING,
            "viewCount": INTEGER,
        }
    ),
    "Feed": obj({"notifications": array(ref("ShortVideo")), "videos": array(ref("ShortVideo"))}),
    "PlaylistVideo": obj(
        {
            "type": {"type": "string", "enum": ["video"]},
            "title": STRING,
            "videoId": STRING,
            "author": STRING,
            "authorId": STRING,
            "authorUrl": STRING,
            "videoThumbnails": array(ref("Thumbnail")),
            "index": INTEGER,
            "indexId": {"type": "string", "description": "upper-case hex"},
            "lengthSeconds": INTEGER,
            "liveNow": BOOLEAN,
        }
    ),
    "InvidiousPlaylist": obj(
        {
            "type": {"type": "string", "enum": ["invidiousPlaylist"]},
            "title": STRING,
            "playlistId": STRING,
            "author": STRING,
            "authorId": {"type": "string", "nullable": True},
            "authorUrl": {"type": "string", "nullable": True},
            "authorThumbnails": array({"type": "object"}),
            "description": STRING,
            "descriptionHtml": STRING,
            "videoCount": INTEGER,
            "viewCount": INTEGER,
            "updated": EPOCH,
            "isListed": BOOLEAN,
            "videos": array(ref("PlaylistVideo")),
        }
    ),
    "Privacy": {"type": "string", "enum": ["public", "unlisted", "private"]},
    "PlaylistCreate": obj({"title": {"type": "string", "maxLength": 150}, "privacy": ref("Privacy")}),
    "PlaylistCreated": obj({"title": STRING, "playlistId": STRING}),
    "PlaylistUpdate": obj({"title": STRING, "description": STRING, "privacy": ref("Privacy")}, required=[]),
    "PlaylistVideoAdd": obj({"videoId": {"type": "string", "pattern": ids.VIDEO_ID.pattern}}),
    "Preferences": obj(
        {
            "annotations": BOOLEAN,
            "annotations_subscribed": BOOLEAN,
            "autoplay": BOOLEAN,
            "captions": PREF_LIST,
            "comments": PREF_LIST,
            "continue": BOOLEAN,
            "continue_autoplay": BOOLEAN,
            "dark_mode": PREF_TEXT,
            "latest_only": BOOLEAN,
            "listen": BOOLEAN,
            "local": BOOLEAN,
            "locale": PREF_TEXT,
            "max_results": {"type": "integer", "minimum": 0, "maximum": 1500},
            "notifications_only": BOOLEAN,
            "player_style": PREF_TEXT,
            "quality": PREF_TEXT,
            "default_home": PREF_TEXT,
            "feed_menu": PREF_LIST,
            "related_videos": BOOLEAN,
            "sort": PREF_TEXT,
            "speed": {"type": "number", "minimum": 0.1, "maximum": 16},
            "thin_mode": BOOLEAN,
            "unseen_only": BOOLEAN,
            "video_loop": BOOLEAN,
            "volume": {"type": "integer", "minimum": 0, "maximum": 100},
            "watch_history": BOOLEAN,
        }
    ),
    "Subscription": obj({"author": STRING, "authorId": STRING}),
    "Session": obj({"session": STRING, "issued": EPOCH}),
    "Scopes": array(
        {"type": "string", "description": "METHODS:ENDPOINT, e.g. GET:feed, :playlists*, GET;POST:preferences"},
        minItems=1,
    ),
    "TokenRequest": obj(
        {
            "scopes": ref("Scopes"),
            "callbackUrl": {"type": "string", "nullable": True},
            "expire": {"type": "integer", "minimum": 0, "description": "seconds from now, or a unix time"},
        },
        required=["scopes"],
    ),
    "Token": obj(
        {
            "session": STRING,
            "scopes": array(STRING),
            "expire": {"type": "integer", "description": "absolute unix time; absent when it never expires"},
            "signature": STRING,
        },
        required=["session", "scopes", "signature"],
    ),
    "TokenRevoke": obj({"session": STRING}, required=[]),
}


# ---------------------------------------------------------------- reusable responses

RESPONSES = {
    "BadRequest": answer("malformed or invalid input", ref("Error")),
    "TaForbidden": answer("no or bad credentials", ref("AuthError")),
    "TaNotFound": answer("unknown item, or a page past the last one", ref("NotFound")),
    "InvidiousError": answer("refused: not authenticated, expired, erroneous token, scope, signature", ref("Error")),
    "InvidiousNotFound": answer("unknown item", ref("Error")),
    "PayloadTooLarge": answer("request body too large", ref("Error")),
    "UnsupportedMediaType": answer("request body is not JSON", ref("Error")),
    "Conflict": answer("conflicts with the current state", ref("Error")),
    "NoContent": answer("done"),
}


def one(name: str) -> dict:
    return obj({"data": ref(name), "config": ref("Config")})


def listed(name: str, paged: bool = True) -> dict:
    fields = {"data": array(ref(name)), "config": ref("Config")}
    if paged:
        fields["paginate"] = ref("Paginate")
    return obj(fields)


def ok(description: str, schema: dict | None = None, media_type: str = JSON, headers: dict | None = None) -> dict:
    return {"200": answer(description, schema, media_type, headers)}


NOT_FOUND = {"404": use("TaNotFound")}
BAD_QUERY = {"400": use("BadRequest")}
IV_NOT_FOUND = {"404": use("InvidiousNotFound")}
LOCATION = {"Location": {"description": "where the client goes next", "schema": STRING}}
REDIRECT = {"302": answer("redirect to a short-lived presigned URL of the S3 object", headers=LOCATION)}
HTML_PAGE = {"type": "string", "description": "an HTML page"}
SET_COOKIE = {"Set-Cookie": {"description": "the session cookie", "schema": STRING}}
RETRY_AFTER = {"Retry-After": {"description": "seconds until a login is let through again", "schema": STRING}}


# ---------------------------------------------------------------- TubeArchivist paths


def _video_paths() -> dict:
    return {
        "/api/video": {
            "get": operation(
                "video",
                "List archived videos, newest published first; v0.5's filters narrow or reorder the list",
                {**ok("one page of videos (a page past the last is empty)", listed("Video")), **BAD_QUERY},
                parameters=[
                    PAGE,
                    query_param("channel", "only this channel's videos", {"type": "string", "pattern": "^UC"}),
                    query_param("playlist", "only this playlist's archived videos"),
                    query_param("sort", "what orders the list", {"type": "string", "enum": ["published"]}),
                    query_param(
                        "order", "newest (desc) or oldest (asc) first", {"type": "string", "enum": ["desc", "asc"]}
                    ),
                ],
            )
        },
        "/api/video/{video_id}": {
            "parameters": [VIDEO_ID],
            "get": operation("video", "One video", {**ok("the video", one("Video")), **NOT_FOUND}),
            "delete": operation(
                "video",
                "Delete a video, its files and its playlist membership",
                {**ok("deleted", ref("VideoDeleted")), **NOT_FOUND},
                parameters=[{**VIDEO_ID, "example": "vid00000003"}],
            ),
        },
        "/api/video/{video_id}/progress": {
            "parameters": [VIDEO_ID],
            "get": operation(
                "video", "The user's player position (0 when unset)", {**ok("position", ref("Progress")), **NOT_FOUND}
            ),
            "post": operation(
                "video",
                "Set the user's player position; past the watched threshold the video is marked watched",
                {**ok("saved position", ref("Progress")), **NOT_FOUND},
                request=body(ref("ProgressUpdate"), example={"position": 100}),
            ),
            "delete": operation("video", "Forget the user's player position", {"204": use("NoContent"), **NOT_FOUND}),
        },
        "/api/video/{video_id}/comment": {
            "parameters": [VIDEO_ID],
            "get": operation(
                "video", "The video's comment threads", {**ok("comments", listed("Comment", False)), **NOT_FOUND}
            ),
        },
        "/api/video/{video_id}/similar": {
            "parameters": [VIDEO_ID],
            "get": operation(
                "video",
                "Up to 6 videos sharing the most tags and title words",
                {**ok("similar videos", listed("Video", False)), **NOT_FOUND},
            ),
        },
        "/api/video/{video_id}/sponsor": {
            "parameters": [VIDEO_ID],
            "get": operation(
                "video",
                "The stored SponsorBlock data, or null",
                {**ok("SponsorBlock data", {"anyOf": [ref("SponsorBlock")], "nullable": True}), **NOT_FOUND},
            ),
            "post": operation(
                "video",
                "Vote on a segment or submit one (validated, only simulated)",
                {**ok("accepted", ref("Success")), **NOT_FOUND},
                request=body(
                    {"oneOf": [ref("SponsorVote"), ref("SponsorSegment")]},
                    example={"vote": {"uuid": "abc", "yourVote": 1}},
                ),
            ),
        },
        "/api/watched": {
            "post": operation(
                "video",
                "Mark a video, a channel's videos or a playlist's videos watched or unwatched",
                {**ok("done", ref("Watched")), **NOT_FOUND},
                request=body(ref("Watched"), example={"id": VIDEO_EXAMPLE, "is_watched": True}),
            )
        },
    }


def _channel_paths() -> dict:
    return {
        "/api/channel": {
            "get": operation(
                "channel",
                "List channels",
                {**ok("one page of channels", listed("Channel")), **BAD_QUERY, **NOT_FOUND},
                parameters=[
                    PAGE,
                    query_param(
                        "filter", "only subscribed or unsubscribed ones", {"enum": ["subscribed", "unsubscribed"]}
                    ),
                ],
            ),
            "post": operation(
                "channel",
                "Subscribe to or unsubscribe from channels",
                ok("the changed channels", listed("Channel", False)),
                request=body(
                    ref("ChannelSubscriptions"),
                    example={"data": [{"channel_id": CHANNEL_EXAMPLE, "channel_subscribed": True}]},
                ),
            ),
        },
        "/api/channel/search": {
            "get": operation(
                "channel",
                "Find a channel by id, URL or @handle",
                {**ok("the channel", one("Channel")), **BAD_QUERY, **NOT_FOUND},
                parameters=[query_param("q", "a channel id, a channel URL or an @handle", required=True)],
            )
        },
        "/api/channel/{channel_id}": {
            "parameters": [CHANNEL_ID],
            "get": operation("channel", "One channel", {**ok("the channel", one("Channel")), **NOT_FOUND}),
            "post": operation(
                "channel",
                "Set the channel's overwrites (download_format, autodelete_days, integrate_sponsorblock); "
                "false or null removes one (admins)",
                {**ok("the channel", one("Channel")), **NOT_FOUND},
                request=body(
                    obj({"channel_overwrites": {"type": "object"}}),
                    example={"channel_overwrites": {"download_format": "bestvideo[height<=720]+bestaudio"}},
                ),
            ),
            "delete": operation(
                "channel",
                "Remove a channel with its videos and files",
                {"204": use("NoContent"), **NOT_FOUND},
                parameters=[{**CHANNEL_ID, "example": "UC0000000000000000000002"}],
            ),
        },
        "/api/channel/{channel_id}/video": {
            "parameters": [CHANNEL_ID],
            "get": operation(
                "channel",
                "A channel's videos, newest published first",
                {**ok("one page of videos", listed("Video")), **BAD_QUERY, **NOT_FOUND},
                parameters=[PAGE],
            ),
        },
    }


def _playlist_paths() -> dict:
    return {
        "/api/playlist": {
            "get": operation(
                "playlist",
                "List playlists",
                {**ok("one page of playlists", listed("Playlist")), **BAD_QUERY, **NOT_FOUND},
                parameters=[PAGE],
            )
        },
        "/api/playlist/{playlist_id}": {
            "parameters": [PLAYLIST_ID],
            "get": operation("playlist", "One playlist", {**ok("the playlist", one("Playlist")), **NOT_FOUND}),
            "post": operation(
                "playlist",
                "Subscribe to the archived YouTube playlist, or end the subscription (v0.5)",
                {**ok("the playlist", one("Playlist")), **NOT_FOUND},
                request=body(ref("PlaylistChange"), example={"playlist_subscribed": True}),
            ),
            "delete": operation(
                "playlist",
                "Remove the playlist (v0.5); with delete_videos its archived videos too",
                {"204": use("NoContent"), **BAD_QUERY, **NOT_FOUND},
                parameters=[query_param("delete_videos", "also delete its archived videos and their files", BOOLEAN)],
            ),
        },
        "/api/playlist/{playlist_id}/video": {
            "parameters": [PLAYLIST_ID],
            "get": operation(
                "playlist",
                "A playlist's archived videos",
                {**ok("one page of videos", listed("Video")), **BAD_QUERY, **NOT_FOUND},
                parameters=[PAGE],
            ),
        },
    }


def _download_paths() -> dict:
    status_filter = query_param("filter", "only items of this status", {"enum": ["pending", "ignore"]})
    return {
        "/api/download": {
            "get": operation(
                "download",
                "The download queue: auto-start items first, then oldest added",
                {**ok("one page of queued videos", listed("DownloadItem")), **BAD_QUERY, **NOT_FOUND},
                parameters=[PAGE, status_filter, query_param("channel", "only items of this channel id")],
            ),
            "patch": operation(
                "download",
                "Give every queued item of one status (and channel) a new status (v0.5)",
                {"204": use("NoContent"), **BAD_QUERY},
                parameters=[
                    query_param("filter", "the items' status now", {"enum": ["pending", "ignore"]}, required=True),
                    query_param("channel", "only this channel's items"),
                ],
                request=body(ref("DownloadBulkChange"), example={"status": "ignore"}),
            ),
            "post": operation(
                "download",
                "Queue videos, channels (all their videos) and playlists by id or URL",
                {**ok("what was queued", ref("DownloadAdded")), **BAD_QUERY},
                parameters=[query_param("autostart", "start downloading them now", BOOLEAN)],
                request=body(
                    ref("DownloadRequest"), example={"data": [{"youtube_id": "NYj3DnI81AQ", "status": "pending"}]}
                ),
            ),
            "delete": operation(
                "download",
                "Remove every queued item of a status",
                {**ok("removed", ref("DownloadCleared")), **BAD_QUERY},
                parameters=[{**status_filter, "required": True}],
            ),
        },
        "/api/download/{video_id}": {
            "parameters": [VIDEO_ID],
            "get": operation("download", "One queued video", {**ok("the item", one("DownloadItem")), **NOT_FOUND}),
            "post": operation(
                "download",
                "Ignore a queued video, queue it again, or download it next (priority)",
                {**ok("changed", obj({"youtube_id": STRING, "status": STRING})), **NOT_FOUND},
                request=body(ref("DownloadStatus"), example={"status": "ignore"}),
            ),
            "delete": operation(
                "download",
                "Forget a queued video",
                {**ok("removed", obj({"success": TRUE, "youtube_id": STRING})), **NOT_FOUND},
            ),
        },
    }


def _snapshot_paths() -> dict:
    snapshot_id = path_param("snapshot_id", "a snapshot id: ta_daily_ and a random part")
    return {
        "/api/snapshot": {
            "get": operation("snapshot", "Snapshot settings and snapshots, newest first", ok("", ref("SnapshotList"))),
            "post": operation(
                "snapshot",
                "Start a snapshot now (runs in the background)",
                {**ok("started", ref("SnapshotCreated")), "400": answer("snapshots are disabled", ref("Error"))},
            ),
        },
        "/api/snapshot/{snapshot_id}": {
            "parameters": [snapshot_id],
            "get": operation("snapshot", "One snapshot", {**ok("the snapshot", ref("Snapshot")), **NOT_FOUND}),
            "post": operation(
                "snapshot",
                "Restore this snapshot: the archive's state becomes the snapshot's",
                {
                    **ok("restore started", ref("Accepted")),
                    "400": answer("the snapshot is damaged or incomplete", ref("Error")),
                    **NOT_FOUND,
                },
            ),
            "delete": operation(
                "snapshot", "Delete this snapshot", {**ok("deleted", ref("Acknowledged")), **NOT_FOUND}
            ),
        },
    }


def _other_ta_paths() -> dict:
    return {
        "/api/login": {
            "post": operation(
                "session",
                "Exchange a username and password for the API token (and a session cookie)",
                {
                    **ok("the user's token", ref("LoginToken"), headers=SET_COOKIE),
                    "400": answer("bad credentials or body", {"anyOf": [ref("LoginError"), ref("Error")]}),
                    "429": answer("too many failed logins of this name or from this client", headers=RETRY_AFTER),
                },
                security=PUBLIC,
                request=body(ref("Login"), example={"username": "admin", "password": "secret"}),
            )
        },
        "/api/logout": {
            "post": operation(
                "session",
                "End the session of the session cookie (the API token stays)",
                {"204": answer("ended; the cookie cleared", headers=SET_COOKIE)},
            )
        },
        "/api/ping": {"get": operation("session", "Check the connection and the credentials", ok("pong", ref("Ping")))},
        "/api/task": {
            "get": operation("task", "Whether a rescan or downloads are running", ok("task state", ref("TaskState"))),
            "post": operation(
                "task",
                "Start a background task",
                ok("started", ref("TaskStarted")),
                request=body(ref("TaskRun"), example={"run": "download_pending"}),
            ),
        },
        "/api/refresh": {
            "get": operation(
                "refresh",
                "How many items wait for a refresh",
                {**ok("refresh state", ref("RefreshState")), **BAD_QUERY},
                parameters=[
                    query_param("type", "kind of item", {"enum": ["video", "channel", "playlist"]}),
                    query_param("id", "one item's id"),
                ],
            ),
            "post": operation(
                "refresh",
                "Queue videos, channels and playlists for a metadata refresh",
                {**ok("queued", ref("RefreshQueued")), **NOT_FOUND},
                parameters=[
                    query_param("extract_videos", "also re-read every video of the channels and playlists", BOOLEAN)
                ],
                request=body(ref("RefreshRequest"), example={"videos": [VIDEO_EXAMPLE]}),
            ),
        },
        "/api/appsettings/config": {
            "get": operation("settings", "The app settings now in effect", ok("settings", ref("AppConfig"))),
            "post": operation(
                "settings",
                "Change some app settings (admins); an unknown key or a wrong value is a 400 and changes nothing",
                ok("the settings now in effect", ref("AppConfig")),
                request=body(ref("AppConfig"), example={"downloads": {"autodelete_days": 30, "format": None}}),
            ),
        },
        "/api/cookie": {
            "get": operation("cookie", "The YouTube cookie's state", ok("cookie state", ref("CookieState"))),
            "post": operation("cookie", "Validate the stored cookie", ok("validation result", ref("CookieValidated"))),
            "put": operation(
                "cookie",
                "Import a cookie and validate it",
                {
                    **ok("imported and valid", ref("CookieImported")),
                    "400": answer(
                        "invalid body, or the cookie did not validate", {"anyOf": [ref("CookieImported"), ref("Error")]}
                    ),
                },
                request=body(ref("CookieImport"), example={"cookie": "# Netscape HTTP Cookie File\n"}),
            ),
        },
        "/api/proxy": {
            "get": operation("proxy", "Whether yt-dlp goes through a proxy", ok("proxy state", ref("ProxyState"))),
            "put": operation(
                "proxy",
                "Send every YouTube request through a proxy (kept as a secret)",
                ok("proxy state", ref("ProxyState")),
                request=body(ref("ProxySet"), example={"proxy": "socks5://user:secret@proxy.example:1080"}),
            ),
            "delete": operation("proxy", "Stop using the proxy", ok("proxy state", ref("ProxyState"))),
        },
        "/api/search": {
            "get": operation(
                "search",
                "Search videos, channels, playlists and subtitles",
                {**ok("results", ref("SearchResults")), **BAD_QUERY},
                parameters=[
                    query_param("query", "search text, optionally video:, channel:, playlist: or full:", required=True)
                ],
            )
        },
    }


def _stats_paths() -> dict:
    sums = obj({"doc_count": INTEGER, "media_size": INTEGER, "duration": INTEGER, "duration_str": STRING})
    share = obj({"duration": INTEGER, "duration_str": STRING, "progress": NUMBER, "items": INTEGER})
    items = obj({f"{key}_{flag}": INTEGER for key in ("active", "subscribed") for flag in ("true", "false")})
    items["properties"]["doc_count"] = INTEGER
    videos = obj(
        {
            **sums["properties"],
            **{f"type_{vid_type}": sums for vid_type in ("videos", "shorts", "streams")},
            "active_true": sums,
            "active_false": sums,
        }
    )
    queue = obj(
        {name: INTEGER for name in ("pending", "ignore", "pending_videos", "pending_shorts", "pending_streams")}
    )
    watch = obj(
        {
            "total": obj({"duration": INTEGER, "duration_str": STRING, "items": INTEGER}),
            "watched": share,
            "unwatched": share,
        }
    )
    day = obj({"date": STRING, "count": INTEGER, "media_size": INTEGER})
    channel = obj(
        {
            "id": STRING,
            "name": STRING,
            "doc_count": INTEGER,
            "duration": INTEGER,
            "duration_str": STRING,
            "media_size": INTEGER,
        }
    )
    order = query_param("order", "what ranks the channels", {"enum": ["doc_count", "duration", "media_size"]})
    return {
        "/api/stats/video": {
            "get": operation("stats", "Videos: count, bytes, seconds; by type, active", ok("stats", videos))
        },
        "/api/stats/channel": {"get": operation("stats", "Channels: active, subscribed", ok("stats", items))},
        "/api/stats/playlist": {"get": operation("stats", "Playlists: active, subscribed", ok("stats", items))},
        "/api/stats/download": {"get": operation("stats", "The download queue by status and type", ok("stats", queue))},
        "/api/stats/watch": {
            "get": operation("stats", "The viewer's watched and unwatched videos", ok("stats", watch))
        },
        "/api/stats/downloadhist": {
            "get": operation("stats", "Videos downloaded on each of the last 8 days", ok("days", array(day)))
        },
        "/api/stats/biggestchannels": {
            "get": operation(
                "stats",
                "The 10 channels with the most videos, seconds or bytes",
                {**ok("channels", array(channel)), **BAD_QUERY},
                parameters=[order],
            )
        },
    }


def _file_paths() -> dict:
    def file(summary: str, parameters: list) -> dict:
        return {
            "parameters": parameters,
            "get": operation("files", summary, {**REDIRECT, "404": use("TaNotFound")}),
        }

    return {
        "/media/{channel_id}/{filename}": file(
            "A video or subtitle file",
            [
                CHANNEL_ID,
                path_param("filename", "<video id>.<ext> or <video id>.<lang>.vtt", None, f"{VIDEO_EXAMPLE}.mp4"),
            ],
        ),
        "/cache/videos/{shard}/{filename}": file(
            "A video thumbnail",
            [
                path_param("shard", "the video id's first character", None, VIDEO_EXAMPLE[0]),
                path_param("filename", "<video id>.jpg", None, f"{VIDEO_EXAMPLE}.jpg"),
            ],
        ),
        "/cache/channels/{filename}": file(
            "A channel's thumbnail, banner or TV art",
            [
                path_param(
                    "filename",
                    "<channel id>_thumb.jpg, _banner.jpg or _tvart.jpg",
                    None,
                    f"{CHANNEL_EXAMPLE}_thumb.jpg",
                )
            ],
        ),
        "/cache/playlists/{filename}": file(
            "A playlist thumbnail",
            [path_param("filename", "<playlist id>.jpg", None, f"{PLAYLIST_EXAMPLE}.jpg")],
        ),
    }


# ---------------------------------------------------------------- Invidious paths


def _iv(summary: str, responses: dict, **more) -> dict:
    return operation("invidious", summary, responses, security=INVIDIOUS, **more)


NO_CONTENT = {"204": use("NoContent")}
IV_BAD = {"400": use("BadRequest")}
EVENT_STREAM = {
    "200": answer(
        "events `id: <n>` / `data: <video JSON>` and `:keepalive <unix>` comments; ends after the replay",
        obj(
            {"id": STRING, "event": STRING, "data": {"type": "string", "description": "a ShortVideo as JSON"}},
            required=["data"],
            description="one server-sent event",
        ),
        "text/event-stream",
    )
}
TOPICS = query_param("topics", "comma-separated channel ids, at most 1000")
SINCE = query_param("since", "replay videos published after this unix time", {"type": "integer", "minimum": 0})
IV_PAGE = query_param("page", "page number, from 1", {"type": "integer", "minimum": 1, "maximum": 100000})
MAX_RESULTS = query_param("max_results", "page size", {"type": "integer", "minimum": 0, "maximum": 1500})
PLAYLIST_PAGE = query_param("page", "page of 100 videos, from 1", {"type": "integer", "minimum": 0, "maximum": 100000})


def _invidious_paths() -> dict:
    auth = "/api/v1/auth"
    return {
        f"{auth}/feed": {
            "get": _iv(
                "Archived videos of the user's subscriptions, newest first; unseen ones under notifications",
                {**ok("one page of the feed", ref("Feed")), **IV_BAD},
                parameters=[MAX_RESULTS, IV_PAGE],
            )
        },
        f"{auth}/notifications": {
            "get": _iv(
                "Replay recent videos of the given channels as server-sent events",
                {**EVENT_STREAM, **IV_BAD},
                parameters=[TOPICS, SINCE],
            ),
            "post": _iv(
                "As GET, with the topics in a form body",
                {**EVENT_STREAM, **IV_BAD, "415": use("UnsupportedMediaType"), "413": use("PayloadTooLarge")},
                parameters=[SINCE],
                request=body(
                    obj({"topics": STRING, "since": STRING}, required=[]),
                    FORM,
                    required=False,
                ),
            ),
        },
        f"{auth}/playlists": {
            "get": _iv("The user's playlists", ok("playlists", array(ref("InvidiousPlaylist")))),
            "post": _iv(
                "Create a playlist",
                {
                    "201": answer(
                        "created",
                        ref("PlaylistCreated"),
                        headers={"Location": {"description": "the new playlist's URL", "schema": STRING}},
                    )
                },
                request=body(ref("PlaylistCreate"), example={"title": "Later", "privacy": "private"}),
            ),
        },
        f"{auth}/playlists/{{playlist_id}}": {
            "parameters": [IV_PLAYLIST_ID],
            "get": _iv(
                "One playlist (also private ones of the user), 100 videos a page",
                {**ok("the playlist", ref("InvidiousPlaylist")), **IV_BAD, **IV_NOT_FOUND},
                parameters=[PLAYLIST_PAGE],
            ),
            "patch": _iv(
                "Change a playlist's title, description or privacy",
                {**NO_CONTENT, **IV_NOT_FOUND},
                request=body(ref("PlaylistUpdate"), example={"title": "Watch later"}),
            ),
            "delete": _iv("Delete a playlist", {**NO_CONTENT, **IV_NOT_FOUND}),
        },
        f"{auth}/playlists/{{playlist_id}}/videos": {
            "parameters": [IV_PLAYLIST_ID],
            "post": _iv(
                "Append a video: an archived one, or one whose metadata yt-dlp can read",
                {
                    "201": answer(
                        "added",
                        ref("PlaylistVideo"),
                        headers={"Location": {"description": "the new entry's URL", "schema": STRING}},
                    ),
                    **IV_NOT_FOUND,
                },
                request=body(ref("PlaylistVideoAdd"), example={"videoId": VIDEO_EXAMPLE}),
            ),
        },
        f"{auth}/playlists/{{playlist_id}}/videos/{{index_id}}": {
            "parameters": [IV_PLAYLIST_ID, path_param("index_id", "the entry's indexId", None, INDEX_EXAMPLE)],
            "delete": _iv("Remove one entry", {**NO_CONTENT, **IV_NOT_FOUND}),
        },
        f"{auth}/preferences": {
            "get": _iv("Every preference, defaults filled in", ok("preferences", ref("Preferences"))),
            "post": _iv(
                "Change some preferences (unknown fields are ignored)",
                NO_CONTENT,
                request=body(obj(SCHEMAS["Preferences"]["properties"], required=[]), example={"speed": 2.0}),
            ),
        },
        f"{auth}/subscriptions": {
            "get": _iv("The user's subscriptions", ok("subscriptions", array(ref("Subscription")))),
        },
        f"{auth}/subscriptions/{{ucid}}": {
            "parameters": [UCID],
            "post": _iv("Subscribe (the archive subscribes too)", NO_CONTENT),
            "delete": _iv("Unsubscribe", NO_CONTENT),
        },
        f"{auth}/history": {
            "get": _iv(
                "Watched video ids, most recent first",
                {**ok("video ids", array(STRING)), **IV_BAD},
                parameters=[IV_PAGE, MAX_RESULTS],
            ),
            "delete": _iv("Clear the watch history", NO_CONTENT),
        },
        f"{auth}/history/{{video_id}}": {
            "parameters": [VIDEO_ID],
            "post": _iv(
                "Mark an archived video watched",
                {**NO_CONTENT, **IV_BAD, **IV_NOT_FOUND, "409": use("Conflict")},
            ),
            "delete": _iv("Mark a video unwatched", {**NO_CONTENT, **IV_BAD, "409": use("Conflict")}),
        },
        f"{auth}/tokens": {
            "get": _iv(
                "The user's sessions (tokens and web logins), newest first", ok("sessions", array(ref("Session")))
            )
        },
        f"{auth}/tokens/register": {
            "post": _iv(
                "A new token with the asked scopes the caller's own scopes cover",
                ok("the token", ref("Token")),
                request={
                    "required": True,
                    "content": {
                        JSON: {"schema": ref("TokenRequest"), "example": {"scopes": ["GET:feed"], "expire": 3600}},
                        FORM: {"schema": obj({"scopes": STRING, "callbackUrl": STRING, "expire": STRING}, required=[])},
                    },
                },
            )
        },
        f"{auth}/tokens/unregister": {
            "post": _iv(
                "Revoke one of the caller's sessions (the caller's own when no session is given)",
                {**NO_CONTENT, **IV_NOT_FOUND},
                request=body(ref("TokenRevoke"), required=False),
            )
        },
        "/api/v1/playlists/{playlist_id}": {
            "parameters": [IV_PLAYLIST_ID],
            "get": operation(
                "invidious",
                "A public or unlisted playlist (private ones only for their owner's credentials)",
                {**ok("the playlist", ref("InvidiousPlaylist")), **IV_BAD, **IV_NOT_FOUND},
                security=[*INVIDIOUS, {}],
                parameters=[PLAYLIST_PAGE],
            ),
        },
    }


def _page_paths() -> dict:
    page = {"200": answer("the page", HTML_PAGE, HTML)}
    refused = answer("the page, with the reason", HTML_PAGE, HTML)
    redirect = {"302": answer("redirect", headers={**LOCATION, **SET_COOKIE})}
    authorize_query = [
        query_param("scopes", "comma-separated scopes"),
        query_param("callback_url", "where to send the token"),
        query_param("expire", "token lifetime in seconds"),
    ]
    form = obj(
        {
            "scopes": STRING,
            "callback_url": STRING,
            "expire": STRING,
            "csrf_token": STRING,
        },
        required=[],
    )
    login_form = obj(
        {"email": STRING, "username": STRING, "password": STRING, "referer": STRING, "csrf_token": STRING},
        required=[],
    )
    return {
        "/login": {
            "get": operation(
                "web",
                "The Invidious sign-in form",
                {**page, "400": refused, "413": refused},
                security=PUBLIC,
                parameters=[query_param("referer", "a local path to go to after signing in")],
            ),
            "post": operation(
                "web",
                "Sign in: SID cookie and 302 to the referer (the form again on failure)",
                {**redirect, "400": refused, "403": refused, "413": refused, "415": refused, "429": refused},
                security=PUBLIC,
                parameters=[query_param("referer", "a local path to go to after signing in")],
                request=body(login_form, FORM),
            ),
        },
        "/logout": {
            "post": operation(
                "web",
                "Sign out: the SID's web login ends, the cookie is cleared, 302 to /login",
                {**redirect, "403": answer("a cross-site request, refused", ref("Error"))},
                security=PUBLIC,
            )
        },
        "/authorize_token": {
            "get": operation(
                "web",
                "The consent page for a token (302 to /login when signed out)",
                {**page, **redirect, "400": refused, "413": refused},
                security=PUBLIC,
                parameters=authorize_query,
                description="Signed in means the SID cookie of a web login.",
            ),
            "post": operation(
                "web",
                "Approve: issue the token and 302 to the callback with token and username, or show the token",
                {**page, **redirect, "400": refused, "403": refused, "413": refused, "415": refused},
                security=PUBLIC,
                request=body(form, FORM),
            ),
        },
    }


def _docs_paths() -> dict:
    asset = path_param("asset_name", "a Swagger UI file", None, "swagger-ui.css")
    return {
        "/api/docs": {
            "get": operation("docs", "This document", ok("the OpenAPI document", {"type": "object"}), security=PUBLIC)
        },
        "/api/docs/ui": {
            "get": operation("docs", "Swagger UI for this document", ok("the page", HTML_PAGE, HTML), security=PUBLIC)
        },
        "/api/docs/ui/{asset_name}": {
            "parameters": [asset],
            "get": operation(
                "docs",
                "A Swagger UI script or stylesheet",
                {
                    "200": {
                        "description": "the file",
                        "content": {
                            "application/javascript": {"schema": STRING},
                            "text/css": {"schema": STRING},
                        },
                    },
                    "404": use("TaNotFound"),
                },
                security=PUBLIC,
            ),
        },
    }


def _users_paths() -> dict:
    user = obj({"username": STRING, "user_id": INTEGER, "is_admin": BOOLEAN, "created": INTEGER})
    username = path_param("username", "a user's login name", None, "admin")
    return {
        "/api/users/me": {
            "get": operation(
                "users",
                "Who is signed in: the user, or signed_in false",
                ok("the user", obj({**user["properties"], "signed_in": BOOLEAN})),
                security=PUBLIC,
            )
        },
        "/api/users/me/continue": {
            "get": operation(
                "users",
                "The signed-in user's started, unfinished videos (player.position: the saved second)",
                ok("the videos", obj({"data": array(ref("Video")), "config": {"type": "object"}})),
            )
        },
        "/api/users": {
            "get": operation("users", "Every user (admins)", ok("the users", obj({"data": array(user)}))),
            "post": operation(
                "users",
                "Create a user (admins); the answer holds their API token",
                {"201": answer("created", obj({**user["properties"], "token": STRING})), "409": use("Conflict")},
                request=body(ref("NewUser")),
            ),
        },
        "/api/users/{username}": {
            "parameters": [username],
            "delete": operation(
                "users",
                "Remove a user and every credential of theirs (admins)",
                {"204": answer("removed"), "400": use("BadRequest"), "404": use("TaNotFound")},
            ),
        },
        "/api/users/{username}/password": {
            "parameters": [username],
            "post": operation(
                "users",
                "Set a user's password (admins); their sessions end",
                {**ok("changed", obj({"username": STRING, "password_changed": BOOLEAN})), **NOT_FOUND},
                request=body(ref("NewPassword")),
            ),
        },
        "/api/users/{username}/token": {
            "parameters": [username],
            "post": operation(
                "users",
                "Issue a new API token for a user (admins); the old one stops working",
                {
                    **ok("the new token", obj({"username": STRING, "token": STRING})),
                    **NOT_FOUND,
                    "409": use("Conflict"),
                },
            ),
        },
    }


def _webapp_paths() -> dict:
    shell = operation(
        "webapp", "The web app's HTML shell (a client route)", ok("the page", HTML_PAGE, HTML), security=PUBLIC
    )
    paths: dict = {}
    for path in CLIENT_ROUTES:
        ids_in_path = {"{video_id}": VIDEO_ID, "{channel_id}": CHANNEL_ID, "{playlist_id}": PLAYLIST_ID}
        params = [ids_in_path[segment] for segment in path.split("/") if segment in ids_in_path]
        paths[path] = {"get": shell, **({"parameters": params} if params else {})}
    paths["/assets/{asset_name}"] = {
        "parameters": [path_param("asset_name", "a content-hashed file name", None, "main.0123456789ab.js")],
        "get": operation(
            "webapp",
            "A script, stylesheet or icon of the web app, cacheable for a year",
            {
                "200": {
                    "description": "the file",
                    "content": {"text/javascript": {"schema": STRING}, "text/css": {"schema": STRING}},
                },
                "404": use("TaNotFound"),
            },
            security=PUBLIC,
        ),
    }
    return paths


# ---------------------------------------------------------------- the document

DESCRIPTION = """\
A self-hosted YouTube archive on AWS serverless functions, with two APIs:

* the **TubeArchivist API** (`/api/...`): `Authorization: Token <key>` or the session cookie `/api/login` sets;
  items in envelopes `{"data", "config"}` (lists add `"paginate"`); errors `{"error": "..."}`, unknown items
  404 `{"data": false, "error": "..."}`, missing credentials 403 `{"detail": "..."}`.
* the **Invidious authenticated API** (`/api/v1/auth/...`): `Authorization: Bearer <token JSON>` with scopes,
  or the `SID` cookie of a web login (`/login`); tokens are approved at `/authorize_token`; errors
  `{"error": "..."}`.

Every path is served with and without a trailing slash. Files under `/media/` and `/cache/` answer 302 to a
short-lived presigned URL.
"""

SECURITY_SCHEMES = {
    "taToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <40-hex key>`: the user's API token (POST /api/login answers it)",
    },
    "taSession": {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": "set by POST /api/login"},
    "invidiousBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "Invidious token JSON (raw or URL-encoded; the Bearer prefix is optional)",
    },
    "invidiousSid": {"type": "apiKey", "in": "cookie", "name": "SID", "description": "set by POST /login"},
}

TAGS = [
    {"name": "video", "description": "archived videos, player progress, watched state"},
    {"name": "channel", "description": "channels and subscriptions"},
    {"name": "playlist", "description": "YouTube playlists in the archive"},
    {"name": "download", "description": "the download queue"},
    {"name": "task", "description": "background tasks"},
    {"name": "refresh", "description": "metadata refresh"},
    {"name": "snapshot", "description": "backups of the archive's state"},
    {"name": "cookie", "description": "the YouTube cookie yt-dlp uses"},
    {"name": "search", "description": "search the archive"},
    {"name": "session", "description": "login and ping"},
    {"name": "settings", "description": "the app settings of the config envelope"},
    {"name": "stats", "description": "statistics of the archive, read from counters"},
    {"name": "files", "description": "media files and images (302 to S3)"},
    {"name": "invidious", "description": "the Invidious authenticated API"},
    {"name": "invidious-public", "description": "the public Invidious API over the archive (PUBLIC_INVIDIOUS)"},
    {"name": "web", "description": "Invidious web pages: sign-in and token approval"},
    {"name": "docs", "description": "this document and its viewer"},
    {"name": "users", "description": "who is signed in; for admins, the archive's users"},
    {"name": "webapp", "description": "the archive's own web app: its HTML shell and hashed assets"},
]


# ---------------------------------------------------------------- the public Invidious API and signed links

SIGNED_LINK = [
    path_param("expires", "unix time the link stops working", None, "1767225600"),
    path_param("signature", "the link's HMAC, base64url", None, "c2lnbmF0dXJlc2lnbmF0dXJl"),
    path_param("folder", "the file's folder, base64url", None, "bWVkaWEvVUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDE"),
    path_param("filename", "the file's name", None, f"{VIDEO_EXAMPLE}.mp4"),
]
SIGNED_LINK_ERRORS = {"403": use("InvidiousError"), "404": use("InvidiousNotFound")}
SIGNED_FILE_HEADERS = {
    "Content-Type": {"description": "the file's type", "schema": STRING},
    "Content-Length": {"description": "the file's size in bytes", "schema": STRING},
}


OPEN_OR_SIGNED_IN = [{}, *INVIDIOUS, *TA]  # open when the owner opened it, else any credential
PRIVATE_API = {"403": answer("the API is private and no credential was sent", ref("Error"))}
IV_THUMBS = array(THUMBNAIL)
IV_AUTHOR_THUMB = array(obj({"url": STRING, "width": INTEGER, "height": INTEGER}))
IV_VIDEO_ITEM = obj(
    {
        "type": {"type": "string", "enum": ["video"]},
        "title": STRING,
        "videoId": STRING,
        "author": STRING,
        "authorId": STRING,
        "videoThumbnails": IV_THUMBS,
        "published": EPOCH,
        "lengthSeconds": INTEGER,
        "viewCount": INTEGER,
    },
    required=["type", "title", "videoId", "videoThumbnails"],
)
IV_FORMAT_STRINGS = {
    name: STRING for name in ("url", "itag", "type", "quality", "container", "encoding", "qualityLabel")
}
IV_FORMAT_STREAM = obj({**IV_FORMAT_STRINGS, "resolution": STRING, "size": STRING, "bitrate": STRING})
IV_VIDEO = obj(
    {
        "type": STRING,
        "title": STRING,
        "videoId": STRING,
        "videoThumbnails": IV_THUMBS,
        "authorThumbnails": IV_AUTHOR_THUMB,
        "dashUrl": {"type": "string", "description": "a signed link to the archived file (.mp4)"},
        "formatStreams": array(IV_FORMAT_STREAM),
        "adaptiveFormats": array(obj({})),
        "captions": array(obj({"label": STRING, "language_code": STRING, "url": STRING})),
        "recommendedVideos": array(obj({"videoId": STRING, "title": STRING})),
    },
    required=["videoId", "formatStreams", "dashUrl"],
    description="Invidious' video object (every field of GET /api/v1/videos/:id)",
)
IV_CHANNEL = obj(
    {
        "author": STRING,
        "authorId": STRING,
        "authorBanners": IV_AUTHOR_THUMB,
        "authorThumbnails": IV_AUTHOR_THUMB,
        "subCount": INTEGER,
        "autoGenerated": BOOLEAN,
        "latestVideos": array(IV_VIDEO_ITEM),
    },
    required=["author", "authorId"],
)
IV_CONTINUED = {"continuation": {"type": "string", "nullable": True, "description": "the next page's token"}}
IV_TAB = obj({"videos": array(IV_VIDEO_ITEM), **IV_CONTINUED})
IV_ITEMS = array(obj({"type": {"type": "string", "enum": ["video", "channel", "playlist", "shortVideo"]}}))
IV_CONTINUATION = query_param("continuation", "the token of the page before")
IV_Q = query_param("q", "the words to find")
IV_UCID = path_param("ucid", "a YouTube channel id", None, CHANNEL_EXAMPLE)
IV_VIDEO_ID = path_param("video_id", "a YouTube video id", None, VIDEO_EXAMPLE)


def _signed_link(summary: str, responses: dict, **more) -> dict:
    return operation("files", summary, responses, security=[], **more)


def _open_iv(summary: str, schema: dict | None, errors: dict | None = None, media_type: str = JSON, **more) -> dict:
    responses = {**ok(summary, schema, media_type), **PRIVATE_API, **(errors or {})}
    return operation("invidious-public", summary, responses, security=OPEN_OR_SIGNED_IN, **more)


def _iv_tab(name: str) -> dict:
    return {
        "get": _open_iv(
            f"A page of the channel's archived {name}, newest first",
            IV_TAB,
            {**IV_NOT_FOUND, **BAD_QUERY},
            parameters=[IV_UCID, IV_CONTINUATION],
        )
    }


def _public_invidious_paths() -> dict:
    api = "/api/v1"
    return {
        f"{api}/stats": {"get": _open_iv("What instance checks read: software, users, last update", obj({}))},
        f"{api}/videos/{{video_id}}": {
            "get": _open_iv(
                "A video: archived with its media, else read through the lookup function",
                IV_VIDEO,
                IV_NOT_FOUND,
                parameters=[IV_VIDEO_ID],
            )
        },
        f"{api}/channels/{{ucid}}": {
            "get": _open_iv("A channel with its latest videos", IV_CHANNEL, IV_NOT_FOUND, parameters=[IV_UCID])
        },
        f"{api}/channels/{{ucid}}/videos": _iv_tab("videos"),
        f"{api}/channels/{{ucid}}/latest": _iv_tab("latest videos"),
        f"{api}/channels/{{ucid}}/shorts": _iv_tab("shorts"),
        f"{api}/channels/{{ucid}}/streams": _iv_tab("streams"),
        f"{api}/channels/{{ucid}}/playlists": {
            "get": _open_iv(
                "The channel's archived playlists",
                obj({"playlists": IV_ITEMS, **IV_CONTINUED}),
                IV_NOT_FOUND,
                parameters=[IV_UCID],
            )
        },
        f"{api}/channels/{{ucid}}/search": {
            "get": _open_iv(
                "The channel's videos matching `q`", IV_ITEMS, IV_NOT_FOUND, parameters=[IV_UCID, IV_Q, IV_PAGE]
            )
        },
        f"{api}/search": {
            "get": _open_iv(
                "Search the archive",
                IV_ITEMS,
                BAD_QUERY,
                parameters=[
                    IV_Q,
                    query_param("type", "video (default), channel, playlist or all"),
                    IV_PAGE,
                    query_param("sort_by", "relevance, upload_date, view_count or rating"),
                ],
            ),
            "head": _open_iv("200: the instance searches (invidtui's check)", None),
        },
        f"{api}/search/suggestions": {
            "get": _open_iv(
                "Video titles for what was typed so far",
                obj({"query": STRING, "suggestions": array(STRING)}),
                parameters=[IV_Q],
            )
        },
        f"{api}/popular": {"get": _open_iv("The most viewed of the newest videos", IV_ITEMS)},
        f"{api}/trending": {"get": _open_iv("The newest downloads", IV_ITEMS)},
        f"{api}/comments/{{video_id}}": {
            "get": _open_iv(
                "The archived comments, 20 a page; a reply continuation pages a thread's replies",
                obj({"videoId": STRING, "comments": array(obj({})), **IV_CONTINUED}),
                {**IV_NOT_FOUND, **BAD_QUERY},
                parameters=[IV_VIDEO_ID, IV_CONTINUATION],
            )
        },
        f"{api}/captions/{{video_id}}": {
            "get": _open_iv(
                "The subtitle tracks; with `label` or `lang`, one track as WebVTT",
                obj({"captions": array(obj({}))}),
                IV_NOT_FOUND,
                parameters=[IV_VIDEO_ID, query_param("label", "a track's label"), query_param("lang", "a code")],
            )
        },
        "/vi/{video_id}/{name}": {
            "get": _open_iv(
                "A video's thumbnail (any quality name): 302 to the archived image",
                None,
                {**REDIRECT, **IV_NOT_FOUND},
                parameters=[IV_VIDEO_ID, path_param("name", "<quality>.jpg", None, "mqdefault.jpg")],
            )
        },
        signing.ROUTE: {
            "parameters": SIGNED_LINK,
            "get": _signed_link(
                "A file through a signed link: 302 to a presigned S3 URL", {**REDIRECT, **SIGNED_LINK_ERRORS}
            ),
            "head": _signed_link(
                "A file's type and size through a signed link",
                {**ok("the file's headers", headers=SIGNED_FILE_HEADERS), **SIGNED_LINK_ERRORS},
            ),
        },
    }


# ---------------------------------------------------------------- TubeArchivist v0.5 only (functions.http.ta5)

CSRF_COOKIES = {"Set-Cookie": {"description": "the session cookie and the csrftoken cookie", "schema": STRING}}
TA5_ERROR = {"400": answer("bad body or value", ref("Error"))}
TA5_NOT_FOUND = {"404": answer("not found", ref("Error"))}
USER_UI_CONFIG = obj(
    {name: STRING for name in ("stylesheet", "sort_by", "sort_order", "file_size_unit")}
    | {"page_size": INTEGER, "grid_items": INTEGER, "show_ignored_only": BOOLEAN, "show_help_text": BOOLEAN},
    description="the user's web UI settings (every field of UserConfig)",
)
ACCOUNT = obj(
    {
        "id": INTEGER,
        "name": STRING,
        "is_superuser": BOOLEAN,
        "is_staff": BOOLEAN,
        "groups": array(INTEGER),
        "user_permissions": array(INTEGER),
        "last_login": NULLABLE_STRING,
    }
)
NAV_FIELDS = {"youtube_id": STRING, "title": STRING, "uploader": STRING, "idx": INTEGER, "downloaded": BOOLEAN}
NAV_VIDEO = obj({**NAV_FIELDS, "vid_thumb": STRING}, nullable=True)
PLAYLIST_NAV = obj(
    {
        "playlist_meta": obj(
            {"current_idx": INTEGER, "playlist_id": STRING, "playlist_name": STRING, "playlist_channel": STRING}
        ),
        "playlist_previous": NAV_VIDEO,
        "playlist_next": NAV_VIDEO,
    }
)
TOKEN = obj({"token": STRING, "dialect": {"type": "string", "enum": ["v0.4", "v0.5"]}})


def _ta5_paths() -> dict:
    snapshot_id = path_param("snapshot_id", "a snapshot id: ta_daily_ and a random part")
    return {
        "/api/user/login": {
            "post": operation(
                "session",
                "Log in the v0.5 web frontend: a v0.5 session cookie and its CSRF token (csrftoken cookie)",
                {
                    "204": answer("logged in", headers=CSRF_COOKIES),
                    **TA5_ERROR,
                    "429": answer("too many failed logins of this name or from this client", headers=RETRY_AFTER),
                },
                security=PUBLIC,
                request=body(ref("WebLogin"), example={"username": "admin", "password": "secret"}),
            )
        },
        "/api/user/logout": {
            "post": operation("session", "End the session (both cookies cleared)", {"204": answer("ended")})
        },
        "/api/user/me": {
            "get": operation("session", "The user's web UI settings", ok("settings", USER_UI_CONFIG)),
            "post": operation(
                "session",
                "Change some of the user's web UI settings",
                ok("the settings now", USER_UI_CONFIG),
                request=body(ref("UserConfig"), example={"view_style_home": "list", "hide_watched": True}),
            ),
        },
        "/api/user/account": {"get": operation("session", "The signed-in account", ok("the account", ACCOUNT))},
        "/api/appsettings/cookie": {
            "get": operation("cookie", "The YouTube cookie's state", ok("cookie state", ref("CookieState"))),
            "post": operation("cookie", "Validate the stored cookie", ok("cookie state", ref("CookieState"))),
            "put": operation(
                "cookie",
                "Import a cookie and validate it; one YouTube refuses is not kept",
                {**ok("cookie state", ref("CookieState")), **TA5_ERROR},
                request=body(ref("CookieImport"), example={"cookie": "# Netscape HTTP Cookie File\n"}),
            ),
            "delete": operation("cookie", "Remove the cookie", NO_CONTENT),
        },
        "/api/appsettings/token": {
            "get": operation("session", "The caller's API token and its dialect", ok("the token", TOKEN)),
            "delete": operation(
                "session",
                "Revoke the caller's API token; a new one (in `dialect`, else the old one's) replaces it",
                {**NO_CONTENT, **BAD_QUERY},
                parameters=[query_param("dialect", "the new token's dialect", {"enum": ["v0.4", "v0.5"]})],
            ),
        },
        "/api/playlist/custom": {
            "post": operation(
                "playlist",
                "Create a custom playlist (v0.5)",
                {**ok("the new playlist", ref("Playlist"))},
                request=body(ref("CustomPlaylistNew"), example={"playlist_name": "Favourites"}),
            )
        },
        "/api/playlist/custom/{playlist_id}": {
            "parameters": [path_param("playlist_id", "a custom playlist's id: TA_playlist_ and a UUID")],
            "post": operation(
                "playlist",
                "Add, remove or move an archived video in a custom playlist",
                {**ok("the playlist after the change", ref("Playlist")), **TA5_ERROR, **TA5_NOT_FOUND},
                request=body(ref("CustomPlaylistChange"), example={"action": "create", "video_id": VIDEO_EXAMPLE}),
            ),
        },
        "/api/video/{video_id}/nav": {
            "parameters": [VIDEO_ID],
            "get": operation(
                "video",
                "The video's place in each playlist holding it: the archived videos before and after it",
                {**ok("one entry per playlist", array(PLAYLIST_NAV)), **TA5_NOT_FOUND},
            ),
        },
        "/api/appsettings/snapshot": {
            "get": operation("snapshot", "Snapshot settings and snapshots, newest first", ok("", ref("SnapshotList"))),
            "post": operation(
                "snapshot",
                "Start a snapshot now (runs in the background)",
                {**ok("started", ref("SnapshotCreated")), **TA5_ERROR},
            ),
        },
        "/api/appsettings/snapshot/{snapshot_id}": {
            "parameters": [snapshot_id],
            "get": operation("snapshot", "One snapshot", {**ok("the snapshot", ref("Snapshot")), **TA5_NOT_FOUND}),
            "post": operation(
                "snapshot",
                "Restore this snapshot",
                {**ok("restore started", ref("Accepted")), **TA5_ERROR, **TA5_NOT_FOUND},
            ),
            "delete": operation("snapshot", "Delete this snapshot", {**NO_CONTENT, **TA5_NOT_FOUND}),
        },
    }


@cache
def struct_components(structs: tuple[type, ...]) -> dict:
    """The JSON schemas of functions.schemas Structs (and of the Structs they hold), named after them."""
    import msgspec

    _, components = msgspec.json.schema_components(structs, ref_template="#/components/schemas/{name}")
    for schema in components.values():
        if not schema.get("required", True):
            del schema["required"]  # OpenAPI 3.0 wants a required list with at least one name
        for name, field in schema.get("properties", {}).items():
            schema["properties"][name] = _nullable(field)
    return components


def _nullable(field: dict) -> dict:
    """JSON Schema's `anyOf: [..., {"type": "null"}]` as OpenAPI 3.0 spells it (`nullable: true`)."""
    options = field.get("anyOf")
    if not options or {"type": "null"} not in options:
        return field
    rest = [option for option in options if option != {"type": "null"}]
    return {**(rest[0] if len(rest) == 1 else {"anyOf": rest}), "nullable": True}


def document() -> dict:
    """The whole OpenAPI document (built once; treat it as read-only)."""
    paths: dict = {}
    for group in (
        _video_paths,
        _channel_paths,
        _playlist_paths,
        _download_paths,
        _snapshot_paths,
        _other_ta_paths,
        _stats_paths,
        _file_paths,
        _invidious_paths,
        _page_paths,
        _docs_paths,
        _public_invidious_paths,
        _ta5_paths,
        _users_paths,
        _webapp_paths,
    ):
        paths.update(group())

    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "ytarchive", "version": VERSION, "description": DESCRIPTION},
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **struct_components(REQUEST_STRUCTS)},
            "responses": RESPONSES,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
