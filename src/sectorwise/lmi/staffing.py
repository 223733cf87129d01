"""Staffing patterns: which occupations a region's target industries employ, and what they pay.

Estimate (the "industry-occupation matrix" method state LMI offices use)::

    occupation employment(o) = sum over target industries j of
        regional employment(j)  x  national share of occupation o in industry j (OEWS)

with wages of the occupation in the region's state or metro area (OEWS cross-industry estimates), falling
back to the national cross-industry wage where the area's wage is not released.

Matching QCEW industries to OEWS industries: QCEW codes are NAICS (2012 for 2016 data); OEWS publishes
national staffing patterns for sectors, 3-, 4-, some 5- and 6-digit industries, a few aggregates of 4-digit
industries (e.g. ``3250A1`` = 3251, 3252, 3253 and 3259) and, for schools and hospitals, ownership-specific
codes (``611105`` = NAICS 6111, privately owned). Each QCEW code is matched to the most detailed OEWS industry
that contains it: its own 6-digit code, else its 5-digit, 4-digit (or the aggregate listing it), 3-digit
code, else its sector. ``match_level`` records which. Where NAICS changed between the QCEW and OEWS vintages
(retail and information were renumbered in 2022), the renumbered codes find no detailed match and roll up to
their sector; the sector's staffing pattern is then used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, TOTAL_INDUSTRY, TOTAL_OWNERSHIP
from sectorwise.lmi.measures import figures_for, region_cells
from sectorwise.lmi.regions import Region
from sectorwise.lmi.regionsets import RegionSet
from sectorwise.lmi.sources.oews import (
    ALL_OCCUPATIONS,
    ANNUAL_MEAN_WAGE,
    ANNUAL_MEDIAN_WAGE,
    CROSS_INDUSTRY,
    DETAILED_OCCUPATION_LEVEL,
    EMPLOYMENT,
    NATIONAL_AREA,
    OewsData,
)

#: What the estimate assumes; printed with every staffing table and in the assessment.
STAFFING_ASSUMPTIONS: Final = (
    "Each regional industry employs occupations in the same proportions as the industry does nationally "
    "(OEWS national industry-specific staffing patterns).",
    "QCEW industries are matched to the most detailed OEWS industry containing them; industries renumbered "
    "between NAICS vintages roll up to their sector's staffing pattern.",
    "Only detailed occupations are counted; occupations OEWS does not release for an industry are left out, "
    "so the estimates sum to slightly less than industry employment.",
    "QCEW counts jobs covered by unemployment insurance; OEWS excludes the self-employed. Estimates are jobs "
    "held by wage and salary workers, not openings or demand.",
    "Wages are the occupation's cross-industry annual mean and median in the wage area (state or metro); the "
    "national figure is used where the area's is not released.",
    "The OEWS reference period (May of its year) may differ from the QCEW period of the employment figures.",
)


def year_mix_note(oews: OewsData, year: int, qtr: str) -> str | None:
    """A note where occupations of one year meet industries of another: OEWS's reference year(s) against the
    QCEW period of the employment figures (None when they are the same year)."""
    import pyarrow.compute as pc

    years = sorted(int(y) for y in pc.unique(oews.data["year"]).to_pylist())
    if not years or years == [year]:
        return None
    period = f"{year} annual average" if qtr == "A" else f"{year} Q{qtr}"
    apart = min(abs(y - year) for y in years)
    return (
        f"Data mix: occupations and their wages are OEWS {oews.vintage}, the industries' employment is QCEW "
        f"{period} ({apart} year{'s' if apart != 1 else ''} apart): {'/'.join(map(str, years))} staffing "
        f"patterns and wages are applied to {year}'s industries."
    )


SECTOR_LEVEL: Final = 2
_AGGREGATE_MEMBERS: Final = re.compile(r"\(([\d,\sand]+) only\)")
_OWNERSHIP_VARIANT: Final = re.compile(r",\s*Privately Owned$")
_GOVERNMENT_VARIANT: Final = re.compile(r"Government Owned$")


def oews_industry_keys(oews: OewsData) -> pa.Table:
    """NAICS prefix -> the OEWS industry code covering it, with the prefix length (2-6) as ``key_level``.

    Sectors (OEWS codes such as ``31--34``) are keyed by each 2-digit sector they span ('31', '32', '33');
    aggregates such as ``3250A1`` by each 4-digit industry named in their title; private-ownership codes
    (``611105``) by their 4-digit NAICS; government-owned variants are skipped (Sectorwise ranks private
    industries).
    """
    keys: dict[str, str] = {}
    names = oews.industries["industry_name"].to_pylist()
    for code, name in zip(oews.industries["industry_code"].to_pylist(), names, strict=True):
        code = str(code)
        name = str(name)
        if code in (CROSS_INDUSTRY, "000001") or code.startswith("99"):
            continue
        if "-" in code:
            first = int(code[:2])
            digits = re.findall(r"\b(\d\d)\b", name.split("-", 1)[0])
            sectors = digits or [str(first)]
            for sector in sectors:
                keys.setdefault(sector, code)
            continue
        aggregate = _AGGREGATE_MEMBERS.search(name)
        if not code.isdigit() and aggregate:
            for member in re.findall(r"\d{4}", aggregate.group(1)):
                keys.setdefault(member, code)
            continue
        if not code.isdigit():
            continue
        if _GOVERNMENT_VARIANT.search(name):
            continue
        if _OWNERSHIP_VARIANT.search(name):
            # The private variant wins over the all-ownership 4-digit code: Sectorwise ranks private cells.
            keys[code[:4]] = code
            continue
        if code.endswith("000"):
            keys.setdefault(code[:3], code)
        elif code.endswith("00"):
            keys.setdefault(code[:4], code)
        elif code.endswith("0"):
            # A 5-digit industry; NAICS also writes its only 6-digit child this way (541330).
            keys.setdefault(code[:5], code)
            keys.setdefault(code, code)
        else:
            keys.setdefault(code, code)
    rows = sorted(keys.items())
    return pa.table(
        {
            "key": [k for k, _ in rows],
            "oews_industry_code": [v for _, v in rows],
            "key_level": pa.array([len(k) for k, _ in rows], pa.int8()),
        }
    )


def _national(oews: OewsData, datatype: str) -> pa.Table:
    data = oews.data
    mask = pc.and_(
        pc.and_(pc.equal(data["areatype"], "N"), pc.equal(data["area_code"], NATIONAL_AREA)),
        pc.and_(pc.equal(data["datatype_code"], datatype), data["released"]),
    )
    return data.filter(mask).select(["industry_code", "occupation_code", "value"])


def detailed_occupations(oews: OewsData) -> pa.Table:
    """occupation_code, occupation_title of the detailed SOC occupations."""
    occupations = oews.occupations
    level = pc.cast(occupations["display_level"], pa.int8())
    detailed = occupations.filter(pc.equal(level, DETAILED_OCCUPATION_LEVEL))
    return pa.table(
        {
            "occupation_code": detailed["occupation_code"],
            "occupation_title": detailed["occupation_name"],
        }
    )


def national_staffing_shares(oews: OewsData) -> pa.Table:
    """oews_industry_code, occupation_code, share: each detailed occupation's share of the industry's jobs."""
    employment = _national(oews, EMPLOYMENT)
    totals = employment.filter(pc.equal(employment["occupation_code"], ALL_OCCUPATIONS))
    totals = totals.select(["industry_code", "value"]).rename_columns(["industry_code", "industry_total"])
    detailed = detailed_occupations(oews).select(["occupation_code"])
    cells = employment.join(detailed, "occupation_code", join_type="inner")
    cells = cells.join(totals, "industry_code", join_type="inner")
    share = pc.divide(cells["value"], cells["industry_total"])
    return pa.table(
        {
            "oews_industry_code": cells["industry_code"],
            "occupation_code": cells["occupation_code"],
            "share": share,
        }
    )


def _wages_in(oews: OewsData, areatype: str, area_code: str) -> pa.Table:
    data = oews.data
    base = pc.and_(
        pc.and_(pc.equal(data["areatype"], areatype), pc.equal(data["area_code"], area_code)),
        pc.and_(pc.equal(data["industry_code"], CROSS_INDUSTRY), data["released"]),
    )
    out = None
    for datatype, name in (
        (ANNUAL_MEAN_WAGE, "annual_mean_wage"),
        (ANNUAL_MEDIAN_WAGE, "annual_median_wage"),
    ):
        part = data.filter(pc.and_(base, pc.equal(data["datatype_code"], datatype)))
        part = part.select(["occupation_code", "value"]).rename_columns(["occupation_code", name])
        out = part if out is None else out.join(part, "occupation_code", join_type="full outer")
    assert out is not None
    return out


def occupation_wages(oews: OewsData, wage_area: str | None) -> pa.Table:
    """Per detailed occupation: annual mean and median wage in ``wage_area`` (an OEWS area code such as
    '5000000' for Vermont or '0015540' for the Burlington MSA), else nationally; ``wage_source`` says which.
    """
    occupations = detailed_occupations(oews)
    national = _wages_in(oews, "N", NATIONAL_AREA).rename_columns(
        ["occupation_code", "nat_mean", "nat_median"]
    )
    merged = occupations.join(national, "occupation_code", join_type="left outer")
    area_label = "national"
    if wage_area is not None:
        areas = oews.areas
        match = areas.filter(pc.equal(areas["area_code"], wage_area))
        if match.num_rows == 0:
            raise ValueError(
                f"unknown OEWS wage area {wage_area!r}: give a code from oe.area, e.g. '5000000' "
                "(a state) or '0015540' (a metro area)"
            )
        areatype = str(match["areatype_code"][0].as_py())
        area_label = str(match["area_name"][0].as_py())
        local = _wages_in(oews, areatype, wage_area).rename_columns(
            ["occupation_code", "area_mean", "area_median"]
        )
        merged = merged.join(local, "occupation_code", join_type="left outer")
        has_local = pc.is_valid(merged["area_mean"])
        mean = pc.if_else(has_local, merged["area_mean"], merged["nat_mean"])
        median = pc.if_else(pc.is_valid(merged["area_median"]), merged["area_median"], merged["nat_median"])
        source = pc.if_else(has_local, pa.scalar(area_label), pa.scalar("national"))
    else:
        mean, median = merged["nat_mean"], merged["nat_median"]
        source = pa.array(["national"] * merged.num_rows, pa.string())
    return pa.table(
        {
            "occupation_code": merged["occupation_code"],
            "occupation_title": merged["occupation_title"],
            "annual_mean_wage": mean,
            "annual_median_wage": median,
            "wage_source": source,
        }
    )


def state_wage_area(region: Region) -> str | None:
    """The OEWS state area code of a region whose counties all lie in one state ('5000000'), else None."""
    states = {county[:2] for county in region.counties}
    return f"{states.pop()}00000" if len(states) == 1 else None


#: A metro area's wages stand for a region's when the metro holds at least this share of the region's jobs.
METRO_MIN_JOB_SHARE: Final = 0.5


@dataclass(frozen=True)
class WageArea:
    """The OEWS area whose wages a region's occupations get (``code`` None: national), and why."""

    code: str | None
    why: str

    def label(self, oews: OewsData) -> str:
        if self.code is None:
            return "national"
        return f"{oews.area_name(self.code) or self.code} ({self.why})"


