"""A fast fill of an archive for the benches: 100,000 videos in minutes, where the importer takes hours under moto.

The rows are the importer's own (functions.services.importer: its parse and plan decide every channel, playlist,
entry and video exactly as an import of the same document would); what differs is how they reach moto:
- channels and playlists (tens) go through their counted writes (`channels.save`, `playlists.store`), as the
  importer's do;
- playlist entries and videos (the bulk) are put into moto's in-process DynamoDB backend directly, each item as
  pynamodb serializes it, skipping the HTTP-shaped round trip moto makes of every BatchWriteItem;
- the counters are set by the counters' own recount (`storage.counters.recount`), its census summed from the
  planned videos and entries instead of read back.
Not done: the search index of the archive's items and subtitle files (no bench here reads them; the queue's items
are indexed, for `/api/download/?q=`). Only inside `mock_aws`.
"""

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

from infra import dynamo_index


def _seed(model, items) -> None:
    """Put items into moto's table as a write would store them, index keys included (moto derives its indexes
    from the items when queried). Into its item map directly: moto's own put_item takes milliseconds an item."""
    meta = model.Meta
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][meta.region].get_table(meta.table_name)
    hash_name, range_name = table.hash_key_attr, table.range_key_attr
    for item in items:
        attrs = item.serialize()
        hash_value = DynamoType(attrs[hash_name])
        range_value = DynamoType(attrs[range_name]) if range_name else None
        row = Item(hash_value, range_value, {})
        # filled in one update: moto's Item re-sums the item's size at each attribute it adds
        row.attrs = LimitedSizeDict({name: DynamoType(value) for name, value in attrs.items()})
        if range_value is None:
            table.items[hash_value] = row
        else:
            table.items[hash_value][range_value] = row
    dynamo_index.forget(table)  # written behind moto's methods: an indexed engine builds its indexes again


def fill(document: dict) -> dict:
    """Write the archive the document describes (importer.import_document's format) into an empty moto archive;
    returns the totals as the importer does."""
    from functions.services import importer
    from functions.services.archive import channels, playlists
    from functions.storage import counters, db
    from functions.storage.models import PlaylistEntry, Video

    planned = importer.plan(importer.parse(document))
    for channel in planned.channels:
        channels.save(channel)
    for playlist in planned.playlists:
        playlists.store(playlist)
    _seed(PlaylistEntry, planned.entries_put)
    _seed(Video, planned.videos_put)
    counters.recount(planned.counters, counters.Census(planned.videos_put, planned.entries_put))
    return {**planned.summary, "totals": db.counts([counters.VIDEOS, counters.CHANNELS, counters.PLAYLISTS])}


def queue(rows: list[dict], stamp_us: int = 1_700_000_000_000_000) -> None:
    """Put download queue items ({youtube_id, title, channel_id, channel_name, vid_type, status}) as the intake
    stores them (their index keys set as it sets them), index them for the queue's search (in bulk, as `reindex`
    does) and move their counters as its transactions do: in one transaction a hundred counters, so best before
    the archive is filled (moto copies a table per item written)."""
    from functions.services import search
    from functions.services.downloads import items
    from functions.storage import db
    from functions.storage.models import QueueItem

    queued = []
    for n, row in enumerate(rows):
        item = QueueItem(
            row["youtube_id"],
            timestamp=(stamp_us + n) // 1_000_000,
            **{k: v for k, v in row.items() if k != "youtube_id"},
        )
        queued.append(items.set_keys(item, stamp_us + n))
    _seed(QueueItem, queued)
    search.backfill_queue(queued)
    deltas: dict[str, int] = {}
    for item in queued:
        items.merge(deltas, items.counts(item))
    names = sorted(deltas)
    for start in range(0, len(names), 100):
        with db.transaction() as transaction:
            items.move_counts(transaction, {name: deltas[name] for name in names[start : start + 100]}, queued)


def watch_states(user_id: int, videos: list[dict], every: int = 10) -> dict[str, int]:
    """Give a user a state of the archive: every `every`-th video watched, the one after it half played (on their
    continue list), as the progress service's writes leave them; their watched and in-progress counters recounted."""
    from functions.storage import counters
    from functions.storage.models import UserVideo, published_key, watch_state_key

    states = []
    for n, row in enumerate(videos):
        if n % every not in (0, 1):
            continue
        watched = n % every == 0
        states.append(
            UserVideo(
                user_id,
                row["youtube_id"],
                position=None if watched else 30,
                watched=watched,
                watched_date=1_700_000_000 + n if watched else None,
                watch_state=watch_state_key(user_id, "watched" if watched else "continue"),
                published_key=published_key(row["published"], row["youtube_id"]),
                channel_id=row["channel_id"],
            )
        )
    _seed(UserVideo, states)
    return counters.recount([counters.watched_by(user_id), counters.in_progress_by(user_id)])
