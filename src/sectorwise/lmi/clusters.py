"""Cluster employment, establishments, wages and location quotients for regions, and the strong-cluster rule.

Built on the U.S. Cluster Mapping Project definitions (:mod:`sectorwise.lmi.sources.clusters`): a cluster's
figures are the sums of its 6-digit NAICS 2012 industries' private cells (own_code 5) in the QCEW warehouse.
Everything here returns lazy Ibis tables.

Definitions
-----------
- ``employment``: the period's employment figure as :mod:`sectorwise.lmi.measures` uses it (third-month
  employment for a quarter, annual average employment for a year), summed over *disclosed* cells only.
- ``establishments``: summed over all cells; BLS publishes establishment counts even for suppressed cells.
- ``total_wages`` and ``avg_wkly_wage``: disclosed cells only; average weekly wage = wages / employment / 13
  (quarter) or / 52 (year). Only cells whose employment is disclosed enter the ratio.
- Suppression: 6-digit county cells are often suppressed (disclosure code N, published as zeros). On a
  filled table (:func:`sectorwise.lmi.filled.filled_qcew`, the default of the commands) a suppressed cell
  holds the shared estimator's figure: ``suppressed_employment_est`` is the sum of those estimates,
  ``suppressed_share`` its share of ``employment + suppressed_employment_est``. ``incomplete`` is True when
  a member cell is suppressed and has no estimate (always so on BLS's own table, ``--no-estimate``).
- ``lq``: (cluster employment / total covered employment) in the region over the same ratio in the reference
  area (BLS's base, own_code 0 industry 10), from disclosed plus estimated employment on both sides;
  ``lq_basis`` says 'disclosed', 'estimated' (filled cells included) or 'incomplete' (a suppressed cell
  without an estimate counts as nothing: the LQ is a lower bound).

Strong clusters (Delgado, Porter & Stern; U.S. Cluster Mapping Project): among regions of the same kind
(all counties, all commuting zones, ...), a cluster is strong in a region when its LQ is at or above the
75th percentile of that cluster's LQs across the regions and at least 1, and the region's employment and
establishments in it are above the 25th percentile of the cluster's across the regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import ibis
import ibis.expr.types as ir

from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, SUPPRESSED, TOTAL_INDUSTRY, TOTAL_OWNERSHIP
from sectorwise.lmi.filled import ESTIMATED
from sectorwise.lmi.measures import ANNUAL_QTR, figures_for
from sectorwise.lmi.regions import Region
from sectorwise.lmi.sources.clusters import ClusterCatalog

STRONG_LQ_PERCENTILE: Final = 0.75
STRONG_SIZE_PERCENTILE: Final = 0.25
#: Number of conditions in the strong-cluster rule; ``criteria_met / STRONG_CRITERIA`` is a 0-1 strength.
STRONG_CRITERIA: Final = 4


def cluster_table(catalog: ClusterCatalog) -> ir.Table:
    """The definitions as a lazy table: cluster_code, cluster_name, cluster_kind, naics.

    ``naics`` includes the 6-digit codes QCEW writes in place of a NAICS code (see
    :meth:`ClusterCatalog.qcew_naics_to_cluster`).
    """
    clusters = {c.code: c for c in catalog}
    rows = [
        {
            "cluster_code": code,
            "cluster_name": clusters[code].name,
            "cluster_kind": clusters[code].kind,
            "naics": naics,
        }
        for naics, code in sorted(catalog.qcew_naics_to_cluster().items())
    ]
    return ibis.memtable(
        rows,
        schema={
            "cluster_code": "string",
            "cluster_name": "string",
            "cluster_kind": "string",
            "naics": "string",
        },
    )


def region_membership(regions: Sequence[Region]) -> ir.Table:
    """region, area_fips: one row per member county of each region."""
    rows = [{"region": r.name, "area_fips": county} for r in regions for county in r.counties]
    if not rows:
        raise ValueError("no regions given")
    return ibis.memtable(rows, schema={"region": "string", "area_fips": "string"})


def _period_columns(qtr: str) -> tuple[str, str, str, int]:
    """(employment, establishments, total wages, weeks) columns of the period's table."""
    figures = figures_for(qtr)
    if qtr == ANNUAL_QTR:
        return figures.employment, "annual_avg_estabs", "total_annual_wages", 52
    return figures.employment, "qtrly_estabs", "total_qtrly_wages", 13


