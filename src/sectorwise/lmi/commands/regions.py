"""`sectorwise lmi regions ...`: commuting zones from flows, published region sets, agreement between them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sectorwise.lmi.commands.errors import UserError, fail, reported_and
from sectorwise.lmi.commands.options import FormatOption, OutputOption, WarehouseOption
from sectorwise.lmi.delineation import DEFAULT_CUTOFF, DEFAULT_DRAWS, Delineation, delineate, state_fips
from sectorwise.lmi.output import OutputFormat, write_table
from sectorwise.lmi.regionsets import (
    RegionSet,
    compare,
    county_titles,
    load_region_set,
    read_region_set_file,
    states_region_set,
    store_region_set,
    stored_region_sets,
)
from sectorwise.lmi.sources.commuting import read_flows
from sectorwise.lmi.sources.delineations import PUBLISHED_KINDS, load_published
from sectorwise.lmi.warehouse import default_warehouse_path, open_duckdb, writing
from sectorwise.tabular_io import Provenance

regions_app = typer.Typer(
    help="Labor-market regions: delineate commuting zones from flows, load published delineations, compare.",
    no_args_is_help=True,
)

SPEC_HELP = (
    "A region set: a published kind with its file (psu2010 --file-a FILE; see `regions list`), "
    "'states', a file written by `regions delineate` (CSV or JSON), or a set stored with `regions store`."
)


TERMINAL_COLUMNS = (
    "county_fips",
    "region_id",
    "region_name",
    "resident_workers",
    "resident_share_in_zone",
    "job_share_from_zone",
    "zone_counties",
    "zone_containment",
    "stability",
)


def _resolve(spec: str, file: Path | None, *, warehouse: Path | None, other: RegionSet | None) -> RegionSet:
    """Turn a command-line region-set spec into a RegionSet (see SPEC_HELP)."""
    if spec == "states":
        if file is not None:
            raise UserError("'states' takes no file: it is built from the other set's counties")
        if other is None:
            raise UserError("compare 'states' with a set that has counties, not with 'states'")
        return states_region_set(other.counties)
    if spec in PUBLISHED_KINDS:
        if file is None:
            kind = PUBLISHED_KINDS[spec]
            raise UserError(f"{spec} needs its file: add --file-a/--file-b FILE ({kind.expected_file})")
        return load_published(spec, file)
    if file is not None:
        raise UserError(f"unknown region-set kind {spec!r}: choose one of {', '.join(PUBLISHED_KINDS)}")
    path = Path(spec)
    if path.is_file():
        return read_region_set_file(path)
    target = warehouse or default_warehouse_path()
    if target.exists():
        con = open_duckdb(target, read_only=True)
        try:
            return load_region_set(con, spec)
        finally:
            con.close()
    raise UserError(
        f"{spec!r} is neither a region-set kind ({', '.join(PUBLISHED_KINDS)}), a file, nor a stored set"
    )


def _stability_progress(draws: int, err_console: Console) -> Progress:
    """A bar on stderr for the stability draws (each rebuilds the whole tree: the slow part)."""
    return Progress(
        TextColumn("[bold]stability draws"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=draws == 0,
    )


def _zone_names(result: Delineation, warehouse: Path | None) -> dict[str, str]:
    """Each zone's name after its core county, from the warehouse's county titles when it has them."""
    target = warehouse or default_warehouse_path()
    titles: dict[str, str] = {}
    if target.exists():
        con = open_duckdb(target, read_only=True)
        try:
            titles = county_titles(con, result.core_counties)
        finally:
            con.close()
    return result.zone_names(titles)


@regions_app.command("delineate")
def delineate_command(
    flows: Annotated[
        list[Path],
        typer.Option(
            "--flows",
            help="ACS county-to-county flow table (CSV, may be gzipped), or LODES OD files "
            "(repeat for main and aux).",
        ),
    ],
    cutoff: Annotated[
        float, typer.Option(help="Cut the average-linkage tree at this dissimilarity (0-1).")
    ] = DEFAULT_CUTOFF,
    states: Annotated[
        list[str] | None,
        typer.Option(
            "--states", help="Delineate within these states only (NJ or 34; repeat or comma-separate)."
        ),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            help=f"Resampled delineations for the stability figure (default {DEFAULT_DRAWS} when the flows "
            "carry margins of error, else 0; 0 turns it off). Each draw takes about as long as the "
            "delineation itself; the command says how many ran and how long they took."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the resampling.")] = 0,
    zones: Annotated[
        bool, typer.Option("--zones", help="One row per zone instead of one per county.")
    ] = False,
    save: Annotated[
        str | None,
        typer.Option("--save", help="Also store the delineation in the warehouse under this name."),
    ] = None,
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Delineate commuting zones (Tolbert-Sizer as Fowler & Jensen 2020): one row per county, its zone."""
    try:
        chosen_states = state_fips(states) if states else None
        data = read_flows(flows)
        n_draws = draws if draws is not None else (DEFAULT_DRAWS if data.has_moe else 0)
        if n_draws < 0:
            raise UserError(f"--draws must be 0 or more, got {n_draws}")
        err_console = Console(stderr=True)
        bar = _stability_progress(n_draws, err_console)
        task = bar.add_task("draws", total=n_draws)
        with bar:
            result = delineate(
                data,
                cutoff=cutoff,
                states=chosen_states,
                draws=n_draws,
                seed=seed,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if result.draws:
            err_console.print(
                f"Stability: {result.draws} resampled delineations in {result.stability_seconds:.1f} s "
                "(--draws 0 turns them off)."
            )
        names = _zone_names(result, warehouse)
        if save:
            # Written on a copy moved in whole: readers (the web's pages) are never locked out.
            with writing(warehouse) as con:
                store_region_set(con, result.region_set(save, region_names=names))
        table = result.zone_table(region_names=names) if zones else result.county_table(region_names=names)
        if fmt is OutputFormat.TABLE and not zones:
            # A terminal is narrow: the main figures here, every column in csv, json, parquet and xlsx.
            table = table.select([c for c in TERMINAL_COLUMNS if c in table.column_names])
        title = f"{result.zone_count} commuting zones of {len(result)} counties at cutoff {result.cutoff}"
        provenance = Provenance.of_this_run(
            warehouse=(warehouse or default_warehouse_path()) if save else None,
            sources={"Commuting flows": ", ".join(str(path) for path in flows)},
        )
        write_table(table, fmt, output, title=title, provenance=provenance)
    except reported_and(ValueError, OSError) as exc:
        fail(str(exc))


@regions_app.command("compare")
def compare_command(
    set_a: Annotated[str, typer.Argument(metavar="A", help=SPEC_HELP)],
    set_b: Annotated[str, typer.Argument(metavar="B", help="The second region set, given as A is.")],
    file_a: Annotated[
        Path | None, typer.Option("--file-a", help="The file of A when A is a published kind.")
    ] = None,
    file_b: Annotated[
        Path | None, typer.Option("--file-b", help="The file of B when B is a published kind.")
    ] = None,
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Agreement of two region sets: the adjusted Rand index over the counties both cover."""
    try:
        if set_a == "states" and set_b == "states":
            raise UserError("compare 'states' with another region set")
        if set_a == "states":
            b = _resolve(set_b, file_b, warehouse=warehouse, other=None)
            a = _resolve(set_a, file_a, warehouse=warehouse, other=b)
        else:
            a = _resolve(set_a, file_a, warehouse=warehouse, other=None)
            b = _resolve(set_b, file_b, warehouse=warehouse, other=a)
        agreement = compare(a, b)
        table = agreement.table()
        if fmt is OutputFormat.TABLE:
            # One figure per line reads better than one wide row; the index keeps four decimals.
            row = table.to_pylist()[0]
            row["adjusted_rand_index"] = f"{agreement.ari:.4f}"
            table = pa.table(
                {
                    "measure": list(row),
                    "value": [f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()],
                }
            )
        write_table(table, fmt, output, title="Agreement of two region sets")
    except reported_and(ValueError, OSError) as exc:
        fail(str(exc))


@regions_app.command("list")
def list_command(
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """The published region-set kinds Sectorwise reads, and the region sets stored in the warehouse."""
    kinds = list(PUBLISHED_KINDS.values())
    rows: dict[str, list[object]] = {
        "name": [k.kind for k in kinds],
        "what": [k.title for k in kinds],
        "file": [k.expected_file for k in kinds],
        "counties": [None for _ in kinds],
        "regions": [None for _ in kinds],
    }
    target = warehouse or default_warehouse_path()
    try:
        if target.exists():
            con = open_duckdb(target, read_only=True)
            try:
                stored = stored_region_sets(con).to_pylist()
            finally:
                con.close()
            for row in stored:
                rows["name"].append(row["set_name"])
                rows["what"].append(f"stored ({row['kind']}): {row['source']}")
                rows["file"].append(str(target))
                rows["counties"].append(row["counties"])
                rows["regions"].append(row["regions"])
        table = pa.table(
            {
                "name": pa.array(rows["name"], pa.string()),
                "what": pa.array(rows["what"], pa.string()),
                "file": pa.array(rows["file"], pa.string()),
                "counties": pa.array(rows["counties"], pa.int64()),
                "regions": pa.array(rows["regions"], pa.int64()),
            }
        )
        write_table(table, fmt, output, title="Region sets")
    except reported_and(ValueError, OSError) as exc:
        fail(str(exc))


@regions_app.command("store")
def store_command(
    name: Annotated[str, typer.Argument(help="The name to store the region set under.")],
    spec: Annotated[str, typer.Argument(metavar="SET", help=SPEC_HELP.replace("--file-a", "--file"))],
    file: Annotated[
        Path | None, typer.Option("--file", help="The file of SET when SET is a published kind.")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Store a region set in the warehouse so that other commands can use it by name."""
    try:
        if spec == "states":
            raise UserError("'states' is built on the fly; store the set you would compare it with instead")
        region_set = _resolve(spec, file, warehouse=warehouse, other=None)
        named = RegionSet(
            name=name,
            assignments=region_set.assignments,
            region_names=region_set.region_names,
            kind=region_set.kind,
            source=region_set.source,
        )
        with writing(warehouse) as con:
            count = store_region_set(con, named)
        Console().print(f"stored {name!r}: {count:,} counties in {len(named.region_ids):,} regions")
    except reported_and(ValueError, OSError) as exc:
        fail(str(exc))


@regions_app.command("export")
def export_command(
    spec: Annotated[str, typer.Argument(metavar="SET", help=SPEC_HELP.replace("--file-a", "--file"))],
    region_id: Annotated[str | None, typer.Option("--region-id", help="The region (zone) to export.")] = None,
    county: Annotated[
        str | None, typer.Option("--county", help="Export the region that holds this county (FIPS).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The region's name in the regions file.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="The file of SET when SET is a published kind.")
    ] = None,
    warehouse: WarehouseOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Add the region to this regions TOML file.")
    ] = None,
) -> None:
    """Turn one zone into a named region (TOML) that `--region NAME` of the measures can use."""
    try:
        if (region_id is None) == (county is None):
            raise UserError("give exactly one of --region-id and --county")
        region_set = _resolve(spec, file, warehouse=warehouse, other=None)
        region = (
            region_set.to_region(region_id, name=name)
            if region_id is not None
            else region_set.region_for_county(str(county), name=name)
        )
        block = (
            f"[regions.{json.dumps(region.name)}]\n"
            f"description = {json.dumps(region.description)}\n"
            f"counties = [{', '.join(json.dumps(c) for c in region.counties)}]\n"
        )
        if output is None:
            typer.echo(block, nl=False)
            return
        existing = output.read_text(encoding="utf-8") if output.exists() else ""
        try:
            known = tomllib.loads(existing).get("regions", {})
        except tomllib.TOMLDecodeError as exc:
            raise UserError(f"{output}: not a valid TOML file ({exc})") from None
        if region.name in known:
            raise UserError(f"{output} already defines a region named {region.name!r}: choose another --name")
        separator = "\n" if existing and not existing.endswith("\n\n") else ""
        if existing and not existing.endswith("\n"):
            separator = "\n\n"
        output.write_text(existing + separator + block, encoding="utf-8")
        Console().print(f"added region {region.name!r} ({len(region.counties)} counties) to {output}")
    except reported_and(ValueError, OSError) as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    app.add_typer(regions_app, name="regions")
