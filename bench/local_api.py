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
- the CPU time of the local run's process for its start and per request of each of those (what it costs on a
  loaded machine, where wall times mostly measure the wait for a core; it includes the idle SQS pollers').
Asserts nothing; times depend on the machine and its load.
"""

import argparse
import http.client
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
        import boto3

        from functions.services import importer
        from infra import dynamo_index, local, store

        local.create_stack(boto3.client("cloudformation"), local.STAGE)
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
    args = parser.parse_args()
    if args.build is not None:
        build(args.build, Path(args.data))
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
