"""The local run's data folder as a store: a snapshot of every table and bucket, and a journal of what changed since.

Every write the moto endpoint accepts is made durable before its answer (infra/moto_server.py): a DynamoDB write
request is appended to the journal and fsync'd before moto applies it (replaying it on the same state gives the
same result, failures included); an S3 write is applied, then its object is copied to a file of its own and a
manifest record appended. A checkpoint folds the journal into a new snapshot folder and switches `CURRENT` to it in
one rename, so a crash at any point leaves either the old snapshot and its journal or the new one.

A checkpoint writes what changed, not whole tables: for each table the journal wrote, the items its requests named
(their keys are in the requests), as they are at the cut, go to a change file of that checkpoint, and the keys of
those found deleted to another; every other file of the snapshot is a hard link to the last one's. A start reads a
table's whole file, then its change files in order. A table's change files are merged into a new whole file once
they hold more than half of its bytes (so a start reads at most one and a half times the table, and a merge's cost
is spread over at least half a table of changes), and into one change file once there are MAX_CHANGE_FILES.

    data/CURRENT                           the number n of the snapshot in use
    data/snapshots/n/tables/T.jsonl        one item of table T a line, DynamoDB JSON as on the wire
    data/snapshots/n/changes/T/k.jsonl     the items checkpoint k found changed since T.jsonl, as they then were
    data/snapshots/n/changes/T/k.gone      the keys of the items checkpoint k found deleted (a line each)
    data/snapshots/n/s3/B.json             bucket B's manifest: key -> file, ETag, content type, metadata
    data/journal/n.log                records after snapshot n, one JSON line each, in the order applied
    data/s3/B/objects/…               object files, one per version (a manifest or a record names each)
    data/sqs.json                     every queue's messages, rewritten whole after each change (see below)

SQS holds little (a message per queued download, gone once done) and changes with every receive, so its state is
not journalled: after each request that changed a queue, every queue's messages (bodies, receive counts, delays
and visibility as absolute times) are written to one file, atomically, before the answer. A start puts them back:
a download queued or waiting for its retry is delivered after a restart, when SQS would deliver it.

A folder of the layout before journals (data/tables, data/s3/B.json) loads as snapshot 0.
"""

import base64
import errno
import json
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("ytarchive.local")

# A checkpoint once the journal holds this many records: replaying them is what a start costs on top of the
# snapshot (about a millisecond each).
CHECKPOINT_RECORDS = 2000
MAX_CHANGE_FILES = 16  # a table's change files (two a checkpoint at most), folded into one at that: each is linked


class NotDurable(Exception):
    """A write that could not be made durable (disk full, folder read-only): refused, nothing of it kept."""


def write_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    """Write to a fresh temp file beside `path`, then rename it over: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def _fsync_folder(path: Path) -> None:
    """Make a rename or a new file in `path` durable (the folder's entry, not only the file's bytes)."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


# ---------------------------------------------------------------- the journal


class Journal:
    """An append-only file of JSON lines; `append` returns once the record is on disk."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.records = 0
        self._truncate_torn_tail()
        self._handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._size = os.fstat(self._handle).st_size
        self._broken = False
        _fsync_folder(path.parent)

    def _truncate_torn_tail(self) -> None:
        """A crash in the middle of an append leaves a last line without its newline: that write was never
        acknowledged, so it goes."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        self.records = data.count(b"\n")
        if end != len(data):
            with self.path.open("r+b") as file:
                file.truncate(end)
                os.fsync(file.fileno())

    def append(self, record: dict) -> None:
        line = json.dumps(record, separators=(",", ":")).encode() + b"\n"
        if self._broken:
            raise NotDurable("the journal could not be repaired after a failed write")
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._handle, view) :]
            os.fsync(self._handle)
        except OSError as error:
            self._undo_partial_append()
            raise NotDurable(f"journal {self.path}: {error.strerror or error}") from error
        self._size += len(line)
        self.records += 1

    def _undo_partial_append(self) -> None:
        try:
            os.ftruncate(self._handle, self._size)
            os.fsync(self._handle)
        except OSError:  # a torn line stays at the end; it is cut at the next start; no write may follow it
            self._broken = True

    def close(self) -> None:
        os.close(self._handle)

    @staticmethod
    def read(path: Path) -> Iterator[dict]:
        with path.open("rb") as lines:
            for line in lines:
                if line.endswith(b"\n"):
                    yield json.loads(line)


