"""Finding videos in the public Invidious API: /api/v1/search over the archive's search index, suggestions, and
the home lists (trending: the newest; popular: the most viewed of the newest)."""

from functions.core.errors import BadRequest
from functions.services.invidious import catalog, objects, render
from functions.services.invidious.continuation import page_number
from functions.services.search import backend
from functions.services.search import documents as docs
from functions.services.search import query as q
from functions.storage import counters, db
from functions.storage.models import Counter

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
TRENDING_SIZE = 40
POPULAR_POOL = 200  # the newest videos popular ranks by views: no index orders the whole archive by views
SUGGESTIONS = 10


def search_hits(text: str, query_type: str, limit: int):
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
    hits = search_hits(text, SEARCH_TYPES[kind], number * SEARCH_PAGE)
    results: list[dict] = []
    video_hits = hits.get(docs.VIDEO, [])
    order = SORTS[sort]
    if order is not None:
        video_hits = sorted(video_hits, key=lambda h: order(h.item), reverse=True)
    results += catalog.items([h.item for h in video_hits])
    channel_hits = [h.item for h in hits.get(docs.CHANNEL, [])]
    (counts,) = db.batch_get((Counter, [counters.channel_videos(c.channel_id) for c in channel_hits]))
    for item in channel_hits:
        counter = counts.get(counters.channel_videos(item.channel_id))
        results.append(objects.channel_item(item, int(counter.count) if counter else 0))
    playlist_items = [h.item for h in hits.get(docs.PLAYLIST, [])]
    rows, sizes = catalog.playlist_rows(playlist_items)
    results += [objects.playlist_item(p, rows[p.playlist_id], sizes[p.playlist_id]) for p in playlist_items]
    return results[(number - 1) * SEARCH_PAGE : number * SEARCH_PAGE]


def suggestions(query: dict) -> dict:
    """Titles of the best video hits of what was typed so far (its last word is a prefix)."""
    text = (query.get("q") or "").strip()[: q.MAX_QUERY]
    titles = [h.item.title for h in search_hits(text, q.VIDEO, SUGGESTIONS).get(docs.VIDEO, [])] if text else []
    return {"query": text, "suggestions": list(dict.fromkeys(titles))}


def trending() -> list[dict]:
    """The newest videos: what is new in the archive."""
    return catalog.items(catalog.newest(TRENDING_SIZE))


def popular() -> list[dict]:
    """The most viewed of the newest videos, as short videos."""
    pool = sorted(catalog.newest(POPULAR_POOL), key=lambda v: int(v.view_count or 0), reverse=True)
    videos = pool[:TRENDING_SIZE]
    authors = catalog.authors([v.channel_id for v in videos])
    return [render.archived_video(v, authors[v.channel_id]) for v in videos]
