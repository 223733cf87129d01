"""`sectorwise lmi rank` and `sectorwise lmi assessment`: the target-industry ranking and its report."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
import typer
from ibis.backends.duckdb import Backend as DuckDBBackend
from rich.console import Console

from sectorwise.lmi.assessment import (
    CLUSTER_LEVEL,
    AssetsNotFoundError,
    Containment,
    build_assessment,
    find_node_modules,
    region_containment,
    write_html,
    write_xlsx,
)
from sectorwise.lmi.codes import NaicsLevel
from sectorwise.lmi.commands.analysis_inputs import (
    BaseYearOption,
    ClustersOption,
    OewsOption,
    PeriodOption,
    ReferenceOption,
    WageAreaOption,
    YearOption,
    base_year_for,
    catalog_from,
    check_region_loaded,
    choose_reference,
    connect,
    oews_from,
    peer_counties,
    peers_from_set,
    period_table,
    resolve_region,
    wage_area_for,
)
from sectorwise.lmi.commands.errors import UserError, fail, reported_and
from sectorwise.lmi.commands.options import (
    EstimateOption,
    FormatOption,
    OutputOption,
    RegionOption,
    RegionsFileOption,
    WarehouseOption,
)
from sectorwise.lmi.output import OutputFormat, write_table
from sectorwise.lmi.output import write_xlsx as write_tables_xlsx
from sectorwise.lmi.rank_indicators import RankingInputs, cluster_indicators, industry_indicators
from sectorwise.lmi.ranking import RankingConfig, RankingConfigError, load_ranking_config, rank_candidates
from sectorwise.lmi.regions import Region
from sectorwise.lmi.sources.commuting import FlowFileError, read_flows
from sectorwise.lmi.staffing import NATIONAL_WAGES, year_mix_note

LEVELS = ("sector", "naics3", "naics4", "naics5", "naics6", CLUSTER_LEVEL)

LevelOption = Annotated[
    str,
    typer.Option(
        "--level",
        help="Rank industries at this NAICS level (sector, naics3 ... naics6) or benchmark clusters "
        "(cluster).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", help="TOML file of weights and settings (see ranking_defaults.toml in the package)."
    ),
]
PeersOption = Annotated[
    str | None,
    typer.Option(
        "--peers",
        help="Stored region set whose regions are the peers of the strong-cluster rule "
        "(default: every loaded county of the region's states).",
    ),
]


def _inputs(
    con: DuckDBBackend,
    *,
    region: str | None,
    regions_file: Path | None,
    year: int | None,
    period: str | None,
    reference: str | None,
    base_year: int | None,
    clusters: Path | None,
    oews: Path | None,
    wage_area: str | None,
    peers: str | None,
    level: str,
    estimate: bool = True,
) -> RankingInputs:
    if level not in LEVELS:
        raise UserError(f"--level {level!r}: choose one of {', '.join(LEVELS)}")
    catalog = catalog_from(clusters)
    qcew, year_, qtr = period_table(con, year, period, estimate=estimate)
    chosen = resolve_region(region, regions_file, con)
    check_region_loaded(qcew, chosen, year_, qtr)
    ref = choose_reference(qcew, chosen, year_, qtr, reference)
    start = base_year_for(qcew, chosen, year_, qtr, base_year)
    peer_regions = (
        peers_from_set(con, qcew, peers, year_, qtr) if peers else peer_counties(qcew, chosen, year_, qtr)
    )
    data = oews_from(oews, required=False)
    area = (
        wage_area_for(con, qcew, chosen, year_, qtr, data, wage_area) if data is not None else NATIONAL_WAGES
    )
    return RankingInputs(
        qcew=qcew,
        region=chosen,
        year=year_,
        qtr=qtr,
        reference=ref,
        catalog=catalog,
        peers=peer_regions,
        oews=data,
        wage_area=area,
        base_year=start,
        industry_titles=con.table("industry_titles"),
    )


MaxEstimatedShareOption = Annotated[
    float | None,
    typer.Option(
        "--max-estimated-share",
        min=0.0,
        max=1.0,
        help="Leave out (as 'mostly estimated') a candidate more of whose employment than this share (0-1) "
        "is estimated (default: max_estimated_share of the ranking settings, 0.5).",
        show_default=False,
    ),
]


def _with_share(settings: RankingConfig, share: float | None) -> RankingConfig:
    return settings if share is None else dataclasses.replace(settings, max_estimated_share=share)


def rank_command(
    region: RegionOption = None,
    regions_file: RegionsFileOption = None,
    level: LevelOption = "naics4",
    config: ConfigOption = None,
    clusters: ClustersOption = None,
    oews: OewsOption = None,
    wage_area: WageAreaOption = None,
    year: YearOption = None,
    period: PeriodOption = None,
    base_year: BaseYearOption = None,
    reference: ReferenceOption = None,
    peers: PeersOption = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also show each score indicator by indicator.")
    ] = False,
    estimate: EstimateOption = True,
    max_estimated_share: MaxEstimatedShareOption = None,
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Rank a region's industries (or clusters) by size, LQ, growth, competitive effect, wages, cluster
    strength and occupation wages; lists what is not ranked and why, and how the top ten moves with the
    weights."""
    try:
        settings = _with_share(load_ranking_config(config), max_estimated_share)
        con = connect(warehouse)
        inputs = _inputs(
            con,
            region=region,
            regions_file=regions_file,
            year=year,
            period=period,
            reference=reference,
            base_year=base_year,
            clusters=clusters,
            oews=oews,
            wage_area=wage_area,
            peers=peers,
            level=level,
            estimate=estimate,
        )
    except reported_and(RankingConfigError) as error:
        fail(str(error))
    candidates = (
        cluster_indicators(inputs)
        if level == CLUSTER_LEVEL
        else industry_indicators(inputs, level=_naics(level))
    ).to_pyarrow()
    result = rank_candidates(candidates, settings)
    mix = year_mix_note(inputs.oews, inputs.year, inputs.qtr) if inputs.oews is not None else None
    if mix is not None:
        result = dataclasses.replace(result, notes=(mix, *result.notes))
    period_text = f"{inputs.year} Q{inputs.qtr}" if inputs.qtr != "A" else str(inputs.year)
    title = f"Ranking of {inputs.region.name}, {level}, {period_text} (LQ vs {inputs.reference})"
    if fmt is OutputFormat.XLSX:
        if output is None:
            fail("--format xlsx writes a binary file: give it with -o FILE")
        write_tables_xlsx(
            {
                "Ranking": result.ranked,
                "Explanation": result.explanation,
                "Sensitivity": result.sensitivity,
                "Not ranked": result.not_ranked,
                "Notes": pa.table({"note": list(result.notes)}),
            },
            output,
        )
        return
    shown = result.ranked
    if fmt is OutputFormat.TABLE:
        shown = shown.select(["rank", "code", "title", "score", "employment", *result.indicators_used])
        for name in ("employment", "size"):
            if name in shown.column_names:
                whole = pc.round(shown[name]).cast(pa.int64(), safe=False)
                shown = shown.set_column(shown.column_names.index(name), name, whole)
    write_table(shown, fmt, output, title=title)
    if fmt is not OutputFormat.TABLE:
        return
    console = Console(stderr=output is None)
    if explain:
        write_table(result.explanation, fmt, None, title="Scores, indicator by indicator", console=console)
    write_table(result.sensitivity, fmt, None, title="Top ten when each weight moves ±25 %", console=console)
    write_table(result.not_ranked, fmt, None, title="Not ranked", console=console)
    for note in result.notes:
        console.print(f" - {note}", highlight=False)


