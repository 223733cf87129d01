"""Grants under load: the grants pages of a 500-application round under 20 users, and the deadline spike
(200 conveners submitting within one minute), locust against gunicorn with production settings.

    python -m benchmarks.grants_load [--duration 60] [--users 20]            # the pages
    python -m benchmarks.grants_load --spike [--conveners 200] [--window 60]  # the deadline spike

or ``run(console)`` / ``run_spike(console)`` from the benchmarks runner (``--only grants_load grants_spike``).
Both use the registry benchmark's harness (``benchmarks/load_harness.py``): a scratch database (SQLite, or
with ``DATABASE_URL`` a scratch PostgreSQL database), seeded by ``benchmarks/grants_load_seed.py``,
gunicorn 4 workers x 2 threads on 127.0.0.1, locust headless on the same CPUs.

Pages: the round of ``benchmarks/grants_ranking.py`` (500 applications in review, 3 submitted reviews each)
with 100 awards split across two sources; staff (round list, round page, funding, awards, an award, the
applications API), a convener (round list, its drafts' edit pages, its awards, the API), a reviewer (round
list, its score pages, the API) and anonymous visitors (the public awards page). Target: p95 <= 150 ms and no
errors on every page.

Spike: each of N conveners opens its complete draft and submits it once, at a random moment within the
window; then the database is checked: every application submitted exactly once (one submitted timestamp,
one "submitted" history record each), none lost, no 5xx.

E-mail: production sends through SMTP; here Django's locmem backend stands in for the mail server (the
notifications are built and "sent", without a network), so no benchmark depends on one.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from rich.console import Console

from benchmarks import load_harness as harness

TARGET_P95_MS: Final = 150.0
WAIT_MIN_S: Final = 0.5
WAIT_MAX_S: Final = 1.5
WORKERS: Final = 4
THREADS: Final = 2
MAIL: Final = {"SECTORWISE_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def _measure_pages(
    work: Path, env: dict[str, str], console: Console, *, users: int, duration: int
) -> dict[str, Any]:
    console.print("grants load: migrating and seeding the scratch database (500 applications, 100 awards)…")
    plan = harness.seed("benchmarks.grants_load_seed", env, "pages")
    console.print(f"grants load: seeded {plan['counts']} in {plan['seconds']} s")
    (work / "static").mkdir(exist_ok=True)
    plan_file = work / "plan.json"
    plan_file.write_text(
        json.dumps(plan | {"wait_min": WAIT_MIN_S, "wait_max": WAIT_MAX_S}), encoding="utf-8"
    )
    pages = {name: (plan["sessions"][who], value) for name, (who, value, _) in plan["pages"].items()}
    with harness.gunicorn(env, workers=WORKERS, threads=THREADS, log=work / "gunicorn.log") as host:
        harness.warm_up(host, pages, rounds=2 * WORKERS * THREADS)
        single_client = harness.service_times(host, pages, repeats=9)
        load_before = harness.load_average()
        console.print(f"grants load: {users} users, {duration} s on {host}…")
        stats = harness.run_locust(
            Path(__file__).with_name("grants_locustfile.py"),
            host,
            work,
            env,
            plan_file,
            users=users,
            spawn_rate=users,
            duration=duration,
        )
        load_after = harness.load_average()
    result_failures = harness.read_failures(work)
    for name, median in single_client.items():
        if name in stats:
            stats[name]["single_client_p50_ms"] = median
    return {
        "seeded": plan["counts"],
        "seed_seconds": plan["seconds"],
        "pages": stats,
        "failures": result_failures,
        "server_errors": _server_errors(work),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cpus": os.cpu_count(),
    }


def _server_errors(work: Path) -> list[str]:
    """gunicorn's own complaints (worker timeouts, tracebacks): the last lines of its log."""
    log = work / "gunicorn.log"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    return lines[-40:]


def run(console: Console, *, users: int = 20, duration: int = 60) -> dict[str, Any]:
    """The grants pages under ``users`` users for ``duration`` seconds; per page requests, errors, p50/p95."""
    with tempfile.TemporaryDirectory(prefix="sectorwise-grants-load-") as scratch:
        work = Path(scratch)
        with harness.scratch_database(work, extra=MAIL) as (env, database):
            result = _measure_pages(work, env, console, users=users, duration=duration)
    pages: dict[str, dict[str, float]] = result["pages"]
    result.update(
        {
            "database": database,
            "users": users,
            "duration_s": duration,
            "gunicorn_workers": WORKERS,
            "gunicorn_threads": THREADS,
            "think_time_s": [WAIT_MIN_S, WAIT_MAX_S],
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": harness.meets_p95(pages, TARGET_P95_MS),
        }
    )
    table = harness.latency_table(
        pages,
        title=f"Grants pages: {users} users (think time {WAIT_MIN_S}-{WAIT_MAX_S} s), {duration} s, "
        f"{database}, gunicorn {WORKERS} workers x {THREADS} threads",
        caption=f"load average {result['load_average_before']} before, {result['load_average_after']} at the "
        f"end, {result['cpus']} CPUs shared with locust",
    )
    console.print(table)
    verdict = "meets" if result["meets_target"] else "MISSES"
    console.print(
        f"grants load: {verdict} the target (p95 <= {TARGET_P95_MS:.0f} ms on every page, no errors)"
    )
    return result


