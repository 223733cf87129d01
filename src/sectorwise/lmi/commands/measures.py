"""`sectorwise lmi measures`, `growth` and `shiftshare`: BLS figures, LQs, change and shift-share (thin)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, NaicsLevel
from sectorwise.lmi.commands.errors import UserError, fail, reported_errors
from sectorwise.lmi.commands.options import (
    EstimateOption,
    FormatOption,
    OutputOption,
    RegionsFileOption,
    RegionsOption,
    WarehouseOption,
)
from sectorwise.lmi.output import OutputFormat, write_table
from sectorwise.lmi.regions import Region, RegionFileError, load_regions, parse_region_counties

if TYPE_CHECKING:
    import duckdb
    import ibis
    import ibis.expr.types as ir
    from ibis.backends.duckdb import Backend as DuckDBBackend

    from sectorwise.lmi import lookup, warehouse
    from sectorwise.lmi.annual import DERIVED, annual_with_derived, years_to_derive
    from sectorwise.lmi.defaults import Period
    from sectorwise.lmi.filled import ESTIMATED, analysis_table
    from sectorwise.lmi.measures import (
        ANNUAL_QTR,
        LQ_SOURCE,
        NATION,
        QUARTERS,
        figures_for,
        growth,
        industry_level,
        measures,
        published_location_quotients,
        select_industries,
        with_lq_source,
    )
    from sectorwise.lmi.prepared import to_arrow
    from sectorwise.lmi.regionsets import (
        UnknownCountyError,
        UnknownRegionError,
        UnknownRegionSetError,
        stored_region,
    )
    from sectorwise.lmi.shiftshare import shift_share


def _load_library() -> None:
    """Bind the engine's names (above, for the type checker) when a command runs, not when the module is
    imported: they load DuckDB, ibis and pandas, and `sectorwise lmi measures --help` needs none of them."""
    import duckdb
    import ibis

    from sectorwise.lmi import lookup, warehouse
    from sectorwise.lmi.annual import DERIVED, annual_with_derived, years_to_derive
    from sectorwise.lmi.defaults import Period
    from sectorwise.lmi.filled import ESTIMATED, analysis_table
    from sectorwise.lmi.measures import (
        ANNUAL_QTR,
        LQ_SOURCE,
        NATION,
        QUARTERS,
        figures_for,
        growth,
        industry_level,
        measures,
        published_location_quotients,
        select_industries,
        with_lq_source,
    )
    from sectorwise.lmi.prepared import to_arrow
    from sectorwise.lmi.regionsets import (
        UnknownCountyError,
        UnknownRegionError,
        UnknownRegionSetError,
        stored_region,
    )
    from sectorwise.lmi.shiftshare import shift_share

    globals().update(
        duckdb=duckdb,
        ibis=ibis,
        DERIVED=DERIVED,
        annual_with_derived=annual_with_derived,
        years_to_derive=years_to_derive,
        lookup=lookup,
        Period=Period,
        warehouse=warehouse,
        ESTIMATED=ESTIMATED,
        analysis_table=analysis_table,
        ANNUAL_QTR=ANNUAL_QTR,
        LQ_SOURCE=LQ_SOURCE,
        NATION=NATION,
        published_location_quotients=published_location_quotients,
        with_lq_source=with_lq_source,
        QUARTERS=QUARTERS,
        figures_for=figures_for,
        growth=growth,
        measures=measures,
        industry_level=industry_level,
        select_industries=select_industries,
        to_arrow=to_arrow,
        UnknownCountyError=UnknownCountyError,
        UnknownRegionError=UnknownRegionError,
        UnknownRegionSetError=UnknownRegionSetError,
        stored_region=stored_region,
        shift_share=shift_share,
    )


RegionCountiesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--region-counties",
        help="Define a region on the command line as NAME=FIPS,FIPS,... (selects it too); repeatable.",
    ),
]
OwnershipOption = Annotated[
    list[int] | None,
    typer.Option(
        "--ownership", help="Only these own_codes (0 total, 1 federal, 2 state, 3 local, 5 private)."
    ),
]

#: What ``--format table`` shows: the columns an analyst reads first (files carry every column).
_TABLE_COLUMNS = {
    "quarterly": (
        "month3_emplvl",
        "qtrly_estabs",
        "avg_wkly_wage",
        "lq_month3_emplvl",
        "oty_month3_emplvl_pct_chg",
    ),
    "annual": (
        "annual_avg_emplvl",
        "annual_avg_estabs",
        "avg_annual_pay",
        "lq_annual_avg_emplvl",
        "oty_annual_avg_emplvl_pct_chg",
    ),
}


def _period(text: str, option: str) -> str:
    period = text.strip().upper()
    if period not in (*QUARTERS, ANNUAL_QTR):
        raise UserError(f"{option} must be 1, 2, 3, 4 or A (annual), not {text!r}")
    return period


def _year_period(text: str, option: str) -> tuple[int, str]:
    year, separator, period = text.partition(":")
    if not separator or not year.strip().isdigit():
        raise UserError(f"{option} must be YEAR:PERIOD such as 2015:4 or 2015:A, not {text!r}")
    return int(year), _period(period, option)


def _connect(path: Path | None) -> DuckDBBackend:
    try:
        return warehouse.connect(path, read_only=True)
    except FileNotFoundError as error:
        raise UserError(str(error)) from error
    except duckdb.Error as error:
        raise UserError(
            f"cannot open the warehouse {path or warehouse.default_warehouse_path()}: {error}"
        ) from error


def _derived_years(con: DuckDBBackend, period: str, years: Sequence[int]) -> list[int]:
    """For annual averages: the years of ``years`` with no annual file loaded and four quarters loaded (their
    annual cells are derived from the quarters, :mod:`sectorwise.lmi.annual`)."""
    if period != ANNUAL_QTR or not years:
        return []
    marks = ", ".join("?" for _ in years)
    annual = con.con.execute(
        f"SELECT DISTINCT year FROM {warehouse.ANNUAL_TABLE} WHERE year IN ({marks})", list(years)
    ).fetchall()
    quarters = con.con.execute(
        f"SELECT year FROM {warehouse.QUARTERLY_TABLE} WHERE year IN ({marks}) "
        "GROUP BY year HAVING count(DISTINCT qtr) = 4",
        list(years),
    ).fetchall()
    return years_to_derive([int(r[0]) for r in annual], [int(r[0]) for r in quarters], years)


def _table(con: DuckDBBackend, period: str, *, estimate: bool = False, years: Sequence[int] = ()) -> ir.Table:
    """The period's table, filled with the stored estimates when asked (:mod:`sectorwise.lmi.filled`); for
    annual averages, with the ``years`` that have no annual file derived from their four quarters (and a
    note on stderr saying so)."""
    table = analysis_table(con, annual=period == ANNUAL_QTR, estimate=estimate)
    derive = _derived_years(con, period, years)
    if not derive:
        return table
    from rich.console import Console

    Console(stderr=True).print(
        f"No annual file loaded for {', '.join(map(str, derive))}: annual averages derived from the four "
        f"quarters (flagged '{DERIVED}'; employment the mean of 12 months, wages the sum of 4 quarters; a "
        "cell with a suppressed quarter stays suppressed unless estimated).",
        highlight=False,
        soft_wrap=True,
    )
    quarterly = analysis_table(con, annual=False, estimate=estimate)
    return annual_with_derived(table, quarterly, derive=derive)


def _flag_derived(result: ir.Table, con: DuckDBBackend, period: str, years: Sequence[int]) -> ir.Table:
    """``derived`` on an annual result: true where the year's annual averages were derived from quarters."""
    if period != ANNUAL_QTR:
        return result
    derive = _derived_years(con, period, years)
    if not derive or not {"year", "end_year"} & set(result.columns):
        return result.mutate(**{DERIVED: ibis.literal(bool(derive))})
    if "end_year" in result.columns:
        flag = result.start_year.isin(derive) | result.end_year.isin(derive)
    else:
        flag = result.year.isin(derive)
    return result.mutate(**{DERIVED: flag})


