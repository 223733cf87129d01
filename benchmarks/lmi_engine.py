"""LMI engine benchmark: national-scale synthetic QCEW files, ingest against DuckDB's own typed read, LQs from
the warehouse against pandas, and one custom region's profile from a warm warehouse. One run, side by side.

    python -m benchmarks --only lmi [--scale 0.05] [--gzip] [--keep]

Scale 1.0 is the size of BLS's national 2016 quarterly by_area set (4,423 files, 14.25 million rows, 4.1 GB):
files = 4,423 x scale (counties of round(51 x scale) synthetic states, their statewide files and US000),
one 6-digit industry per NAICS 4-digit group (which brings the rows per file near BLS's 3,200; the rows
written are reported beside the national-scale figure), one year of quarters (the year before is generated
for the changes, not written).
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final, TypeVar

import duckdb
import numpy as np
import pandas as pd
from rich.console import Console

from sectorwise.demo.geography import SyntheticState, layout_state
from sectorwise.demo.qcew_files import QUARTERLY, file_columns
from sectorwise.demo.synthetic import write_synthetic_qcew
from sectorwise.lmi import warehouse as lmi_warehouse
from sectorwise.lmi.codes import US_FIPS
from sectorwise.lmi.ingest import ingest_paths
from sectorwise.lmi.measures import location_quotients, quarterly_measures
from sectorwise.lmi.prepared import PreparedQueries, to_arrow
from sectorwise.lmi.regions import Region
from sectorwise.lmi.shiftshare import shift_share

NATIONAL_FILES: Final = 4_423
NATIONAL_ROWS: Final = 14_250_000
NATIONAL_STATES: Final = 51
YEAR: Final = 2024
SEED: Final = 2016
INDUSTRIES_PER_NAICS4: Final = 1
LQ_FIGURES: Final = (
    "qtrly_estabs",
    "month1_emplvl",
    "month2_emplvl",
    "month3_emplvl",
    "total_qtrly_wages",
    "taxable_qtrly_wages",
    "qtrly_contributions",
    "avg_wkly_wage",
)

T = TypeVar("T")


@dataclass(frozen=True)
class Targets:
    ingest_ratio: float = 1.5
    lq_speedup: float = 5.0
    profile_seconds: float = 0.3


def synthetic_nation(scale: float) -> list[SyntheticState]:
    """States and counties adding up to 4,423 x scale files (counties + statewide files + US000)."""
    if not 0 < scale <= 1:
        raise ValueError(f"--scale must be in (0, 1], not {scale}")
    files = max(3, round(NATIONAL_FILES * scale))
    state_count = max(1, min(NATIONAL_STATES, round(NATIONAL_STATES * scale)))
    county_files = files - state_count - 1
    rng = np.random.default_rng(SEED)
    sizes = np.full(state_count, county_files // state_count)
    sizes[: county_files % state_count] += 1
    states = []
    for number, count in enumerate(sizes):
        fips = f"{number + 1:02d}"  # codes only: the places and their titles are synthetic
        states.append(
            layout_state(
                fips=fips,
                name=f"Synthetic State {fips}",
                county_count=int(count),
                rng=rng,
                width_km=40.0 * math.sqrt(count),
                height_km=40.0 * math.sqrt(count),
            )
        )
    return states


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def _floor_columns() -> dict[str, str]:
    """Explicit DuckDB types for every column of the quarterly by_area layout."""
    types: dict[str, str] = {}
    for column in file_columns(QUARTERLY):
        if column in ("own_code", "agglvl_code", "size_code", "year"):
            types[column] = "SMALLINT"
        elif (column.startswith("lq_") and column != "lq_disclosure_code") or column.endswith("_pct_chg"):
            types[column] = "DOUBLE"
        elif column in ("area_fips", "industry_code", "qtr") or "disclosure" in column or "title" in column:
            types[column] = "VARCHAR"
        else:
            types[column] = "BIGINT"
    return types


def _median_seconds(action: Callable[[], object], runs: int = 3) -> float:
    action()
    return statistics.median(_timed(action)[1] for _ in range(runs))


def duckdb_floor(files: list[Path], database: Path) -> int:
    """DuckDB's own typed read of the same files into a table of a database file: the floor for ingest."""
    con = duckdb.connect(str(database))
    try:
        con.execute("SET enable_progress_bar = false")
        columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in _floor_columns().items()) + "}"
        con.execute(
            f"CREATE TABLE qcew AS SELECT * FROM read_csv($files, header = true, columns = {columns})",
            {"files": [str(path) for path in files]},
        )
        counted = con.execute("SELECT count(*) FROM qcew").fetchone()
        return int(counted[0]) if counted else 0
    finally:
        con.close()