NATIONAL_WAGES: Final = WageArea(None, "national")


def oews_metro_code(cbsa_code: str) -> str:
    """OEWS names a metropolitan statistical area by its OMB CBSA code: CBSA 15540 is OEWS area 0015540."""
    return f"00{cbsa_code}"


def leading_metro(county_jobs: Mapping[str, float], metros: RegionSet) -> tuple[str, float] | None:
    """The CBSA holding the largest share of the region's jobs (``county_jobs``: county FIPS -> jobs), with
    that share; None when no county with jobs lies in a CBSA or the region has no jobs. Ties go to the
    lower code."""
    total = sum(county_jobs.values())
    if total <= 0:
        return None
    by_metro: dict[str, float] = {}
    for county, jobs in county_jobs.items():
        metro = metros.assignments.get(county)
        if metro is not None and jobs > 0:
            by_metro[metro] = by_metro.get(metro, 0.0) + jobs
    if not by_metro:
        return None
    code = min(by_metro, key=lambda m: (-by_metro[m], m))
    return code, by_metro[code] / total


def county_jobs(qcew: ir.Table, region: Region, *, year: int, qtr: str) -> dict[str, float]:
    """Each member county's total covered employment in the period (a withheld total counts as none)."""
    totals = qcew.filter(
        qcew.year == year,
        qcew.qtr == qtr,
        qcew.size_code == 0,
        qcew.own_code == TOTAL_OWNERSHIP,
        qcew.industry_code == TOTAL_INDUSTRY,
        qcew.area_fips.isin(list(region.counties)),
        ~qcew.disclosure_code.identical_to("N"),
    )
    rows = totals.select("area_fips", jobs=totals[figures_for(qtr).employment].cast("float64")).to_pyarrow()
    return {str(row["area_fips"]): float(row["jobs"] or 0.0) for row in rows.to_pylist()}