def _naics(level: str) -> NaicsLevel:
    return NaicsLevel(level)


def _county_names(con: DuckDBBackend, region: Region) -> dict[str, str]:
    titles = con.table("area_titles")
    rows = titles.filter(titles.area_fips.isin(list(region.counties))).to_pyarrow().to_pylist()
    return {row["area_fips"]: row["area_title"] for row in rows}


def _sources(con: DuckDBBackend, inputs: RankingInputs, flows: Path | None) -> list[tuple[str, str]]:
    log = con.table("ingest_log").to_pyarrow().to_pylist() if "ingest_log" in con.list_tables() else []
    qcew_files = len(log)
    sources = [
        (
            "BLS Quarterly Census of Employment and Wages (QCEW)",
            f"{inputs.year} period {inputs.qtr}"
            + (f" and {inputs.base_year}" if inputs.base_year else "")
            + f"; {qcew_files} file(s) in the warehouse; private ownership (own_code 5); NAICS as published",
        ),
        (
            "U.S. Cluster Mapping Project benchmark clusters",
            f"Delgado, Porter & Stern (2016), 6-digit NAICS 2012; {len(inputs.catalog)} clusters from "
            f"{inputs.catalog.source}",
        ),
    ]
    if inputs.oews is not None:
        sources.append(
            (
                "BLS Occupational Employment and Wage Statistics (OEWS)",
                f"{inputs.oews.vintage}: national industry staffing patterns, state/metro "
                "cross-industry wages; " + ", ".join(p.name for p in inputs.oews.sources),
            )
        )
    if flows is not None:
        sources.append(("Commuting flows", str(flows)))
    sources.append(("County boundaries", "us-atlas 3 (U.S. Census cartographic boundaries, 2017, 1:10m)"))
    return sources


