"""Snapshots of the archive's state: every table exported to S3 with a manifest, restored only after checking it.

A snapshot is `snapshots/<id>/tables/<table>.jsonl.gz` (one DynamoDB-JSON item a line, sorted, gzip) for every
table of `models.ALL_MODELS` but the snapshot catalogue itself and the running jobs' state, and
`snapshots/<id>/manifest.json` naming each file with its item count, size and SHA-256. The SHA-256 of the
manifest is kept in the snapshot's item, so a damaged or replaced manifest is caught too.

Consistency: items are read with strongly consistent scans, and the counters table (changed in the same
transaction as every counted write: videos, channels, playlists, queue) is read before and after the export;
when it changed, the export runs again, up to `EXPORT_ATTEMPTS` times (the manifest says whether it settled).

Creating and restoring run in the snapshot job (functions/jobs/snapshot.py), started by a message on the
snapshot queue: the API answers at once. Restore checks the whole snapshot before its first write (a damaged
or missing snapshot is a 400 and changes nothing), then makes each table equal to the snapshot's (writing only
items that differ, deleting the ones the snapshot lacks). Media objects in S3 stay as they are.
"""

import gzip
import hashlib
import json
import re
import secrets
import time
from datetime import UTC, datetime

from msgspec import UNSET
from pynamodb.models import Model

from functions.core import logs
from functions.core.errors import BadRequest, NotFound
from functions.core.settings import get_settings
from functions.schemas import ta_objects as wire
from functions.services import app_settings, schedules
from functions.storage import aws, db, s3
from functions.storage.models import ALL_MODELS, ALL_SNAPSHOTS, Counter, Snapshot, TaskRun, TaskState

log = logs.logger(__name__)

FORMAT_VERSION = "1"  # shown as `es_version`
ID_PREFIX = "ta_daily_"
SNAPSHOT_ID = re.compile(r"^ta_daily_[a-z0-9]{16}$")
IN_PROGRESS, SUCCESS, FAILED = "IN_PROGRESS", "SUCCESS", "FAILED"
EXPIRE_DAYS, KEEP_AT_LEAST, KEEP_AT_MOST = 30, 5, 50
ABANDONED_SECONDS = 86400  # a failed snapshot, or one whose job died, is removed after a day
# A scheduled run skips when a snapshot started this late before it: schedules fire at most hourly, so that
# one came from the same firing delivered twice (functions.services.schedules).
RECENT_SECONDS = 50 * 60
SCHEDULE = "run_snapshot"
EXPORT_ATTEMPTS = 3
BATCH_WRITE_LIMIT = 25
NOT_SNAPSHOTTED = (Snapshot, TaskState, TaskRun)  # the catalogue of snapshots, what jobs are doing and did


def snapshot_models() -> list[type[Model]]:
    """Every table a snapshot holds: new models are included without a change here."""
    return [model for model in ALL_MODELS if model not in NOT_SNAPSHOTTED]


def table_label(model: type[Model]) -> str:
    """A table's name without the stage prefix: snapshots move between stages."""
    return model.Meta.table_name.removeprefix(get_settings().table_prefix)


# ---------------------------------------------------------------- the catalogue


def get(snapshot_id: str) -> Snapshot:
    if not isinstance(snapshot_id, str) or not SNAPSHOT_ID.match(snapshot_id):
        raise NotFound(f"snapshot {snapshot_id} not found")
    try:
        return Snapshot.get(snapshot_id, consistent_read=True)
    except Snapshot.DoesNotExist:
        raise NotFound(f"snapshot {snapshot_id} not found") from None


def newest_first() -> list[Snapshot]:
    keys = [key.snapshot_id for key in Snapshot.by_start.query(ALL_SNAPSHOTS, scan_index_forward=False)]
    (found,) = db.batch_get((Snapshot, keys))
    return [found[key] for key in keys if key in found]


