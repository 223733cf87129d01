"""WIOA-style indicators at scale: 100,000 participants and 1,000,000 UI wage records, every partnership.

``python -m benchmarks --only evaluation`` (or ``python -m benchmarks.evaluation``). Synthetic data, drawn
with numpy (seeded): 100,000 participants in 200 partnerships exiting from mid-2021 to mid-2024, with hashed
ids (``identifier_hash`` of synthetic SSNs under a random key), and 1,000,000 wage records over 2021-2024
(each person has a main employer; three records in ten are with another one). Timed: ``wioa_indicators``
for every partnership and exit cohort, from pandas and from Arrow (median of three, warm), and the hashing
of the 100,000 identifiers. Target: indicators in <= 5 s.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import time
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from sectorwise.evaluation import identifier_hash, wioa_indicators

PARTICIPANTS: Final = 100_000
WAGE_RECORDS: Final = 1_000_000
PARTNERSHIPS: Final = 200
TARGET_SECONDS: Final = 5.0


def synthetic(
    rng: np.random.Generator, key: bytes, *, participants: int, wage_records: int
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Participants, wage records, and the seconds spent hashing the identifiers."""
    ssns = [f"{area:03d}-{group:02d}-{serial:04d}" for area, group, serial in zip(
        rng.integers(1, 666, participants), rng.integers(1, 99, participants),
        rng.integers(1, 9999, participants), strict=True,
    )]  # fmt: skip
    started = time.perf_counter()
    ids = np.array([identifier_hash(ssn, key) for ssn in ssns], dtype=object)
    hashing = time.perf_counter() - started
    entry = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 365, participants), unit="D")
    exit_ = entry + pd.to_timedelta(rng.integers(180, 900, participants), unit="D")
    exit_ = exit_.where(rng.random(participants) > 0.08)  # some still enrolled
    people = pd.DataFrame(
        {
            "person_id": ids,
            "partnership_id": [f"P{p:03d}" for p in rng.integers(0, PARTNERSHIPS, participants)],
            "entry_date": entry.astype("datetime64[s]"),
            "exit_date": pd.Series(exit_).astype("datetime64[s]"),
            "credential": rng.random(participants) < 0.55,
        }
    )
    # Wage records: each record belongs to a random participant and one of 16 quarters (2021-2024); a
    # person's main employer is stable, a third of records are with another employer.
    who = rng.integers(0, participants, wage_records)
    quarter_index = rng.integers(0, 16, wage_records)
    main_employer = rng.integers(0, 20_000, participants)
    other = rng.random(wage_records) < 0.3
    employer = np.where(other, rng.integers(0, 20_000, wage_records), main_employer[who])
    wages = pd.DataFrame(
        {
            "person_id": ids[who],
            "year": 2021 + quarter_index // 4,
            "quarter": quarter_index % 4 + 1,
            "employer_id": [f"E{e:05d}" for e in employer],
            "wages": np.round(rng.lognormal(8.6, 0.6, wage_records), 2),
        }
    )
    return people, wages, hashing


def run(
    console: Console, *, participants: int = PARTICIPANTS, wage_records: int = WAGE_RECORDS
) -> dict[str, Any]:
    rng = np.random.default_rng(12)
    people, wages, hashing = synthetic(
        rng, secrets.token_bytes(32), participants=participants, wage_records=wage_records
    )
    load_before = os.getloadavg()[0]
    timings: dict[str, list[float]] = {"pandas": [], "arrow": []}
    inputs = {
        "pandas": (people, wages),
        "arrow": (pa.Table.from_pandas(people), pa.Table.from_pandas(wages)),
    }
    result = pd.DataFrame()
    for name, (first, second) in inputs.items():
        wioa_indicators(first, second)  # warm: imports, DuckDB's first connection
        for _ in range(3):
            started = time.perf_counter()
            result = wioa_indicators(first, second)
            timings[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    suppressed = int(result["employment_q2"].isna().sum())
    table = Table(
        title=f"WIOA indicators: {participants:,} participants, {wage_records:,} wage records",
        header_style="bold",
    )
    for column in ("measurement", "seconds", "result"):
        table.add_column(column)
    for name, seconds in medians.items():
        verdict = "met" if seconds <= TARGET_SECONDS else "missed"
        table.add_row(
            f"indicators from {name} (median of 3)",
            f"{seconds:.2f}",
            f"target <= {TARGET_SECONDS:g} s: {verdict}; {len(result):,} partnership x cohort rows, "
            f"{result['partnership_id'].nunique()} partnerships, employment Q2 suppressed in {suppressed}",
        )
    table.add_row(
        "hash 100,000 identifiers (HMAC-SHA256)" if participants == PARTICIPANTS else "hash identifiers",
        f"{hashing:.2f}",
        f"{participants / hashing:,.0f} ids/s",
    )
    table.caption = f"{os.cpu_count()} CPUs, load average {load_before:.1f} at start"
    console.print(table)
    return {
        "participants": participants,
        "wage_records": wage_records,
        "partnerships": int(result["partnership_id"].nunique()),
        "rows": len(result),
        "seconds": {name: [round(v, 3) for v in values] for name, values in timings.items()},
        "median_seconds": {name: round(v, 3) for name, v in medians.items()},
        "target_seconds": TARGET_SECONDS,
        "hashing_seconds": round(hashing, 3),
        "employment_q2_suppressed_rows": suppressed,
        "load_average_at_start": load_before,
    }


if __name__ == "__main__":
    run(Console())
    sys.exit(0)
