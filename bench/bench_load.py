"""Mixed load on gunicorn (2 workers) over loopback with wrk, against a bare Flask endpoint as the baseline.

Endpoints: permit search, letter verification, a resident's request list (reads: residents with 3 requests, and
with a full first page of 20); letter request creation and parking session start (writes, by other residents, so
every round reads the same lists: bench/load_seed.py). Each runs alone for LOAD_SECONDS (default 5) at
LOAD_CONNECTIONS (default 50), right after a bare run of the same length, in LOAD_ROUNDS (default 3) rounds; its
ratio is the median of its ratios to the bare run before it (rps and latencies: medians of the rounds). Then all
together: saturated (no pause) for LOAD_SECONDS, and as 50 users who each pause 0..2×LOAD_THINK_MS (default 100 ms)
between requests for MIXED_SECONDS (default 60; the issue's figure is 300) while worker memory is sampled.
BENCH_DATABASE_URL=postgresql://… runs it on PostgreSQL (a fresh database is created and dropped).

LOAD_BEFORE=<git revision> measures that revision too, in the same run and on the same database: it is checked out
in a temporary worktree and served beside the current tree, with its own config/gunicorn.py, and each round runs
bare, before and after back to back. Its figures come under "before"."""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

from bench.common import bench_app
from bench.load_seed import seed as seed_residents

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("LOAD_SECONDS", "5"))
ROUNDS = int(os.environ.get("LOAD_ROUNDS", "3"))
MIXED_SECONDS = int(os.environ.get("MIXED_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "50"))
WORKERS = os.environ.get("LOAD_WORKERS", "2")
THREADS = os.environ.get("LOAD_THREADS", "2")
THINK_MS = int(os.environ.get("LOAD_THINK_MS", "100"))
# Both servers run with the deployment's gunicorn settings (config/gunicorn.py: reuse_port, two threads a worker);
# -w, --threads and -b given here override the file's.
GUNICORN_ARGS = os.environ.get("LOAD_GUNICORN_ARGS", "-c config/gunicorn.py").split()
BEFORE = os.environ.get("LOAD_BEFORE", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


def gunicorn(app_path: str, port: int, env: dict, root: Path = ROOT) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "-w", WORKERS, "--threads", THREADS, *GUNICORN_ARGS,
           "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", app_path]
    proc = subprocess.Popen(cmd, cwd=root, env={**env, "PYTHONPATH": str(root)}, start_new_session=True)
    wait_port(port)
    return proc


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def worker_rss_mb(proc: subprocess.Popen) -> float:
    total = 0
    out = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()
    for pid in out:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return round(total / 1024, 1)


_runs = iter(range(1, 1000))


def wrk(url: str, kind: str, seed: dict, seconds: int, think_ms: int = 0) -> dict:
    """One wrk run. think_ms > 0 makes each connection a user who waits 0..2×think_ms between requests."""
    preamble = "\n".join([
        f"THINK_MS = {think_ms}",
        # Each run starts its plates where no earlier run went: one active session per plate is a business rule.
        f"PLATE_BASE = {next(_runs) * 400_000}",
        f"KIND = {json.dumps(kind)}",
        *(f"{name} = {{" + ", ".join(json.dumps(t) for t in seed.get(key) or ["-"]) + "}"
          for name, key in (("TOKENS", "tokens"), ("FULL_PAGE_TOKENS", "full_page_tokens"),
                            ("WRITER_TOKENS", "writer_tokens"))),
        f"VERIFY_BODY = {json.dumps(json.dumps({'qr': seed.get('qr', '')}))}",
        f"REQUEST_BODY = {json.dumps(json.dumps(seed.get('request_body', {})))}",
        f"ZONE = {json.dumps(seed.get('zone', ''))}",
    ])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(preamble + "\n" + (Path(__file__).parent / "load.lua").read_text())
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", f.name, url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(f.name)
    figures = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    return {
        "rps": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p95_ms": round(figures["p95_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "errors": figures["non2xx"] + figures["socket_errors"],
        "requests": figures["requests"],
    }


def median_run(runs: list[dict]) -> dict:
    """Per figure, the median over the rounds; errors and requests are summed."""
    out = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}
    out.update(errors=sum(run["errors"] for run in runs), requests=sum(run["requests"] for run in runs),
               rounds_rps=[run["rps"] for run in runs])
    return out


def warm_up(port: int, seed: dict) -> None:
    """Each worker builds its caches (permit index, keys) on first use; measure the steady state."""
    import http.client

    for _ in range(int(WORKERS) * 8):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/v1/permits?q=izin")
        conn.getresponse().read()
        conn.request("POST", "/api/v1/documents/verify", json.dumps({"qr": seed["qr"]}),
                     {"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()


READS = ("permit_search", "letter_verify", "my_requests", "my_requests_full_page")
WRITES = ("letter_request_create", "parking_session_start")


@contextmanager
def worktree(revision: str):
    """`revision` checked out in a temporary folder (a detached git worktree), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bench-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(folder), revision], cwd=ROOT, check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def mixed(port: int, server: subprocess.Popen, seed: dict) -> dict:
    """Capacity (every connection sends its next request as soon as the last is answered), then 50 users who
    wait 0..2×THINK_MS between taps, while worker memory is sampled: the latency and error figures."""
    saturated = wrk(f"http://127.0.0.1:{port}", "mixed", seed, SECONDS * ROUNDS)
    rss_before = worker_rss_mb(server)
    users = wrk(f"http://127.0.0.1:{port}", "mixed", seed, MIXED_SECONDS, THINK_MS)
    users.update(rss_mb_before=rss_before, rss_mb_after=worker_rss_mb(server), seconds=MIXED_SECONDS,
                 think_ms=f"0..{2 * THINK_MS}")
    return {"mixed_saturated": saturated, "mixed_users": users}


def summary(runs: dict[str, list[dict]], ratios: dict[str, list[float]]) -> dict:
    results = {}
    for name, figures in runs.items():
        results[name] = median_run(figures)
        if name in ratios:
            results[name]["ratio_to_bare"] = round(statistics.median(ratios[name]), 2)
            results[name]["rounds_ratio"] = [round(r, 2) for r in ratios[name]]
    return results


def main() -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    pg = bool(os.environ.get("BENCH_DATABASE_URL"))
    with ExitStack() as stack:
        app = stack.enter_context(bench_app("postgres" if pg else "sqlite",
                                            JWT_ACCESS_TOKEN_EXPIRES=timedelta(hours=2)))
        seed = seed_residents(app)
        # The servers share the seeding app's database, folders and (testing) keys: the seed's tokens and NIK
        # hashes were made with them.
        config = app.config
        env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
               "INSTANCE_PATH": config["INSTANCE_PATH"], "KEYS_DIR": config["KEYS_DIR"],
               "UPLOADS_DIR": config["UPLOADS_DIR"], "SECRET_KEY": config["SECRET_KEY"],
               "JWT_SECRET_KEY": config["JWT_SECRET_KEY"], "RATELIMIT_ENABLED": "0"}
        results = {"server": f"gunicorn -w {WORKERS} --threads {THREADS} {' '.join(GUNICORN_ARGS)}".strip(),
                   "connections": CONNECTIONS, "database": "postgresql" if pg else "sqlite"}
        bare_port = free_port()
        bare = gunicorn("bench.bare_app:app", bare_port, env)
        stack.callback(stop, bare)
        trees = {"after": ROOT}
        if BEFORE:
            trees = {"before": stack.enter_context(worktree(BEFORE)), **trees}
            results["before_revision"] = BEFORE
        bare_runs: list[dict] = []
        # One tree at a time, each alone on the machine and the database (the other is stopped): the earlier
        # revision's SQLite checkpointer thread would otherwise work for both.
        for name, root in trees.items():
            port = free_port()
            server = gunicorn("wsgi:app", port, env, root)
            try:
                warm_up(port, seed)
                # Each endpoint's run is paired with a bare run right before it, and its ratio is taken to that
                # run: this machine's speed drifts (bare rounds seen from 3,600 to 5,300 rps in one benchmark).
                # Rounds repeat the pairs; each figure is the median of its rounds.
                runs: dict[str, list[dict]] = {}
                ratios: dict[str, list[float]] = {}
                for _ in range(ROUNDS):
                    for endpoint in READS + WRITES:
                        base = wrk(f"http://127.0.0.1:{bare_port}", "bare", seed, SECONDS)
                        run = wrk(f"http://127.0.0.1:{port}", endpoint, seed, SECONDS)
                        bare_runs.append(base)
                        runs.setdefault(endpoint, []).append(run)
                        ratios.setdefault(endpoint, []).append(run["rps"] / base["rps"])
                figures = summary(runs, ratios)
                figures.update(mixed(port, server, seed))
            finally:
                stop(server)
            if name == "after":
                results.update(figures)
            else:
                results["before"] = figures
        results["bare"] = median_run(bare_runs)
        return results