def _checked_period(con: DuckDBBackend, year: int, period: str) -> Period:
    """The period whose loading is checked: an annual period derived from quarters is checked in its
    fourth quarter."""
    return Period(year, "4" if _derived_years(con, period, [year]) else period)


def _known_counties(con: DuckDBBackend) -> set[str]:
    rows = con.raw_sql(
        f"SELECT DISTINCT area_fips FROM {warehouse.QUARTERLY_TABLE} "
        f"UNION SELECT DISTINCT area_fips FROM {warehouse.ANNUAL_TABLE}"
    ).fetchall()
    return {str(row[0]) for row in rows}


def _regions(
    con: DuckDBBackend, names: Sequence[str], regions_file: Path | None, definitions: Sequence[str]
) -> list[Region]:
    """The regions the command aggregates: those named with --region plus those defined on the line."""
    available: dict[str, Region] = {}
    if regions_file is not None:
        try:
            available.update(load_regions(regions_file, known_counties=_known_counties(con)))
        except RegionFileError as error:
            raise UserError(str(error)) from error
    chosen: dict[str, Region] = {}
    for spec in definitions:
        try:
            region = parse_region_counties(spec)
        except ValueError as error:
            raise UserError(str(error)) from error
        unknown = sorted(set(region.counties) - _known_counties(con))
        if unknown:
            raise UserError(f"--region-counties {spec!r}: unknown county {unknown[0]} (not in the warehouse)")
        available[region.name] = region
        chosen[region.name] = region
    for name in names:
        if name in available:
            chosen[name] = available[name]
        elif ":" in name or "@" in name:
            # A region of a set stored with `sectorwise lmi regions store`: SET:REGION_ID or SET@COUNTY.
            lookup.check_stored_region(con, name)
            try:
                chosen[name] = stored_region(con.con, name)
            except (UnknownRegionSetError, UnknownRegionError, UnknownCountyError, ValueError) as error:
                raise UserError(f"--region {name!r}: {error}") from error
        else:
            where = f" in {regions_file}" if regions_file else ""
            raise lookup.undefined_region(
                con,
                name,
                available,
                hint=f" (not{where} a defined region); define it with --regions-file FILE "
                "or --region-counties NAME=FIPS,..., or name a stored region as SET:REGION_ID or SET@COUNTY",
            )
    return list(chosen.values())


