"""Shift-share: why an area's industries grew or shrank between two periods, against a reference economy.

For industry i of the analysed area r, with e = the area's figure (employment by default), E = the
reference area's, t0/t1 the two periods, and the totals taken from the ownership's all-industry cell
(industry '10' of the chosen own_code) of each area:

- national growth     NS_i = e_i,t0 * G,          G   = E_total,t1 / E_total,t0 - 1
- industry mix        IM_i = e_i,t0 * (G_i - G),  G_i = E_i,t1 / E_i,t0 - 1
- competitive effect  CE_i = (e_i,t1 - e_i,t0) - NS_i - IM_i      ( = e_i,t0 * (g_i - G_i) )

Esteban-Marquillas (1972) split the competitive effect with the homothetic employment, what the area
would employ in i with the reference's industry structure:

- homothetic employment  h_i = e_total,t0 * E_i,t0 / E_total,t0
- competitive effect (homothetic)  CEH_i = h_i * (g_i - G_i)
- allocation effect  AE_i = CE_i - CEH_i      ( = (e_i,t0 - h_i) * (g_i - G_i) )

CE and AE are computed as the remainders, so that NS + IM + CE and NS + IM + CEH + AE equal the actual
change up to floating-point rounding of a single subtraction (the tests bound it by 1e-9 relative).
Where the area's industry had no employment at t0, g_i is undefined: CEH is 0 and AE carries all of CE.

A cell that is suppressed or an incomplete region aggregate, in either area or period, gets NULL
components and ``incomplete = True``: never a wrong decomposition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import ibis
import ibis.expr.types as ir

from sectorwise.lmi.codes import PRIVATE_OWNERSHIP, TOTAL_INDUSTRY, NaicsLevel
from sectorwise.lmi.filled import ESTIMATED
from sectorwise.lmi.measures import cells, figures_for
from sectorwise.lmi.regions import Region

#: The units digit of BLS's agglvl_code for each industry level (e.g. 74 = county, NAICS sector).
AGGLVL_UNITS_BY_LEVEL: Final[dict[NaicsLevel, int]] = {
    NaicsLevel.SUPERSECTOR: 3,
    NaicsLevel.SECTOR: 4,
    NaicsLevel.NAICS3: 5,
    NaicsLevel.NAICS4: 6,
    NaicsLevel.NAICS5: 7,
    NaicsLevel.NAICS6: 8,
}

#: The components, in the order they are returned.
COMPONENTS: Final = (
    "national_growth",
    "industry_mix",
    "competitive_effect",
    "homothetic_competitive_effect",
    "allocation_effect",
)


def _period_cells(
    qcew: ir.Table,
    *,
    period: tuple[int, str],
    area: str,
    ownership: int,
    figure: str,
    regions: Sequence[Region],
    prefix: str,
) -> ir.Table:
    year, qtr = period
    # Only the one area's cells: a region is aggregated only where it is the area of this side.
    own_region = [region for region in regions if region.name == area]
    table = cells(
        qcew,
        years=[year],
        qtr=qtr,
        regions=own_region,
        only_areas=[] if own_region else [area],
        keep=[figure],
    )
    table = table.filter(table.area_fips == area, table.own_code == ownership)
    hidden = table.disclosure_code.fill_null("") == "N"
    estimated: ir.BooleanValue = ibis.literal(False)
    if ESTIMATED in table.columns:
        # A filled table (sectorwise.lmi.filled): a suppressed cell with an estimate is used, flagged.
        estimated = table[ESTIMATED]
        hidden = hidden & ~estimated
    usable = ~hidden & ~table.incomplete
    return table.select(
        **{
            f"{prefix}_industry": table.industry_code,
            f"{prefix}_agglvl": table.agglvl_code,
            f"{prefix}_value": table[figure],
            f"{prefix}_ok": usable,
            f"{prefix}_estimated": estimated,
        }
    )


def shift_share(
    qcew: ir.Table,
    *,
    area: str,
    reference: str,
    start: tuple[int, str],
    end: tuple[int, str],
    level: NaicsLevel | str | None = NaicsLevel.SECTOR,
    industries: Sequence[str] | None = None,
    ownership: int = PRIVATE_OWNERSHIP,
    figure: str | None = None,
    regions: Sequence[Region] = (),
) -> ir.Table:
    """Classic and Esteban-Marquillas shift-share of ``area`` against ``reference`` from ``start`` to ``end``.

    ``qcew`` is ``qcew_quarterly`` (periods such as (2015, '4')) or ``qcew_annual`` (periods (2015, 'A')).
    ``area`` and ``reference`` are area_fips codes or names of ``regions``. Industries are those of
    ``level`` (by the units digit of agglvl_code) or the explicit ``industries`` codes; ``ownership`` is the
    own_code analysed (private, 5, by default: BLS publishes county industry detail by ownership).
    ``figure`` defaults to the period's employment (month3_emplvl, or annual_avg_emplvl for 'A').

    One row per industry of the area at ``start``, ordered by industry_code, with: area_fips, own_code,
    industry_code, agglvl_code, figure, start/end year and qtr, start_value, end_value, actual_change,
    reference_start_value, reference_end_value, homothetic_value, the :data:`COMPONENTS`, and incomplete.
    """
    start_figures = figures_for(start[1])
    if figures_for(end[1]) is not start_figures:
        raise ValueError(f"start {start} and end {end} must both be quarters or both annual ('A')")
    if start >= end:
        raise ValueError(f"start {start} must come before end {end}")
    name = figure or start_figures.employment
    if name not in start_figures.all:
        raise ValueError(
            f"{name!r} is not a figure of these periods; choose one of {', '.join(start_figures.all)}"
        )
    if industries is None and level is None:
        raise ValueError("give an industry level or a list of industries")

    def side(where: str, period: tuple[int, str], prefix: str) -> ir.Table:
        return _period_cells(
            qcew, period=period, area=where, ownership=ownership, figure=name, regions=regions, prefix=prefix
        )

    area_start, area_end = side(area, start, "a0"), side(area, end, "a1")
    ref_start, ref_end = side(reference, start, "r0"), side(reference, end, "r1")

    def total(table: ir.Table, prefix: str) -> ir.Table:
        row = table.filter(table[f"{prefix}_industry"] == TOTAL_INDUSTRY)
        return row.select(
            **{
                f"{prefix}_total": row[f"{prefix}_value"],
                f"{prefix}_total_ok": row[f"{prefix}_ok"],
                f"{prefix}_total_estimated": row[f"{prefix}_estimated"],
            }
        )

    selected = area_start
    if industries is not None:
        selected = selected.filter(selected.a0_industry.isin(list(industries)))
    elif level is not None:
        units = AGGLVL_UNITS_BY_LEVEL.get(NaicsLevel(level))
        if units is None:
            raise ValueError(f"shift-share needs an industry level below the total, not {level!r}")
        selected = selected.filter(selected.a0_agglvl % 10 == units)

    joined = (
        selected.left_join(area_end, selected.a0_industry == area_end.a1_industry)
        .left_join(ref_start, selected.a0_industry == ref_start.r0_industry)
        .left_join(ref_end, selected.a0_industry == ref_end.r1_industry)
    )
    # Left joins on TRUE: a missing total leaves NULLs (and incomplete rows), not an empty result.
    for table, prefix in ((area_start, "a0"), (ref_start, "r0"), (ref_end, "r1")):
        joined = joined.left_join(total(table, prefix), [True])
    ok = (
        joined.a0_ok
        & joined.a1_ok.fill_null(False)
        & joined.r0_ok.fill_null(False)
        & joined.r1_ok.fill_null(False)
        & joined.a0_total_ok.fill_null(False)
        & joined.r0_total_ok.fill_null(False)
        & joined.r1_total_ok.fill_null(False)
        & (joined.r0_value.fill_null(0) > 0)
        & (joined.r0_total.fill_null(0) > 0)
    )

    def f64(value: ir.Value) -> ir.FloatingValue:
        result: ir.FloatingValue = value.cast("float64")
        return result

    e0, e1 = f64(joined.a0_value), f64(joined.a1_value)
    ref_i0, ref_i1 = f64(joined.r0_value), f64(joined.r1_value)
    ref_t0, ref_t1 = f64(joined.r0_total), f64(joined.r1_total)
    area_t0 = f64(joined.a0_total)

    overall_rate = ref_t1 / ref_t0 - 1.0
    industry_rate = ref_i1 / ref_i0 - 1.0
    change = e1 - e0
    national_growth = e0 * overall_rate
    industry_mix = e0 * (industry_rate - overall_rate)
    competitive = change - national_growth - industry_mix
    homothetic = area_t0 * ref_i0 / ref_t0
    area_rate = ibis.ifelse(e0 > 0, e1 / e0 - 1.0, ibis.null("float64"))
    homothetic_competitive = (homothetic * (area_rate - industry_rate)).fill_null(0.0)
    allocation = competitive - homothetic_competitive

    def when_ok(value: ir.Value) -> ir.Value:
        return ibis.ifelse(ok, value, ibis.null("float64"))

    result = joined.select(
        area_fips=ibis.literal(area, type="string"),
        own_code=ibis.literal(ownership, type="int16"),
        industry_code=joined.a0_industry,
        agglvl_code=joined.a0_agglvl,
        figure=ibis.literal(name, type="string"),
        start_year=ibis.literal(start[0], type="int16"),
        start_qtr=ibis.literal(start[1], type="string"),
        end_year=ibis.literal(end[0], type="int16"),
        end_qtr=ibis.literal(end[1], type="string"),
        start_value=joined.a0_value,
        end_value=joined.a1_value,
        actual_change=ibis.ifelse(ok, joined.a1_value - joined.a0_value, ibis.null("int64")),
        reference_start_value=joined.r0_value,
        reference_end_value=joined.r1_value,
        homothetic_value=when_ok(homothetic),
        national_growth=when_ok(national_growth),
        industry_mix=when_ok(industry_mix),
        competitive_effect=when_ok(competitive),
        homothetic_competitive_effect=when_ok(homothetic_competitive),
        allocation_effect=when_ok(allocation),
        incomplete=~ok,
        **({ESTIMATED: _any_estimated(joined)} if ESTIMATED in qcew.columns else {}),
    )
    return result.order_by("industry_code")


def _any_estimated(joined: ir.Table) -> ir.BooleanValue:
    """Any of the figures a row's decomposition uses rests on an estimate."""
    flag: ir.BooleanValue = joined.a0_estimated
    for name in ("a1_estimated", "r0_estimated", "r1_estimated", "a0_total_estimated", "r0_total_estimated"):
        flag = flag | joined[name].fill_null(False)
    return flag | joined.r1_total_estimated.fill_null(False)


def shift_share_summary(decomposition: ir.Table) -> ir.Table:
    """One row: the sums of :func:`shift_share`'s change and components over its complete industries."""
    complete = decomposition.filter(~decomposition.incomplete)
    return complete.aggregate(
        industries=complete.count(),
        actual_change=complete.actual_change.sum(),
        **{name: complete[name].sum() for name in COMPONENTS},
    )
