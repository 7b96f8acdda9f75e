"""The local run (`make run`) at 15, 10,000 and 100,000 videos: start, page 0 of every list view, detail and ping
latency, `/api/video/` throughput at 8 clients, resident memory, stop. Prints a Markdown table.

    python bench/local_api.py [--sizes 15,10000,100000] [--data tmpdata/bench]

For each size a data folder is built once (kept under --data): the archive of bench/api_cost.py (videos over 50
channels and 20 playlists) imported with functions.services.importer into an in-process moto (over 10,000 videos
filled by bench/fill.py: the importer's rows without the search index), its tables written as a snapshot
(infra/store.py). Then `python -m infra.local` is started on it as a user would (its own process,
ports 8610/8611 unless LOCAL_PORT / LOCAL_MOTO_PORT say otherwise), and measured over keep-alive HTTP connections:
- start: from the process's start to the first answer of /api/ping/;
- p50 of page 0 of each list view and of a video's detail, and of /api/ping/, at 1 client;
- /api/video/ requests per second, p50 and CPU per request at 8 clients (5 s);
- RSS once measured; stop: SIGINT to exit (every write is in the journal already: nothing is dumped);
- a checkpoint after one write to the videos table (infra/store.py), in a process of its own over a fresh copy of
  the data folder: its wall and CPU time and the bytes it wrote (the files it linked are not counted);
- the CPU time of the local run's process for its start and per request of each of those (what it costs on a
  loaded machine, where wall times mostly measure the wait for a core; it includes the idle SQS pollers').
Asserts nothing; times depend on the machine and its load.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILL_ABOVE = 10_000
LIST_VIEWS = ["/api/video/", "/api/channel/", "/api/channel/{channel}/video/", "/api/playlist/"]
LIST_VIEWS += ["/api/playlist/{playlist}/video/", "/api/download/", "/api/search/?query=usual"]


def build(videos: int, folder: Path) -> None:
    """The archive of bench/api_cost.py, imported in this process's moto, written as the data folder's snapshot."""
    from moto import mock_aws

    from bench import fill
    from bench.api_cost import make_document  # sets the environment first

    with mock_aws():
        from functions.services import importer
        from infra import dynamo_index, local, local_stack, store

        local_stack.create_stack(local.STAGE)
        dynamo_index.install()  # the local run's engine: an import's Queries and answers cost what they will there
        # the importer itself up to 10,000 videos (minutes); bench/fill.py's rows put into moto directly above
        # (the importer's own rows, without the search index: the search row then reads an empty index)
        document = make_document(videos)
        if videos > FILL_ABOVE:
            fill.fill(document)
        else:
            importer.import_document(document)
        backend = store.dynamodb_backend()
        for name, table in backend.tables.items():
            store.write_atomic(folder / "tables" / f"{name}.jsonl", store.table_lines(table))


def checkpoint_after_one_write(folder: Path, moto_port: int) -> dict:
    """Load the data folder as the local run does, change one video's title, then time one checkpoint."""
    import boto3

    from bench.api_cost import video_id
    from infra import dynamo_index, local, local_stack, store
    from infra.moto_server import Credentials, in_process_caller, serve_in_process, start_moto

    credentials = Credentials.create(folder / "moto-credentials")
    local._aws_environment(moto_port, credentials)
    server = start_moto(moto_port, credentials)
    serve_in_process(server.gate, os.environ["AWS_ENDPOINT_URL"])
    local_stack.create_stack(local.STAGE)
    dynamo_index.install()
    kept = store.Store(folder, apply=in_process_caller(server.moto_app))
    s3 = boto3.client("s3")
    kept.open(lambda bucket, manifest: local.load_objects(s3, folder, bucket, manifest))
    dynamo_index.build()
    server.gate.store = kept
    boto3.client("dynamodb").update_item(
        TableName=os.environ["TABLE_PREFIX"] + "videos",
        Key={"youtube_id": {"S": video_id(3)}},
        UpdateExpression="SET title = :t",
        ExpressionAttributeValues={":t": {"S": "Renamed once"}},
    )
    before = {path.stat().st_ino for path in folder.rglob("*") if path.is_file()}
    wall, cpu = time.perf_counter(), time.process_time()
    assert kept.checkpoint()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    snapshot = folder / "snapshots" / (folder / "CURRENT").read_text()
    new_files = [path.stat() for path in snapshot.rglob("*") if path.is_file()]
    written = sum(stat.st_size for stat in new_files if stat.st_ino not in before)
    return {
        "checkpoint after one write (ms)": wall * 1000,
        "checkpoint after one write, CPU (ms)": cpu * 1000,
        "checkpoint after one write, written (KB)": written / 1024,
    }


class Client:
    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}"}

    def get(self, path: str) -> float:
        started = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        answer = self.connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{path}: {answer.status}")
        return time.perf_counter() - started