def _require_area(
    con: DuckDBBackend, area: str, year: int, period: str, regions: list[Region], *, option: str
) -> None:
    """The period is loaded and the area (not a region) has data for it; else an error naming them, with
    near names (:mod:`sectorwise.lmi.lookup`). An annual period derived from quarters is checked in its
    fourth quarter."""
    checked = _checked_period(con, year, period)
    lookup.check_period(con, checked)
    if area in {region.name for region in regions}:
        return
    lookup.check_areas(con, [area], period=checked, option=option)


def _nation_missing(con: DuckDBBackend, reference: str, year: int, period: str) -> bool:
    """Whether the reference is the nation and the U.S. file is not loaded for the period (so the LQs come
    from BLS's published ones, which every file carries)."""
    if reference != NATION:
        return False
    if _derived_years(con, period, [year]):
        period = "4"
    table = warehouse.ANNUAL_TABLE if period == ANNUAL_QTR else warehouse.QUARTERLY_TABLE
    found = con.con.execute(
        f"SELECT 1 FROM {table} WHERE area_fips = ? AND year = ? AND qtr = ? LIMIT 1", [NATION, year, period]
    ).fetchall()
    return not found


def _derived_column(result: ir.Table) -> tuple[str, ...]:
    return (DERIVED,) if DERIVED in result.columns else ()


def _estimated_column(result: ir.Table) -> tuple[str, ...]:
    return (ESTIMATED,) if ESTIMATED in result.columns else ()


