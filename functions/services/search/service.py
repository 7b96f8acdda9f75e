"""The search API's answers: TubeArchivist's search results and similar videos, rendered like the archive's objects.

Hits come from the backend with the items it read; one more batch reads the videos' channels, the viewer's
state of each video and the counters of the playlists (their archived entries; the listing is on the item).
"""

import msgspec

from functions.core.errors import NotFound
from functions.schemas import ta_objects as wire
from functions.services.archive import playlists, render
from functions.services.archive.videos import check_id, not_found
from functions.services.auth.viewer import Viewer
from functions.services.search import backend
from functions.services.search import documents as docs
from functions.services.search import query as q
from functions.storage import counters, s3
from functions.storage.models import Channel, Counter, UserVideo, Video

LIMIT = 30  # hits per kind, as TubeArchivist's searches
SIMILAR_LIMIT = 6
INDEX_NAMES = {
    docs.VIDEO: "ta_video",
    docs.CHANNEL: "ta_channel",
    docs.PLAYLIST: "ta_playlist",
    docs.SUBTITLE: "ta_subtitle",
}


HIT_TYPES = {docs.VIDEO: wire.VideoHit, docs.CHANNEL: wire.ChannelHit, docs.PLAYLIST: wire.PlaylistHit}


def _scored(body: msgspec.Struct, kind: str, score: float):
    """The rendered object as a hit: the same fields, and where it was found and how well it matched."""
    return HIT_TYPES[kind](**msgspec.structs.asdict(body), index=INDEX_NAMES[kind], score=round(score, 2))


def _video_bodies(
    viewer: Viewer, hits: list, known_channels: dict, extra_channels=(), counters=()
) -> tuple[list[wire.Video], dict, dict]:
    """Rendered video hits, reading their channels and the viewer's states in one batch, with the `counters`
    named (of playlist hits); also the channels and the counters read."""
    wanted = {h.item.channel_id for h in hits} | set(extra_channels)
    states, channels, counted = viewer.fetch(
        (UserVideo, [(viewer.user_id, h.doc_id) for h in hits]),
        (Channel, sorted(wanted - set(known_channels))),
        (Counter, list(counters)),
    )
    channels = {**known_channels, **channels}
    bodies = [
        render.video(h.item, channels.get(h.item.channel_id), states.get((viewer.user_id, h.doc_id))) for h in hits
    ]
    return bodies, channels, counted


def _fragment_body(hit, channels: dict) -> wire.SubtitleHit:
    video, fragment = hit.item, hit.fragment
    channel = channels.get(video.channel_id)
    source = next((s.get("source") for s in video.subtitles or [] if s.get("lang") == hit.lang), None)
    return wire.SubtitleHit(
        youtube_id=video.youtube_id,
        title=video.title,
        subtitle_fragment_id=f"{video.youtube_id}-{hit.lang}-{fragment.index}",
        subtitle_index=fragment.index,
        subtitle_lang=hit.lang,
        subtitle_source=source,
        subtitle_start=fragment.start,
        subtitle_end=fragment.end,
        subtitle_line=fragment.line,
        subtitle_channel=channel.channel_name if channel else video.channel_id,
        subtitle_channel_id=video.channel_id,
        vid_thumb_url=s3.url_of(s3.video_thumb_key(video.youtube_id)),
        index=INDEX_NAMES[docs.SUBTITLE],
        score=round(hit.score, 2),
    )


def search(viewer: Viewer, raw) -> wire.SearchResults:
    """GET /api/search/?query=: TubeArchivist's results object; 400 for a query it cannot parse."""
    query = q.parse(raw)
    results = backend().search(query, viewer.fetch, LIMIT)
    hits = results.hits
    channel_items = results.items.get(docs.CHANNEL, {})
    fragments = hits.get(docs.SUBTITLE, [])
    playlist_hits = hits.get(docs.PLAYLIST, [])
    video_results, channels, playlist_counters = _video_bodies(
        viewer,
        hits.get(docs.VIDEO, []),
        channel_items,
        {h.item.channel_id for h in fragments},
        [counters.playlist_videos(h.doc_id) for h in playlist_hits],
    )
    listed = playlists.entry_rows([h.item for h in playlist_hits], playlist_counters)
    found = wire.SearchHits(
        video_results=[
            _scored(body, docs.VIDEO, h.score) for body, h in zip(video_results, hits.get(docs.VIDEO, []), strict=True)
        ],
        channel_results=[_scored(render.channel(h.item), docs.CHANNEL, h.score) for h in hits.get(docs.CHANNEL, [])],
        playlist_results=[
            _scored(render.playlist(h.item, listed[h.doc_id]), docs.PLAYLIST, h.score) for h in playlist_hits
        ],
        fulltext_results=[_fragment_body(h, channels) for h in fragments],
    )
    return wire.SearchResults(results=found, queryType=query.query_type)


def similar(viewer: Viewer, youtube_id: str) -> wire.Envelope:
    """GET /api/video/<id>/similar/: up to six videos sharing the most tags and title terms; 404 when none."""
    check_id(youtube_id)
    (found,) = viewer.fetch((Video, [youtube_id]))
    if youtube_id not in found:
        raise not_found(youtube_id)
    hits = backend().similar(found[youtube_id], viewer.fetch, SIMILAR_LIMIT)
    if not hits:
        raise NotFound(f"no videos similar to {youtube_id} found")
    bodies, _, _ = _video_bodies(viewer, hits, {})
    return render.envelope(bodies, viewer.config)
