"""What the load benchmarks share: a scratch database, gunicorn serving production settings, locust headless.

``benchmarks/web_load.py`` (the registry) and ``benchmarks/grants_load.py`` (a grants round and the deadline
spike) seed a scratch database in a child process (SQLite in a temporary directory; with ``DATABASE_URL``, a
scratch PostgreSQL database created beside the one it names and dropped afterwards), serve it with gunicorn on
127.0.0.1 with production settings (``benchmarks/web_settings.py``: DEBUG off, static files from the npm
packages), and run a locustfile headless against it, reading the per-request statistics locust writes.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from rich.table import Table

ROOT: Final = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server ``url`` names; dropped on exit."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"sectorwise_bench_{os.getpid()}"
    admin: dict[str, Any] = dict(
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


@contextmanager
def scratch_database(
    work: Path, *, extra: dict[str, str] | None = None
) -> Iterator[tuple[dict[str, str], str]]:
    """The environment of a benchmark's child processes on a scratch database, and that database's kind
    ("sqlite" in ``work``, or "postgresql" beside the server ``DATABASE_URL`` names)."""
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        with scratch_postgres(database_url) as scratch_url:
            yield environment(work, scratch_url, extra=extra), "postgresql"
    else:
        yield environment(work, None, extra=extra), "sqlite"


def environment(
    work: Path, database_url: str | None, *, extra: dict[str, str] | None = None
) -> dict[str, str]:
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
            # Production refuses to start without the outcomes' identifier key: a throwaway one.
            "SECTORWISE_PII_KEY": secrets.token_hex(32),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        }
    )
    env.update(extra or {})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def seed(module: str, env: dict[str, str], *arguments: str) -> dict[str, Any]:
    """Run ``python -m module arguments`` (it migrates and fills the scratch database) and return the JSON
    plan it prints on its last line."""
    seeded = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if seeded.returncode != 0:
        raise RuntimeError(f"{module} failed: {seeded.stderr[-3000:]}")
    plan: dict[str, Any] = json.loads(seeded.stdout.strip().splitlines()[-1])
    return plan


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
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


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int, log: Path | None = None) -> Iterator[str]:
    """gunicorn (gthread) serving the project on a free loopback port; yields its base URL; stopped on
    exit."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "sectorwise.web.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
            "--log-level", "warning", "--graceful-timeout", "10",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=log.open("wb") if log else None,
    )  # fmt: skip
    try:
        wait_until_serving(f"{host}/accounts/login/", server)
        yield host
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:  # a loaded machine: workers still finishing requests
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


def _paths(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def fetch(host: str, path: str, cookie: str) -> float:
    """GET ``path`` with ``cookie``; the milliseconds it took (an HTTP error raises)."""
    request = urllib.request.Request(host + path, headers={"Cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def warm_up(host: str, pages: dict[str, tuple[str, str | list[str]]], *, rounds: int) -> None:
    """Every page a few times before measuring: each worker compiles its templates, opens its connection.
    ``pages``: name -> (cookie, path or paths)."""
    for _ in range(rounds):
        for cookie, value in pages.values():
            fetch(host, _paths(value)[0], cookie)


def service_times(
    host: str, pages: dict[str, tuple[str, str | list[str]]], *, repeats: int
) -> dict[str, float]:
    """Median latency of each page for ONE client, requests one after another: the server's own time per
    page, without the queueing that many users add when the machine is short of CPU."""
    medians = {}
    for name, (cookie, value) in pages.items():
        paths = _paths(value)
        times = [fetch(host, paths[number % len(paths)], cookie) for number in range(repeats)]
        medians[name] = round(statistics.median(times), 1)
    return medians


def run_locust(
    locustfile: Path,
    host: str,
    work: Path,
    env: dict[str, str],
    plan_file: Path,
    *,
    users: int,
    spawn_rate: float,
    duration: int,
    stop_timeout: int | None = None,
) -> dict[str, dict[str, float]]:
    """Locust headless against ``host`` for ``duration`` seconds (then up to ``stop_timeout`` seconds for
    the users' tasks in flight to finish); its per-request statistics by name."""
    locust = subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(locustfile),
            "--headless", "--users", str(users), "--spawn-rate", str(spawn_rate),
            "--run-time", f"{duration}s",
            *(["--stop-timeout", str(stop_timeout)] if stop_timeout else []),
            "--host", host, "--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING",
        ],
        cwd=ROOT,
        env={**env, "SECTORWISE_BENCH_PLAN": str(plan_file)},
        capture_output=True,
        text=True,
    )  # fmt: skip
    stats_file = work / "locust_stats.csv"
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no statistics (exit {locust.returncode}): {locust.stderr[-2000:]}")
    return read_stats(stats_file)


def read_failures(work: Path) -> list[dict[str, Any]]:
    """What locust counted as failures (request name, error, occurrences), from its last run in ``work``."""
    path = work / "locust_failures.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {"name": row["Name"], "error": row["Error"], "occurrences": int(row["Occurrences"])}
            for row in csv.DictReader(handle)
        ]


def read_stats(path: Path) -> dict[str, dict[str, float]]:
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


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def meets_p95(pages: dict[str, dict[str, float]], target_ms: float) -> bool:
    """Every page (locust's "Aggregated" row aside) within the p95 target and without errors."""
    return all(
        figures["p95_ms"] <= target_ms and figures["errors"] == 0
        for name, figures in pages.items()
        if name != "Aggregated"
    )


def latency_table(
    rows: dict[str, dict[str, float]], *, title: str, caption: str | None = None, first: str = "page"
) -> Table:
    """Locust's figures per page or request, one row each, with the one-client time where it was taken."""
    single = any("single_client_p50_ms" in figures for figures in rows.values())
    table = Table(title=title, caption=caption)
    columns = [first, "requests", "errors", "p50 ms", "p95 ms", "req/s"]
    if single:
        columns.append("1 client p50 ms")
    for column in columns:
        table.add_column(column, justify="left" if column == first else "right")
    for name, figures in rows.items():
        cells = [
            name,
            str(figures["requests"]),
            str(figures["errors"]),
            f"{figures['p50_ms']:.0f}",
            f"{figures['p95_ms']:.0f}",
            f"{figures['rps']:.1f}",
        ]
        if single:
            one = figures.get("single_client_p50_ms")
            cells.append("—" if one is None else f"{one:.0f}")
        table.add_row(*cells)
    return table