def pandas_location_quotients(frame: pd.DataFrame, *, reference: str) -> pd.DataFrame:
    """The straightforward pandas computation: every cell's LQs against ``reference`` (BLS's definition,
    suppressed cells and cells with a suppressed base or reference get none)."""
    usable = frame["disclosure_code"].fillna("") != "N"
    cells = frame.assign(usable=usable)
    totals = cells[(cells.own_code == 0) & (cells.industry_code == "10")]
    base = totals[["area_fips", "usable", *LQ_FIGURES]].rename(
        columns={"usable": "b_ok", **{f: f"b_{f}" for f in LQ_FIGURES}}
    )
    ref = cells[cells.area_fips == reference][["own_code", "industry_code", "usable", *LQ_FIGURES]].rename(
        columns={"usable": "r_ok", **{f: f"r_{f}" for f in LQ_FIGURES}}
    )
    ref_base = base[totals.area_fips.to_numpy() == reference].drop(columns="area_fips")
    merged = cells.merge(base, on="area_fips", how="left").merge(
        ref, on=["own_code", "industry_code"], how="left"
    )
    for column in ref_base.columns:
        merged[f"r{column}"] = ref_base[column].iloc[0]
    ok = merged.usable & merged.b_ok.fillna(False) & merged.r_ok.fillna(False) & merged.rb_ok
    out = merged[["area_fips", "own_code", "industry_code"]].copy()
    for figure in LQ_FIGURES:
        share = merged[figure] / merged[f"b_{figure}"].replace(0, np.nan)
        reference_share = merged[f"r_{figure}"] / merged[f"rb_{figure}"].replace(0, np.nan)
        quotient = (share / reference_share.replace(0, np.nan)).where(merged[figure] != 0, 0.0)
        out[f"lq_{figure}"] = quotient.where(ok)
    return out


def _materialisation_floor(qcew: Any) -> Any:
    """The LQ result's columns read straight from the warehouse, with no LQ computed: no engine can hand
    over the result faster than this."""
    cells = qcew.filter(qcew.year == YEAR, qcew.qtr == "1", qcew.size_code == 0)
    return cells.select(
        "area_fips",
        "own_code",
        "industry_code",
        *(cells[f].cast("float64").name(f"lq_{f}") for f in LQ_FIGURES),
    )


def _one_thread_seconds(con: Any, action: Callable[[], object]) -> float:
    raw = con.con
    threads = raw.sql("SELECT current_setting('threads')").fetchone()[0]
    raw.execute("SET threads = 1")
    try:
        return _median_seconds(action)
    finally:
        raw.execute(f"SET threads = {int(threads)}")


def _regions_of(states: list[SyntheticState], count: int) -> list[Region]:
    """Custom regions of eight counties each: a state's largest county and its nearest neighbours, for
    the first ``count`` states (the first state again when there are fewer)."""
    regions = []
    for number in range(count):
        counties = states[number % len(states)].counties
        anchor = max(counties, key=lambda county: county.employment)
        if number >= len(states):  # a second region in the same state: its smallest county's
            anchor = min(counties, key=lambda county: county.employment)
        nearest = sorted(counties, key=lambda c: math.hypot(c.x_km - anchor.x_km, c.y_km - anchor.y_km))[:8]
        regions.append(
            Region(name=f"Benchmark region {number + 1}", counties=tuple(county.fips for county in nearest))
        )
    return regions


