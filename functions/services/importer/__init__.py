"""Bulk import of archive metadata: channels, playlists with their entries, and videos, from one JSON document.

The document is `{"channels": [...], "playlists": [...], "videos": [...]}` (each key optional), its objects
spelled as the API renders them (API.md, Objects):
- channel: `channel_id`, `channel_name` (required), `channel_description`, `channel_subscribed`,
  `channel_active`, `channel_last_refresh`, `channel_subs`, `channel_views`, `channel_overwrites`;
- playlist: `playlist_id`, `playlist_name` (required), `playlist_channel`, `playlist_channel_id`,
  `playlist_description`, `playlist_subscribed`, `playlist_active`, `playlist_last_refresh`, `playlist_type`,
  `playlist_thumb` (its thumbnail is in the bucket), `playlist_entries` `[{youtube_id, title, uploader}]` in
  playlist order;
- video: `youtube_id`, `title`, `published` (`YYYY-MM-DD`), `date_downloaded` (epoch seconds) and its channel
  (required), as `channel_id` or a nested `channel` object (which, when it has a `channel_name`, also imports
  the channel unless `channels` lists it); `description`, `vid_type`, `vid_last_refresh`, `active`, `duration`
  (or `player.duration`), `tags`, `category`, `view_count`, `like_count`, `dislike_count`, `average_rating`
  (or the same under `stats`), `playlist` (ids), `media_size`, `media_ext` (or the extension of `media_url`),
  `subtitles` `[{ext, lang, name, source, vtt}]` (`vtt`: the track's WebVTT text, optional: stored as the
  subtitle file and indexed for `full:` searches), `comment_count`, `sponsorblock`. Other keys are ignored.

Playlist entries say which videos a playlist holds: a video's `playlist` ids add it to those playlists (at the
end) when their entries do not list it, and its stored `playlist` is recomputed from the entries.

How it writes, so that 100,000 videos take minutes and a re-import is harmless:
1. Every record is validated, and everything the import needs from the archive is read, before the first
   write: an invalid record (or a video whose channel or playlist is neither in the file nor archived) raises
   BadRequest naming it, and nothing is written.
2. Channels and playlists (few) go through the counted writes of `channels.save` and `playlists.store`.
3. Playlist entries and videos go through BatchWriteItem, 25 items a request (index keys set by
   `storage.index_keys`); only items that differ from the stored ones are written, so importing the same
   file again writes nothing.
4. The counters those writes can change are recounted from their indexes (Select=COUNT queries) and set
   (`storage.counters.recount`).

Batch writes are not counted one by one, which is why step 4 exists. On AWS the indexes behind the recount are
eventually consistent (usually well under a second behind): run `python -m infra.cli recount` when writes
may have raced the import. An import that stops half-way (throttling, network) is finished by running it again.

Modules: `records` (one record checked), `parse` (the document), `plan` (every read, then every write
decided), `apply` (the writes).
"""

from pathlib import Path

from functions.services.importer.apply import apply
from functions.services.importer.parse import MAX_ERRORS, parse, read_file
from functions.services.importer.plan import plan

__all__ = ["MAX_ERRORS", "apply", "import_document", "import_file", "parse", "plan", "read_file"]


def import_document(document) -> dict:
    """Import a parsed JSON document; returns what was created, updated and left unchanged, and the totals."""
    return apply(plan(parse(document)))


def import_file(path: str | Path) -> dict:
    return import_document(read_file(path))
