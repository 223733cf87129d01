"""The indicators of the target-industry ranking, gathered for one region as lazy Ibis tables.

Two kinds of candidates:

- industries at one NAICS level (``sector``, ``naics3`` ... ``naics6``), private ownership (own_code 5):
  figures, LQ and growth from :mod:`sectorwise.lmi.measures`, the competitive effect from
  :mod:`sectorwise.lmi.shiftshare`, cluster strength from :mod:`sectorwise.lmi.clusters`, occupation wages
  from :mod:`sectorwise.lmi.staffing`;
- benchmark clusters: figures and LQ from :func:`sectorwise.lmi.clusters.cluster_metrics` (suppressed cells
  filled with the stored estimates when ``qcew`` is a filled table), growth and competitive effect from
  the same figures at the base year.

Each function returns one row per candidate with the columns :func:`sectorwise.lmi.ranking.rank_candidates`
reads: code, title, employment, establishments, suppressed, and the indicators (NULL where unavailable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import ibis
import ibis.expr.types as ir

from sectorwise.lmi.clusters import cluster_metrics, strong_clusters
from sectorwise.lmi.codes import (
    PRIVATE_OWNERSHIP,
    RANGE_SECTORS,
    SUPPRESSED,
    TOTAL_INDUSTRY,
    TOTAL_OWNERSHIP,
    NaicsLevel,
)
from sectorwise.lmi.filled import ESTIMATED
from sectorwise.lmi.measures import figures_for, growth, measures
from sectorwise.lmi.regions import Region
from sectorwise.lmi.shiftshare import shift_share
from sectorwise.lmi.sources.clusters import ClusterCatalog
from sectorwise.lmi.sources.oews import OewsData
from sectorwise.lmi.staffing import NATIONAL_WAGES, WageArea, industry_occupation_wages, match_industries

RANKABLE_LEVELS: Final = (
    NaicsLevel.SECTOR,
    NaicsLevel.NAICS3,
    NaicsLevel.NAICS4,
    NaicsLevel.NAICS5,
    NaicsLevel.NAICS6,
)


@dataclass(frozen=True)
class RankingInputs:
    """What the indicators are computed from."""

    qcew: ir.Table
    region: Region
    year: int
    qtr: str
    reference: str
    catalog: ClusterCatalog
    peers: Sequence[Region]
    oews: OewsData | None = None
    wage_area: WageArea = NATIONAL_WAGES
    base_year: int | None = None
    industry_titles: ir.Table | None = None


def level_filter(industry_code: ir.StringValue, level: NaicsLevel) -> ir.BooleanValue:
    """True for QCEW industry codes of ``level``."""
    if level is NaicsLevel.SECTOR:
        ranges = list(RANGE_SECTORS)
        two_digit = (industry_code.length() == 2) & industry_code.re_search(r"^\d\d$")
        return (two_digit & ~industry_code.startswith("10")) | industry_code.isin(ranges)
    # Codes 101, 102 and 1011-1029 are BLS domains and supersectors, not NAICS industries.
    if level not in RANKABLE_LEVELS:
        raise ValueError(f"industries can be ranked at {', '.join(RANKABLE_LEVELS)}, not {level}")
    digits = int(level.value.removeprefix("naics"))
    is_naics = ~industry_code.startswith("10")
    return (industry_code.length() == digits) & industry_code.re_search(r"^\d+$") & is_naics


def _prefix_match(six_digit: ir.StringValue, candidate: ir.StringValue) -> ir.BooleanValue:
    """True when a 6-digit NAICS code lies inside the candidate code (sector ranges included)."""
    in_range = ibis.literal(False)
    for sector, members in RANGE_SECTORS.items():
        in_range = in_range | ((candidate == sector) & six_digit.substr(0, 2).isin(list(members)))
    return six_digit.startswith(candidate) | in_range


def peer_strength(inputs: RankingInputs) -> ir.Table:
    """Strong-cluster test of every cluster in the region, against the peers (the region included)."""
    regions = [inputs.region, *(p for p in inputs.peers if p.name != inputs.region.name)]
    metrics = cluster_metrics(
        inputs.qcew,
        inputs.catalog,
        regions,
        year=inputs.year,
        qtr=inputs.qtr,
        reference=inputs.reference,
    )
    tested = strong_clusters(metrics)
    return tested.filter(tested.region == inputs.region.name)


def estimated_industry_figures(inputs: RankingInputs, level: NaicsLevel) -> ir.Table:
    """Per industry of ``level`` in the region: the share of its employment that is estimated, i.e. held
    in suppressed member cells filled by the shared estimator (:mod:`sectorwise.lmi.filled`) whose bounds
    do not meet (a cell the constraints pin exactly, low = high, is known, not estimated). 0 on BLS's own
    table (``--no-estimate``), where a suppressed member cell makes the region's cell incomplete instead.

    Columns: e_code, estimated_share.
    """
    qcew = inputs.qcew
    emp = figures_for(inputs.qtr).employment
    members = qcew.filter(
        qcew.year == inputs.year,
        qcew.qtr == inputs.qtr,
        qcew.size_code == 0,
        qcew.own_code == PRIVATE_OWNERSHIP,
        qcew.area_fips.isin(list(inputs.region.counties)),
        level_filter(qcew.industry_code, level),
    )
    value = members[emp].cast("float64")
    if ESTIMATED in members.columns and f"{emp}_low" in members.columns:
        open_bounds = (members[f"{emp}_low"] < members[f"{emp}_high"]).fill_null(False)
        estimated = members[ESTIMATED] & open_bounds
    else:
        estimated = ibis.literal(False)
    sums = members.group_by("industry_code").aggregate(
        total=value.sum(), estimated=ibis.ifelse(estimated, value, 0.0).sum()
    )
    return sums.select(
        e_code=sums.industry_code, estimated_share=(sums.estimated / sums.total.nullif(0.0)).fill_null(0.0)
    )


def industry_indicators(inputs: RankingInputs, level: NaicsLevel) -> ir.Table:
    """Candidates = the region's private industries at ``level``."""
    qcew, region = inputs.qcew, inputs.region
    figures = figures_for(inputs.qtr)
    emp = figures.employment
    est = "annual_avg_estabs" if inputs.qtr == "A" else "qtrly_estabs"
    wage = "annual_avg_wkly_wage" if inputs.qtr == "A" else "avg_wkly_wage"
    current = measures(
        qcew,
        year=inputs.year,
        qtr=inputs.qtr,
        reference=inputs.reference,
        areas=[],
        ownerships=[TOTAL_OWNERSHIP, PRIVATE_OWNERSHIP],
        regions=[region],
        industry_titles=inputs.industry_titles,
    )
    total = current.filter(current.own_code == TOTAL_OWNERSHIP, current.industry_code == TOTAL_INDUSTRY)
    total = total.select(region_wage=total[wage].cast("float64"))
    rows = current.filter(current.own_code == PRIVATE_OWNERSHIP, level_filter(current.industry_code, level))
    rows = rows.cross_join(total)
    estimates = estimated_industry_figures(inputs, level)
    rows = rows.left_join(estimates, rows.industry_code == estimates.e_code)
    # One estimator: on a filled table (the default) suppressed member cells hold the stored estimates, so
    # the region's cell is complete and flagged; what is still withheld (no estimate stored, or
    # --no-estimate) leaves it suppressed or incomplete: not ranked. How much of a candidate may be
    # estimated is the ranking's rule (RankingConfig.max_estimated_share), applied in rank_candidates.
    withheld = rows.disclosure_code.fill_null("") == SUPPRESSED
    estimated = rows[ESTIMATED] if ESTIMATED in rows.columns else ibis.literal(False)
    suppressed = (withheld & ~estimated) | rows.incomplete
    employment = rows[emp].cast("float64")
    candidates = rows.select(
        code=rows.industry_code,
        title=rows.industry_title,
        employment=employment.round(0),
        establishments=rows[est].cast("float64"),
        suppressed=suppressed,
        estimated=estimated,
        suppressed_share=rows.estimated_share.fill_null(0.0),
        size=ibis.ifelse(suppressed, ibis.null("float64"), employment.round(0)),
        lq=rows[f"lq_{emp}"],
        wage_ratio=ibis.ifelse(
            suppressed, ibis.null("float64"), rows[wage].cast("float64") / rows.region_wage.nullif(0.0)
        ),
    )

    # Growth: compound annual rate from the base year (same period).
    if inputs.base_year is not None:
        grown = growth(
            qcew,
            start_year=inputs.base_year,
            end_year=inputs.year,
            qtr=inputs.qtr,
            areas=[],
            ownerships=[PRIVATE_OWNERSHIP],
            regions=[region],
        )
        grown = grown.select(g_code=grown.industry_code, growth=grown[f"{emp}_cagr_pct"] / 100.0)
        joined = candidates.left_join(grown, candidates.code == grown.g_code)
        candidates = joined.drop("g_code")
        shares = shift_share(
            qcew,
            area=region.name,
            reference=inputs.reference,
            start=(inputs.base_year, inputs.qtr),
            end=(inputs.year, inputs.qtr),
            level=level,
            regions=[region],
        )
        shares = shares.select(
            s_code=shares.industry_code,
            competitive_effect=shares.competitive_effect / shares.start_value.cast("float64").nullif(0.0),
        )
        joined = candidates.left_join(shares, candidates.code == shares.s_code)
        candidates = joined.drop("s_code")
    else:
        candidates = candidates.mutate(growth=ibis.null("float64"), competitive_effect=ibis.null("float64"))

    # Cluster strength: establishment-weighted strength of the clusters of its 6-digit industries.
    strength = peer_strength(inputs).select(s_cluster="cluster_code", s_strength="strength")
    definitions = ibis.memtable(
        [{"naics": n, "d_cluster": c} for n, c in inputs.catalog.qcew_naics_to_cluster().items()],
        schema={"naics": "string", "d_cluster": "string"},
    )
    members = qcew.filter(
        qcew.year == inputs.year,
        qcew.qtr == inputs.qtr,
        qcew.own_code == PRIVATE_OWNERSHIP,
        qcew.area_fips.isin(list(region.counties)),
        qcew.size_code == 0,
    )
    members = members.select(naics=members.industry_code, estabs=members[est].cast("float64"))
    members = members.inner_join(definitions, "naics")
    members = members.inner_join(strength, members.d_cluster == strength.s_cluster)
    codes = candidates.select(c_code=candidates.code)
    pairs = codes.inner_join(members, _prefix_match(members.naics, codes.c_code))
    cluster_scores = pairs.group_by("c_code").aggregate(
        cluster_strength=(pairs.s_strength * pairs.estabs).sum() / pairs.estabs.sum().nullif(0.0)
    )
    joined = candidates.left_join(cluster_scores, candidates.code == cluster_scores.c_code)
    # An industry with no establishment in any benchmark cluster (farming, for one) has no strong cluster.
    candidates = joined.drop("c_code").mutate(cluster_strength=joined.cluster_strength.fill_null(0.0))

    # Occupation wages: the jobs-weighted mean wage of the occupations the industry employs.
    if inputs.oews is not None:
        wages = ibis.memtable(industry_occupation_wages(inputs.oews, wage_area=inputs.wage_area.code))
        wages = wages.rename(w_code="oews_industry_code")
        matched = match_industries(candidates.rename(industry_code="code"), inputs.oews)
        matched = matched.left_join(wages, matched.oews_industry_code == wages.w_code)
        candidates = matched.select(
            *[c if c != "code" else "industry_code" for c in candidates.columns],
            occupation_wages="occupation_wage",
            oews_industry_code="oews_industry_code",
            oews_match_level="match_level",
        ).rename(code="industry_code")
    else:
        candidates = candidates.mutate(occupation_wages=ibis.null("float64"))
    return candidates.order_by("code")