def _emit(
    result: ir.Table,
    fmt: OutputFormat,
    output: Path | None,
    *,
    title: str,
    table_columns: Sequence[str],
    droppable: Sequence[str] = (),
) -> None:
    """Write the result; a terminal table shows ``table_columns``, leaving out ``droppable`` ones (first
    named, first left out) as the terminal's width requires, with a note naming them."""
    if fmt is OutputFormat.TABLE:
        result = result.select(*table_columns)
    arrow = to_arrow(result)
    if fmt is OutputFormat.TABLE and output is None and droppable:
        from rich.console import Console

        from sectorwise.lmi.commands.table_width import fit_columns

        console = Console()
        arrow, dropped = fit_columns(arrow, console.width, droppable=droppable, console=console)
        if dropped:
            Console(stderr=True).print(
                f"Left out to fit the terminal ({console.width} columns wide): {', '.join(dropped)}. "
                "Files carry every column: --format csv, json, parquet or xlsx with -o FILE.",
                highlight=False,
                soft_wrap=True,
            )
    try:
        write_table(arrow, fmt, output, title=title)
    except ValueError as error:
        raise UserError(str(error)) from error


def measures_command(
    year: Annotated[int, typer.Option("--year", help="The year, e.g. 2016.", show_default=False)],
    period: Annotated[
        str, typer.Option("--period", help="Quarter 1-4, or A for annual averages.", show_default=False)
    ],
    reference: Annotated[
        str,
        typer.Option(
            "--reference",
            help="LQ reference area: US000, a state such as 50000, or a region's name.",
            show_default=False,
        ),
    ],
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="Only these area_fips codes; repeatable (default: all)."),
    ] = None,
    ownership: OwnershipOption = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="Only industries of this level: sector, 3, 4, 5 or 6 (NAICS digits), supersector, domain, "
            "total, or a BLS aggregation level code such as 74 (county, sector).",
            show_default=False,
        ),
    ] = None,
    industry: Annotated[
        list[str] | None,
        typer.Option(
            "--industry",
            help="Only these industry codes and those under them (33 gives 33, 331 ... 339999); "
            "repeatable or comma-separated.",
            show_default=False,
        ),
    ] = None,
    region: RegionsOption = None,
    regions_file: RegionsFileOption = None,
    region_counties: RegionCountiesOption = None,
    unrounded: Annotated[
        bool,
        typer.Option("--unrounded", help="Keep LQs and percent changes unrounded (BLS rounds to 2 and 1)."),
    ] = False,
    estimate: EstimateOption = True,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Employment, establishments, wages, LQs and over-the-year change, with BLS's column names."""
    _load_library()
    try:
        qtr = _period(period, "--period")
        con = _connect(warehouse_path)
        regions = _regions(con, region or [], regions_file, region_counties or [])
        table = _table(con, qtr, estimate=estimate, years=[year - 1, year])
        published = _nation_missing(con, reference, year, qtr)
        if published:
            lookup.check_period(con, _checked_period(con, year, qtr))
        else:
            _require_area(con, reference, year, qtr, regions, option="--reference")
        areas: list[str] | None = list(area) if area else None
        lookup.check_areas(con, areas or [], period=_checked_period(con, year, qtr))
        codes = [part.strip() for value in industry or [] for part in value.split(",") if part.strip()]
        lookup.check_industries(con, codes, prefixes=True)
        try:
            chosen_level = industry_level(level) if level is not None else None
        except ValueError as error:
            raise UserError(str(error)) from error
        if areas is None and regions:
            areas = []  # only the regions asked for
        result = measures(
            table,
            year=year,
            qtr=qtr,
            reference=reference,
            areas=areas,
            ownerships=ownership,
            regions=regions,
            area_titles=con.table("area_titles"),
            industry_titles=con.table("industry_titles"),
            bls_rounding=not unrounded,
        )
        if published:
            result = published_location_quotients(result, table, year=year, qtr=qtr)
            from rich.console import Console

            Console(stderr=True).print(
                f"{NATION} is not loaded for {year} {'annual' if qtr == ANNUAL_QTR else 'Q' + qtr}: "
                "the LQs are "
                f"BLS's published ones ({LQ_SOURCE} 'BLS published', 2 decimals); regions get none (BLS "
                "publishes none for them): load the U.S. file to compute them.",
                highlight=False,
                soft_wrap=True,
            )
        else:
            result = with_lq_source(result, qtr=qtr)
        result = _flag_derived(result, con, qtr, [year])
        result = select_industries(result, level=chosen_level, industries=codes)
        result = result.order_by(["area_fips", "own_code", "industry_code"])
        kind = "annual" if qtr == ANNUAL_QTR else "quarterly"
        key = ("area_fips", "area_title", "own_code", "industry_code", "industry_title", "disclosure_code")
        _emit(
            result,
            fmt,
            output,
            title=f"QCEW {year} {'annual' if qtr == ANNUAL_QTR else 'Q' + qtr}, LQ against {reference}",
            table_columns=(
                *key,
                "incomplete",
                *_estimated_column(result),
                *_derived_column(result),
                *_TABLE_COLUMNS[kind],
                LQ_SOURCE,
            ),
            # Kept whatever the width: area_fips, industry_code, the employment and its LQ.
            droppable=(
                "area_title",
                "industry_title",
                "disclosure_code",
                _TABLE_COLUMNS[kind][1],  # establishments
                _TABLE_COLUMNS[kind][2],  # average wage
                _TABLE_COLUMNS[kind][4],  # change over the year
                LQ_SOURCE,
                "own_code",
                "incomplete",
                *_estimated_column(result),
                *_derived_column(result),
            ),
        )
    except reported_errors() as error:
        fail(str(error))