def cluster_metrics(
    qcew: ir.Table,
    catalog: ClusterCatalog,
    regions: Sequence[Region],
    *,
    year: int,
    qtr: str,
    reference: str,
) -> ir.Table:
    """One row per (region, cluster) with the cluster's figures and LQ against ``reference``.

    ``qcew`` is the warehouse's ``qcew_quarterly`` (qtr '1'-'4') or ``qcew_annual`` (qtr 'A') table;
    ``reference`` an area_fips in it ('US000', '50000'). Columns: region, cluster_code, cluster_name,
    cluster_kind, employment, establishments, total_wages, avg_wkly_wage, cells, suppressed_cells,
    suppressed_employment_est, suppressed_share, incomplete, region_total_employment, lq,
    reference_employment (the reference area's, suppressed cells estimated), lq_basis.
    Clusters with no establishment in a region are still listed (zeros), so peers compare like with like.
    """
    emp_col, est_col, wage_col, weeks = _period_columns(qtr)
    period = qcew.filter(qcew.year == year, qcew.qtr == qtr, qcew.size_code == 0)
    definitions = cluster_table(catalog)
    members = region_membership(regions)

    private6 = period.filter(period.own_code == PRIVATE_OWNERSHIP)
    private6 = private6.inner_join(definitions, private6.industry_code == definitions.naics)
    cells = private6.select(
        area_fips=private6.area_fips,
        naics=private6.industry_code,
        cluster_code=private6.cluster_code,
        suppressed=private6.disclosure_code.fill_null("") == SUPPRESSED,
        filled=private6[ESTIMATED] if ESTIMATED in private6.columns else ibis.literal(False),
        employment=private6[emp_col].cast("int64"),
        establishments=private6[est_col].cast("int64"),
        wages=private6[wage_col].cast("int64"),
    )

    estimated = with_suppressed_estimate(cells)

    def summarise(table: ir.Table, keys: list[str]) -> ir.Table:
        disclosed = ~table.suppressed
        return table.group_by(keys).aggregate(
            employment=ibis.ifelse(disclosed, table.employment, 0).sum(),
            establishments=table.establishments.sum(),
            total_wages=ibis.ifelse(disclosed, table.wages, 0).sum(),
            cells=table.count(),
            suppressed_cells=ibis.ifelse(table.suppressed, 1, 0).sum(),
            unestimated_cells=ibis.ifelse(table.suppressed & ~table.filled, 1, 0).sum(),
            suppressed_employment_est=table.employment_est.sum(),
        )

    in_regions = estimated.inner_join(members, estimated.area_fips == members.area_fips)
    by_region = summarise(in_regions, ["region", "cluster_code"])
    reference_sums = summarise(estimated.filter(estimated.area_fips == reference), ["cluster_code"])
    reference_sums = reference_sums.select(
        ref_cluster=reference_sums.cluster_code,
        ref_employment=reference_sums.employment.cast("float64") + reference_sums.suppressed_employment_est,
        ref_suppressed=reference_sums.suppressed_cells,
        ref_unestimated=reference_sums.unestimated_cells,
    )

    totals = period.filter(period.own_code == TOTAL_OWNERSHIP, period.industry_code == TOTAL_INDUSTRY)
    totals = totals.select(t_area=totals.area_fips, t_emp=totals[emp_col].cast("int64"))
    region_totals = totals.inner_join(members, totals.t_area == members.area_fips)
    region_totals = region_totals.group_by("region").aggregate(
        region_total_employment=region_totals.t_emp.sum()
    )
    region_totals = region_totals.rename(rt_region="region")
    reference_total = totals.filter(totals.t_area == reference).select(ref_total=totals.t_emp)

    # Every (region, cluster) pair, so that a region with no establishments in a cluster shows zeros.
    names = definitions.select("cluster_code", "cluster_name", "cluster_kind").distinct()
    region_names = members.select("region").distinct()
    grid = region_names.cross_join(names)
    grid = grid.rename(g_region="region", g_cluster="cluster_code")
    joined = (
        grid.left_join(
            by_region,
            [grid.g_region == by_region.region, grid.g_cluster == by_region.cluster_code],
        )
        .left_join(region_totals, grid.g_region == region_totals.rt_region)
        .left_join(reference_sums, grid.g_cluster == reference_sums.ref_cluster)
        .cross_join(reference_total)
    )
    employment = joined.employment.fill_null(0)
    suppressed_est = joined.suppressed_employment_est.fill_null(0.0)
    with_estimate = employment.cast("float64") + suppressed_est
    share = with_estimate / joined.region_total_employment.cast("float64").nullif(0.0)
    ref_share = joined.ref_employment / joined.ref_total.cast("float64").nullif(0.0)
    suppressed_cells = joined.suppressed_cells.fill_null(0)
    return joined.select(
        region=joined.g_region,
        cluster_code=joined.g_cluster,
        cluster_name=joined.cluster_name,
        cluster_kind=joined.cluster_kind,
        employment=employment,
        establishments=joined.establishments.fill_null(0),
        total_wages=joined.total_wages.fill_null(0),
        avg_wkly_wage=(
            joined.total_wages.cast("float64") / employment.cast("float64").nullif(0.0) / weeks
        ).round(0),
        cells=joined.cells.fill_null(0),
        suppressed_cells=suppressed_cells,
        suppressed_employment_est=suppressed_est.round(0),
        suppressed_share=ibis.ifelse(with_estimate > 0, suppressed_est / with_estimate.nullif(0.0), 0.0),
        incomplete=joined.unestimated_cells.fill_null(0) > 0,
        region_total_employment=joined.region_total_employment,
        lq=(share / ref_share.nullif(0.0)),
        reference_employment=joined.ref_employment,
        lq_basis=ibis.cases(
            (
                (joined.unestimated_cells.fill_null(0) > 0) | (joined.ref_unestimated.fill_null(0) > 0),
                ibis.literal("incomplete"),
            ),
            (
                (suppressed_cells > 0) | (joined.ref_suppressed.fill_null(0) > 0),
                ibis.literal("estimated"),
            ),
            else_=ibis.literal("disclosed"),
        ),
    )