# ---------------------------------------------------------------- moto's state, read and written in process


def dynamodb_backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", "us-east-1")]


def s3_backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]


def sqs_backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    return sqs_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", "us-east-1")]


# What a moto SQS message holds besides its body; times are absolute (ms since the epoch), so a delay or an
# in-flight receive's visibility timeout runs on across a restart.
MESSAGE_FIELDS = (
    "id",
    "body",
    "message_attributes",
    "system_attributes",
    "sender_id",
    "sent_timestamp",
    "approximate_first_receive_timestamp",
    "approximate_receive_count",
    "deduplication_id",
    "group_id",
    "sequence_number",
    "visible_at",
    "delayed_until",
    "receipt_handle",
)


def queue_messages() -> dict[str, list[dict]]:
    """Every moto queue's messages, by queue name."""
    return {
        name: [{f: getattr(message, f) for f in MESSAGE_FIELDS} for message in list(queue._messages)]
        for name, queue in sqs_backend().queues.items()
    }


def restore_queue_messages(saved: dict[str, list[dict]]) -> int:
    """Put saved messages back into the queues of the same names (a queue no longer in the stack is skipped)."""
    from moto.sqs.models import Message

    queues, count = sqs_backend().queues, 0
    for name, messages in saved.items():
        queue = queues.get(name)
        if queue is None:
            log.warning("not loading %d message(s) of queue %s: not in the stack", len(messages), name)
            continue
        restored = []
        for fields in messages:
            message = Message(fields["id"], fields["body"])
            for name_, value in fields.items():
                setattr(message, name_, value)
            restored.append(message)
        with queue._messages_lock:
            queue._messages = restored
            queue._messages_lock.notify_all()
        count += len(restored)
    return count


def binary_to_text(value):
    """JSON's default for the binary values moto keeps decoded: base64, as its answers send them."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot store {type(value).__name__}")


def table_lines(table) -> list[bytes]:
    """Every item of a moto table as lines of DynamoDB JSON as on the wire (infra/dynamo_items.py: an item
    loaded and never read since is its line as loaded)."""
    from infra.dynamo_items import line_of

    partitions = table.items.values()
    if table.range_key_attr:
        return [line_of(item) for partition in partitions for item in partition.values()]
    return [line_of(item) for item in partitions]


def load_table_lines(table, lines: Iterable[bytes]) -> int:
    """Put a snapshot's items into moto's table, each parsed when first read (infra/dynamo_items.py)."""
    from infra.dynamo_items import load_lines

    return load_lines(table, lines)


def object_entry(fake_key, file: str) -> dict:
    """The manifest entry of one moto object stored in `file`."""
    metadata = fake_key.metadata
    return {
        "file": file,
        "etag": fake_key.etag,
        "content_type": metadata.get("Content-Type"),
        "metadata": {k[len("x-amz-meta-") :]: v for k, v in metadata.items() if k.lower().startswith("x-amz-meta-")},
    }


def items_named(body: str) -> dict[str, list[dict]] | None:
    """The items (their Item, or their Key) a DynamoDB write request names, by table; None when it names none
    that way (PartiQL, or what does not parse): then any item of any table may have changed."""
    try:
        request = json.loads(body)
        named: dict[str, list[dict]] = {}
        if "TableName" in request:
            parts = [(request["TableName"], request)]
        elif "RequestItems" in request:
            parts = [
                (table, entry.get("PutRequest") or entry.get("DeleteRequest") or {})
                for table, entries in request["RequestItems"].items()
                for entry in entries
            ]
        elif "TransactItems" in request:
            parts = [(op.get("TableName"), op) for item in request["TransactItems"] for op in item.values()]
        else:
            return None
        for table, part in parts:
            named.setdefault(table, []).append(part.get("Item") or part.get("Key") or {})
        return named
    except (ValueError, TypeError, AttributeError):
        return None


def changed_keys(backend, bodies: list[str]) -> tuple[dict[str, set], bool]:
    """The keys of the items the write requests may have changed, by table, and whether one of them named none
    (every table then written whole). A key a request lacks is skipped: moto refused that request."""
    from infra.dynamo_items import item_key

    keys: dict[str, set] = {}
    for body in bodies:
        named = items_named(body)
        if named is None:
            return keys, True
        for name, parts in named.items():
            table = backend.tables.get(name)
            if table is None:
                continue
            changed = keys.setdefault(name, set())
            for attributes in parts:
                try:
                    changed.add(item_key(table, attributes))
                except (KeyError, ValueError, TypeError, AttributeError):
                    continue
    return keys, False


@dataclass
class TableWrite:
    """What a checkpoint writes of one table: every item (`whole`), or the lines of a change file (`items`,
    `gone`) that follows the table's change files but those it `replaces`."""

    whole: list[bytes] | None = None
    items: list[bytes] = field(default_factory=list)
    gone: list[bytes] = field(default_factory=list)
    replaces: list[Path] = field(default_factory=list)


