"""The derived index keys set again on every item: `python -m infra.cli reindex`, and after a snapshot restore.

An archive written by an older version holds items without the keys later versions added (a video's
`channel_type`, a playlist's `<channel>#<subscription>` and `type_subscription`, a queue item's `type_status`, a
user's `watch_state`...), so the filters that query those indexes miss them. Each key is computed by the one place
every write computes it (functions.storage.index_keys, the queue's functions.services.downloads.items.set_keys);
an item whose stored attributes differ from what that gives gets one update of those attributes alone (on the
condition it still exists), so a run over a current archive writes nothing and a second run changes nothing.
Videos go first: a user's watch keys carry their video's sort key. Queue items the search index does not hold
(queued before the queue's `?q=` searched it) are indexed too. Paged Scans: maintenance, never a request path.
The users counter (the names the users list reads) is set too: an older version did not keep it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.models import Model

from functions.core import logs
from functions.services import search
from functions.services.downloads import items
from functions.storage import counters, db, index_keys
from functions.storage.models import Channel, Playlist, QueueItem, UserVideo, Video

log = logs.logger(__name__)
PAGE = 500  # items a Scan page and a rekeying step hold


@dataclass
class Tally:
    scanned: int = 0
    rewritten: int = 0
    indexed: int = 0  # put into the search index


VideosOf = Callable[[set[str]], dict[str, Video]]  # the archived videos of some ids, by id


def stored_videos(youtube_ids: set[str]) -> dict[str, Video]:
    (videos,) = db.batch_get((Video, youtube_ids))
    return videos


def _each(set_keys: Callable[[Any], object]) -> Callable[..., None]:
    def rekey(page: list, videos_of: VideosOf = stored_videos) -> None:
        for item in page:
            set_keys(item)

    return rekey


def _rekey_states(page: list[UserVideo], videos_of: VideosOf = stored_videos) -> None:
    videos = videos_of({state.youtube_id for state in page})
    for state in page:
        index_keys.set_watch_keys(state, videos.get(state.youtube_id))


# (model, how a page of its items gets its keys: `rekey(page, videos_of)`, how the search index gets those it
# lacks: how many), in the order a run takes them
REKEYED: tuple[tuple[type[Model], Callable[..., None], Callable[[list], int] | None], ...] = (
    (Video, _each(index_keys.set_video_keys), None),
    (Channel, _each(index_keys.set_channel_keys), None),
    (Playlist, _each(index_keys.set_playlist_keys), None),
    (QueueItem, _each(items.set_keys), search.backfill_queue),
    (UserVideo, _rekey_states, None),
)


def _pages(model: type[Model]) -> Iterator[list]:
    page: list = []
    for item in model.scan(page_size=PAGE):
        page.append(item)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _rewrite(model: type[Model], item: Model, before: dict) -> bool:
    """Store the attributes the rekeying changed; False when the item was deleted meanwhile."""
    after = item.serialize()
    changed = [name for name in before.keys() | after.keys() if before.get(name) != after.get(name)]
    by_name = {attribute.attr_name: (field, attribute) for field, attribute in model.get_attributes().items()}
    actions = []
    for name in changed:
        field, attribute = by_name[name]
        actions.append(attribute.set(getattr(item, field)) if name in after else attribute.remove())
    return db.update_existing(item, actions)


def stale_tables(items: dict[type[Model], list[dict]]) -> list[str]:
    """The rekeyed tables (their models' names) of which a run would rewrite an item, were the tables to hold
    exactly `items` (DynamoDB JSON, by model, as a snapshot holds them): what a restore checks in memory before
    it scans for a run. A user's states are keyed by the videos among `items`."""
    videos: dict[str, Video] = {}  # filled once the videos are rekeyed (REKEYED takes them first)

    def restored_videos(youtube_ids: set[str]) -> dict[str, Video]:
        return {youtube_id: videos[youtube_id] for youtube_id in youtube_ids if youtube_id in videos}

    stale = []
    for model, rekey, _index in REKEYED:
        page = [model.from_raw_data(item) for item in items.get(model, [])]
        before = [item.serialize() for item in page]
        rekey(page, restored_videos)
        if model is Video:
            videos.update((video.youtube_id, video) for video in page if isinstance(video, Video))
        if any(item.serialize() != stored for item, stored in zip(page, before, strict=True)):
            stale.append(model.__name__)
    return stale


def run(report: Callable[[str, Tally], None] | None = None) -> dict[str, Tally]:
    """Rekey every table of REKEYED; per table (its model's name), how many items were read, rewritten and indexed.
    `report(table, tally)` after each page."""
    tallies: dict[str, Tally] = {}
    rekeyed_users: set[int] = set()  # their watched states moved in the index: their counters' months with them
    for model, rekey, index in REKEYED:
        tally = tallies[model.__name__] = Tally()
        for page in _pages(model):
            before = [item.serialize() for item in page]
            rekey(page)
            for item, stored in zip(page, before, strict=True):
                if item.serialize() != stored and _rewrite(model, item, stored):
                    tally.rewritten += 1
                    if isinstance(item, UserVideo):
                        rekeyed_users.add(int(item.user_id))
            tally.scanned += len(page)
            if index is not None:
                tally.indexed += index(page)
            if report is not None:
                report(model.__name__, tally)
    counters.recount([counters.USERS, *(counters.watched_by(user_id) for user_id in sorted(rekeyed_users))])
    log.info("index keys set again: %s", {name: vars(tally) for name, tally in tallies.items()})
    return tallies
