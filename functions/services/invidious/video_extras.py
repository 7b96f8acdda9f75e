"""What the public Invidious API serves beside a video: /api/v1/comments/:id from the archived comments (paged by
`continuation`), /api/v1/captions/:id from the archived subtitles (WebVTT), and /vi/ thumbnails."""

from msgspec import structs

from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_video_id
from functions.services import comments as archived_comments
from functions.services.invidious import catalog, objects, render
from functions.services.invidious.continuation import BAD_CONTINUATION, decode_continuation, encode_continuation
from functions.storage import s3

COMMENTS_PAGE = 20


def _comment(thread: dict, youtube_id: str, video_channel: str) -> dict:
    timestamp = int(thread.get("comment_timestamp") or 0)
    replies = thread.get("comment_replies") or []
    author_id = thread.get("comment_author_id") or ""
    picture = thread.get("comment_author_thumbnail")
    body = {
        "author": thread.get("comment_author") or "",
        "authorThumbnails": [{"url": picture, "width": 48, "height": 48}] if picture else [],
        "authorId": author_id,
        "authorUrl": render.author_url(author_id),
        "isEdited": False,
        "isPinned": False,
        "isSponsor": False,
        "content": thread.get("comment_text") or "",
        "contentHtml": objects.description_html(thread.get("comment_text")),
        "published": timestamp,
        "publishedText": render.published_text(timestamp) if timestamp else thread.get("comment_time_text") or "",
        "likeCount": int(thread.get("comment_likecount") or 0),
        "commentId": thread["comment_id"],
        "authorIsChannelOwner": bool(thread.get("comment_author_is_uploader")) or author_id == video_channel,
    }
    if thread.get("comment_is_favorited"):
        body["creatorHeart"] = {"creatorThumbnail": "", "creatorName": ""}
    if replies:
        body["replies"] = {
            "replyCount": len(replies),
            "continuation": encode_continuation({"p": thread["comment_id"], "o": 0}),
        }
    return body


def _find_thread(threads: list[dict], comment_id: str) -> dict | None:
    for thread in threads:
        if thread["comment_id"] == comment_id:
            return thread
        found = _find_thread(thread.get("comment_replies") or [], comment_id)
        if found:
            return found
    return None


def comments(youtube_id: str, query: dict) -> dict:
    """/api/v1/comments/:id: the archived threads, 20 a page; a reply continuation pages one thread's replies."""
    item = catalog.archived_video(youtube_id)
    position = decode_continuation(query.get("continuation"))
    offset = position.get("o", 0)
    parent = position.get("p")
    if not isinstance(offset, int) or offset < 0 or (parent is not None and not isinstance(parent, str)):
        raise BadRequest(BAD_CONTINUATION)
    threads = archived_comments.read_comments(youtube_id)
    listed = threads
    if parent is not None:
        found = _find_thread(threads, parent)
        listed = found["comment_replies"] if found else []
    page = listed[offset : offset + COMMENTS_PAGE]
    more = offset + COMMENTS_PAGE < len(listed)
    body: dict = {
        "videoId": youtube_id,
        "comments": [_comment(t, youtube_id, item.channel_id) for t in page],
        "continuation": encode_continuation({**({"p": parent} if parent else {}), "o": offset + COMMENTS_PAGE})
        if more
        else None,
    }
    if parent is None:
        body["commentCount"] = archived_comments.count(threads)
    return body


def captions(youtube_id: str) -> dict:
    """/api/v1/captions/:id: the archived subtitle tracks."""
    item = catalog.archived_video(youtube_id)
    return {"captions": [structs.asdict(objects.caption(item, sub)) for sub in item.subtitles or []]}


def caption_text(youtube_id: str, label: str | None, lang: str | None) -> str:
    """The WebVTT text of the track with that `label` or language code."""
    item = catalog.archived_video(youtube_id)
    for sub in item.subtitles or []:
        if objects.caption_label(sub) == label or sub["lang"] == lang:
            return s3.read(s3.video_subtitle_key(item, sub["lang"])).decode()
    raise NotFound("No such caption")


def thumbnail_key(youtube_id: str) -> str:
    """/vi/:id/<any quality>.jpg: the archive keeps one image a video."""
    if not is_video_id(youtube_id):
        raise NotFound(catalog.NO_VIDEO)
    return s3.video_thumb_key(youtube_id)