def _measure_spike(
    work: Path, env: dict[str, str], console: Console, *, conveners: int, window: int
) -> dict[str, Any]:
    console.print(f"grants spike: migrating and seeding {conveners} conveners with complete drafts…")
    plan = harness.seed("benchmarks.grants_load_seed", env, "spike", str(conveners))
    console.print(f"grants spike: seeded {plan['counts']} in {plan['seconds']} s")
    (work / "static").mkdir(exist_ok=True)
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(plan | {"window_s": window}), encoding="utf-8")
    with harness.gunicorn(env, workers=WORKERS, threads=THREADS, log=work / "gunicorn.log") as host:
        # Warm every worker on pages that change nothing (the login page, the round list of one convener).
        first = plan["submitters"][0]
        harness.warm_up(
            host, {"login": ("", "/accounts/login/"), "rounds": (first["cookie"], "/grants/")}, rounds=16
        )
        load_before = harness.load_average()
        console.print(f"grants spike: {conveners} conveners submitting within {window} s on {host}…")
        stats = harness.run_locust(
            Path(__file__).with_name("grants_spike_locustfile.py"),
            host,
            work,
            env,
            plan_file,
            users=conveners,
            spawn_rate=conveners,
            duration=window + 10,
            stop_timeout=60,
        )
        load_after = harness.load_average()
    recorded = harness.seed("benchmarks.grants_load_seed", env, "check")
    failures = harness.read_failures(work)
    submitted = recorded["by_state"].get("submitted", 0)
    return {
        "seeded": plan["counts"],
        "seed_seconds": plan["seconds"],
        "requests": stats,
        "failures": failures,
        "server_errors": _server_errors(work),
        "recorded": recorded,
        "every_submission_recorded_once": (
            submitted == conveners
            and recorded["submitted_with_timestamp"] == conveners
            and recorded["applications_with_one_submitted_history_row"] == conveners
            and recorded["applications_with_several"] == 0
        ),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cpus": os.cpu_count(),
    }


def run_spike(console: Console, *, conveners: int = 200, window: int = 60) -> dict[str, Any]:
    """``conveners`` submissions within ``window`` seconds; what the database recorded and the latencies."""
    with tempfile.TemporaryDirectory(prefix="sectorwise-grants-spike-") as scratch:
        work = Path(scratch)
        with harness.scratch_database(work, extra=MAIL) as (env, database):
            result = _measure_spike(work, env, console, conveners=conveners, window=window)
    result.update(
        {
            "database": database,
            "conveners": conveners,
            "window_s": window,
            "gunicorn_workers": WORKERS,
            "gunicorn_threads": THREADS,
        }
    )
    requests: dict[str, dict[str, float]] = result["requests"]
    table = harness.latency_table(
        requests,
        title=f"Deadline spike: {conveners} conveners submitting within {window} s, {database}, "
        f"gunicorn {WORKERS} workers x {THREADS} threads",
        caption=f"load average {result['load_average_before']} before, {result['load_average_after']} at the "
        f"end, {result['cpus']} CPUs shared with locust",
        first="request",
    )
    console.print(table)
    recorded = result["recorded"]
    verdict = (
        "every submission recorded exactly once"
        if result["every_submission_recorded_once"]
        else "LOST OR DOUBLED"
    )
    console.print(f"grants spike: {verdict}: {json.dumps(recorded)}")
    for failure in result["failures"]:
        console.print(f"grants spike: failed {failure}")
    if result["failures"] and result["server_errors"]:
        console.print("grants spike: gunicorn's log ends with:\n" + "\n".join(result["server_errors"][-15:]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spike", action="store_true", help="the deadline spike instead of the pages")
    parser.add_argument("--duration", type=int, default=60, help="pages: seconds of load (default 60)")
    parser.add_argument("--users", type=int, default=20, help="pages: concurrent users (default 20)")
    parser.add_argument(
        "--conveners", type=int, default=200, help="spike: conveners submitting (default 200)"
    )
    parser.add_argument(
        "--window", type=int, default=60, help="spike: seconds they arrive within (default 60)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    arguments = parser.parse_args()
    console = Console()
    if arguments.spike:
        result = run_spike(console, conveners=arguments.conveners, window=arguments.window)
    else:
        result = run(console, users=arguments.users, duration=arguments.duration)
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