def assessment_command(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The report to write: FILE.html or FILE.xlsx.")
    ],
    region: RegionOption = None,
    regions_file: RegionsFileOption = None,
    level: LevelOption = "naics4",
    config: ConfigOption = None,
    clusters: ClustersOption = None,
    oews: OewsOption = None,
    wage_area: WageAreaOption = None,
    year: YearOption = None,
    period: PeriodOption = None,
    base_year: BaseYearOption = None,
    reference: ReferenceOption = None,
    peers: PeersOption = None,
    flows: Annotated[
        list[Path] | None,
        typer.Option(
            "--flows",
            help="Commuting flows (ACS county-to-county table or LODES OD files) to report the region's "
            "containment; repeatable.",
        ),
    ] = None,
    drawn: Annotated[
        str | None, typer.Option("--drawn", help="How the region was drawn, in words, for the report.")
    ] = None,
    node_modules: Annotated[
        Path | None,
        typer.Option(
            "--node-modules",
            envvar="SECTORWISE_NODE_MODULES",
            help="node_modules with us-atlas (and vega, vega-lite, vega-embed for HTML); default: found "
            "from the working directory or the project.",
        ),
    ] = None,
    estimate: EstimateOption = True,
    max_estimated_share: MaxEstimatedShareOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Write the industry assessment of a region (HTML or Excel): the region and its containment, the ranked
    industries with their evidence, top occupations with wages, sources and vintages, a chart and a map."""
    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        fail(f"{output}: the assessment is written as .html or .xlsx")
    try:
        assets = find_node_modules(node_modules)
        settings = _with_share(load_ranking_config(config), max_estimated_share)
        con = connect(warehouse)
        inputs = _inputs(
            con,
            region=region,
            regions_file=regions_file,
            year=year,
            period=period,
            reference=reference,
            base_year=base_year,
            clusters=clusters,
            oews=oews,
            wage_area=wage_area,
            peers=peers,
            level=level,
            estimate=estimate,
        )
        containment: Containment | None = None
        if flows:
            containment = region_containment(read_flows(list(flows)), inputs.region)
    except reported_and(RankingConfigError, AssetsNotFoundError, FlowFileError, ValueError) as error:
        fail(str(error))
    description = drawn or inputs.region.description
    result = build_assessment(
        inputs,
        level=level,
        config=settings,
        sources=_sources(con, inputs, flows[0] if flows else None),
        containment=containment,
        drawn=description,
        county_names=_county_names(con, inputs.region),
    )
    if suffix == ".xlsx":
        write_xlsx(result, output, assets)
    else:
        write_html(result, output, assets)
    console = Console(stderr=True)
    top = ", ".join(f"{row['code']} ({row['score']:.2f})" for row in result.ranking.ranked.to_pylist()[:5])
    console.print(f"wrote {output}: top 5 {top}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("rank")(rank_command)
    app.command("assessment")(assessment_command)