def p50_ms(client: Client, path: str, runs: int, pid: int) -> tuple[float, float]:
    """The p50 of `runs` requests and the local run's CPU time per request over them, in ms."""
    client.get(path)  # warm: the first call of a route loads its modules
    before = cpu_seconds(pid)
    p50 = statistics.median(client.get(path) for _ in range(runs)) * 1000
    return p50, (cpu_seconds(pid) - before) / runs * 1000


def throughput(port: int, token: str, path: str, clients: int, seconds: float, pid: int) -> tuple[float, float, float]:
    """Requests per second, their p50 (ms) and the local run's CPU time per request (ms)."""
    times: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def work():
        client = Client(port, token)
        mine = []
        while time.perf_counter() < deadline:
            mine.append(client.get(path))
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    before = cpu_seconds(pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - before
    return len(times) / elapsed, statistics.median(times) * 1000, cpu / len(times) * 1000


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far: what it spent, whatever else loads the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024


def measure(folder: Path, port: int, moto_port: int) -> dict:
    from bench.api_cost import channel_id, playlist_id, video_id

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TA_", "LOCAL_"))}
    env.update(LOCAL_DATA_DIR=str(folder), LOCAL_PORT=str(port), LOCAL_MOTO_PORT=str(moto_port))
    env["PYTHONUNBUFFERED"] = "1"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    try:
        token = None
        while token is None:
            if process.poll() is not None:
                raise RuntimeError("the local run ended:\n" + "".join(output))
            found = re.search(r"API token: ([0-9a-f]+)", "".join(output))
            token = found[1] if found else time.sleep(0.05)
        client = Client(port, token)
        client.get("/api/ping/")
        result = {"start (s)": time.perf_counter() - started, "start, CPU (s)": cpu_seconds(process.pid)}
        names = {"channel": channel_id(0), "playlist": playlist_id(0)}
        timed = [
            (f"{view.format(channel='<id>', playlist='<id>')} page 0", view.format(**names), 15) for view in LIST_VIEWS
        ]
        timed += [("/api/video/<id>/", f"/api/video/{video_id(3)}/", 30), ("/api/ping/", "/api/ping/", 30)]
        for name, path, runs in timed:
            p50, cpu = p50_ms(client, path, runs, process.pid)
            result[f"GET {name} p50 (ms)"], result[f"GET {name} CPU/request (ms)"] = p50, cpu
        rate, p50, cpu = throughput(port, token, "/api/video/", 8, 5, process.pid)
        result["GET /api/video/ at 8 clients (req/s)"] = rate
        result["GET /api/video/ at 8 clients p50 (ms)"] = p50
        result["GET /api/video/ at 8 clients CPU/request (ms)"] = cpu
        result["RSS (MB)"] = rss_mb(process.pid)
        stopping = time.perf_counter()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
        result["stop (s)"] = time.perf_counter() - stopping
        return result
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="15,10000,100000")
    parser.add_argument("--data", default=str(ROOT / "tmpdata" / "bench"))
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # in a fresh process: see build()
    parser.add_argument("--checkpoint", help=argparse.SUPPRESS)  # in a fresh process: see checkpoint_after_...
    args = parser.parse_args()
    if args.build is not None:
        build(args.build, Path(args.data))
        return
    if args.checkpoint is not None:
        print(json.dumps(checkpoint_after_one_write(Path(args.data), int(args.checkpoint))))
        return
    port, moto_port = int(os.environ.get("LOCAL_PORT", "8610")), int(os.environ.get("LOCAL_MOTO_PORT", "8611"))
    columns = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        kept = Path(args.data) / f"videos-{size}"
        if not (kept / "tables").exists():
            built = time.perf_counter()
            command = [sys.executable, __file__, "--build", str(size), "--data", str(kept)]
            subprocess.run(command, check=True, cwd=ROOT)
            print(f"built {kept} in {time.perf_counter() - built:.0f} s", file=sys.stderr, flush=True)
        run_folder = Path(args.data) / f"run-{size}"  # a copy: each measurement starts from the same snapshot
        shutil.rmtree(run_folder, ignore_errors=True)
        shutil.copytree(kept, run_folder)
        columns[size] = measure(run_folder, port, moto_port)
        shutil.rmtree(run_folder)
        shutil.copytree(kept, run_folder)
        command = [sys.executable, __file__, "--checkpoint", str(moto_port), "--data", str(run_folder)]
        done = subprocess.run(command, check=True, cwd=ROOT, capture_output=True, text=True)
        columns[size].update(json.loads(done.stdout.splitlines()[-1]))
        print(f"measured {size} videos", file=sys.stderr, flush=True)
        print_table(columns)  # after each size: a larger one that fails keeps the smaller ones' table


def print_table(columns: dict) -> None:
    rows = list(next(iter(columns.values())))
    print("| measure | " + " | ".join(f"{size:,} videos" for size in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for row in rows:
        cells = [f"{columns[size][row]:.1f}" for size in columns]
        print(f"| {row} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