def choose_wage_area(
    region: Region,
    oews: OewsData,
    *,
    given: str | None = None,
    county_jobs: Mapping[str, float] | None = None,
    metros: RegionSet | None = None,
) -> WageArea:
    """Whose wages the region's occupations get, in this order: the area the user ``given``; the metro area
    holding at least :data:`METRO_MIN_JOB_SHARE` of the region's jobs, when ``metros`` (an OMB CBSA
    delineation) and ``county_jobs`` are given and OEWS publishes that metro (micropolitan areas it does
    not); the region's state when it lies in one; else national wages.

    Raises ``ValueError`` when ``given`` is not an OEWS area."""
    if given is not None:
        if oews.area_name(given) is None:
            raise ValueError(
                f"{given!r} is not an OEWS area (see oe.area; e.g. 5000000 for Vermont, 0015540 for the "
                "Burlington-South Burlington, VT metro area)"
            )
        return WageArea(given, "chosen")
    if metros is not None and county_jobs is not None:
        found = leading_metro(county_jobs, metros)
        if found is not None:
            cbsa, share = found
            code = oews_metro_code(cbsa)
            if share >= METRO_MIN_JOB_SHARE and oews.area_name(code) is not None:
                return WageArea(code, f"the metro area with {share:.0%} of the region's jobs")
    state = state_wage_area(region)
    if state is not None and oews.area_name(state) is not None:
        return WageArea(state, "the region's state")
    return NATIONAL_WAGES