def cluster_indicators(inputs: RankingInputs) -> ir.Table:
    """Candidates = the benchmark clusters present in the region."""
    tested = peer_strength(inputs)
    with_estimate = tested.employment.cast("float64") + tested.suppressed_employment_est
    region_wage_rows = measures(
        inputs.qcew,
        year=inputs.year,
        qtr=inputs.qtr,
        reference=inputs.reference,
        areas=[],
        ownerships=[TOTAL_OWNERSHIP],
        regions=[inputs.region],
    )
    wage = "annual_avg_wkly_wage" if inputs.qtr == "A" else "avg_wkly_wage"
    region_wage_rows = region_wage_rows.filter(region_wage_rows.industry_code == TOTAL_INDUSTRY)
    region_wage = region_wage_rows.select(region_wage=region_wage_rows[wage].cast("float64"))
    rows = tested.filter(tested.establishments > 0).cross_join(region_wage)
    rows = _with_cluster_change(inputs, rows)
    candidates = rows.select(
        code=rows.cluster_code,
        title=rows.cluster_name,
        employment=with_estimate.round(0),
        establishments=rows.establishments.cast("float64"),
        suppressed=rows.incomplete,
        estimated=rows.suppressed_cells > 0,
        suppressed_share=rows.suppressed_share,
        size=with_estimate.round(0),
        lq=rows.lq,
        growth=rows.growth,
        competitive_effect=rows.competitive_effect,
        wage_ratio=rows.avg_wkly_wage / rows.region_wage.nullif(0.0),
        cluster_strength=rows.strength,
        strong=rows.strong,
    )
    if inputs.oews is not None:
        wages = _cluster_occupation_wages(inputs)
        joined = candidates.left_join(wages, candidates.code == wages.o_cluster)
        candidates = joined.drop("o_cluster")
    else:
        candidates = candidates.mutate(occupation_wages=ibis.null("float64"))
    return candidates.order_by("code")