def with_suppressed_estimate(cells: ir.Table) -> ir.Table:
    """Adds ``employment_est`` to private cells: a suppressed cell's estimate (0 for any other cell).

    ``cells`` has area_fips, naics, suppressed, filled (the cell holds the shared estimator's figure, see
    :mod:`sectorwise.lmi.filled`) and employment. One estimator: the figure is the stored estimate, never
    one made up here; a suppressed cell without one adds nothing (its region is incomplete).
    """
    return cells.mutate(
        employment_est=ibis.ifelse(cells.suppressed & cells.filled, cells.employment.cast("float64"), 0.0)
    )


def strong_clusters(metrics: ir.Table) -> ir.Table:
    """Adds the strong-cluster test to :func:`cluster_metrics` rows computed for a set of peer regions.

    The percentiles are taken per cluster across all regions in ``metrics`` (continuous quantiles), so pass
    regions of one kind. Adds lq_p75, employment_p25, establishments_p25, the four tests, ``criteria_met``
    (0-4), ``strength`` (criteria_met / 4) and ``strong``.
    """
    cutoffs = metrics.group_by("cluster_code").aggregate(
        lq_p75=metrics.lq.quantile(STRONG_LQ_PERCENTILE),
        employment_p25=metrics.employment.cast("float64").quantile(STRONG_SIZE_PERCENTILE),
        establishments_p25=metrics.establishments.cast("float64").quantile(STRONG_SIZE_PERCENTILE),
    )
    cutoffs = cutoffs.rename(p_cluster="cluster_code")
    joined = metrics.left_join(cutoffs, metrics.cluster_code == cutoffs.p_cluster).drop("p_cluster")
    lq_high = (joined.lq >= joined.lq_p75).fill_null(False)
    lq_above_one = (joined.lq >= 1).fill_null(False)
    employment_high = joined.employment.cast("float64") > joined.employment_p25
    establishments_high = joined.establishments.cast("float64") > joined.establishments_p25

    def as_int(test: ir.BooleanValue) -> ir.IntegerValue:
        return ibis.ifelse(test, 1, 0)

    met = as_int(lq_high) + as_int(lq_above_one) + as_int(employment_high) + as_int(establishments_high)
    return joined.mutate(
        lq_at_p75=lq_high,
        lq_at_least_1=lq_above_one,
        employment_above_p25=employment_high,
        establishments_above_p25=establishments_high,
        criteria_met=met,
        strength=met.cast("float64") / STRONG_CRITERIA,
        strong=lq_high & lq_above_one & employment_high & establishments_high,
    )


def related_clusters(catalog: ClusterCatalog, code_or_name: str) -> ir.Table:
    """The clusters related to one cluster, as the Project measured them (strongest first)."""
    cluster = catalog.get(code_or_name)
    rows = [
        {
            "cluster_code": cluster.code,
            "cluster_name": cluster.name,
            "related_code": r.code,
            "related_name": catalog.get(r.code).name if _known(catalog, r.code) else r.name,
            "related_percentage": r.related_percentage,
            "related_avg": r.related_avg,
        }
        for r in cluster.related
    ]
    schema = {
        "cluster_code": "string",
        "cluster_name": "string",
        "related_code": "string",
        "related_name": "string",
        "related_percentage": "float64",
        "related_avg": "float64",
    }
    table = ibis.memtable(rows, schema=schema)
    return table.order_by([ibis.desc("related_percentage"), ibis.desc("related_avg")])


def _known(catalog: ClusterCatalog, code: str) -> bool:
    return any(c.code == code for c in catalog)


def county_peers(qcew: ir.Table, *, year: int, qtr: str, state: str | None = None) -> ir.Table:
    """The counties loaded for a period (optionally of one state): the default peers of the strong rule."""
    period = qcew.filter(
        qcew.year == year,
        qcew.qtr == qtr,
        qcew.own_code == TOTAL_OWNERSHIP,
        qcew.industry_code == TOTAL_INDUSTRY,
    )
    counties = period.filter(
        period.area_fips.length() == 5,
        ~period.area_fips.endswith("000"),
        ~period.area_fips.endswith("999"),
        period.area_fips.re_search(r"^\d{5}$"),
    )
    if state is not None:
        counties = counties.filter(counties.area_fips.startswith(state))
    return counties.select("area_fips").distinct().order_by("area_fips")