def change_files(snapshot_folder: Path, table: str) -> list[Path]:
    """A table's change files in a snapshot, in the order they apply (both files of a checkpoint: items, gone)."""
    folder = snapshot_folder / "changes" / table
    if not folder.exists():
        return []
    named = [path for path in folder.iterdir() if path.name.partition(".")[0].isdigit()]
    return sorted(named, key=lambda path: (int(path.name.partition(".")[0]), path.suffix == ".gone"))


def plan_table_write(table, snapshot_folder: Path, keys: set | None) -> TableWrite:
    """What a checkpoint writes of a moto table whose items with `keys` may have changed (None: any of them)."""
    from infra.dynamo_items import key_line, line_keys, line_of, stored_item

    whole_file = snapshot_folder / "tables" / f"{table.name}.jsonl"
    changes = change_files(snapshot_folder, table.name)
    if keys is not None and whole_file.exists():
        if len(changes) >= MAX_CHANGE_FILES:  # folded into one: every key they name, as it is now
            for path in changes:
                with path.open("rb") as lines:
                    keys = keys | line_keys(table, lines)
        write = TableWrite(replaces=changes if len(changes) >= MAX_CHANGE_FILES else [])
        for key in keys:
            item = stored_item(table, key)
            if item is None:
                write.gone.append(key_line(table, key))
            else:
                write.items.append(line_of(item))
        kept = sum(path.stat().st_size for path in changes if path not in write.replaces)
        added = sum(map(len, write.items)) + sum(map(len, write.gone))
        if kept + added <= whole_file.stat().st_size // 2:
            return write
    return TableWrite(whole=table_lines(table))


# ---------------------------------------------------------------- the store


@dataclass
class Snapshot:
    number: int
    folder: Path


