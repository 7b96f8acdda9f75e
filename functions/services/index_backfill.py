"""The derived index keys set again on every item: `python -m infra.cli reindex`, and after a snapshot restore.

An archive written by an older version holds items without the keys later versions added (a video's
`channel_type`, a playlist's `<channel>#<subscription>` and `type_subscription`, a queue item's `type_status`, a
user's `watch_state`...), so the filters that query those indexes miss them. Each key is computed by the one place
every write computes it (functions.storage.index_keys, the queue's functions.services.downloads.items.set_keys);
an item whose stored attributes differ from what that gives gets one update of those attributes alone (on the
condition it still exists), so a run over a current archive writes nothing and a second run changes nothing.
Videos go first: a user's watch keys carry their video's sort key. Paged Scans: maintenance, never a request path.
The users counter (the names the users list reads) is set too: an older version did not keep it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.models import Model

from functions.core import logs
from functions.services.downloads import items
from functions.storage import counters, db, index_keys
from functions.storage.models import Channel, Playlist, QueueItem, UserVideo, Video

log = logs.logger(__name__)
PAGE = 500  # items a Scan page and a rekeying step hold


@dataclass
class Tally:
    scanned: int = 0
    rewritten: int = 0


def _each(set_keys: Callable[[Any], object]) -> Callable[[list], None]:
    def rekey(page: list) -> None:
        for item in page:
            set_keys(item)

    return rekey


def _rekey_states(page: list[UserVideo]) -> None:
    (videos,) = db.batch_get((Video, {state.youtube_id for state in page}))
    for state in page:
        index_keys.set_watch_keys(state, videos.get(state.youtube_id))


# (model, how a page of its items gets its keys), in the order a run takes them
REKEYED: tuple[tuple[type[Model], Callable[[list], None]], ...] = (
    (Video, _each(index_keys.set_video_keys)),
    (Channel, _each(index_keys.set_channel_keys)),
    (Playlist, _each(index_keys.set_playlist_keys)),
    (QueueItem, _each(items.set_keys)),
    (UserVideo, _rekey_states),
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


def run(report: Callable[[str, Tally], None] | None = None) -> dict[str, Tally]:
    """Rekey every table of REKEYED; per table (its model's name), how many items were read and rewritten.
    `report(table, tally)` after each page."""
    tallies: dict[str, Tally] = {}
    for model, rekey in REKEYED:
        tally = tallies[model.__name__] = Tally()
        for page in _pages(model):
            before = [item.serialize() for item in page]
            rekey(page)
            for item, stored in zip(page, before, strict=True):
                if item.serialize() != stored and _rewrite(model, item, stored):
                    tally.rewritten += 1
            tally.scanned += len(page)
            if report is not None:
                report(model.__name__, tally)
    counters.recount([counters.USERS])
    log.info("index keys set again: %s", {name: vars(tally) for name, tally in tallies.items()})
    return tallies