def _date_str(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


def render(item: Snapshot) -> wire.Snapshot:
    """API.md's snapshot object; the end fields only once it has ended."""
    ended = item.end_stamp is not None
    return wire.Snapshot(
        id=item.snapshot_id,
        state=item.state,
        es_version=item.es_version,
        start_date=_date_str(int(item.start_stamp)),
        end_date=_date_str(int(item.end_stamp)) if ended else UNSET,
        end_stamp=int(item.end_stamp) if ended else UNSET,
        duration_s=int(item.end_stamp) - int(item.start_stamp) if ended else UNSET,
    )


def enabled(config: dict) -> bool:
    return bool(config["application"].get("enable_snapshot"))


def overview(config: dict) -> wire.SnapshotList:
    """GET /api/snapshot/: the schedule (null when snapshots are off) and every snapshot, newest first."""
    upcoming = schedules.upcoming(config, SCHEDULE, time.time()) if enabled(config) else None
    return wire.SnapshotList(
        next_exec=upcoming,
        next_exec_str=_date_str(upcoming) if upcoming else None,
        expire_after=f"{EXPIRE_DAYS}d",
        snapshots=[render(item) for item in newest_first()],
    )


def detail(snapshot_id: str) -> wire.Snapshot:
    return render(get(snapshot_id))


# ---------------------------------------------------------------- requests: each starts the job with a message


def start(config: dict) -> str:
    """POST /api/snapshot/: the new snapshot's id; the job exports it."""
    if not enabled(config):
        raise BadRequest("snapshots are disabled (application.enable_snapshot)")
    snapshot_id = ID_PREFIX + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
    Snapshot(snapshot_id, state=IN_PROGRESS, es_version=FORMAT_VERSION, start_stamp=int(time.time())).save()
    aws.send(aws.SNAPSHOT, [{"action": "create", "snapshot_id": snapshot_id}])
    return snapshot_id


def request_restore(snapshot_id: str) -> dict:
    """POST /api/snapshot/<id>/: check the snapshot whole (400 when it is damaged or missing), then start."""
    verify(get(snapshot_id))
    aws.send(aws.SNAPSHOT, [{"action": "restore", "snapshot_id": snapshot_id}])
    return {"accepted": True}


def delete(snapshot_id: str) -> dict:
    item = get(snapshot_id)
    _delete_objects(snapshot_id)
    item.delete()
    return {"acknowledged": True}


def scheduled_snapshot() -> str | None:
    """The daily run: start a snapshot unless snapshots are off or one started in the last hours (a schedule may
    fire twice); the job expires old ones after it. The new snapshot's id, or None."""
    config = app_settings.current()
    if not enabled(config):
        return None
    latest = next(iter(Snapshot.by_start.query(ALL_SNAPSHOTS, scan_index_forward=False, limit=1)), None)
    if latest is not None and latest.start_stamp > time.time() - RECENT_SECONDS:
        return None
    return start(config)


# ---------------------------------------------------------------- S3 and DynamoDB plumbing


def _bucket() -> str:
    return get_settings().media_bucket


def _put(key: str, body: bytes, content_type: str) -> None:
    aws.client("s3").put_object(Bucket=_bucket(), Key=key, Body=body, ContentType=content_type)


def _read(key: str) -> bytes | None:
    """An object's bytes, or None when there is no such object."""
    from botocore.exceptions import ClientError

    try:
        return aws.client("s3").get_object(Bucket=_bucket(), Key=key)["Body"].read()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise


def _delete_objects(snapshot_id: str) -> None:
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    keys = [
        listed["Key"]
        for page in paginator.paginate(Bucket=_bucket(), Prefix=s3.snapshot_prefix(snapshot_id))
        for listed in page.get("Contents", [])
    ]
    s3.delete_objects(keys)


def _scan(model: type[Model]) -> list[dict]:
    """Every item of a table, as DynamoDB JSON, read with strong consistency."""
    items, request = [], {"TableName": model.Meta.table_name, "ConsistentRead": True}
    while True:
        page = db.connection().dispatch("Scan", request)
        items.extend(page.get("Items", []))
        if not page.get("LastEvaluatedKey"):
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _line(item: dict) -> str:
    return json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _table_file(items: list[dict]) -> bytes:
    """A table's file: its items' lines, sorted, so the same table always gives the same bytes."""
    text = "".join(line + "\n" for line in sorted(_line(item) for item in items))
    return gzip.compress(text.encode(), mtime=0)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key_names(model: type[Model]) -> list[str]:
    return [attr.attr_name for attr in db.key_attributes(model)]


def _key_of(item: dict, names: list[str]) -> str:
    return _line({name: item[name] for name in names})


def _batch_write(table: str, requests: list[dict]) -> None:
    for start_at in range(0, len(requests), BATCH_WRITE_LIMIT):
        pending: dict[str, list[dict]] | None = {table: requests[start_at : start_at + BATCH_WRITE_LIMIT]}
        delay = 0.05
        while pending:
            pending = db.connection().dispatch("BatchWriteItem", {"RequestItems": pending}).get("UnprocessedItems")
            if pending:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)


