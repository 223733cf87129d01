"""Web load benchmark: a state-sized registry under 20 concurrent signed-in users (locust) against gunicorn.

Seeds 1,000 partnerships, 20,000 organisations and 50,000 memberships into a scratch database (SQLite in a
temporary directory; with ``DATABASE_URL`` set, a scratch PostgreSQL database created beside the one it names
and dropped afterwards), serves it with gunicorn on 127.0.0.1 with production settings (DEBUG off; static
files from the npm packages), warms every worker up, runs locust headless for a bounded time and reports the
p50/p95 latency and errors of each page.
Target: p95 <= 150 ms and no errors.

    python -m benchmarks.web_load [--duration 60] [--users 20] [--workers 4] [--threads 2]

or ``run(console)`` from the benchmarks runner. Nothing here touches the user's own database or data.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.table import Table

ROOT: Final = Path(__file__).resolve().parents[1]
TARGET_P95_MS: Final = 150.0
# Each simulated user waits this long (uniformly) between requests: a brisk person clicking through pages,
# so 20 users offer about 20 requests/s. The locustfile reads it from the plan.
WAIT_MIN_S: Final = 0.5
WAIT_MAX_S: Final = 1.5
PAGES: Final = ("dashboard", "list", "list (filtered)", "detail", "organization", "api list", "api detail")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _scratch_postgres(url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server ``url`` names; dropped on exit."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"sectorwise_bench_{os.getpid()}"
    admin = dict(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], password=config["PASSWORD"]
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(work: Path, database_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.web_settings",
            "SECTORWISE_STATIC_ROOT": str(work / "static"),
            "SECTORWISE_DATA_DIR": str(work / "data"),
            # Production settings, as a real deployment runs them (plain HTTP on loopback, so no redirect).
            "SECTORWISE_DEBUG": "false",
            "SECTORWISE_SECRET_KEY": secrets.token_urlsafe(64),
            "SECTORWISE_SECURE_SSL_REDIRECT": "false",
            "SECTORWISE_HSTS_SECONDS": "0",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers: good enough
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _warm_up(host: str, plan: dict[str, Any], *, rounds: int) -> None:
    """Every page a few times before measuring: each worker compiles its templates, opens its connection."""
    cookie = f"{plan['session_cookie']}={plan['sessions'][0]}"
    for _ in range(rounds):
        for value in plan["pages"].values():
            path = value[0] if isinstance(value, list) else value
            request = urllib.request.Request(host + path, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()


def _service_times(host: str, plan: dict[str, Any], *, repeats: int) -> dict[str, float]:
    """Median latency of each page for ONE client, requests one after another: the server's own time per
    page, without the queueing that 20 users add when the machine is short of CPU."""
    cookie = f"{plan['session_cookie']}={plan['sessions'][0]}"
    medians = {}
    for name, value in plan["pages"].items():
        paths = value if isinstance(value, list) else [value]
        times = []
        for number in range(repeats):
            request = urllib.request.Request(host + paths[number % len(paths)], headers={"Cookie": cookie})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            times.append((time.perf_counter() - started) * 1000)
        medians[name] = round(statistics.median(times), 1)
    return medians


def _read_stats(path: Path) -> dict[str, dict[str, float]]:
    stats: dict[str, dict[str, float]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
    return stats


@dataclass(frozen=True)
class LoadSettings:
    duration: int = 60
    users: int = 20
    workers: int = 4
    """gunicorn worker processes: two per CPU. A keep-alive connection stays with the process that accepted
    it, so with only two processes one could hold most users' connections while the other idles (p95 of
    120-150 ms with 2 x 4 against 66-79 ms with 4 x 2, same load)."""
    threads: int = 2
    """Threads per worker (gthread: keep-alive connections; a thread waiting on SQLite lets another run)."""
    sizes: tuple[int, int, int] | None = None
    """(partnerships, organizations, memberships); None: the state-sized default of the seed module."""


def _measure(work: Path, env: dict[str, str], *, console: Console, load: LoadSettings) -> dict[str, Any]:
    python = sys.executable
    console.print("web load: migrating and seeding the scratch database…")
    seeded = subprocess.run(
        [python, "-m", "benchmarks.web_load_seed", *(str(size) for size in load.sizes or ())],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    plan = json.loads(seeded.stdout.strip().splitlines()[-1])
    console.print(f"web load: seeded {plan['counts']} in {plan['seconds']} s")
    (work / "static").mkdir(exist_ok=True)
    plan_file = work / "plan.json"
    plan_file.write_text(
        json.dumps(plan | {"wait_min": WAIT_MIN_S, "wait_max": WAIT_MAX_S}), encoding="utf-8"
    )

    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            python, "-m", "gunicorn", "sectorwise.web.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(load.workers), "--threads", str(load.threads),
            "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    try:
        _wait_until_serving(f"{host}/accounts/login/", server)
        _warm_up(host, plan, rounds=2 * load.workers * load.threads)
        single_client = _service_times(host, plan, repeats=15)
        load_before = os.getloadavg()[0]
        console.print(
            f"web load: {load.users} users, {load.duration} s, gunicorn "
            f"({load.workers} workers x {load.threads} threads) on {host}…"
        )
        locust = subprocess.run(
            [
                python, "-m", "locust", "-f", str(Path(__file__).with_name("web_locustfile.py")),
                "--headless", "--users", str(load.users), "--spawn-rate", str(load.users),
                "--run-time", f"{load.duration}s",
                "--host", host, "--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING",
            ],
            cwd=ROOT,
            env={**env, "SECTORWISE_BENCH_PLAN": str(plan_file)},
            capture_output=True,
            text=True,
        )  # fmt: skip
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    stats_file = work / "locust_stats.csv"
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no statistics (exit {locust.returncode}): {locust.stderr[-2000:]}")
    stats = _read_stats(stats_file)
    for name, median in single_client.items():
        if name in stats:
            stats[name]["single_client_p50_ms"] = median
    return {
        "seeded": plan["counts"],
        "seed_seconds": plan["seconds"],
        "pages": stats,
        # Other work on the machine shares its CPUs: the 1-minute load average before the run, and the CPUs.
        "load_average_before": round(load_before, 2),
        "load_average_after": round(load_after, 2),
        "cpus": os.cpu_count(),
    }


def run(console: Console, *, load: LoadSettings | None = None) -> dict[str, Any]:
    """Run the benchmark, print a table, return the figures (per page: requests, errors, p50_ms, p95_ms)."""
    load = load or LoadSettings()
    database_url = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="sectorwise-web-load-") as scratch:
        work = Path(scratch)
        if database_url:
            with _scratch_postgres(database_url) as scratch_url:
                result = _measure(work, _environment(work, scratch_url), console=console, load=load)
        else:
            result = _measure(work, _environment(work, None), console=console, load=load)
    pages: dict[str, dict[str, float]] = result["pages"]
    result.update(
        {
            "database": "postgresql" if database_url else "sqlite",
            "users": load.users,
            "duration_s": load.duration,
            "gunicorn_workers": load.workers,
            "gunicorn_threads": load.threads,
            "think_time_s": [WAIT_MIN_S, WAIT_MAX_S],
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": all(
                figures["p95_ms"] <= TARGET_P95_MS and figures["errors"] == 0
                for name, figures in pages.items()
                if name != "Aggregated"
            ),
        }
    )
    table = Table(
        title=f"Web load: {load.users} users (think time {WAIT_MIN_S}-{WAIT_MAX_S} s), {load.duration} s, "
        f"{result['database']}, gunicorn {load.workers} workers x {load.threads} threads"
    )
    for column in ("page", "requests", "errors", "p50 ms", "p95 ms", "req/s", "1 client p50 ms"):
        table.add_column(column, justify="left" if column == "page" else "right")
    for name in (*PAGES, "Aggregated"):
        if name in pages:
            figures = pages[name]
            table.add_row(
                name,
                str(figures["requests"]),
                str(figures["errors"]),
                f"{figures['p50_ms']:.0f}",
                f"{figures['p95_ms']:.0f}",
                f"{figures['rps']:.1f}",
                f"{figures['single_client_p50_ms']:.0f}" if "single_client_p50_ms" in figures else "—",
            )
    console.print(table)
    verdict = "meets" if result["meets_target"] else "MISSES"
    console.print(f"web load: {verdict} the target (p95 <= {TARGET_P95_MS:.0f} ms on every page, no errors)")
    console.print(
        f"web load: load average {result['load_average_before']} before the run, "
        f"{result['load_average_after']} at its end, on {result['cpus']} CPUs shared with locust"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs=3,
        metavar=("PARTNERSHIPS", "ORGANIZATIONS", "MEMBERSHIPS"),
        help="a smaller registry for a quick check (default 1000 20000 50000)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    arguments = parser.parse_args()
    sizes = tuple(arguments.sizes) if arguments.sizes else None
    load = LoadSettings(arguments.duration, arguments.users, arguments.workers, arguments.threads, sizes)  # type: ignore[arg-type]
    result = run(Console(), load=load)
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