def region_industry_employment(
    qcew: ir.Table, region: Region, industry_codes: Sequence[str], *, year: int, qtr: str
) -> ir.Table:
    """industry_code, employment, incomplete: the region's private employment in the given industries.

    Employment is the period's employment figure (see :mod:`sectorwise.lmi.measures`) summed over the member
    counties; where a member cell is suppressed, ``incomplete`` is True and the employment a lower bound.
    """
    cells = region_cells(qcew, region, years=[year], qtr=qtr)
    cells = cells.filter(cells.own_code == PRIVATE_OWNERSHIP, cells.industry_code.isin(list(industry_codes)))
    return cells.select(
        industry_code=cells.industry_code,
        employment=cells[figures_for(qtr).employment].cast("float64"),
        incomplete=cells.incomplete,
    )


def match_industries(industry_employment: ir.Table, oews: OewsData) -> ir.Table:
    """Adds ``oews_industry_code`` and ``match_level`` (6 ... 2, sector) to rows with an ``industry_code``.

    Rows whose code matches no OEWS industry (e.g. public administration) get NULLs.
    """
    keys = ibis.memtable(oews_industry_keys(oews))
    lengths = ibis.memtable(pa.table({"prefix_length": pa.array([2, 3, 4, 5, 6], pa.int8())}))
    codes = industry_employment.select(code=industry_employment.industry_code).distinct()
    candidates = codes.cross_join(lengths)
    candidates = candidates.filter(candidates.prefix_length <= candidates.code.length())
    candidates = candidates.mutate(key=candidates.code.substr(0, candidates.prefix_length))
    found = candidates.inner_join(keys, candidates.key == keys.key)
    best_rank = ibis.row_number().over(group_by=found.code, order_by=ibis.desc(found.key_level))
    found = found.mutate(rank=best_rank)
    best = found.filter(found.rank == 0).select(
        m_code=found.code, oews_industry_code=found.oews_industry_code, match_level=found.key_level
    )
    joined = industry_employment.left_join(best, industry_employment.industry_code == best.m_code)
    return joined.drop("m_code")