# ---------------------------------------------------------------- the job: export


def export(snapshot_id: str) -> dict:
    """Write every table's file and the manifest; the manifest."""
    for attempt in range(1, EXPORT_ATTEMPTS + 1):
        counters_before = _sha256(_table_file(_scan(Counter)))
        tables = {}
        for model in snapshot_models():
            items = _scan(model)
            data = _table_file(items)
            key = s3.snapshot_table_key(snapshot_id, table_label(model))
            _put(key, data, "application/gzip")
            tables[table_label(model)] = {"key": key, "items": len(items), "bytes": len(data), "sha256": _sha256(data)}
        settled = _sha256(_table_file(_scan(Counter))) == counters_before == tables[table_label(Counter)]["sha256"]
        if settled:
            break
        log.info("snapshot %s: the archive changed during export %d", snapshot_id, attempt)
    return {
        "snapshot_id": snapshot_id,
        "format": FORMAT_VERSION,
        "created": int(time.time()),
        "attempts": attempt,
        "settled": settled,
        "tables": tables,
    }


def create(snapshot_id: str) -> None:
    """Export a snapshot the API registered (a failure marks it FAILED and keeps no file), then expire old ones."""
    item = get(snapshot_id)
    if item.state != IN_PROGRESS:
        return  # a message delivered again after the snapshot ended
    try:
        manifest = export(snapshot_id)
        body = json.dumps(manifest, indent=1, sort_keys=True).encode()
        _put(s3.snapshot_manifest_key(snapshot_id), body, "application/json")
    except Exception as error:
        log.exception("snapshot %s failed", snapshot_id)
        _delete_objects(snapshot_id)
        failed = [Snapshot.state.set(FAILED), Snapshot.end_stamp.set(int(time.time()))]
        item.update(actions=[*failed, Snapshot.message.set(str(error)[:1000])])
    else:
        item.update(
            actions=[
                Snapshot.state.set(SUCCESS),
                Snapshot.end_stamp.set(int(time.time())),
                Snapshot.manifest_sha256.set(_sha256(body)),
                Snapshot.size_bytes.set(len(body) + sum(table["bytes"] for table in manifest["tables"].values())),
            ]
        )
    expire(int(time.time()))  # failed runs too: their leftovers go after a day


# ---------------------------------------------------------------- the job: restore


def _damaged(item: Snapshot, why: str) -> BadRequest:
    return BadRequest(f"snapshot {item.snapshot_id} cannot be restored: {why}")