def _profile(con: Any, prepared: PreparedQueries, region: Region) -> int:
    """One region's full profile, executed: every industry's figures, all eight LQs and their changes for
    the latest quarter, and the sector shift-share from the first quarter to the last. The queries are
    compiled once per shape (:mod:`sectorwise.lmi.prepared`); the region's name and counties are bound."""
    qcew = con.table(lmi_warehouse.QUARTERLY_TABLE)

    def figures(name: str, counties: tuple[str, ...]) -> Any:
        region = Region(name=name, counties=counties)
        return quarterly_measures(qcew, year=YEAR, qtr="4", reference=US_FIPS, areas=[], regions=[region])

    def shifts(name: str, counties: tuple[str, ...]) -> Any:
        region = Region(name=name, counties=counties)
        return shift_share(
            qcew, area=name, reference=US_FIPS, start=(YEAR, "1"), end=(YEAR, "4"), regions=[region]
        )

    values = {"name": region.name, "counties": region.counties}
    size = len(region.counties)
    return int(
        prepared.to_pyarrow(("profile measures", size), figures, values).num_rows
        + prepared.to_pyarrow(("profile shift-share", size), shifts, values).num_rows
    )


def _unprepared_profile(con: Any, region: Region) -> int:
    """The same profile, built and compiled by Ibis on every run."""
    qcew = con.table(lmi_warehouse.QUARTERLY_TABLE)
    figures = quarterly_measures(qcew, year=YEAR, qtr="4", reference=US_FIPS, areas=[], regions=[region])
    shifts = shift_share(
        qcew, area=region.name, reference=US_FIPS, start=(YEAR, "1"), end=(YEAR, "4"), regions=[region]
    )
    return int(figures.to_pyarrow().num_rows + shifts.to_pyarrow().num_rows)


def _check_profile(con: Any, prepared: PreparedQueries, region: Region) -> None:
    """The prepared profile of ``region`` equals the Ibis expressions executed directly (no stale rows)."""
    qcew = con.table(lmi_warehouse.QUARTERLY_TABLE)
    keys = [(key, "ascending") for key in ("area_fips", "own_code", "industry_code")]
    direct = quarterly_measures(qcew, year=YEAR, qtr="4", reference=US_FIPS, areas=[], regions=[region])
    template = prepared.to_pyarrow(
        ("profile measures", len(region.counties)),
        lambda name, counties: quarterly_measures(
            qcew,
            year=YEAR,
            qtr="4",
            reference=US_FIPS,
            areas=[],
            regions=[Region(name=name, counties=counties)],
        ),
        {"name": region.name, "counties": region.counties},
    )
    if not template.sort_by(keys).equals(direct.to_pyarrow().sort_by(keys)):
        raise AssertionError(f"prepared profile of {region.name} differs from the Ibis expression's")


