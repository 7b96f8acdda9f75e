"""What one API request costs in DynamoDB, at 1,000 and at 100,000 videos, and what importing the handler costs.

    python bench/api_cost.py [--sizes 1000,100000] [--fill fast|import] [--reimport-max 10000] [--import-runs 9]
                             [--import-only] [--only TEXT]

For each size, in a fresh moto (`mock_aws`, the stack created from infra/resources.yaml as tests/conftest.py
does), an archive of that many videos over 50 channels and 20 playlists is filled by bench/fill.py (the importer's
rows put into moto directly, counters recounted: minutes at 100k; `--fill import` runs the importer itself), with a
download queue of a twentieth as many items, a custom playlist and an admin's watch states; then every request of
ROWS (a data table: a line a row) is sent through chalice's test client with a v0.4 and/or a v0.5 admin token, at
page 0 and, for lists, at a deep page (offset 9,000: page 751 of 12). The requests are answered over the local
run's indexed engine (infra/dynamo_index.install, as bench/local_api.py builds): the same calls as plain moto, but
a Query no longer sorts the whole table, so 100,000 videos take minutes, not hours. A botocore hook on every
DynamoDB client of pynamodb and functions.storage.db counts the calls by operation and the items they read. Then
`import app` is timed in subprocesses against `import boto3`, with the project's bytecode as the package ships it
(infra/bytecode.py) and without. Prints Markdown tables; asserts nothing that is timed.

The archive: channel 0 holds a fifth of the videos (so its video list reaches a deep page at 100k), the other
videos are spread over 49 channels; video i is in playlist i % 20 while that playlist has fewer than 5,000
entries (YouTube's limit), so playlists hold 50 videos at 1k and 5,000 at 100k.

moto's Query stops a page at 1 MB of *whole items* even on an index that projects only keys, where DynamoDB
counts the projected index entries; so deep pages take more Query calls under moto than on DynamoDB. The
"est." column recomputes each logical Query's pages from the bytes of the items it returned (DynamoDB's item
size: names plus values) over 1 MB.
"""

import argparse
import collections
import compileall
import json
import math
import os
import py_compile
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Before any project import: models read the region and table prefix when they are defined (as in conftest).
for _name in list(os.environ):
    if _name.startswith("AWS_ENDPOINT_URL") or _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        del os.environ[_name]
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    APP_STAGE="local",
    TABLE_PREFIX="ytarchive-local-",
    MEDIA_BUCKET="ytarchive-local-media",
)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

CHANNELS = 50
PLAYLISTS = 20
PLAYLIST_LIMIT = 5000
CUSTOM_ENTRIES = 3  # videos of the custom playlist: each added in a transaction, which moto makes copy a table
RUNS = 500  # download runs recorded before the requests (by-name lists the newest 100)
STATS = ("video", "channel", "playlist", "download", "watch", "downloadhist", "biggestchannels")
DEEP_PAGE = 751  # offset (751 - 1) * 12 = 9,000
PAGE_SIZE = 12
MB = 1024 * 1024
DEEP_CALL_BUDGET = 5
IMPORT_RATIO_BUDGET = 1.3


# ---------------------------------------------------------------- the archive


def channel_id(n: int) -> str:
    return f"UC{n:022d}"


def playlist_id(n: int) -> str:
    return f"PL{n:016d}"


def video_id(n: int) -> str:
    return f"v{n:010d}"


