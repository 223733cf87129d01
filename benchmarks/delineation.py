"""Benchmark: the national commuting-zone delineation from the ACS 2009-2013 county-to-county flows.

Times reading the Census table, the delineation of the 3,143 counties of the 50 states and DC (and of all
3,221 counties with Puerto Rico), and one stability draw; reports the adjusted Rand index against the
published delineations found in ../shared/data (SECTORWISE_SHARED_DATA overrides the location).
Run: ``.venv/bin/python -m benchmarks.delineation``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sectorwise.lmi.delineation import STATE_FIPS_BY_POSTAL, commuting_tree, delineate
from sectorwise.lmi.regionsets import compare
from sectorwise.lmi.sources.commuting import read_acs_flows
from sectorwise.lmi.sources.delineations import load_published

SHARED_DATA = Path(
    os.environ.get("SECTORWISE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
FLOWS = ("commuting", "mobz_foote_kutzbach_vilhuber", "jtw2009_2013.csv.gz")
PUBLISHED = {
    "psu2010": ("commuting", "psu_cz2010", "counties10-zqvz0r.csv"),
    "fowler2020": ("commuting", "fowler_cz2020", "county20.csv"),
    "ers1990": ("commuting", "ers", "czlma903.csv"),
    "ers2000": ("commuting", "ers", "cz00_eqv_v1.csv"),
    "cbsa2023": ("cbsa", "list1_2023.xlsx"),
    "csa2023": ("cbsa", "list1_2023.xlsx"),
}


def _timed(label: str, timings: dict[str, float], action: Any) -> Any:
    start = time.perf_counter()
    result = action()
    timings[label] = time.perf_counter() - start
    return result


def run(console: Console) -> dict[str, Any]:
    """Run the benchmark, print a table, return the figures (seconds and adjusted Rand indices)."""
    flows_path = SHARED_DATA.joinpath(*FLOWS)
    if not flows_path.exists():
        console.print(f"[yellow]delineation benchmark skipped: {flows_path} not found[/]")
        return {"skipped": f"{flows_path} not found"}
    timings: dict[str, float] = {}
    flows = _timed("read ACS table (s)", timings, lambda: read_acs_flows(flows_path))
    states = tuple(code for postal, code in STATE_FIPS_BY_POSTAL.items() if postal != "PR")
    us = _timed("delineate 50 states + DC (s)", timings, lambda: commuting_tree(flows, states=states).cut())
    everything = _timed("delineate with Puerto Rico (s)", timings, lambda: delineate(flows))
    _timed("one stability draw, national (s)", timings, lambda: delineate(flows, states=states, draws=1))
    timings["one stability draw, national (s)"] -= timings["delineate 50 states + DC (s)"]
    agreement: dict[str, float] = {}
    zones = us.region_set("acs2009-2013")
    for kind, parts in PUBLISHED.items():
        path = SHARED_DATA.joinpath(*parts)
        if path.exists():
            agreement[f"ARI vs {kind}"] = compare(zones, load_published(kind, path)).ari
    table = Table(title="Commuting zones from ACS 2009-2013 flows, cutoff 0.977", header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("counties (50 states + DC)", f"{len(us):,}")
    table.add_row("zones", f"{us.zone_count:,}")
    table.add_row("counties with Puerto Rico", f"{len(everything):,}")
    for label, seconds in timings.items():
        table.add_row(label, f"{seconds:.2f}")
    for label, ari in agreement.items():
        table.add_row(label, f"{ari:.4f}")
    console.print(table)
    return {"counties": len(us), "zones": us.zone_count, **timings, **agreement}


if __name__ == "__main__":
    run(Console())