def _with_cluster_change(inputs: RankingInputs, rows: ir.Table) -> ir.Table:
    """Adds growth (compound annual rate) and competitive effect (share of base employment) per cluster.

    Both use employment with suppressed cells estimated, in the region and in the reference area. The
    competitive effect of classic shift-share divided by base employment is g_i - G_i: the cluster's growth
    in the region minus its growth in the reference area over the span.
    """
    if inputs.base_year is None:
        return rows.mutate(growth=ibis.null("float64"), competitive_effect=ibis.null("float64"))
    base = cluster_metrics(
        inputs.qcew,
        inputs.catalog,
        [inputs.region],
        year=inputs.base_year,
        qtr=inputs.qtr,
        reference=inputs.reference,
    )
    base = base.select(
        b_code=base.cluster_code,
        b_employment=base.employment.cast("float64") + base.suppressed_employment_est,
        b_reference=base.reference_employment,
    )
    joined = rows.left_join(base, rows.cluster_code == base.b_code)
    now = joined.employment.cast("float64") + joined.suppressed_employment_est
    ratio = now / joined.b_employment.nullif(0.0)
    reference_ratio = joined.reference_employment / joined.b_reference.nullif(0.0)
    span = inputs.year - inputs.base_year
    return joined.select(
        *rows.columns,
        growth=ratio ** (1.0 / span) - 1.0,
        competitive_effect=(ratio - 1.0) - (reference_ratio - 1.0),
    )


