"""`sectorwise lmi ingest PATH...`: load BLS QCEW CSV files into the warehouse (thin; calls the library)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from sectorwise.lmi.commands.options import WarehouseOption
from sectorwise.lmi.ingest import IngestError, IngestSummary, ingest_paths
from sectorwise.lmi.warehouse import (
    DEFAULT_LOCK_TIMEOUT,
    WarehouseBusy,
    WarehouseUnavailable,
    default_warehouse_path,
)


def _periods_text(periods: tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(periods[:limit])
    return shown + (f", ... ({len(periods)} in all)" if len(periods) > limit else "")


def _summary_table(summary: IngestSummary, warehouse: Path) -> Table:
    table = Table(title="Loaded", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("files", f"{summary.files:,}")
    table.add_row("rows", f"{summary.rows:,}")
    for name, rows in summary.table_rows.items():
        table.add_row(f"  into {name}", f"{rows:,}")
    table.add_row("rows replaced", f"{summary.replaced_rows:,}")
    areas = ", ".join(summary.areas[:10]) + (", ..." if len(summary.areas) > 10 else "")
    table.add_row("areas", f"{len(summary.areas):,} ({areas})")
    table.add_row("years", ", ".join(str(y) for y in summary.years))
    table.add_row("periods", _periods_text(summary.periods))
    table.add_row("warehouse", str(warehouse))
    return table


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="QCEW CSV files (plain, .gz or .zip) or directories of them, in any BLS layout.",
            show_default=False,
        ),
    ],
    warehouse: WarehouseOption = None,
    lock_timeout: Annotated[
        float,
        typer.Option(
            "--lock-timeout",
            help="Seconds to wait for another load of the same warehouse to finish before giving up.",
        ),
    ] = DEFAULT_LOCK_TIMEOUT,
    estimate: Annotated[
        bool,
        typer.Option(
            "--estimate/--no-estimate",
            help="Then estimate the suppressed cells of each state and year loaded whose statewide and "
            "999 (unknown county) cells are loaded (see `sectorwise lmi estimate`).",
        ),
    ] = True,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Replace an area's period (or an industry or size slice) even with fewer than 90 % of "
            "the rows stored now; without it such a load is refused (a file cut at a line boundary looks "
            "complete).",
        ),
    ] = False,
) -> None:
    """Load BLS QCEW CSV files into the warehouse (all or nothing; a period loaded again replaces it).

    The load writes a copy of the warehouse and swaps it in when done: pages and commands reading the
    warehouse meanwhile see the data as it was. Loads of one warehouse run one after the other."""
    console = Console()
    err_console = Console(stderr=True)
    target = warehouse or default_warehouse_path()
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = progress.add_task("ingest", total=None)

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    def waiting(lock: Path) -> None:
        err_console.print(f"Another load is writing the warehouse; waiting for it to finish ({lock}).")

    try:
        with progress:
            summary = ingest_paths(
                paths,
                warehouse=target,
                progress=report,
                lock_timeout=lock_timeout,
                on_wait=waiting,
                allow_shrink=allow_shrink,
            )
    except IngestError as error:
        err_console.print(Text.assemble(("error: ", "bold red"), str(error)), soft_wrap=True)
        err_console.print("Nothing was loaded: the warehouse is unchanged.")
        raise typer.Exit(code=1) from None
    except (WarehouseBusy, WarehouseUnavailable) as error:
        err_console.print(Text.assemble(("error: ", "bold red"), str(error)), soft_wrap=True)
        err_console.print("Nothing was loaded: the warehouse is unchanged.")
        raise typer.Exit(code=1) from None
    except (duckdb.IOException, OSError) as error:
        # The copy being written could not be (a full disk, a directory we may not write in).
        err_console.print(
            Text.assemble(("error: ", "bold red"), f"cannot write {target}: {error}"), soft_wrap=True
        )
        err_console.print("Nothing was loaded: the warehouse is unchanged.")
        raise typer.Exit(code=1) from None
    console.print(_summary_table(summary, target))
    if estimate:
        _estimate_loaded(summary, target, err_console)


def _estimate_loaded(summary: IngestSummary, target: Path, err_console: Console) -> None:
    """The estimator over the states and years just loaded (a second copy-and-swap write: the load is in
    either way, and a failure here says how to run the estimates again)."""
    from sectorwise.lmi.commands.estimate import run_estimates, summary_line

    states = sorted({area[:2] for area in summary.areas if len(area) == 5 and area[:2].isdigit()})
    if not states:
        return
    try:
        result = run_estimates(
            target, states=states, years=list(summary.years), require_unknown_county=True, console=err_console
        )
    except (WarehouseBusy, WarehouseUnavailable, duckdb.Error, OSError, ValueError) as error:
        err_console.print(
            Text.assemble(("error: ", "bold red"), f"the data are loaded, but estimating failed: {error}"),
            soft_wrap=True,
        )
        err_console.print("Run `sectorwise lmi estimate` to try again.")
        raise typer.Exit(code=1) from None
    if result.state_years:
        err_console.print(summary_line(result))


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