@dataclass
class Store:
    """The data folder of one run. `apply` runs a recorded DynamoDB request against moto (replay);
    `load_objects` puts a bucket's objects back (through a client that does not record)."""

    folder: Path
    apply: Callable[[str, str], None]
    dynamodb_lock: threading.Lock = field(default_factory=threading.Lock)
    s3_lock: threading.Lock = field(default_factory=threading.Lock)
    sqs_lock: threading.Lock = field(default_factory=threading.Lock)
    manifests: dict = field(default_factory=dict)
    journal: Journal | None = None
    journal_number: int = 0
    snapshot: Snapshot | None = None
    _written: list = field(default_factory=list)  # the DynamoDB write requests since the last cut (their bodies)
    _garbage: list = field(default_factory=list)  # object files superseded since the snapshot
    _checkpointing: threading.Lock = field(default_factory=threading.Lock)

    # ---------------------------------------------------------------- start

    def _current(self) -> Snapshot:
        pointer = self.folder / "CURRENT"
        if pointer.exists():
            number = int(pointer.read_text())
            return Snapshot(number, self.folder / "snapshots" / str(number))
        return Snapshot(0, self.folder)  # the layout before journals, or an empty folder

    def open(self, load_objects: Callable[[str, dict], dict]) -> dict:
        """Load the snapshot, replay its journal, put the objects back; then start recording. Counts loaded."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.snapshot = self._current()
        counts = {"items": self._load_tables(), "records": 0, "objects": 0, "messages": 0}
        for path in sorted((self.snapshot.folder / "s3").glob("*.json")):
            self.manifests[path.stem] = json.loads(path.read_text())
        journal_paths = self._journal_paths()
        for path in journal_paths:
            for record in Journal.read(path):
                self._replay(record)
                counts["records"] += 1
        buckets = {bucket.name for bucket in s3_backend().buckets.values()}
        for bucket, manifest in self.manifests.items():
            if bucket not in buckets:
                log.warning("not loading bucket %s: not in the stack", bucket)
                continue
            self.manifests[bucket] = load_objects(bucket, manifest)
            counts["objects"] += len(manifest)
        self._sweep_unreferenced_objects()
        if self._queues_path.exists():
            counts["messages"] = restore_queue_messages(json.loads(self._queues_path.read_bytes()))
        self.journal_number = int(journal_paths[-1].stem) if journal_paths else self.snapshot.number
        self.journal = Journal(self._journal_path(self.journal_number))
        self.journal.records = counts["records"]
        return counts

    def _load_tables(self) -> int:
        """Each table's whole file, then its change files in order; the number of items loaded."""
        from infra.dynamo_items import item_count, remove_lines

        backend, count = dynamodb_backend(), 0
        whole = {path.stem for path in (self.snapshot.folder / "tables").glob("*.jsonl")}
        changed = {path.name for path in (self.snapshot.folder / "changes").glob("*")}
        for name in sorted(whole | changed):
            table = backend.tables.get(name)
            if table is None:  # the files stay, linked into later snapshots, until the table is back
                log.warning("not loading table %s: not in the stack", name)
                continue
            paths = [self.snapshot.folder / "tables" / f"{name}.jsonl"] if name in whole else []
            for path in paths + change_files(self.snapshot.folder, name):
                with path.open("rb") as lines:
                    if path.suffix == ".gone":
                        remove_lines(table, lines)
                    else:
                        load_table_lines(table, lines)
            count += item_count(table)
        return count

    def _journal_path(self, number: int) -> Path:
        return self.folder / "journal" / f"{number}.log"

    def _journal_paths(self) -> list[Path]:
        """The journal files from the current snapshot on (a failed checkpoint leaves one more), oldest first."""
        numbers = sorted(int(p.stem) for p in (self.folder / "journal").glob("*.log") if p.stem.isdigit())
        return [self._journal_path(n) for n in numbers if n >= self.snapshot.number]

    def _replay(self, record: dict) -> None:
        if "t" in record:
            self.apply(record["t"], record["b"])
            self._written.append(record["b"])
        else:
            manifest = self.manifests.setdefault(record["s3"], {})
            if record["e"] is None:
                manifest.pop(record["k"], None)
            else:
                manifest[record["k"]] = record["e"]

    def _sweep_unreferenced_objects(self) -> None:
        """Object files no manifest names: copies a crash left before their record was written."""
        for bucket, manifest in self.manifests.items():
            named = {entry["file"] for entry in manifest.values()}
            objects = self.folder / "s3" / bucket / "objects"
            for path in objects.glob("*") if objects.exists() else ():
                if f"objects/{path.name}" not in named:
                    path.unlink(missing_ok=True)

    # ---------------------------------------------------------------- writes

    def record_dynamodb(self, target: str, body: bytes) -> None:
        """Before moto applies a DynamoDB write (under `dynamodb_lock`): on disk, or NotDurable."""
        text = body.decode()
        self.journal.append({"t": target, "b": text})
        self._written.append(text)

    def record_object(self, bucket: str, key: str, fake_key) -> dict | None:
        """After moto applied an S3 write (under `s3_lock`): the object's bytes in a file of their own, then its
        record; or NotDurable, with nothing left of it on disk. `fake_key` None: the key was deleted."""
        entry = None
        path = None
        if fake_key is not None:
            file = f"objects/{uuid.uuid4().hex}"
            path = self.folder / "s3" / bucket / file
            try:
                with fake_key.lock:
                    fake_key._value_buffer.seek(0)
                    write_atomic(path, iter(lambda: fake_key._value_buffer.read(1024 * 1024), b""))
            except OSError as error:
                raise NotDurable(f"object file {path}: {error.strerror or error}") from error
            entry = object_entry(fake_key, file)
        try:
            self.journal.append({"s3": bucket, "k": key, "e": entry})
        except NotDurable:
            if path is not None:
                path.unlink(missing_ok=True)
            raise
        previous = self.manifests.setdefault(bucket, {}).get(key)
        if previous:
            self._garbage.append(self.folder / "s3" / bucket / previous["file"])
        if entry is None:
            self.manifests[bucket].pop(key, None)
        else:
            self.manifests[bucket][key] = entry
        return entry

    @property
    def _queues_path(self) -> Path:
        return self.folder / "sqs.json"

    def record_queues(self) -> None:
        """After moto changed a queue (under `sqs_lock`): every queue's messages on disk, or NotDurable."""
        state = json.dumps(queue_messages(), separators=(",", ":"), default=binary_to_text).encode()
        try:
            write_atomic(self._queues_path, [state])
        except OSError as error:
            raise NotDurable(f"queue state {self._queues_path}: {error.strerror or error}") from error

    def restore_object(self, bucket: str, key: str) -> None:
        """Put the saved version of an object back into moto (or remove the key, when none was saved)."""
        backend = s3_backend()
        entry = self.manifests.get(bucket, {}).get(key)
        if entry is None:
            if key in backend.buckets[bucket].keys:
                backend.buckets[bucket].keys.pop(key)
            return
        value = (self.folder / "s3" / bucket / entry["file"]).read_bytes()
        fake_key = backend.put_object(bucket, key, value, disable_notification=True)
        metadata = {f"x-amz-meta-{name}": text for name, text in entry["metadata"].items()}
        fake_key.set_metadata({"Content-Type": entry["content_type"] or "binary/octet-stream", **metadata})

    # ---------------------------------------------------------------- checkpoints

    def needs_checkpoint(self) -> bool:
        return self.journal is not None and self.journal.records >= CHECKPOINT_RECORDS

    def checkpoint(self) -> bool:
        """Fold the journal into a new snapshot; False (and everything kept as it was) when that fails."""
        with self._checkpointing:
            with self.dynamodb_lock, self.s3_lock:  # a cut between two writes: nothing is half in the snapshot
                if not self.journal.records:
                    return True
                written, self._written = self._written, []
                garbage, self._garbage = self._garbage, []
                backend = dynamodb_backend()
                keys, every = changed_keys(backend, written)
                names = backend.tables.keys() if every else keys.keys()
                writes = {
                    name: plan_table_write(backend.tables[name], self.snapshot.folder, None if every else keys[name])
                    for name in names
                }
                manifests = json.loads(json.dumps(self.manifests))
                # The new snapshot holds every journal before its number; a failed attempt's journal stays below.
                number = self.journal_number + 1
                old_journal = self.journal
                try:
                    self.journal = Journal(self._journal_path(number))
                except OSError as error:
                    self._written = written + self._written
                    self._garbage = garbage + self._garbage
                    log.error("checkpoint skipped: %s", error)
                    return False
                old_journal.close()
                self.journal_number = number
            try:
                self._write_snapshot(number, writes, manifests)
            except OSError as error:
                log.error("checkpoint %d failed (the journals keep every write): %s", number, error)
                shutil.rmtree(self.folder / "snapshots" / str(number), ignore_errors=True)
                with self.dynamodb_lock, self.s3_lock:
                    self._written = written + self._written
                    self._garbage = garbage + self._garbage
                    self.journal.records += old_journal.records
                return False
            previous, self.snapshot = self.snapshot, Snapshot(number, self.folder / "snapshots" / str(number))
            self._remove_before(previous, garbage)
            return True

    def _write_snapshot(self, number: int, writes: dict[str, TableWrite], manifests: dict) -> None:
        """The new snapshot folder: the last one's files linked, but those `writes` replace, then `writes`."""
        source, target = self.snapshot.folder, self.folder / "snapshots" / str(number)
        shutil.rmtree(target, ignore_errors=True)  # a failed attempt's leftovers
        (target / "tables").mkdir(parents=True)
        (target / "changes").mkdir()
        (target / "s3").mkdir()
        for path in (source / "tables").glob("*.jsonl"):
            if path.stem not in writes or writes[path.stem].whole is None:
                os.link(path, target / "tables" / path.name)
        folders = [target / "tables", target / "changes", target / "s3", target, target.parent]
        for folder in (source / "changes").glob("*"):
            write = writes.get(folder.name)
            kept = [p for p in change_files(source, folder.name) if write is None or p not in write.replaces]
            if write is None or (write.whole is None and kept):
                (target / "changes" / folder.name).mkdir()
                folders.append(target / "changes" / folder.name)
                for path in kept:
                    os.link(path, target / "changes" / folder.name / path.name)
        for name, write in writes.items():
            if write.whole is not None:
                write_atomic(target / "tables" / f"{name}.jsonl", write.whole)
                continue
            changes = target / "changes" / name
            for suffix, lines in ((".jsonl", write.items), (".gone", write.gone)):
                if lines:
                    write_atomic(changes / f"{number}{suffix}", lines)
            folders.append(changes)
        for bucket, manifest in manifests.items():
            write_atomic(target / "s3" / f"{bucket}.json", [json.dumps(manifest, indent=1, sort_keys=True).encode()])
        for folder in dict.fromkeys(folders):
            if folder.exists():
                _fsync_folder(folder)
        write_atomic(self.folder / "CURRENT", [str(number).encode()])
        _fsync_folder(self.folder)

    def _remove_before(self, previous: Snapshot, garbage: list[Path]) -> None:
        """What the new snapshot replaced: the older snapshot folders (or the old layout), older journals, and the
        object files superseded before the cut."""
        try:
            if previous.folder == self.folder:  # the layout before journals
                shutil.rmtree(self.folder / "tables", ignore_errors=True)
                for path in (self.folder / "s3").glob("*.json"):
                    path.unlink()
            for folder in (self.folder / "snapshots").glob("*"):  # and any a crash left half written
                if folder.name.isdigit() and int(folder.name) < self.snapshot.number:
                    shutil.rmtree(folder, ignore_errors=True)
            for path in (self.folder / "journal").glob("*.log"):
                if path.stem.isdigit() and int(path.stem) < self.snapshot.number:
                    path.unlink()
            for path in garbage:
                path.unlink(missing_ok=True)
        except OSError as error:
            if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            log.warning("could not remove old snapshot files: %s", error)

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
            self.journal = None