def _cluster_occupation_wages(inputs: RankingInputs) -> ir.Table:
    """Per cluster: establishment-weighted occupation wage of its 6-digit industries in the region."""
    assert inputs.oews is not None
    est = "annual_avg_estabs" if inputs.qtr == "A" else "qtrly_estabs"
    qcew = inputs.qcew
    members = qcew.filter(
        qcew.year == inputs.year,
        qcew.qtr == inputs.qtr,
        qcew.own_code == PRIVATE_OWNERSHIP,
        qcew.area_fips.isin(list(inputs.region.counties)),
        qcew.size_code == 0,
    )
    definitions = ibis.memtable(
        [{"naics": n, "o_cluster": c} for n, c in inputs.catalog.qcew_naics_to_cluster().items()],
        schema={"naics": "string", "o_cluster": "string"},
    )
    cells = members.select(industry_code=members.industry_code, estabs=members[est].cast("float64"))
    cells = cells.inner_join(definitions, cells.industry_code == definitions.naics)
    matched = match_industries(cells, inputs.oews)
    wages = ibis.memtable(industry_occupation_wages(inputs.oews, wage_area=inputs.wage_area.code))
    matched = matched.inner_join(wages, matched.oews_industry_code == wages.oews_industry_code)
    return matched.group_by("o_cluster").aggregate(
        occupation_wages=(matched.occupation_wage * matched.estabs).sum() / matched.estabs.sum().nullif(0.0)
    )