def growth_command(
    start_year: Annotated[
        int, typer.Option("--start-year", help="First year of the span.", show_default=False)
    ],
    end_year: Annotated[int, typer.Option("--end-year", help="Last year of the span.", show_default=False)],
    period: Annotated[str, typer.Option("--period", help="Quarter 1-4, or A for annual averages.")] = "A",
    figure: Annotated[
        str | None,
        typer.Option("--figure", help="The BLS column to grow (default: the period's employment)."),
    ] = None,
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="Only these area_fips codes; repeatable (default: all)."),
    ] = None,
    ownership: OwnershipOption = None,
    region: RegionsOption = None,
    regions_file: RegionsFileOption = None,
    region_counties: RegionCountiesOption = None,
    estimate: EstimateOption = True,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Compound annual growth rate of employment (or another figure) between two years."""
    _load_library()
    try:
        qtr = _period(period, "--period")
        con = _connect(warehouse_path)
        regions = _regions(con, region or [], regions_file, region_counties or [])
        areas: list[str] | None = list(area) if area else None
        for year in (start_year, end_year):
            lookup.check_period(con, _checked_period(con, year, qtr))
            lookup.check_areas(con, areas or [], period=_checked_period(con, year, qtr))
        if areas is None and regions:
            areas = []
        try:
            result = growth(
                _table(con, qtr, estimate=estimate, years=[start_year, end_year]),
                start_year=start_year,
                end_year=end_year,
                qtr=qtr,
                figure=figure,
                areas=areas,
                ownerships=ownership,
                regions=regions,
            )
        except ValueError as error:
            raise UserError(str(error)) from error
        name = figure or figures_for(qtr).employment
        result = _flag_derived(result, con, qtr, [start_year, end_year])
        _emit(
            result,
            fmt,
            output,
            title=f"Growth of {name}, {start_year}-{end_year}",
            table_columns=(
                "area_fips",
                "own_code",
                "industry_code",
                "incomplete",
                *_estimated_column(result),
                *_derived_column(result),
                f"start_{name}",
                f"end_{name}",
                f"{name}_chg",
                f"{name}_cagr_pct",
            ),
            # Kept whatever the width: area_fips, industry_code, the change and the growth rate.
            droppable=(
                f"start_{name}",
                f"end_{name}",
                "own_code",
                "incomplete",
                *_estimated_column(result),
                *_derived_column(result),
            ),
        )
    except reported_errors() as error:
        fail(str(error))


def shiftshare_command(
    start: Annotated[
        str,
        typer.Option("--start", help="Start period YEAR:PERIOD, e.g. 2015:4 or 2015:A.", show_default=False),
    ],
    end: Annotated[
        str, typer.Option("--end", help="End period YEAR:PERIOD, e.g. 2016:4 or 2016:A.", show_default=False)
    ],
    reference: Annotated[
        str,
        typer.Option(
            "--reference", help="Reference economy: US000, a state, or a region's name.", show_default=False
        ),
    ],
    area: Annotated[
        str | None, typer.Option("--area", help="The area_fips analysed (or use --region).")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", help="The custom region analysed (defined by --regions-file or --region-counties)."
        ),
    ] = None,
    regions_file: RegionsFileOption = None,
    region_counties: RegionCountiesOption = None,
    level: Annotated[
        NaicsLevel, typer.Option("--level", help="Industry level analysed (ignored with --industry).")
    ] = NaicsLevel.SECTOR,
    industry: Annotated[
        list[str] | None,
        typer.Option("--industry", help="Analyse these industry codes instead of a level; repeatable."),
    ] = None,
    ownership: Annotated[
        int,
        typer.Option(
            "--ownership", help="The own_code analysed (5 private: county industry detail is by ownership)."
        ),
    ] = PRIVATE_OWNERSHIP,
    figure: Annotated[
        str | None,
        typer.Option("--figure", help="The BLS column decomposed (default: the period's employment)."),
    ] = None,
    estimate: EstimateOption = True,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Shift-share of an area or region between two periods: classic and Esteban-Marquillas components."""
    _load_library()
    try:
        if (area is None) == (region is None):
            raise UserError("give exactly one of --area AREA or --region NAME")
        start_period = _year_period(start, "--start")
        end_period = _year_period(end, "--end")
        con = _connect(warehouse_path)
        regions = _regions(con, [region] if region else [], regions_file, region_counties or [])
        analysed = area or region
        assert analysed is not None
        years = [start_period[0], end_period[0]]
        table = _table(con, start_period[1], estimate=estimate, years=years)
        for where, option in ((analysed, "--area"), (reference, "--reference")):
            for year, qtr in (start_period, end_period):
                _require_area(con, where, year, qtr, regions, option=option)
        lookup.check_industries(con, industry or [])
        try:
            result = shift_share(
                table,
                area=analysed,
                reference=reference,
                start=start_period,
                end=end_period,
                level=None if industry else level,
                industries=industry,
                ownership=ownership,
                figure=figure,
                regions=regions,
            )
        except ValueError as error:
            raise UserError(str(error)) from error
        result = _flag_derived(result, con, start_period[1], years)
        _emit(
            result,
            fmt,
            output,
            title=f"Shift-share of {analysed} against {reference}, {start} to {end}",
            table_columns=(
                "industry_code",
                "start_value",
                "end_value",
                "actual_change",
                "national_growth",
                "industry_mix",
                "competitive_effect",
                "homothetic_competitive_effect",
                "allocation_effect",
                "incomplete",
                *_estimated_column(result),
                *_derived_column(result),
            ),
            # Kept whatever the width: the industry, the actual change and the classic components.
            droppable=(
                "allocation_effect",
                "homothetic_competitive_effect",
                "start_value",
                "end_value",
                "incomplete",
                *_estimated_column(result),
                *_derived_column(result),
            ),
        )
    except reported_errors() as error:
        fail(str(error))


def register(app: typer.Typer) -> None:
    app.command("measures")(measures_command)
    app.command("growth")(growth_command)
    app.command("shiftshare")(shiftshare_command)