def staffing_pattern(
    industry_employment: ir.Table,
    oews: OewsData,
    *,
    wage_area: str | None,
    employment_column: str = "employment",
) -> ir.Table:
    """Estimated employment by occupation in the given industries, with wages; largest first.

    ``industry_employment`` has ``industry_code`` (QCEW NAICS at any level) and ``employment_column``.
    Columns: occupation_code, occupation_title, employment_est, share_of_targets (of the target industries'
    employment), industries (how many target industries employ it), annual_mean_wage, annual_median_wage,
    wage_source. See :data:`STAFFING_ASSUMPTIONS`.
    """
    matched = match_industries(industry_employment, oews)
    matched = matched.filter(matched.oews_industry_code.notnull())
    shares = ibis.memtable(national_staffing_shares(oews))
    jobs = matched.inner_join(shares, matched.oews_industry_code == shares.oews_industry_code)
    jobs = jobs.select(
        occupation_code=jobs.occupation_code,
        industry_code=jobs.industry_code,
        jobs=jobs[employment_column].cast("float64") * jobs.share,
    )
    by_occupation = jobs.group_by("occupation_code").aggregate(
        employment_est=jobs.jobs.sum(), industries=jobs.industry_code.nunique()
    )
    target_total = industry_employment.aggregate(
        target_total=industry_employment[employment_column].cast("float64").sum()
    )
    wages = ibis.memtable(occupation_wages(oews, wage_area))
    wages = wages.rename(w_code="occupation_code")
    result = by_occupation.left_join(wages, by_occupation.occupation_code == wages.w_code).cross_join(
        target_total
    )
    return result.select(
        occupation_code=result.occupation_code,
        occupation_title=result.occupation_title,
        employment_est=result.employment_est,
        share_of_targets=result.employment_est / result.target_total.nullif(0.0),
        industries=result.industries,
        annual_mean_wage=result.annual_mean_wage,
        annual_median_wage=result.annual_median_wage,
        wage_source=result.wage_source,
    ).order_by([ibis.desc("employment_est"), "occupation_code"])


def industry_occupation_wages(oews: OewsData, *, wage_area: str | None) -> pa.Table:
    """Per OEWS industry: the jobs-weighted mean annual wage of the detailed occupations it employs.

    ``occupation_wage`` = sum_o share(o, j) x mean wage(o) / sum_o share(o, j), over occupations with a wage;
    the ranking's "occupation wages" indicator. Wages are those of the wage area
    (see :func:`occupation_wages`).
    """
    shares = national_staffing_shares(oews)
    wages = occupation_wages(oews, wage_area).select(["occupation_code", "annual_mean_wage"])
    cells = shares.join(wages, "occupation_code", join_type="inner")
    cells = cells.filter(pc.is_valid(cells["annual_mean_wage"]))
    cells = cells.append_column("weighted", pc.multiply(cells["share"], cells["annual_mean_wage"]))
    grouped = cells.group_by("oews_industry_code").aggregate([("weighted", "sum"), ("share", "sum")])
    return pa.table(
        {
            "oews_industry_code": grouped["oews_industry_code"],
            "occupation_wage": pc.divide(grouped["weighted_sum"], grouped["share_sum"]),
        }
    )
