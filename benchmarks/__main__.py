"""Run the benchmarks (``make bench``), print their tables and write the figures to benchmarks/out/.

    python -m benchmarks [--scale 0.05] [--only lmi delineation web imports] [--gzip] [--keep]

- ``lmi``: the LMI engine at ``--scale`` of BLS's national by_area set (benchmarks/lmi_engine.py);
- ``delineation``: commuting zones for every U.S. county (benchmarks/delineation.py);
- ``web``: the web registry under 20 concurrent users (benchmarks/web_load.py);
- ``imports``: 50,000-row CSV and XLSX imports of organisations and memberships (benchmarks/imports.py);
- ``suppression``: the suppressed-cell estimator on masked real cells (benchmarks/suppression.py);
- ``evaluation``: WIOA-style indicators for 100,000 participants and 1,000,000 wage records
  (benchmarks/evaluation.py);
- ``startup``: the command line's start-up, median of several runs (benchmarks/startup.py);
- ``intelligence``: warm page times of the region explorer and the ranking on the demo warehouse
  (benchmarks/intelligence.py).
- ``ingest_gzip``: ingest of the shared gzipped 2016 files against DuckDB's typed read
  (benchmarks/ingest_gzip.py);
- ``outcomes``: imports of 100,000 participants and 1,000,000 UI wage records, then the WIOA indicators of
  every partnership from the database (benchmarks/outcomes_imports.py).
- ``grants_ranking``: a round of 500 applications with 3 reviewers each: scores, ranking, the funding
  recommendation and the round page (benchmarks/grants_ranking.py).
- ``grants_load``: the grants pages of that round under 20 users, locust against gunicorn
  (benchmarks/grants_load.py);
- ``grants_spike``: the deadline spike, 200 conveners submitting within one minute, then every submission
  checked in the database (benchmarks/grants_load.py).

Each benchmark is one run; its figures go to ``benchmarks/out/<name>.json``. A benchmark that fails is
reported and the others still run; the exit code is 1 if any failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.table import Table

OUT: Final = Path(__file__).resolve().parent / "out"
NAMES: Final = (
    "lmi",
    "delineation",
    "web",
    "imports",
    "suppression",
    "evaluation",
    "startup",
    "intelligence",
    "outcomes",
    "ingest_gzip",
    "grants_ranking",
    "grants_load",
    "grants_spike",
)


def _lmi(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import lmi_engine

    results = lmi_engine.run(
        console, scale=arguments.scale, out=OUT, gzip=arguments.gzip, keep=arguments.keep
    )
    load = f"load average {results['load_average_at_start']:.1f} -> {results['load_average_at_end']:.1f}"
    table = Table(
        title=f"LMI engine, scale {arguments.scale:g} of the national by_area set",
        caption=f"{results['cpus']} CPUs, {load} during the run",
        header_style="bold",
    )
    for column in ("measurement", "Sectorwise", "baseline", "result"):
        table.add_column(column)
    rows = lmi_engine.summary_rows(results)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    markdown = ["| measurement | Sectorwise | baseline | result |", "|---|---|---|---|"]
    markdown += ["| " + " | ".join(row) + " |" for row in rows]
    markdown.append(f"\n{results['cpus']} CPUs, {load} during the run.")
    (OUT / "lmi.md").write_text("\n".join(markdown) + "\n", encoding="utf-8")
    return results


def _delineation(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import delineation

    return delineation.run(console)


def _web(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import web_load

    return web_load.run(console)


def _imports(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import imports

    return imports.run(console)


def _suppression(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import suppression

    return suppression.run(console)


def _evaluation(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import evaluation

    return evaluation.run(console)


def _startup(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import startup

    return startup.run(console)


def _ingest_gzip(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import ingest_gzip

    return ingest_gzip.run(console)


def _intelligence(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import intelligence

    return intelligence.run(console)


def _outcomes(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import outcomes_imports

    return outcomes_imports.run(console)


def _grants_ranking(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import grants_ranking

    return grants_ranking.run(console)


def _grants_load(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import grants_load

    return grants_load.run(console)


def _grants_spike(console: Console, arguments: argparse.Namespace) -> dict[str, Any]:
    del arguments
    from benchmarks import grants_load

    return grants_load.run_spike(console)


RUNNERS: Final[dict[str, Callable[[Console, argparse.Namespace], dict[str, Any]]]] = {
    "lmi": _lmi,
    "delineation": _delineation,
    "web": _web,
    "imports": _imports,
    "suppression": _suppression,
    "evaluation": _evaluation,
    "startup": _startup,
    "intelligence": _intelligence,
    "ingest_gzip": _ingest_gzip,
    "outcomes": _outcomes,
    "grants_ranking": _grants_ranking,
    "grants_load": _grants_load,
    "grants_spike": _grants_spike,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=0.05,
        help="LMI: share of BLS's national by_area set to generate (1.0 = 4,423 files, 14.25 M rows; "
        "default 0.05)",
    )
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES), help="benchmarks to run")
    parser.add_argument("--gzip", action="store_true", help="LMI: write the generated files as .csv.gz")
    parser.add_argument("--keep", action="store_true", help="LMI: keep the generated files and warehouse")
    arguments = parser.parse_args(argv)
    console = Console()
    OUT.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in arguments.only:
        console.rule(f"benchmark: {name}")
        try:
            results = RUNNERS[name](console, arguments)
        except Exception:  # one broken benchmark must not hide the others' figures
            console.print(f"[red]benchmark {name} failed:[/]\n{traceback.format_exc()}")
            failed.append(name)
            continue
        stamped = {"benchmark": name, "run_at": datetime.now(UTC).isoformat(timespec="seconds"), **results}
        (OUT / f"{name}.json").write_text(json.dumps(stamped, indent=2, default=str), encoding="utf-8")
    console.print(f"figures written to {OUT}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
