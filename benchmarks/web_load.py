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
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from rich.console import Console

from benchmarks import load_harness as harness

TARGET_P95_MS: Final = 150.0
# Each simulated user waits this long (uniformly) between requests: a brisk person clicking through pages,
# so 20 users offer about 20 requests/s. The locustfile reads it from the plan.
WAIT_MIN_S: Final = 0.5
WAIT_MAX_S: Final = 1.5
PAGES: Final = ("dashboard", "list", "list (filtered)", "detail", "organization", "api list", "api detail")


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
    console.print("web load: migrating and seeding the scratch database…")
    plan = harness.seed("benchmarks.web_load_seed", env, *(str(size) for size in load.sizes or ()))
    console.print(f"web load: seeded {plan['counts']} in {plan['seconds']} s")
    (work / "static").mkdir(exist_ok=True)
    plan_file = work / "plan.json"
    plan_file.write_text(
        json.dumps(plan | {"wait_min": WAIT_MIN_S, "wait_max": WAIT_MAX_S}), encoding="utf-8"
    )
    cookie = f"{plan['session_cookie']}={plan['sessions'][0]}"
    pages = {name: (cookie, value) for name, value in plan["pages"].items()}
    with harness.gunicorn(env, workers=load.workers, threads=load.threads) as host:
        harness.warm_up(host, pages, rounds=2 * load.workers * load.threads)
        single_client = harness.service_times(host, pages, repeats=15)
        load_before = os.getloadavg()[0]
        console.print(
            f"web load: {load.users} users, {load.duration} s, gunicorn "
            f"({load.workers} workers x {load.threads} threads) on {host}…"
        )
        stats = harness.run_locust(
            Path(__file__).with_name("web_locustfile.py"),
            host,
            work,
            env,
            plan_file,
            users=load.users,
            spawn_rate=load.users,
            duration=load.duration,
        )
        load_after = os.getloadavg()[0]
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
    with tempfile.TemporaryDirectory(prefix="sectorwise-web-load-") as scratch:
        work = Path(scratch)
        with harness.scratch_database(work) as (env, database):
            result = _measure(work, env, console=console, load=load)
    pages: dict[str, dict[str, float]] = result["pages"]
    result.update(
        {
            "database": database,
            "users": load.users,
            "duration_s": load.duration,
            "gunicorn_workers": load.workers,
            "gunicorn_threads": load.threads,
            "think_time_s": [WAIT_MIN_S, WAIT_MAX_S],
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": harness.meets_p95(pages, TARGET_P95_MS),
        }
    )
    shown = {name: pages[name] for name in (*PAGES, "Aggregated") if name in pages}
    table = harness.latency_table(
        shown,
        title=f"Web load: {load.users} users (think time {WAIT_MIN_S}-{WAIT_MAX_S} s), {load.duration} s, "
        f"{result['database']}, gunicorn {load.workers} workers x {load.threads} threads",
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
    load = LoadSettings(arguments.duration, arguments.users, arguments.workers, arguments.threads, sizes)
    result = run(Console(), load=load)
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