def make_queue(videos: int) -> list[dict]:
    """The download queue beside an archive of `videos`: a twentieth as many items (a quarter ignored, a third
    shorts, a seventh failed), a fifth of them from channel 0, as bench/fill.py's queue() takes them."""
    rows = []
    for i in range(videos // 20):
        channel = 0 if i % 5 == 0 else 1 + i % (CHANNELS - 1)
        rows.append(
            {
                "youtube_id": f"q{i:010d}",
                "title": f"Queued {i}",
                "channel_id": channel_id(channel),
                "channel_name": f"Channel {channel}",
                "vid_type": "shorts" if i % 3 == 0 else "videos",
                "status": "ignore" if i % 4 == 0 else "pending",
                **({"message": "download failed (attempt 1 of 3): HTTP Error 500"} if i % 7 == 0 else {}),
            }
        )
    return rows


def make_document(videos: int) -> dict:
    base = date(2010, 1, 1)
    entries: dict[int, list[dict]] = {p: [] for p in range(PLAYLISTS)}
    rows = []
    for i in range(videos):
        channel = 0 if i % 5 == 0 else 1 + i % (CHANNELS - 1)
        playlist = i % PLAYLISTS
        in_playlist = len(entries[playlist]) < PLAYLIST_LIMIT
        if in_playlist:
            entries[playlist].append(
                {"youtube_id": video_id(i), "title": f"Video {i}", "uploader": f"Channel {channel}"}
            )
        rows.append(
            {
                "youtube_id": video_id(i),
                "title": f"Video {i}: a title of a usual length",
                "description": f"Description of video {i}. " + "Some words about what happens in it. " * 8,
                "published": (base + timedelta(days=(i * 7919) % 5000)).isoformat(),
                "date_downloaded": 1_600_000_000 + i * 60,
                "vid_type": "videos",
                "channel_id": channel_id(channel),
                "player": {"duration": 60 + i % 3600},
                "stats": {"view_count": i * 13, "like_count": i, "dislike_count": 0, "average_rating": None},
                "tags": ["music", "live", f"tag{i % 100}"],
                "category": ["Music"],
                "playlist": [playlist_id(playlist)] if in_playlist else [],
                "media_size": 50_000_000 + i,
                "subtitles": [{"ext": "vtt", "lang": "en", "name": "English", "source": "auto"}],
            }
        )
    return {
        "channels": [
            {
                "channel_id": channel_id(c),
                "channel_name": f"Channel {c}",
                "channel_description": "A channel.",
                "channel_subscribed": c % 2 == 0,
                "channel_subs": 1000 * c,
            }
            for c in range(CHANNELS)
        ],
        "playlists": [
            {
                "playlist_id": playlist_id(p),
                "playlist_name": f"Playlist {p}",
                "playlist_channel": "Channel 0",
                "playlist_channel_id": channel_id(0),
                "playlist_entries": entries[p],
            }
            for p in range(PLAYLISTS)
        ],
        "videos": rows,
    }


# ---------------------------------------------------------------- counting DynamoDB calls


def _value_size(value: dict) -> int:
    """DynamoDB's size of one attribute value (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
    CapacityUnitCalculations.html), close enough for page estimates."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(inner.strip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in inner.items())
    return sum(len(str(v)) for v in inner)  # sets


def item_size(item: dict) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


class DynamoCalls:
    """Counts the DynamoDB calls of the clients it is attached to: operations, items read, Query bytes."""

    def __init__(self):
        self._clients = []
        self._continuation = False
        self.reset()

    def reset(self) -> None:
        self.ops: collections.Counter = collections.Counter()
        self.items = 0
        self.queries: list[int] = []  # bytes returned by each logical Query (its pages summed)

    def attach_all(self) -> None:
        """Hook every pynamodb model's client and functions.storage.db's connection (idempotent)."""
        from pynamodb.models import Model

        from functions.storage import db

        clients = [db.connection().client]
        pending = list(Model.__subclasses__())
        while pending:
            model = pending.pop()
            pending.extend(model.__subclasses__())
            if getattr(model, "Meta", None) is not None and getattr(model.Meta, "table_name", None):
                clients.append(model._get_connection().connection.client)
        for client in clients:
            if not any(client is known for known in self._clients):
                self._clients.append(client)
                client.meta.events.register("before-call.dynamodb", self._before)
                client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, model, params, **kwargs) -> None:
        if model.name == "Query":
            body = params.get("body") or b"{}"
            self._continuation = "ExclusiveStartKey" in json.loads(body)

    def _after(self, http_response, parsed, model, **kwargs) -> None:
        name = model.name
        self.ops[name] += 1
        if name in ("Query", "Scan"):
            self.items += int(parsed.get("Count", 0))
            size = sum(item_size(item) for item in parsed.get("Items", []))
            if name == "Query":
                if self._continuation and self.queries:
                    self.queries[-1] += size
                else:
                    self.queries.append(size)
        elif name == "GetItem":
            self.items += 1 if parsed.get("Item") else 0
        elif name == "BatchGetItem":
            self.items += sum(len(items) for items in parsed.get("Responses", {}).values())
        elif name == "TransactGetItems":
            self.items += sum(1 for response in parsed.get("Responses", []) if response.get("Item"))

    @property
    def calls(self) -> int:
        return sum(self.ops.values())

    @property
    def estimated_calls(self) -> int:
        """Calls if every logical Query took the pages its returned bytes need on DynamoDB."""
        pages = sum(max(1, math.ceil(size / MB)) for size in self.queries)
        return self.calls - self.ops["Query"] + pages

    def summary(self) -> str:
        short = {"BatchGetItem": "BatchGet", "GetItem": "Get", "TransactWriteItems": "TransactWrite"}
        return ", ".join(f"{short.get(op, op)} {n}" for op, n in sorted(self.ops.items()))


# ---------------------------------------------------------------- one archive size


def create_stack() -> None:
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(StackName="ytarchive", TemplateBody=(ROOT / "infra/resources.yaml").read_text())


V04, V05 = "v0.4", "v0.5"
BOTH = (V04, V05)
# Every request measured: (path, the dialects of the admin tokens it is sent with, whether it is a paged list).
# {video}, {channel}, {playlist}, {custom}, {task} name items of the archive; each row is one line, so that rows
# added on other branches merge one line each.
ROWS: list[tuple[str, tuple[str, ...], bool]] = [
    ("/api/video/", BOTH, True),
    ("/api/video/{video}/", BOTH, False),
    ("/api/channel/", BOTH, True),
    ("/api/channel/?filter=subscribed", (V04,), True),
    ("/api/channel/{channel}/", BOTH, False),
    ("/api/channel/{channel}/video/", (V04,), True),
    ("/api/playlist/", BOTH, True),
    ("/api/playlist/{playlist}/", BOTH, False),
    ("/api/playlist/{playlist}/video/", (V04,), True),
    ("/api/video/?channel={channel}", (V04,), True),
    ("/api/video/?channel={channel}&type=videos", (V05,), True),
    ("/api/video/?playlist={playlist}", (V04,), True),
    ("/api/video/?playlist={custom}", (V05,), True),
    ("/api/video/?order=asc", (V04,), True),
    ("/api/video/?sort=published&order=asc", (V05,), True),
    ("/api/video/?type=videos", (V04,), True),
    ("/api/video/?watch=watched", (V04,), True),
    ("/api/video/?watch=unwatched", (V04,), True),
    ("/api/video/?watch=continue", (V04,), True),
    ("/api/video/?watch=unwatched&order=asc", (V05,), True),
    ("/api/video/{video}/progress/", (V04,), False),
    ("/api/video/{video}/nav/", (V05,), False),
    ("/api/playlist/?channel={channel}", (V05,), True),
    ("/api/playlist/?subscribed=true", (V05,), True),
    ("/api/playlist/?type=custom", (V05,), True),
    ("/api/playlist/{custom}/", (V05,), False),
    ("/api/download/", BOTH, True),
    ("/api/download/?filter=pending", (V04,), True),
    ("/api/download/?filter=ignore", (V04,), True),
    ("/api/download/?filter=pending&vid_type=shorts", (V05,), True),
    ("/api/download/?filter=pending&channel={channel}", (V05,), True),
    ("/api/download/?filter=pending&error=true", (V05,), True),
    ("/api/download/?error=false", (V05,), True),
    ("/api/download/?q=queued", (V05,), True),
    ("/api/download/?filter=pending&q=queued+17", (V05,), True),
    ("/api/download/?filter=ignore&q=channel+0", (V05,), True),
    ("/api/download/aggs/?filter=pending", (V05,), False),
    ("/api/channel/{channel}/nav/", (V05,), False),
    ("/api/channel/{channel}/aggs/", (V05,), False),
    ("/api/ping/", (V04,), False),
    *((f"/api/stats/{name}/", BOTH, False) for name in STATS),
    ("/api/stats/biggestchannels/?order=media_size", BOTH, False),
    ("/api/users/me/continue/", (V04,), False),
    ("/api/users/", (V04,), False),
    ("/api/user/me/", (V05,), False),
    ("/api/user/account/", (V05,), False),
    ("/api/appsettings/token/", (V05,), False),
    ("/api/appsettings/config/", (V05,), False),
    ("/api/appsettings/backup/", (V05,), False),
    ("/api/task/by-name/", (V05,), False),
    ("/api/task/by-name/{task}/", (V05,), False),
    ("/api/task/notification/", (V05,), False),
    ("/api/notification/", (V05,), False),
    ("/api/task/schedule/", (V05,), False),
]


def requests(names: dict[str, str], only: str | None = None) -> list[tuple[str, str, str, bool]]:
    """(label, path, dialect, is a list) of every request of ROWS (or of those whose path has `only`), its items
    named by `names`."""
    found = []
    for template, dialects, is_list in ROWS:
        if only is not None and only not in template:
            continue
        label = "GET " + re.sub(r"\{(video|channel|playlist|custom)\}", "<id>", template).replace("{task}", "<name>")
        for dialect in dialects:
            found.append(
                (label + (" (v0.5 token)" if dialect == V05 else ""), template.format(**names), dialect, is_list)
            )
    return found


def measure(client, calls: DynamoCalls, headers: dict, path: str) -> dict:
    calls.attach_all()
    calls.reset()
    started = time.perf_counter()
    response = client.http.get(path, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:  # shown in the table, not measured
        print(f"  {path}: {response.status_code} {response.body[:300]!r}", file=sys.stderr)
        return {"note": f"answered {response.status_code}", "body": None}
    return {
        "calls": calls.calls,
        "est": calls.estimated_calls,
        "ops": calls.summary(),
        "items": calls.items,
        "ms": elapsed * 1000,
        "body": response.json_body,
    }


def run_size(size: int, reimport: bool, fast: bool, only: str | None = None) -> dict:
    import fill
    from chalice.test import Client

    from functions.services import importer, task_runs
    from functions.services.archive import custom_playlists
    from functions.services.auth import users
    from infra import dynamo_index

    calls = DynamoCalls()
    result = {"size": size, "requests": {}}
    with mock_aws():
        create_stack()
        admin = users.create_user("admin", "bench-password", is_admin=True)
        modern = users.create_user("modern", "bench-password", is_admin=True, dialect="v0.5")
        fill.queue(make_queue(size))  # before the fill: its counters' transaction then copies small tables
        document = make_document(size)
        result["entries"] = sum(len(p["playlist_entries"]) for p in document["playlists"])
        calls.attach_all()
        calls.reset()
        started = time.perf_counter()
        summary = fill.fill(document) if fast else importer.import_document(document)
        result["import_s"] = time.perf_counter() - started
        result["import_ops"] = calls.summary()
        result["import_calls"] = calls.calls
        result["totals"] = summary["totals"]
        result["fill"] = "bench/fill.py" if fast else "importer"
        print(f"  filled {size:,} videos in {result['import_s']:.1f} s: {summary['totals']}", file=sys.stderr)
        if reimport and not fast:
            calls.reset()
            started = time.perf_counter()
            again = importer.import_document(document)
            result["reimport_s"] = time.perf_counter() - started
            result["reimport_ops"] = calls.summary()
            assert again["videos"]["unchanged"] == size, again  # idempotent: nothing rewritten
            assert again["totals"] == summary["totals"], again
        custom = custom_playlists.create("Made here").playlist_id
        for n in range(CUSTOM_ENTRIES):
            custom_playlists.change(custom, "create", video_id(n))
        for user in (admin, modern):  # each: a tenth watched, a tenth half played (the `watch` rows of both tokens)
            fill.watch_states(int(user.user_id), document["videos"])
        del document
        task_runs.queue(task_runs.DOWNLOAD_PENDING, RUNS)  # a queue started: the runs by-name lists
        dynamo_index.install()  # after the fill's direct writes: the indexes are built from the filled tables
        tokens = {
            V04: {"Authorization": f"Token {admin.api_token}"},
            V05: {"Authorization": f"Token {modern.api_token}"},
        }
        names = {"video": video_id(3), "channel": channel_id(0), "playlist": playlist_id(0)}
        names.update(custom=custom, task=task_runs.DOWNLOAD_PENDING)
        with Client(_app(), stage_name="local", project_dir=str(ROOT)) as client:
            client.http.get("/api/ping/", headers=tokens[V04])  # warm: clients created, routes loaded
            for label, path, dialect, is_list in requests(names, only):
                caller = tokens[dialect]
                first = measure(client, calls, caller, path)
                result["requests"][(label, "0")] = first
                if not is_list or not isinstance(first["body"], dict) or "paginate" not in first["body"]:
                    continue
                paging = first["body"]["paginate"]
                last = paging["last_page"] or 1
                if last >= DEEP_PAGE:
                    page, note = DEEP_PAGE, str(DEEP_PAGE)
                else:
                    page, note = last, f"{last} (last; {paging['total_hits']:,} hits, too short for {DEEP_PAGE})"
                if page > 1:
                    deep = measure(client, calls, caller, f"{path}{'&' if '?' in path else '?'}page={page}")
                    deep["note"] = note
                    result["requests"][(label, "deep")] = deep
                else:
                    result["requests"][(label, "deep")] = {"note": f"one page only ({paging['total_hits']} hits)"}
                print(f"  {size:,}: {label} measured", file=sys.stderr)
    return result


def _app():
    from app import app

    return app


# ---------------------------------------------------------------- cold start


def project_bytecode(shipped: bool) -> dict:
    """The environment of the timed imports, the project's bytecode as a Lambda cold start finds it: shipped, as
    infra/bytecode.py adds it to the package (unchecked-hash pycs), or none, as before (/var/task is read-only, so
    every cold start compiled app.py and functions/). Leftover __pycache__ folders are removed either way; the
    libraries keep the bytecode pip gave them."""
    for cache in [ROOT / "__pycache__", *(ROOT / "functions").rglob("__pycache__")]:
        shutil.rmtree(cache, ignore_errors=True)
    if shipped:
        mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
        compileall.compile_dir(ROOT / "functions", quiet=2, invalidation_mode=mode)
        compileall.compile_file(ROOT / "app.py", quiet=2, invalidation_mode=mode)
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def run_ms(code: str, env: dict) -> float:
    """The CPU time (user + system) of an interpreter running `code`: on a machine shared with other work the wall
    time mostly measures the others."""
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, code)
    return (usage.ru_utime + usage.ru_stime) * 1000


def cold_start(runs: int) -> dict:
    """Median ms of `import boto3` and `import app` (a bare interpreter's start subtracted), with the project's
    bytecode shipped and without it."""
    codes = {"bare": "pass", "boto3": "import boto3", "app": "import app"}
    result = {}
    try:
        for shipped in (False, True):
            env = project_bytecode(shipped)
            samples: dict[str, list[float]] = {name: [] for name in codes}
            for _ in range(runs):  # interleaved, so drift of the machine hits all alike
                for name, code in codes.items():
                    samples[name].append(run_ms(code, env))
            medians = {name: statistics.median(values) for name, values in samples.items()}
            result["shipped" if shipped else "source"] = {
                "bare": medians["bare"],
                "boto3": medians["boto3"] - medians["bare"],
                "app": medians["app"] - medians["bare"],
            }
    finally:
        project_bytecode(False)  # unchecked pycs left behind would run instead of later edits of the sources
    heavy = {"yt_dlp", "aws_lambda_powertools", "mutagen"}
    code = f"import sys, app; print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy!r}))"
    probe = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    result["heavy"] = json.loads(probe.stdout.strip().replace("'", '"'))
    return result


# ---------------------------------------------------------------- tables


def print_tables(results: list[dict], start: dict, elapsed: float) -> None:
    sizes = [r["size"] for r in results]
    print("## Filling the archive (under moto's mock_aws, in-process)\n")
    print("| videos | channels | playlists | entries | filled by | s | DynamoDB calls | re-import s (no change) |")
    print("|---:|---:|---:|---:|---|---:|---|---|")
    for r in results:
        again = f"{r['reimport_s']:.1f} ({r['reimport_ops']})" if "reimport_s" in r else "not run"
        print(
            f"| {r['size']:,} | {CHANNELS} | {PLAYLISTS} | {r['entries']:,} | {r['fill']} | {r['import_s']:.1f} | "
            f"{r['import_ops']} | {again} |"
        )

    print("\n## DynamoDB per request (admin tokens, v0.4 unless named; chalice.test.Client; page size 12)\n")
    head = "| request | page |"
    rule = "|---|---|"
    for size in sizes:
        head += f" {size:,}: calls | {size:,}: items | {size:,}: operations |"
        rule += "---:|---:|---|"
    head += f" est. calls on DynamoDB at {sizes[-1]:,} | budget |"
    rule += "---:|---|"
    print(head)
    print(rule)
    labels = list(dict.fromkeys(key for r in results for key in r["requests"]))
    for label, which in labels:
        rows = [r["requests"].get((label, which), {}) for r in results]
        note = next((row.get("note") for row in rows if row.get("note")), None)
        page = "0" if which == "0" else (note if len({row.get("note") for row in rows}) == 1 else "deep")
        if which == "deep" and len({row.get("note") for row in rows}) > 1:
            page = "deep: " + " / ".join(
                f"{r['size']:,}: {row.get('note')}" for r, row in zip(results, rows, strict=True)
            )
        line = f"| {label} | {page} |"
        for row in rows:
            if "calls" in row:
                line += f" {row['calls']} | {row['items']:,} | {row['ops']} |"
            else:
                line += " - | - | - |"
        est = rows[-1].get("est", "-")
        line += f" {est} | {budget(which, rows)} |"
        print(line)

    print("\n## Time per request under moto (ms; moto scans a whole table per Query, so this grows with size)\n")
    print("| request | page | " + " | ".join(f"{s:,}" for s in sizes) + " |")
    print("|---|---|" + "---:|" * len(sizes))
    for label, which in labels:
        cells = []
        for r in results:
            row = r["requests"].get((label, which), {})
            cells.append(f"{row['ms']:.0f}" if "ms" in row else "-")
        print(f"| {label} | {'0' if which == '0' else 'deep'} | " + " | ".join(cells) + " |")

    print_cold_start(start)
    print(f"\nBench run: {elapsed:.0f} s, sizes {', '.join(f'{s:,}' for s in sizes)}.")


def print_cold_start(start: dict) -> None:
    print("\n## Cold start (median CPU ms of `python -c ...` minus a bare `python -c pass`)\n")
    print("| project bytecode | bare `python -c pass` (subtracted) | `import boto3` | `import app` | app / boto3 |")
    print("|---|---:|---:|---:|---:|")
    for key, label in (("source", "none (compiled at import)"), ("shipped", "shipped (infra/bytecode.py)")):
        row = start[key]
        ratio = row["app"] / row["boto3"] if row["boto3"] > 0 else float("inf")
        mark = " ✅" if ratio <= IMPORT_RATIO_BUDGET else " ❌" if key == "shipped" else ""
        print(f"| {label} | {row['bare']:.0f} | {row['boto3']:.0f} | {row['app']:.0f} | {ratio:.2f}{mark} |")
    print(f"\nBudget: ≤ {IMPORT_RATIO_BUDGET} as the package ships (with its bytecode).")
    heavy = ", ".join(start["heavy"]) if start["heavy"] else "neither"
    print(f"`import app` imports a job's library: {heavy} {'✅' if not start['heavy'] else '❌'}")


def budget(which: str, rows: list[dict]) -> str:
    measured = [row for row in rows if "calls" in row]
    if not measured:
        return "-"
    if which == "0":
        if len(rows) < 2:
            return "same calls at every size: needs two sizes"
        same = len({row["calls"] for row in measured}) == 1 and len(measured) == len(rows)
        return "same calls at every size " + ("✅" if same else "❌")
    worst = max(row["calls"] for row in measured)
    worst_est = max(row["est"] for row in measured)
    if worst <= DEEP_CALL_BUDGET:
        return f"≤ {DEEP_CALL_BUDGET} calls ✅"
    if worst_est <= DEEP_CALL_BUDGET:
        return f"≤ {DEEP_CALL_BUDGET} calls: ❌ under moto ({worst}), ✅ est. on DynamoDB ({worst_est})"
    return f"≤ {DEEP_CALL_BUDGET} calls ❌ ({worst}; est. {worst_est})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="archive sizes in videos, comma-separated")
    parser.add_argument("--reimport-max", type=int, default=10_000, help="time a re-import up to this size")
    parser.add_argument(
        "--fill",
        choices=("fast", "import"),
        default="fast",
        help="fast: bench/fill.py (the importer's rows put into moto directly); import: the importer itself",
    )
    parser.add_argument("--import-runs", type=int, default=9, help="subprocess runs per import timing")
    parser.add_argument("--import-only", action="store_true", help="time `import app` alone, no archive")
    parser.add_argument("--only", help="measure only the requests whose path has this text (e.g. download/?q=)")
    args = parser.parse_args(argv)
    if args.import_only:
        print_cold_start(cold_start(args.import_runs))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    results = []
    for size in sizes:
        print(f"size {size:,}...", file=sys.stderr)
        results.append(run_size(size, reimport=size <= args.reimport_max, fast=args.fill == "fast", only=args.only))
    print("cold start...", file=sys.stderr)
    start = cold_start(args.import_runs)
    print_tables(results, start, time.perf_counter() - started)


if __name__ == "__main__":
    main()