def verify(item: Snapshot) -> dict[str, bytes]:
    """The table files of a complete, intact snapshot (label -> gzip bytes, as checked: a restore writes from
    these, never from a second read), after checking the manifest and every file against it; 400 otherwise."""
    if item.state != SUCCESS or not item.manifest_sha256:
        raise _damaged(item, f"it is {item.state}, not {SUCCESS}")
    body = _read(s3.snapshot_manifest_key(item.snapshot_id))
    if body is None:
        raise _damaged(item, "its manifest is missing")
    if _sha256(body) != item.manifest_sha256:
        raise _damaged(item, "its manifest is damaged (checksum mismatch)")
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT_VERSION:
        raise _damaged(item, f"format {manifest.get('format')!r} is not {FORMAT_VERSION!r}")
    files = {}
    for label, table in manifest["tables"].items():
        if table["key"] != s3.snapshot_table_key(item.snapshot_id, label):
            raise _damaged(item, f"table {label} points outside the snapshot")
        data = _read(table["key"])
        if data is None:
            raise _damaged(item, f"table {label} is missing")
        if len(data) != table["bytes"] or _sha256(data) != table["sha256"]:
            raise _damaged(item, f"table {label} is damaged (checksum mismatch)")
        files[label] = data
    return files


def _items(data: bytes) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(data).decode().splitlines() if line]


def restore_table(model: type[Model], items: list[dict]) -> tuple[int, int]:
    """Make a table hold exactly `items`: put the ones that differ, delete the others. (puts, deletes)."""
    names = _key_names(model)
    wanted = {_key_of(item, names): item for item in items}
    current = {_key_of(item, names): item for item in _scan(model)}
    puts = [{"PutRequest": {"Item": item}} for key, item in wanted.items() if current.get(key) != item]
    deletes = [
        {"DeleteRequest": {"Key": {name: item[name] for name in names}}}
        for key, item in current.items()
        if key not in wanted
    ]
    _batch_write(model.Meta.table_name, puts + deletes)
    return len(puts), len(deletes)


def restore(snapshot_id: str) -> dict:
    """Replace every snapshotted table with the snapshot's; tables it does not hold (added since) end empty. A
    snapshot an older version took lacks the index keys added since: they are set again after (a second Scan of
    the rekeyed tables, which writes only what lacks them), when the restored items show one lacking."""
    from functions.services import index_backfill

    files = verify(get(snapshot_id))
    restored = {
        model: _items(files[table_label(model)]) if table_label(model) in files else [] for model in snapshot_models()
    }
    changes = {table_label(model): restore_table(model, items) for model, items in restored.items()}
    stale = index_backfill.stale_tables(restored)
    rekeyed = index_backfill.run() if stale else {}
    log.info("restored snapshot %s: %s; index keys set again on %s (%s)", snapshot_id, changes, rekeyed, stale)
    return changes


# ---------------------------------------------------------------- the job: expiry


def expired(snapshots: list[Snapshot], now: int) -> list[Snapshot]:
    """Which snapshots to remove: successful ones past the newest 50, or past the newest 5 and older than 30 days;
    failed or abandoned ones after a day."""
    done = sorted((s for s in snapshots if s.state == SUCCESS), key=lambda s: s.start_stamp, reverse=True)
    old = now - EXPIRE_DAYS * 86400
    gone = [s for n, s in enumerate(done) if n >= KEEP_AT_MOST or (n >= KEEP_AT_LEAST and s.start_stamp < old)]
    gone += [s for s in snapshots if s.state != SUCCESS and s.start_stamp < now - ABANDONED_SECONDS]
    return gone


def expire(now: int) -> list[str]:
    gone = expired(newest_first(), now)
    for item in gone:
        _delete_objects(item.snapshot_id)
        item.delete()
    return [item.snapshot_id for item in gone]


def run_job(message: dict) -> None:
    """One message of the snapshot queue: `{"action": "create" | "restore", "snapshot_id"}`."""
    action, snapshot_id = message.get("action"), message.get("snapshot_id", "")
    if action == "create":
        create(snapshot_id)
    elif action == "restore":
        try:
            restore(snapshot_id)
        except (BadRequest, NotFound) as error:  # damaged or deleted since it was asked for: nothing to retry
            log.error("restore of %s refused: %s", snapshot_id, error.message)
    else:
        log.error("unknown snapshot job %r", message)
