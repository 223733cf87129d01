"""Ingest of gzipped BLS files against DuckDB's own typed read of the same files (issue 14: cached downloads
may be kept compressed; target: within 1.5x).

The shared real 2016 by_area files (Vermont, New Jersey; ``.csv.gz`` as BLS's zip holds them, compressed)
are loaded by ``sectorwise.lmi.ingest.ingest_paths`` (the whole path: header checks, validation, titles,
physical order, the warehouse swap) and, as the baseline, by one DuckDB ``CREATE TABLE AS SELECT * FROM
read_csv([...files], header=true, types={keys})`` into a fresh database file. Three runs each, medians of
wall time and of this process's CPU time (user + system, all threads), since the machine is shared.

    python -m benchmarks --only ingest_gzip
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import duckdb
from rich.console import Console
from rich.table import Table

RUNS: Final = 3
TARGET_RATIO: Final = 1.5
STATES: Final = ("vermont_50", "new_jersey_34")
KEY_TYPES: Final = (
    "{'area_fips': 'VARCHAR', 'industry_code': 'VARCHAR', 'own_code': 'SMALLINT', 'agglvl_code': 'SMALLINT', "
    "'size_code': 'SMALLINT', 'year': 'SMALLINT', 'qtr': 'VARCHAR', 'disclosure_code': 'VARCHAR'}"
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(files: list[Path]) -> dict[str, float]:
    from sectorwise.lmi.ingest import ingest_paths

    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    listed = "[" + ", ".join(f"'{path}'" for path in files) + "]"
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="sectorwise-gzip-") as scratch:
            wall, cpu = time.perf_counter(), _cpu()
            ingest_paths(files, warehouse=Path(scratch) / "warehouse.duckdb")
            ours.append((time.perf_counter() - wall, _cpu() - cpu))
            con = duckdb.connect(str(Path(scratch) / "plain.duckdb"))
            wall, cpu = time.perf_counter(), _cpu()
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv({listed}, header=true, types={KEY_TYPES})")
            con.close()
            theirs.append((time.perf_counter() - wall, _cpu() - cpu))
    result = {
        "ours_wall_seconds": statistics.median(w for w, _ in ours),
        "ours_cpu_seconds": statistics.median(c for _, c in ours),
        "duckdb_wall_seconds": statistics.median(w for w, _ in theirs),
        "duckdb_cpu_seconds": statistics.median(c for _, c in theirs),
    }
    result["wall_ratio"] = result["ours_wall_seconds"] / result["duckdb_wall_seconds"]
    result["cpu_ratio"] = result["ours_cpu_seconds"] / result["duckdb_cpu_seconds"]
    return result


def run(console: Console) -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "qcew" / "2016_q1-q4_by_area"
    load_before = os.getloadavg()[0]
    states: dict[str, Any] = {}
    for state in STATES:
        files = sorted((root / state).glob("*.csv.gz"))
        if not files:
            raise FileNotFoundError(f"no .csv.gz files in {root / state} (../shared/data)")
        states[state] = {"files": len(files), **_measure(files)}
    load_after = os.getloadavg()[0]
    table = Table(title="Ingest of gzipped BLS files vs DuckDB's typed read", header_style="bold")
    for column in ("files", "ingest", "DuckDB read_csv", "ratio (wall / CPU)", "target"):
        table.add_column(column)
    for state, figure in states.items():
        table.add_row(
            f"{state} ({figure['files']})",
            f"{figure['ours_wall_seconds']:.2f} s ({figure['ours_cpu_seconds']:.2f} s CPU)",
            f"{figure['duckdb_wall_seconds']:.2f} s ({figure['duckdb_cpu_seconds']:.2f} s CPU)",
            f"{figure['wall_ratio']:.2f} / {figure['cpu_ratio']:.2f}",
            "met" if max(figure["wall_ratio"], figure["cpu_ratio"]) <= TARGET_RATIO else "MISSED",
        )
    table.caption = f"median of {RUNS} runs; load average {load_before:.1f} -> {load_after:.1f}"
    console.print(table)
    return {"states": states, "load_average_at_start": load_before, "load_average_at_end": load_after}


if __name__ == "__main__":
    run(Console())
