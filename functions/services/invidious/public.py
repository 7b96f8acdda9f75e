"""The public Invidious API over the archive: videos, channels and their tabs, YouTube playlists, search, popular
and trending, comments, captions, instance stats. Archived items come from the tables; a video or channel the
archive does not hold is read through the lookup function (yt-dlp), else 404 `{"error"}`.
"""

import base64
import binascii
import json

from functions.core.dates import now
from functions.core.errors import BadRequest, DomainError, NotFound
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.core.settings import VERSION
from functions.services import comments as archived_comments
from functions.services.archive import playlists as archive_playlists
from functions.services.auth import activity
from functions.services.invidious import objects, render
from functions.services.search import backend
from functions.services.search import documents as docs
from functions.services.search import query as q
from functions.storage import counters, db, lookup, pages, s3
from functions.storage.models import ALL_VIDEOS, Channel, Counter, Playlist, Video
from functions.youtube import urls

TAB_SIZE = 30  # videos a channel tab page, as YouTube's continuation pages
SEARCH_PAGE = 20
SEARCH_TYPES = {"video": q.VIDEO, "channel": q.CHANNEL, "playlist": q.PLAYLIST, "all": q.SIMPLE}
SORTS = {
    "relevance": None,
    "upload_date": lambda v: v.published,
    "date": lambda v: v.published,
    "view_count": lambda v: int(v.view_count or 0),
    "views": lambda v: int(v.view_count or 0),
    "rating": lambda v: float(v.average_rating or 0),
}
SIMILAR = 12
TRENDING_SIZE = 40
POPULAR_POOL = 200  # the newest videos popular ranks by views: no index orders the whole archive by views
COMMENTS_PAGE = 20
SUGGESTIONS = 10
CHANNEL_TABS = ("videos", "shorts", "streams")
NO_VIDEO = "This video is not available"
NO_CHANNEL = "This channel does not exist."
NO_PLAYLIST = "Playlist does not exist."
BAD_CONTINUATION = "invalid continuation"


# ---------------------------------------------------------------- query values


def page_number(query: dict, maximum: int = 1000) -> int:
    """`page` (from 1; 0 is the first page too, as Invidious takes it); 400 when it is not a whole number."""
    raw = query.get("page") or "1"
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("page must be a whole number") from None
    if value < 0:
        raise BadRequest("page must be 0 or more")
    return max(min(value, maximum), 1)


# ---------------------------------------------------------------- continuation tokens


