"""`sectorwise lmi estimate`: estimate the warehouse's suppressed QCEW cells and store them (thin)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sectorwise.lmi.commands.errors import REPORTED, UserError, fail
from sectorwise.lmi.commands.options import WarehouseOption
from sectorwise.lmi.delineation import state_fips
from sectorwise.lmi.filled import EstimateSummary, estimable_state_years, store_estimates
from sectorwise.lmi.warehouse import default_warehouse_path, writing


def run_estimates(
    target: Path,
    *,
    states: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    require_unknown_county: bool = False,
    console: Console | None = None,
) -> EstimateSummary:
    """Estimate and store the suppressed cells of the (state, year)s loaded, through the copy-and-swap
    writer (all or nothing). Shared by `estimate` and the end of `ingest`."""
    err = console or Console(stderr=True)

    def waiting(lock: Path) -> None:
        err.print(f"Another load is writing the warehouse; waiting for it to finish ({lock}).")

    def told(state: str, year: int) -> None:
        err.print(f"estimating suppressed cells of state {state}, {year} ...")

    with writing(target, on_wait=waiting) as con:
        chosen = estimable_state_years(
            con, states=states, years=years, require_unknown_county=require_unknown_county
        )
        return store_estimates(con, state_years=chosen, progress=told)


def summary_line(summary: EstimateSummary) -> str:
    if not summary.state_years:
        return "no state's statewide cells are loaded for these years: nothing to estimate"
    pairs = ", ".join(f"{state} {year}" for state, year in summary.state_years)
    return (
        f"estimated {summary.suppressed_cells:,} suppressed cells ({pairs}): {summary.quarterly_rows:,} "
        f"quarterly and {summary.annual_rows:,} annual figures stored in {summary.seconds:.1f} s"
    )


def estimate(
    state: Annotated[
        list[str] | None,
        typer.Option("--state", help="Only this state (VT or 50); repeatable (default: every state loaded)."),
    ] = None,
    year: Annotated[
        list[int] | None, typer.Option("--year", help="Only this year; repeatable (default: every year).")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Estimate BLS's suppressed cells from the published cells' adding-up constraints and store them.

    The analyses (measures, growth, shiftshare, clusters, occupations, rank and assessment) use the stored
    estimates, flagged, unless given --no-estimate. `ingest` runs this for the states and years it loads
    (unless --no-estimate)."""
    try:
        try:
            states = state_fips(state) if state else None
        except ValueError as error:
            raise UserError(f"--state: {error}") from error
        target = warehouse or default_warehouse_path()
        if not target.exists():
            raise UserError(f"no warehouse at {target}: load data first with `sectorwise lmi ingest PATH...`")
        summary = run_estimates(target, states=states, years=year)
    except REPORTED as error:
        fail(str(error))
    Console().print(summary_line(summary))


def register(app: typer.Typer) -> None:
    app.command("estimate")(estimate)
