"""Search: what the archive's writers call to keep the index current, whichever backend holds it.

Writers call these after their own writes: videos.save and videos.delete, channels.save and channels.delete,
playlists.save, the importer (in bulk), the download job for subtitle files (`index_subtitles`), and every write
of the download queue (added, its title, channel or status changed, removed: `index_queued`...). Queries go
through functions.services.search.service. The backend is DynamoDB (functions.services.search.dynamo); another one
(OpenSearch)
would implement functions.services.search.backend.SearchBackend and be returned by `backend()`.
"""

from functools import lru_cache

from functions.services.search import documents
from functions.services.search.backend import Change, SearchBackend, Track


@lru_cache(maxsize=1)
def backend() -> SearchBackend:
    from functions.services.search.dynamo import DynamoBackend

    return DynamoBackend()


def index_video(video, known_new: bool = False, previous=None) -> None:
    """Index a stored video. `previous`: the video as stored before, when the writer has it; `known_new`: none was."""
    _index(documents.video_document, video, known_new, previous)


def remove_video(video) -> None:
    """Take a deleted video, and the lines of its subtitles, out of the index."""
    doc = documents.video_document(video)
    backend().update([Change(doc.doc_id, None, doc, old_known=True)])
    remove_subtitles(video.youtube_id, [sub["lang"] for sub in video.subtitles or [] if sub.get("lang")])


def remove_subtitles(youtube_id: str, langs: list[str]) -> None:
    """Take the lines of a video's subtitle tracks in `langs` out of the index (a re-download without them)."""
    if langs:
        backend().delete_subtitles(youtube_id, langs)


def _index(document, item, known_new: bool, previous) -> None:
    """(Re)index a stored item; `previous`: the item as stored before, when the writer has it."""
    old = document(previous) if previous is not None else None
    doc = document(item)
    backend().update([Change(doc.doc_id, doc, old, old_known=known_new or previous is not None)])


def index_channel(channel, known_new: bool = False, previous=None) -> None:
    _index(documents.channel_document, channel, known_new, previous)


def remove_channel(channel) -> None:
    doc = documents.channel_document(channel)
    backend().update([Change(doc.doc_id, None, doc, old_known=True)])


def index_playlist(playlist, known_new: bool = False, previous=None) -> None:
    _index(documents.playlist_document, playlist, known_new, previous)


def remove_playlist(playlist) -> None:
    doc = documents.playlist_document(playlist)
    backend().update([Change(doc.doc_id, None, doc, old_known=True)])


def index_queued(new_items) -> None:
    """Index items just added to the download queue."""
    new_docs = [documents.queue_document(item) for item in new_items]
    backend().update([Change(doc.doc_id, doc, None, old_known=True) for doc in new_docs])


def index_queue_item(item, previous) -> None:
    """Index a queue item again (`previous`: the item before); nothing is written when neither its title,
    channel nor status changed."""
    if documents.queue_document(item) != documents.queue_document(previous):
        _index(documents.queue_document, item, False, previous)


def remove_queued(removed) -> None:
    """Take items removed from the download queue out of the index (many at once: each key written once)."""
    old_docs = [documents.queue_document(item) for item in removed]
    backend().update([Change(doc.doc_id, None, doc, old_known=True) for doc in old_docs])


def backfill_queue(page) -> int:
    """Index the queue items of `page` the index does not hold (queued before the queue was searchable), in bulk;
    how many."""
    page_docs = [documents.queue_document(item) for item in page]
    held = backend().held(page_docs, {groups.youtube_id.name for groups in documents.QUEUED.values()})
    missing = [doc for doc in page_docs if doc.doc_id not in held]
    backend().update([Change(doc.doc_id, doc) for doc in missing], bulk=True)
    return len(missing)


def index_subtitles(youtube_id: str, lang: str, vtt_text: str) -> None:
    """Index a video's subtitle track (WebVTT text) for `full:` searches, replacing its earlier version."""
    from functions.services.search import text

    backend().put_subtitles([Track(youtube_id, lang, text.fragments(vtt_text))])


def index_import(videos, playlists, tracks) -> None:
    """The importer's bulk update: `videos` (new Video, the stored one or None) and `playlists` (new Playlist,
    stored or None) pairs, subtitle `tracks` (Track); every index key is read and written once."""
    changes = []
    for video, previous in videos:
        doc = documents.video_document(video)
        old = documents.video_document(previous) if previous is not None else None
        changes.append(Change(doc.doc_id, doc, old, old_known=True))
    for playlist, previous in playlists:
        doc = documents.playlist_document(playlist)
        old = documents.playlist_document(previous) if previous is not None else None
        changes.append(Change(doc.doc_id, doc, old, old_known=True))
    backend().update(changes, bulk=True)
    if tracks:
        backend().put_subtitles(tracks, bulk=True)