def encode_continuation(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_continuation(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(BAD_CONTINUATION) from None
    if not isinstance(value, dict):
        raise BadRequest(BAD_CONTINUATION)
    return value


# ---------------------------------------------------------------- reading


def _authors(channel_ids) -> dict[str, str]:
    (found,) = db.batch_get((Channel, sorted(set(channel_ids))))
    return {cid: found[cid].channel_name if cid in found else cid for cid in channel_ids}


def _items(videos: list) -> list[dict]:
    authors = _authors([v.channel_id for v in videos])
    return [objects.video_item(v, authors[v.channel_id]) for v in videos]


def _looked_up(action: str, missing: str, **payload) -> dict:
    """The lookup function's answer; 404 `{"error"}` when yt-dlp cannot read it (unknown, private, offline)."""
    try:
        return lookup.call(action, **payload)
    except DomainError as error:
        raise NotFound(f"{missing} ({error.message})") from None


def video(youtube_id: str) -> dict:
    if not is_video_id(youtube_id):
        raise NotFound(NO_VIDEO)
    (found,) = db.batch_get((Video, [youtube_id]))
    if youtube_id not in found:
        info = _looked_up("video_summary", NO_VIDEO, youtube_id=youtube_id)["video"]
        return objects.looked_up_video(youtube_id, info)
    item = found[youtube_id]
    similar = [hit.item for hit in backend().similar(item, db.batch_get, SIMILAR)]
    (channels,) = db.batch_get((Channel, sorted({item.channel_id} | {v.channel_id for v in similar})))
    names = {cid: c.channel_name for cid, c in channels.items()}
    pairs = [(v, names.get(v.channel_id, v.channel_id)) for v in similar]
    return objects.video_detail(item, channels.get(item.channel_id), pairs)


def _index_key(video) -> dict:
    """Where a by_channel query goes on after `video` (its ExclusiveStartKey)."""
    return {
        "channel_id": {"S": video.channel_id},
        "published_key": {"S": video.published_key},
        "youtube_id": {"S": video.youtube_id},
    }


def _channel_videos(channel_id: str, tab: str, start: dict | None, size: int) -> tuple[list, dict | None]:
    """Up to `size` videos of one tab, newest first, after `start` (an index key); and the key to go on from,
    None after the last. The index holds every tab: pages of keys are read until `size` of this tab are found."""
    found: list = []
    last = start or None
    while True:
        keys = Video.by_channel.query(
            channel_id, scan_index_forward=False, limit=size, page_size=size, last_evaluated_key=last
        )
        ids = [key.youtube_id for key in keys]
        last = keys.last_evaluated_key
        (items,) = db.batch_get((Video, ids))
        for youtube_id in ids:
            video = items.get(youtube_id)
            if video is not None and (video.vid_type or "videos") == tab:
                found.append(video)
                if len(found) == size:
                    more = youtube_id != ids[-1] or last is not None
                    return found, _index_key(video) if more else None
        if not last:
            return found, None


def channel(ucid: str) -> dict:
    if not is_channel_id(ucid):
        raise NotFound(NO_CHANNEL)
    (found,) = db.batch_get((Channel, [ucid]))
    if ucid not in found:
        info = _looked_up("resolve_channel", NO_CHANNEL, query=urls.channel_url(ucid, "videos"))["channel"]
        return objects.looked_up_channel(info)
    latest, _ = _channel_videos(ucid, "videos", None, TAB_SIZE)
    return objects.channel(found[ucid], [objects.video_item(v, found[ucid].channel_name) for v in latest])


def _archived(model, key: str, valid: bool, missing: str):
    """The archive's item of `model` with that key; 404 `{"error": missing}` when the key is malformed or unknown."""
    (found,) = db.batch_get((model, [key] if valid else []))
    if key not in found:
        raise NotFound(missing)
    return found[key]


def _archived_channel(ucid: str) -> Channel:
    return _archived(Channel, ucid, is_channel_id(ucid), NO_CHANNEL)


def channel_tab(ucid: str, tab: str, query: dict) -> dict:
    """/channels/:ucid/videos, /shorts, /streams (and /latest, the first page of videos): `continuation` pages."""
    item = _archived_channel(ucid)
    start = decode_continuation(query.get("continuation")).get("k")
    if start is not None and not isinstance(start, dict):
        raise BadRequest(BAD_CONTINUATION)
    videos, last = _channel_videos(ucid, tab, start, TAB_SIZE)
    return {
        "videos": [objects.video_item(v, item.channel_name) for v in videos],
        "continuation": encode_continuation({"k": last}) if last else None,
    }


def _playlist_rows(items: list) -> tuple[dict[str, list[dict]], dict[str, int]]:
    names = [counters.playlist_videos(p.playlist_id) for p in items]
    (found,) = db.batch_get((Counter, names))
    rows = archive_playlists.entry_rows(items, found)
    return rows, {p.playlist_id: len(rows[p.playlist_id]) for p in items}


def channel_playlists(ucid: str, query: dict) -> dict:
    """The archived YouTube playlists of a channel by name (one page: a channel's playlists are few)."""
    _archived_channel(ucid)
    ids = [key.playlist_id for key in Playlist.by_channel.query(ucid)]
    (found,) = db.batch_get((Playlist, ids))
    items = [found[i] for i in ids if i in found]
    rows, counts = _playlist_rows(items)
    return {
        "playlists": [objects.playlist_item(p, rows[p.playlist_id], counts[p.playlist_id]) for p in items],
        "continuation": None,
    }


def playlist(playlist_id: str, number: int) -> dict:
    """An archived YouTube playlist with one page (from 1) of 100 of its videos."""
    item = _archived(Playlist, playlist_id, is_playlist_id(playlist_id), NO_PLAYLIST)
    rows, _ = _playlist_rows([item])
    listing = rows[playlist_id]
    offset = (number - 1) * 100
    (archived,) = db.batch_get((Video, [r["youtube_id"] for r in listing[offset : offset + 100]]))
    lengths = {i: int(v.duration or 0) for i, v in archived.items()}
    return objects.playlist(item, listing, offset, lengths)


# ---------------------------------------------------------------- search, home


def _search_hits(text: str, query_type: str, limit: int):
    return backend().search(q.Query(query_type=query_type, text=text), db.batch_get, limit).hits


def search(query: dict) -> list[dict]:
    """/api/v1/search: `q`, `type` (video, channel, playlist, all), `page` (from 1), `sort_by`."""
    text = (query.get("q") or "").strip()
    if len(text) > q.MAX_QUERY:
        raise BadRequest(f"q: at most {q.MAX_QUERY} characters")
    kind = query.get("type") or "video"
    if kind not in SEARCH_TYPES:
        raise BadRequest(f"type must be one of {', '.join(SEARCH_TYPES)}")
    sort = query.get("sort_by") or query.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadRequest(f"sort_by must be one of {', '.join(SORTS)}")
    number = page_number(query)
    if not text:
        return []
    hits = _search_hits(text, SEARCH_TYPES[kind], number * SEARCH_PAGE)
    results: list[dict] = []
    video_hits = hits.get(docs.VIDEO, [])
    order = SORTS[sort]
    if order is not None:
        video_hits = sorted(video_hits, key=lambda h: order(h.item), reverse=True)
    results += _items([h.item for h in video_hits])
    channel_hits = [h.item for h in hits.get(docs.CHANNEL, [])]
    (counts,) = db.batch_get((Counter, [counters.channel_videos(c.channel_id) for c in channel_hits]))
    for item in channel_hits:
        counter = counts.get(counters.channel_videos(item.channel_id))
        results.append(objects.channel_item(item, int(counter.count) if counter else 0))
    playlist_items = [h.item for h in hits.get(docs.PLAYLIST, [])]
    rows, sizes = _playlist_rows(playlist_items)
    results += [objects.playlist_item(p, rows[p.playlist_id], sizes[p.playlist_id]) for p in playlist_items]
    return results[(number - 1) * SEARCH_PAGE : number * SEARCH_PAGE]


def channel_search(ucid: str, query: dict) -> list[dict]:
    """/channels/:ucid/search?q=: the channel's videos matching the words."""
    item = _archived_channel(ucid)
    text = (query.get("q") or "").strip()
    if not text:
        return []
    number = page_number(query)
    hits = _search_hits(text[: q.MAX_QUERY], q.VIDEO, 200).get(docs.VIDEO, [])
    own = [h.item for h in hits if h.item.channel_id == ucid]
    page = own[(number - 1) * SEARCH_PAGE : number * SEARCH_PAGE]
    return [objects.video_item(v, item.channel_name) for v in page]


def suggestions(query: dict) -> dict:
    """Titles of the best video hits of what was typed so far (its last word is a prefix)."""
    text = (query.get("q") or "").strip()[: q.MAX_QUERY]
    titles = [h.item.title for h in _search_hits(text, q.VIDEO, SUGGESTIONS).get(docs.VIDEO, [])] if text else []
    return {"query": text, "suggestions": list(dict.fromkeys(titles))}


def _newest(size: int) -> list:
    """The archive's `size` newest videos by publication."""
    ids = [key.youtube_id for key in pages.query_page(Video.by_published, ALL_VIDEOS, 0, size)]
    (found,) = db.batch_get((Video, ids))
    return [found[i] for i in ids if i in found]


def trending() -> list[dict]:
    """The newest videos: what is new in the archive."""
    return _items(_newest(TRENDING_SIZE))


def popular() -> list[dict]:
    """The most viewed of the newest videos, as short videos."""
    pool = sorted(_newest(POPULAR_POOL), key=lambda v: int(v.view_count or 0), reverse=True)
    videos = pool[:TRENDING_SIZE]
    authors = _authors([v.channel_id for v in videos])
    return [render.archived_video(v, authors[v.channel_id]) for v in videos]


# ---------------------------------------------------------------- comments, captions, thumbnails


def _archived_video(youtube_id: str) -> Video:
    return _archived(Video, youtube_id, is_video_id(youtube_id), NO_VIDEO)


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
    item = _archived_video(youtube_id)
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
    item = _archived_video(youtube_id)
    return {"captions": [objects.caption(item, sub) for sub in item.subtitles or []]}


def caption_text(youtube_id: str, label: str | None, lang: str | None) -> str:
    """The WebVTT text of the track with that `label` or language code."""
    item = _archived_video(youtube_id)
    for sub in item.subtitles or []:
        if objects.caption_label(sub) == label or sub["lang"] == lang:
            return s3.read(s3.subtitle_key(item.channel_id, youtube_id, sub["lang"])).decode()
    raise NotFound("No such caption")


def thumbnail_key(youtube_id: str) -> str:
    """/vi/:id/<any quality>.jpg: the archive keeps one image a video."""
    if not is_video_id(youtube_id):
        raise NotFound(NO_VIDEO)
    return s3.video_thumb_key(youtube_id)


# ---------------------------------------------------------------- the instance


def stats() -> dict:
    """/api/v1/stats: what instance checks read. Users are active by the day they last sent a credential;
    `lastChannelRefreshedAt` is the latest download among the newest videos (no index orders downloads)."""
    (counts,) = db.batch_get((Counter, [counters.USER_IDS]))
    users = int(counts[counters.USER_IDS].count) if counters.USER_IDS in counts else 0
    active = {"activeHalfyear": activity.active_users(activity.HALF_YEAR_DAYS)}
    active["activeMonth"] = activity.active_users(activity.MONTH_DAYS)
    updated = max((int(v.date_downloaded) for v in _newest(POPULAR_POOL)), default=0)
    return {
        "version": "2.0",
        "software": {"name": "invidious", "version": VERSION.lstrip("v") + "-ytarchive", "branch": "ytarchive"},
        "openRegistrations": False,
        "usage": {"users": {"total": users, **active}},
        "metadata": {"updatedAt": now(), "lastChannelRefreshedAt": updated},
    }