def run(
    console: Console, *, scale: float = 0.05, out: Path, gzip: bool = False, keep: bool = False
) -> dict[str, Any]:
    """Run the four LMI measurements at ``scale`` and return their figures."""
    work = out / f"lmi-scale-{scale:g}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # The machine may be shared: its load beside the timings says how far to trust them.
    results: dict[str, Any] = {
        "scale": scale,
        "targets": Targets().__dict__,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    try:
        states = synthetic_nation(scale)
        console.print(
            f"[bold]LMI engine[/] scale {scale:g}: {len(states)} synthetic states, generating files..."
        )
        written, seconds = _timed(
            lambda: write_synthetic_qcew(
                states,
                directory=work / "files",
                years=[YEAR],
                seed=SEED,
                per_naics4=INDUSTRIES_PER_NAICS4,
                annual=False,
                gzip=gzip,
            )
        )
        files = list(written.quarterly)
        size = sum(path.stat().st_size for path in files)
        results["generate"] = {
            "files": len(files),
            "rows": written.rows,
            "bytes": size,
            "seconds": seconds,
            "rows_per_second": written.rows / seconds,
            "national_scale_rows": NATIONAL_ROWS * scale,
        }
        console.print(
            f"  {len(files):,} files, {written.rows:,} rows, {size / 1e6:,.0f} MB in {seconds:.1f} s"
        )

        for path in files:  # the same warm page cache for both readers
            path.read_bytes()
        floor_rows, floor_seconds = _timed(lambda: duckdb_floor(files, work / "floor.duckdb"))
        warehouse = work / "warehouse.duckdb"
        summary, ingest_seconds = _timed(lambda: ingest_paths(files, warehouse=warehouse))
        results["ingest"] = {
            "rows": summary.rows,
            "seconds": ingest_seconds,
            "floor_rows": floor_rows,
            "floor_seconds": floor_seconds,
            "ratio": ingest_seconds / floor_seconds,
        }
        console.print(
            f"  ingest {ingest_seconds:.2f} s vs DuckDB typed read_csv {floor_seconds:.2f} s: "
            f"ratio {ingest_seconds / floor_seconds:.2f}"
        )

        con = lmi_warehouse.connect(warehouse, read_only=True)
        try:
            qcew = con.table(lmi_warehouse.QUARTERLY_TABLE)
            frame = qcew.filter(qcew.year == YEAR, qcew.qtr == "1").to_pandas()

            # Materialised in full to Arrow, with the columns the pandas computation produces: the cell's
            # area, ownership and industry and its eight LQs (pandas's frame holds the same). Like for like:
            # both unrounded; the time with BLS's 2-decimal rounding (the CLI's default) is reported beside.
            def lq_expression(bls_rounding: bool) -> Any:
                lqs = location_quotients(
                    qcew, year=YEAR, qtr="1", reference=US_FIPS, bls_rounding=bls_rounding
                )
                return lqs.select("area_fips", "own_code", "industry_code", *(f"lq_{f}" for f in LQ_FIGURES))

            expression = lq_expression(False)
            _, compile_seconds = _timed(lambda: con.compile(expression))
            # Both warm (one untimed run each), then the median of three: the machine may be shared.
            pandas_seconds = _median_seconds(lambda: pandas_location_quotients(frame, reference=US_FIPS))
            measures_seconds = _median_seconds(lambda: to_arrow(expression))
            rounded_seconds = _median_seconds(lambda: to_arrow(lq_expression(True)))
            # What bounds the ratio on this machine: the same columns read from the warehouse into Arrow with
            # no LQ computed at all (the figures cast to double, the LQs' type), and our time on one CPU
            # (pandas computes on one).
            floor_seconds = _median_seconds(lambda: to_arrow(_materialisation_floor(qcew)))
            one_cpu_seconds = _one_thread_seconds(con, lambda: to_arrow(expression))
            lq_table = to_arrow(expression)
            keys = ["area_fips", "own_code", "industry_code"]
            ours = lq_table.to_pandas().astype({"own_code": "int64"}).set_index(keys).sort_index()
            theirs = pandas_location_quotients(frame, reference=US_FIPS).astype({"own_code": "int64"})
            theirs = theirs.set_index(keys).sort_index()
            agreement = _agreement(ours, theirs)
            results["location_quotients"] = {
                "rows": lq_table.num_rows,
                "measures_seconds": measures_seconds,
                "measures_compile_seconds": compile_seconds,
                "measures_bls_rounded_seconds": rounded_seconds,
                "materialisation_floor_seconds": floor_seconds,
                "materialisation_floor_rows": to_arrow(_materialisation_floor(qcew)).num_rows,
                "measures_one_cpu_seconds": one_cpu_seconds,
                "pandas_over_floor": pandas_seconds / floor_seconds,
                "pandas_seconds": pandas_seconds,
                "speedup": pandas_seconds / measures_seconds,
                **agreement,
            }
            console.print(
                f"  LQs of {lq_table.num_rows:,} cells: measures {measures_seconds:.2f} s, pandas "
                f"{pandas_seconds:.2f} s (x{pandas_seconds / measures_seconds:.1f}); "
                f"{agreement['cells_compared']:,} LQs compared, "
                f"max difference {agreement['max_abs_difference']:.2e}"
            )

            # The first region compiles the two query shapes (timed apart); five other regions follow,
            # each with its own counties bound to the compiled queries. Each result is checked against
            # executing the Ibis expressions directly.
            first, *others = _regions_of(states, 6)
            prepared = PreparedQueries(con)
            _, compile_run = _timed(lambda: _profile(con, prepared, first))
            timings = []
            for region in others:
                rows, seconds = _timed(partial(_profile, con, prepared, region))
                timings.append(seconds)
                _check_profile(con, prepared, region)
            unprepared = _median_seconds(lambda: _unprepared_profile(con, others[0]), runs=3)
            results["region_profile"] = {
                "counties": len(first.counties),
                "regions": len(others),
                "rows": rows,
                "seconds_median": statistics.median(timings),
                "seconds_all": timings,
                "first_run_seconds": compile_run,
                "unprepared_seconds_median": unprepared,
            }
            console.print(
                f"  region profile ({len(first.counties)} counties, {rows:,} rows): median "
                f"{statistics.median(timings):.3f} s over {len(others)} regions (first run, compiling: "
                f"{compile_run:.3f} s; without prepared queries: {unprepared:.3f} s)"
            )
        finally:
            con.disconnect()
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    results["load_average_at_end"] = os.getloadavg()[0]
    return results


def _agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> dict[str, Any]:
    """Both give the same LQs: the same cells with and without one, and the same numbers."""
    joined = ours.join(theirs.add_suffix("_pandas"), how="inner")
    compared = 0
    mismatched_nulls = 0
    largest = 0.0
    for figure in LQ_FIGURES:
        a = joined[f"lq_{figure}"].astype("float64").to_numpy()
        b = joined[f"lq_{figure}_pandas"].astype("float64").to_numpy()
        mismatched_nulls += int(np.sum(np.isnan(a) != np.isnan(b)))
        both = ~np.isnan(a) & ~np.isnan(b)
        compared += int(both.sum())
        if both.any():
            largest = max(largest, float(np.max(np.abs(a[both] - b[both]))))
    return {
        "cells_compared": compared,
        "rows_only_one_side": int(len(ours) + len(theirs) - 2 * len(joined)),
        "null_mismatches": mismatched_nulls,
        "max_abs_difference": largest,
        "same_numbers": mismatched_nulls == 0 and largest < 1e-9 and len(ours) == len(theirs) == len(joined),
    }


def _speed(ratio: float) -> str:
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


def summary_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measurement, Sectorwise, baseline, result vs target) rows for the report table."""
    generate, ingest = results["generate"], results["ingest"]
    lq, profile = results["location_quotients"], results["region_profile"]
    targets = results["targets"]
    return [
        (
            "Generate by_area files",
            f"{generate['files']:,} files, {generate['rows']:,} rows, {generate['bytes'] / 1e9:.2f} GB "
            f"in {generate['seconds']:.1f} s",
            f"national 2016: 4,423 files, 14.25 M rows (x{results['scale']:g} = "
            f"{generate['national_scale_rows'] / 1e6:.2f} M)",
            f"{generate['rows_per_second'] / 1e3:,.0f} k rows/s",
        ),
        (
            "Ingest (sectorwise lmi ingest)",
            f"{ingest['seconds']:.2f} s",
            f"DuckDB typed read_csv: {ingest['floor_seconds']:.2f} s",
            f"ratio {ingest['ratio']:.2f} (target <= {targets['ingest_ratio']})",
        ),
        (
            "LQs, every county x industry x ownership, 1 quarter",
            f"{lq['measures_seconds']:.2f} s ({lq['rows']:,} rows; Ibis compile "
            f"{lq['measures_compile_seconds']:.2f} s of it; rounded as BLS publishes: "
            f"{lq['measures_bls_rounded_seconds']:.2f} s)",
            f"pandas in memory: {lq['pandas_seconds']:.2f} s",
            f"{_speed(lq['speedup'])} (target >= {targets['lq_speedup']:g}x faster); same numbers: "
            f"{'yes' if lq['same_numbers'] else 'NO'} ({lq['cells_compared']:,} LQs)",
        ),
        (
            "What bounds the LQ ratio here",
            f"on 1 CPU: {lq['measures_one_cpu_seconds']:.2f} s; the result's columns read into Arrow with no "
            f"LQ computed: {lq['materialisation_floor_seconds']:.2f} s",
            f"pandas on 1 CPU: {lq['pandas_seconds']:.2f} s",
            f"per CPU {_speed(lq['pandas_seconds'] / lq['measures_one_cpu_seconds'])}; even LQs at no cost "
            f"would be {lq['pandas_over_floor']:.1f}x",
        ),
        (
            "Custom region profile (measures + shift-share), warm",
            f"{profile['seconds_median']:.3f} s (median over {profile['regions']} regions of "
            f"{profile['counties']} counties; queries compiled once per shape, first run "
            f"{profile['first_run_seconds']:.2f} s)",
            f"compiled by Ibis on every run: {profile['unprepared_seconds_median']:.3f} s",
            f"target <= {targets['profile_seconds']} s",
        ),
    ]
