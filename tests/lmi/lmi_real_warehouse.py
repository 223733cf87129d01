"""A warehouse holding real BLS 2016 county files (Vermont, New Jersey), ingested once per test process.

The files are read in place from ../shared/data through the ingest code path; the warehouse lives in a
temporary directory, never in the repository.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from sectorwise.lmi.ingest import ingest_paths
from tests.conftest import shared_data_path

STATE_FOLDERS = {"50": "vermont_50", "34": "new_jersey_34"}


@functools.cache
def _built(state: str) -> Path:
    folder = shared_data_path("qcew", "2016_q1-q4_by_area", STATE_FOLDERS[state])
    path = Path(tempfile.mkdtemp(prefix=f"sectorwise-test-{state}-")) / "warehouse.duckdb"
    ingest_paths([folder], warehouse=path)
    return path


def real_warehouse(state: str = "50") -> Path:
    """The path of a warehouse with one state's 2016 Q1-Q4 county and statewide files (skips if missing)."""
    shared_data_path("qcew", "2016_q1-q4_by_area", STATE_FOLDERS[state])
    return _built(state)


@functools.cache
def _estimated(state: str) -> Path:
    from sectorwise.lmi.filled import estimable_state_years, store_estimates
    from sectorwise.lmi.warehouse import writing

    path = Path(tempfile.mkdtemp(prefix=f"sectorwise-test-est-{state}-")) / "warehouse.duckdb"
    shutil.copy(_built(state), path)
    with writing(path) as con:
        store_estimates(con, state_years=estimable_state_years(con, states=[state]))
    return path


def real_warehouse_estimated(state: str = "50") -> Path:
    """:func:`real_warehouse` with the suppressed cells' estimates stored (`sectorwise lmi estimate`)."""
    shared_data_path("qcew", "2016_q1-q4_by_area", STATE_FOLDERS[state])
    return _estimated(state)
