"""`sectorwise lmi clusters ...`: benchmark cluster definitions and a region's cluster figures."""

from __future__ import annotations

from typing import Annotated

import pyarrow as pa
import typer

from sectorwise.lmi.clusters import cluster_metrics, related_clusters, strong_clusters
from sectorwise.lmi.commands.analysis_inputs import (
    ClustersOption,
    PeriodOption,
    ReferenceOption,
    YearOption,
    catalog_from,
    check_region_loaded,
    choose_reference,
    connect,
    peer_counties,
    peers_from_set,
    period_table,
    resolve_region,
)
from sectorwise.lmi.commands.errors import REPORTED, fail, reported_and
from sectorwise.lmi.commands.options import (
    EstimateOption,
    FormatOption,
    OutputOption,
    RegionOption,
    RegionsFileOption,
    WarehouseOption,
)
from sectorwise.lmi.output import OutputFormat, write_table
from sectorwise.lmi.sources.clusters import UnknownClusterError

clusters_app = typer.Typer(
    help="U.S. Cluster Mapping Project benchmark clusters: definitions, a region's clusters, "
    "strong clusters.",
    no_args_is_help=True,
)


@clusters_app.command("list")
def list_command(
    clusters: ClustersOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """List the clusters: code, name, traded or local, number of industries and sub-clusters."""
    try:
        catalog = catalog_from(clusters)
    except REPORTED as error:
        fail(str(error))
    table = pa.table(
        {
            "cluster_code": [c.code for c in catalog],
            "cluster_name": [c.name for c in catalog],
            "kind": [c.kind for c in catalog],
            "naics_industries": [len(c.naics) for c in catalog],
            "sub_clusters": [len(c.sub_clusters) for c in catalog],
            "related_clusters": [len(c.related) for c in catalog],
        }
    )
    write_table(table, fmt, output, title=f"Benchmark clusters ({catalog.source.name})")


@clusters_app.command("show")
def show_command(
    cluster: Annotated[str, typer.Argument(help="Cluster code (e.g. 5) or name (e.g. Biopharmaceuticals).")],
    clusters: ClustersOption = None,
    related: Annotated[
        bool, typer.Option("--related", help="Show the related clusters instead of the industries.")
    ] = False,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """One cluster's 6-digit NAICS 2012 industries, or with --related the clusters related to it."""
    try:
        catalog = catalog_from(clusters)
        found = catalog.get(cluster)
        if related:
            table = related_clusters(catalog, found.code).to_pyarrow()
            title = f"Clusters related to {found.name}"
        else:
            table = pa.table(
                {
                    "naics_2012": list(found.naics),
                    "title": list(found.naics.values()),
                }
            )
            subs = ", ".join(found.sub_clusters.values())
            title = f"{found.name} ({found.kind}, cluster {found.code}); sub-clusters: {subs}"
    except reported_and(UnknownClusterError) as error:
        fail(str(error))
    write_table(table, fmt, output, title=title)


@clusters_app.command("region")
def region_command(
    region: RegionOption = None,
    regions_file: RegionsFileOption = None,
    clusters: ClustersOption = None,
    year: YearOption = None,
    period: PeriodOption = None,
    reference: ReferenceOption = None,
    peers: Annotated[
        str | None,
        typer.Option(
            "--peers",
            help="Stored region set whose regions are the peers of the strong-cluster rule "
            "(default: every loaded county of the region's states).",
        ),
    ] = None,
    traded_only: Annotated[bool, typer.Option("--traded", help="Only traded clusters.")] = False,
    estimate: EstimateOption = True,
    warehouse: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """A region's clusters: employment, establishments, wages, LQ, suppression and the strong-cluster test."""
    try:
        catalog = catalog_from(clusters)
        con = connect(warehouse)
        qcew, year_, qtr = period_table(con, year, period, estimate=estimate)
        chosen = resolve_region(region, regions_file, con)
        check_region_loaded(qcew, chosen, year_, qtr)
        ref = choose_reference(qcew, chosen, year_, qtr, reference)
        peer_regions = (
            peers_from_set(con, qcew, peers, year_, qtr) if peers else peer_counties(qcew, chosen, year_, qtr)
        )
    except REPORTED as error:
        fail(str(error))
    regions = [chosen, *(p for p in peer_regions if p.name != chosen.name)]
    metrics = cluster_metrics(qcew, catalog, regions, year=year_, qtr=qtr, reference=ref)
    tested = strong_clusters(metrics)
    mine = tested.filter(tested.region == chosen.name)
    if traded_only:
        mine = mine.filter(mine.cluster_kind == "traded")
    mine = mine.filter(mine.establishments > 0).order_by([mine.strong.desc(), mine.employment.desc()])
    columns = [
        "cluster_code",
        "cluster_name",
        "cluster_kind",
        "employment",
        "establishments",
        "avg_wkly_wage",
        "lq",
        "lq_basis",
        "suppressed_share",
        "incomplete",
        "criteria_met",
        "strong",
    ]
    table = mine.select(*columns).mutate(lq=mine.lq.round(2), suppressed_share=mine.suppressed_share.round(3))
    period_text = f"{year_} Q{qtr}" if qtr != "A" else f"{year_}"
    write_table(
        table.to_pyarrow(),
        fmt,
        output,
        title=f"Clusters of {chosen.name}, {period_text}, LQ vs {ref}; strong among {len(regions)} regions",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(clusters_app, name="clusters")
