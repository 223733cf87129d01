"""QCEW measures as BLS publishes them: employment, wages, establishments, location quotients, change, growth.

Every function takes an Ibis table of the warehouse (``qcew_quarterly`` or ``qcew_annual``, see
:mod:`sectorwise.lmi.warehouse`) and returns a lazy Ibis table; nothing executes here, so the same
expressions run on DuckDB (the default) or on Spark.

Definitions (checked against BLS's published files, see ``tests/lmi/test_lq_oracle.py``):

- Location quotient of figure ``x`` for a cell (area a, ownership o, industry i)::

      lq_x = (x[a,o,i] / x[a,0,10]) / (x[ref,o,i] / x[ref,0,10])

  The base is the area's *total covered* cell (own_code 0, industry '10') for every ownership row, as BLS
  does. ``lq_avg_wkly_wage`` is the same ratio of the published (whole-dollar) average weekly wages: on
  Vermont 2016 it reproduces every published value, whereas unrounded wages miss ~4 % of them.
- ``avg_wkly_wage`` of an aggregate (a region) = round(total_qtrly_wages / mean(month1..3 emplvl) / 13),
  exactly as BLS computes it (every Vermont and New Jersey 2016 cell). ``annual_avg_wkly_wage`` =
  round(total_annual_wages / annual_avg_emplvl / 52) and ``avg_annual_pay`` = round(total_annual_wages /
  annual_avg_emplvl): BLS divides by the *unrounded* 12-month mean employment, which annual files do not
  carry, so an aggregate of annual cells can differ from BLS's by the effect of rounding each county's
  average employment (bounded in ``tests/lmi/test_lq_oracle.py``; exact for quarterly data).
- Over-the-year change ``oty_x_chg`` = x - x one year earlier (same quarter) and ``oty_x_pct_chg`` =
  100 * chg / earlier value. The columns are always present; they are NULL when the earlier period is not
  in the warehouse.
- Rounding (``bls_rounding=True``, the default): LQs to 2 decimals and percent changes to 1 decimal, as
  BLS publishes them (percent changes half to even, exactly: see :func:`_bls_percent`), so the output
  diffs column by column against a BLS file. ``bls_rounding=False``
  keeps them unrounded (the oracle tests compare those). Wages and employment are whole numbers either way.
- A suppressed cell (disclosure_code 'N', published as zeros) gets NULL LQs and changes, never a number;
  so does every cell whose base, reference cell or reference base is suppressed. A region row whose
  member cells include a suppressed one, or whose member counties are not all loaded for the period, has
  ``incomplete = True``: its sums are a lower bound, and its LQs and changes are NULL.

Regions are :class:`sectorwise.lmi.regions.Region` objects; their rows carry the region's name as
``area_fips`` (and as ``area_title``), so a region can also be the reference of an LQ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import ibis
import ibis.expr.types as ir

from sectorwise.lmi.codes import SUPPRESSED, TOTAL_INDUSTRY, TOTAL_OWNERSHIP
from sectorwise.lmi.filled import ESTIMATED
from sectorwise.lmi.regions import Region

ANNUAL_QTR: Final = "A"
QUARTERS: Final = ("1", "2", "3", "4")

#: Key columns of one output row, in order.
CELL_KEYS: Final = ("area_fips", "own_code", "industry_code", "agglvl_code", "year", "qtr")
_JOIN_KEYS: Final = ("area_fips", "own_code", "industry_code")


@dataclass(frozen=True)
class Figures:
    """The figures of one QCEW frequency: which are summed across counties, which derived from sums."""

    summed: tuple[str, ...]
    derived: tuple[str, ...]
    employment: str

    @property
    def all(self) -> tuple[str, ...]:
        order = (*self.summed, *self.derived)
        return order


QUARTERLY: Final = Figures(
    summed=(
        "qtrly_estabs",
        "month1_emplvl",
        "month2_emplvl",
        "month3_emplvl",
        "total_qtrly_wages",
        "taxable_qtrly_wages",
        "qtrly_contributions",
    ),
    derived=("avg_wkly_wage",),
    employment="month3_emplvl",
)

ANNUAL: Final = Figures(
    summed=(
        "annual_avg_estabs",
        "annual_avg_emplvl",
        "total_annual_wages",
        "taxable_annual_wages",
        "annual_contributions",
    ),
    derived=("annual_avg_wkly_wage", "avg_annual_pay"),
    employment="annual_avg_emplvl",
)


def figures_for(qtr: str) -> Figures:
    """:data:`ANNUAL` for qtr 'A', :data:`QUARTERLY` for '1'-'4'."""
    if qtr == ANNUAL_QTR:
        return ANNUAL
    if qtr in QUARTERS:
        return QUARTERLY
    raise ValueError(f"period must be 1, 2, 3, 4 or A, not {qtr!r}")


#: The sums each derived figure of an aggregate is computed from.
DERIVED_FROM: Final[dict[str, tuple[str, ...]]] = {
    "avg_wkly_wage": ("total_qtrly_wages", "month1_emplvl", "month2_emplvl", "month3_emplvl"),
    "annual_avg_wkly_wage": ("total_annual_wages", "annual_avg_emplvl"),
    "avg_annual_pay": ("total_annual_wages", "annual_avg_emplvl"),
}


def _kept(figures: Figures, keep: Sequence[str] | None) -> tuple[str, ...]:
    """The figures to carry, in BLS's order; all of them unless ``keep`` names some."""
    if keep is None:
        return figures.all
    unknown = [name for name in keep if name not in figures.all]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not a figure of this period; choose from {', '.join(figures.all)}"
        )
    return tuple(name for name in figures.all if name in keep)


def _derived_values(figures: Figures, sums: dict[str, ir.IntegerValue]) -> dict[str, ir.Value]:
    """Average wages of an aggregate, computed from its sums the way BLS computes them.

    One division of two exact integers, so that a true half (e.g. 12,675,117 / 5,278 = 2,401.5) stays
    exactly half and rounds up as BLS rounds it; dividing step by step gave 2,401.4999....
    """

    def rounded_ratio(numerator: ir.IntegerValue, denominator: ir.IntegerValue) -> ir.Value:
        quotient = numerator.cast("float64") / denominator.cast("float64").nullif(0.0)
        return quotient.round(0).fill_null(0).cast("int64")

    if figures is QUARTERLY:
        months = sums["month1_emplvl"] + sums["month2_emplvl"] + sums["month3_emplvl"]
        return {"avg_wkly_wage": rounded_ratio(sums["total_qtrly_wages"] * 3, months * 13)}
    return {
        "annual_avg_wkly_wage": rounded_ratio(sums["total_annual_wages"], sums["annual_avg_emplvl"] * 52),
        "avg_annual_pay": rounded_ratio(sums["total_annual_wages"], sums["annual_avg_emplvl"]),
    }


def _area_cells(
    qcew: ir.Table,
    *,
    kept: Sequence[str],
    years: Sequence[int],
    qtr: str,
    only_areas: Sequence[str] | None,
) -> ir.Table:
    """The warehouse's own cells of the periods, in a fixed column order with ``incomplete = False``."""
    cells = qcew.filter(qcew.year.isin(list(years)), qcew.qtr == qtr, qcew.size_code == 0)
    if only_areas is not None:
        cells = cells.filter(cells.area_fips.isin(list(only_areas)))
    estimates = _estimate_columns(qcew, kept)
    return cells.select(
        area_fips=cells.area_fips.cast("string"),
        area_title=ibis.null("string"),
        own_code=cells.own_code.cast("int16"),
        industry_code=cells.industry_code.cast("string"),
        agglvl_code=cells.agglvl_code.cast("int16"),
        year=cells.year.cast("int16"),
        qtr=cells.qtr.cast("string"),
        disclosure_code=cells.disclosure_code.cast("string"),
        incomplete=ibis.literal(False),
        **{name: cells[name].cast("int64") for name in kept},
        **{name: cells[name] for name in estimates},
    )


def _estimate_columns(qcew: ir.Table, kept: Sequence[str]) -> tuple[str, ...]:
    """The estimate columns a filled table (:func:`sectorwise.lmi.filled.filled_qcew`) carries for the
    figures kept: ``estimated``, then ``<figure>_low``/``<figure>_high``; none for BLS's table."""
    if ESTIMATED not in qcew.columns:
        return ()
    bounds = [f"{name}_{end}" for name in kept for end in ("low", "high") if f"{name}_low" in qcew.columns]
    return (ESTIMATED, *bounds)


def region_cells(
    qcew: ir.Table, region: Region, *, years: Sequence[int], qtr: str, keep: Sequence[str] | None = None
) -> ir.Table:
    """One region's cells: the sum of its member counties' cells per (ownership, industry, period).

    ``disclosure_code`` is 'N' when every member cell is suppressed; ``incomplete`` is True when any member
    cell is suppressed or a member county has no row at all for the period (not loaded). ``keep`` limits
    the figures computed (default: all).
    """
    figures = figures_for(qtr)
    kept = _kept(figures, keep)
    derived = [name for name in figures.derived if name in kept]
    summed = [
        name
        for name in figures.summed
        if name in kept or any(name in DERIVED_FROM[other] for other in derived)
    ]
    members = qcew.filter(
        qcew.area_fips.isin(list(region.counties)),
        qcew.year.isin(list(years)),
        qcew.qtr == qtr,
        qcew.size_code == 0,
    )
    estimates = _estimate_columns(qcew, kept)
    # A suppressed member cell filled with an estimate is used (and flags the sum as estimated).
    hidden = members.disclosure_code == SUPPRESSED
    if estimates:
        hidden = hidden & ~members[ESTIMATED]
    suppressed = ibis.ifelse(hidden, 1, 0)
    sums = members.group_by(["own_code", "industry_code", "agglvl_code", "year", "qtr"]).aggregate(
        member_cells=members.count(),
        suppressed_cells=suppressed.sum(),
        all_suppressed=ibis.ifelse(members.disclosure_code == SUPPRESSED, 1, 0).sum(),
        **{name: members[name].cast("int64").sum() for name in summed},
        **{name: (members[name].any() if name == ESTIMATED else members[name].sum()) for name in estimates},
    )
    loaded = members.group_by(["year", "qtr"]).aggregate(members_loaded=members.area_fips.nunique())
    loaded = loaded.rename(loaded_year="year", loaded_qtr="qtr")
    joined = sums.left_join(loaded, [sums.year == loaded.loaded_year, sums.qtr == loaded.loaded_qtr])
    missing_member = joined.members_loaded.fill_null(0) < len(region.counties)
    summed_values = {name: joined[name] for name in summed}
    values = {name: joined[name].cast("int64") for name in summed} | (
        _derived_values(figures, summed_values) if derived else {}
    )
    return joined.select(
        area_fips=ibis.literal(region.name, type="string"),
        area_title=ibis.literal(region.name, type="string"),
        own_code=joined.own_code.cast("int16"),
        industry_code=joined.industry_code.cast("string"),
        agglvl_code=joined.agglvl_code.cast("int16"),
        year=joined.year.cast("int16"),
        qtr=joined.qtr.cast("string"),
        disclosure_code=ibis.ifelse(
            joined.all_suppressed == joined.member_cells,
            ibis.literal(SUPPRESSED, type="string"),
            ibis.null("string"),
        ),
        incomplete=(joined.suppressed_cells > 0) | missing_member,
        **{name: values[name] for name in kept},
        **{name: joined[name] for name in estimates},
    )


def cells(
    qcew: ir.Table,
    *,
    years: Sequence[int],
    qtr: str,
    regions: Sequence[Region] = (),
    only_areas: Sequence[str] | None = None,
    keep: Sequence[str] | None = None,
) -> ir.Table:
    """The warehouse's cells of the given years and period, plus one aggregate per region.

    ``only_areas`` limits the warehouse's own areas (regions are always aggregated from their counties);
    ``keep`` limits the figures carried (default: all).
    Columns: area_fips, area_title (regions only; NULL for BLS areas), own_code, industry_code,
    agglvl_code, year, qtr, disclosure_code, incomplete, then the period's figures (:class:`Figures`).
    """
    kept = _kept(figures_for(qtr), keep)
    parts = [_area_cells(qcew, kept=kept, years=years, qtr=qtr, only_areas=only_areas)]
    parts.extend(region_cells(qcew, region, years=years, qtr=qtr, keep=kept) for region in regions)
    combined = parts[0] if len(parts) == 1 else ibis.union(*parts)
    return combined


def _usable(table: ir.Table) -> ir.BooleanValue:
    """A cell whose figures can be used: not suppressed (or suppressed and filled with an estimate, in a
    filled table) and not an incomplete aggregate."""
    hidden = table.disclosure_code.identical_to(SUPPRESSED)
    if ESTIMATED in table.columns:
        hidden = hidden & ~table[ESTIMATED]
    return ~hidden & ~table.incomplete


def _estimated(table: ir.Table) -> ir.BooleanValue:
    """The cell's figures rest on an estimate (always false for BLS's own table)."""
    if ESTIMATED in table.columns:
        flag: ir.BooleanValue = table[ESTIMATED]
        return flag
    return ibis.literal(False)


def _ratio(numerator: ir.Value, denominator: ir.Value) -> ir.FloatingValue:
    num: ir.FloatingValue = numerator.cast("float64")
    den: ir.FloatingValue = denominator.cast("float64")
    return num / den.nullif(0.0)


def _bls_percent(change: ir.IntegerValue, earlier: ir.IntegerValue) -> ir.FloatingValue:
    """100 * change / earlier to one decimal, as BLS rounds it: half to even, computed exactly.

    BLS's published ``oty_*_pct_chg`` round a true half to even (7 / 112 = 6.25 % is published 6.2, 45 / 144 =
    31.25 % as 31.2; every Vermont 2016 cell, ``tests/lmi/test_oty_oracle.py``). Floating point cannot tell
    a true half from a near one, so the tenths are the integer quotient of 1000 * |change| by |earlier| and
    the remainder decides; exact while 1000 * |change| is below 2**53 (changes below 9e12 dollars: the
    nation's quarterly wages are about 3e12). NULL when the earlier value is zero.
    """
    numerator = change.abs() * 1000
    denominator = earlier.abs().nullif(0)
    remainder = numerator % denominator
    # An exact integer held in a double (below 2**53), so the modulo below stays exact on every backend.
    tenths = ((numerator - remainder) / denominator).cast("int64")
    round_up = (remainder * 2 > denominator) | ((remainder * 2 == denominator) & (tenths % 2 == 1))
    rounded = tenths + ibis.ifelse(round_up, 1, 0)
    sign = change.sign() * earlier.sign()
    result: ir.FloatingValue = (rounded * sign).cast("float64") / 10
    return result


def _side_tables(
    current: ir.Table, previous: ir.Table, *, figures: Sequence[str], reference: str
) -> tuple[ir.Table, ir.Table, ir.Table]:
    """The small tables an output row is joined with, each column prefixed so that no name collides.

    ``bi_``: the inverse of the area's base (own_code 0, industry 10) figure; ``ri_``: the inverse of the
    reference's share of its base in the same ownership and industry; ``p_``: the cell a year earlier.
    Each holds *usable* cells only (not suppressed, not incomplete; the reference's base too), so that an
    output row's usability is decided by whether its joins find a match (see :func:`measures`), not by a
    test repeated in every LQ and change. An LQ is then ``x * bi * ri``: the divisions are done once per
    area and once per reference cell, not per output row. An inverse is NULL where its divisor is zero (or
    the reference's share is); ``b_zero`` and ``r_zero`` are 0.0, so that ``b_zero + r_zero`` is the LQ of a
    zero figure where both joins matched and NULL where either did not.
    """
    is_total = (current.own_code == TOTAL_OWNERSHIP) & (current.industry_code == TOTAL_INDUSTRY)
    base_cells = current.filter(is_total, _usable(current))
    base = base_cells.select(
        b_area=base_cells.area_fips,
        b_zero=ibis.literal(0.0),
        b_estimated=_estimated(base_cells),
        **{f"bi_{name}": _ratio(ibis.literal(1.0), base_cells[name]) for name in figures},
    )
    ref_cells = current.filter(current.area_fips == reference, _usable(current))
    ref = ref_cells.select(
        r_own=ref_cells.own_code,
        r_industry=ref_cells.industry_code,
        r_cell_estimated=_estimated(ref_cells),
        **{f"r_{name}": ref_cells[name] for name in figures},
    )
    ref_base_cells = ref_cells.filter(
        (ref_cells.own_code == TOTAL_OWNERSHIP) & (ref_cells.industry_code == TOTAL_INDUSTRY)
    )
    ref_base = ref_base_cells.select(
        rb_zero=ibis.literal(0.0),
        rb_estimated=_estimated(ref_base_cells),
        **{f"rb_{name}": ref_base_cells[name] for name in figures},
    )
    # A left join (not a filter on the result), so that DuckDB estimates the reference's cells, not a
    # cross product, and keeps the national table on the probe side. Without a usable reference base,
    # rb_zero and the inverses are NULL.
    with_base = ref.left_join(ref_base, [True])
    ref = with_base.select(
        "r_own",
        "r_industry",
        r_zero=with_base.rb_zero,
        r_estimated=with_base.r_cell_estimated | with_base.rb_estimated.fill_null(False),
        **{
            f"ri_{name}": _ratio(with_base[f"rb_{name}"], with_base[f"r_{name}"]).nullif(0.0)
            for name in figures
        },
    )
    prior_cells = previous.filter(_usable(previous))
    prior = prior_cells.select(
        p_area=prior_cells.area_fips,
        p_own=prior_cells.own_code,
        p_industry=prior_cells.industry_code,
        p_estimated=_estimated(prior_cells),
        **{f"p_{name}": prior_cells[name] for name in figures},
    )
    return base, ref, prior


def measures(
    qcew: ir.Table,
    *,
    year: int,
    qtr: str,
    reference: str,
    areas: Sequence[str] | None = None,
    ownerships: Sequence[int] | None = None,
    regions: Sequence[Region] = (),
    area_titles: ir.Table | None = None,
    industry_titles: ir.Table | None = None,
    bls_rounding: bool = True,
    columns: Sequence[str] | None = None,
    changes: bool = True,
) -> ir.Table:
    """BLS's figures, location quotients and over-the-year changes for one period.

    ``qcew`` is the warehouse's ``qcew_quarterly`` table (qtr '1'-'4') or ``qcew_annual`` (qtr 'A').
    ``reference`` is the LQ reference area: any area_fips present ('US000', a state such as '50000') or the
    name of one of ``regions``. ``areas`` limits the rows returned (None: every area and every region);
    ``ownerships`` limits own_code. Regions are aggregated from their member counties.

    One row per (area_fips, own_code, industry_code, year, qtr), in no particular order (sorting a national
    table costs as much as computing it: order what you show), with columns:
    area_fips, area_title, own_code, industry_code, industry_title, agglvl_code, year, qtr,
    disclosure_code, incomplete, the figures (BLS names), ``lq_<figure>``, ``oty_<figure>_chg`` and
    ``oty_<figure>_pct_chg``. See the module docstring for definitions, rounding and suppression.
    ``columns`` names the figures that get LQ and change columns (default: all, as BLS publishes them);
    fewer make a smaller expression, which Ibis compiles faster (a region profile needs only a few).
    ``changes=False`` leaves out the over-the-year columns (and the previous year's cells).
    """
    figures = figures_for(qtr)
    chosen = tuple(figures.all if columns is None else columns)
    unknown = [name for name in chosen if name not in figures.all]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not a figure of period {qtr!r}; choose from {', '.join(figures.all)}"
        )
    # Only the areas asked for (and the reference) need their cells read: regions read their counties.
    only_areas = None if areas is None else [*areas, reference]
    years = [year - 1, year] if changes else [year]
    all_cells = cells(qcew, years=years, qtr=qtr, regions=regions, only_areas=only_areas)
    current = all_cells.filter(all_cells.year == year)
    previous = all_cells.filter(all_cells.year == year - 1)
    base, ref, prior = _side_tables(current, previous, figures=chosen, reference=reference)
    rows = current
    if areas is not None:
        rows = rows.filter(rows.area_fips.isin([*areas, *(region.name for region in regions)]))
    if ownerships is not None:
        rows = rows.filter(rows.own_code.isin([int(code) for code in ownerships]))
    # A row's usability decides whether its joins match, rather than being tested in every LQ and change
    # (DuckDB evaluates an expression as often as a projection repeats it): an unusable row joins its
    # reference cell and its cell a year earlier on a NULL industry, which matches nothing. So ``ri_``,
    # ``r_zero`` and ``p_`` are NULL unless the row and the cell it is joined with are both usable.
    usable_industry = ibis.ifelse(_usable(rows), rows.industry_code, ibis.null("string"))
    rows = rows.mutate(usable_industry=usable_industry)

    # One chain of left joins and one select: Ibis compiles a flat chain much faster than nested selects.
    joined = rows.left_join(base, rows.area_fips == base.b_area).left_join(
        ref, [rows.own_code == ref.r_own, rows.usable_industry == ref.r_industry]
    )
    if changes:
        joined = joined.left_join(
            prior,
            [
                rows.area_fips == prior.p_area,
                rows.own_code == prior.p_own,
                rows.usable_industry == prior.p_industry,
            ],
        )
    area_title: ir.Value = joined.area_title
    if area_titles is not None:
        names = area_titles.select(t_area=area_titles.area_fips, t_area_title=area_titles.area_title)
        joined = joined.left_join(names, rows.area_fips == names.t_area)
        area_title = joined.area_title.fill_null(joined.t_area_title)
    industry_title: ir.Value = ibis.null("string")
    if industry_titles is not None:
        names = industry_titles.select(
            t_industry=industry_titles.industry_code, t_industry_title=industry_titles.industry_title
        )
        joined = joined.left_join(names, rows.industry_code == names.t_industry)
        industry_title = joined.t_industry_title

    quotients: dict[str, ir.Value] = {}
    differences: dict[str, ir.Value] = {}
    for name in chosen:
        figure: ir.FloatingValue = joined[name].cast("float64")
        # A zero figure has LQ 0 even where a divisor is zero (BLS publishes 0.00 for taxable wages of
        # federal cells, whose national figure is zero).
        quotient = ibis.ifelse(
            joined[name] == 0,
            joined.b_zero + joined.r_zero,
            figure * joined[f"bi_{name}"] * joined[f"ri_{name}"],
        )
        if bls_rounding:
            quotient = quotient.round(2)
        quotients[f"lq_{name}"] = quotient
        if not changes:
            continue
        # NULL unless the row and its cell a year earlier are both usable (the prior join matched).
        change = joined[name] - joined[f"p_{name}"]
        percent = (
            _bls_percent(change, joined[f"p_{name}"])
            if bls_rounding
            else _ratio(change, joined[f"p_{name}"]) * 100
        )
        differences[f"oty_{name}_chg"] = change
        differences[f"oty_{name}_pct_chg"] = percent
    # Filled figures: the row's ``estimated`` says that its figures, or any LQ or change computed from
    # them, rest on an estimate (the cell, the area's base, the reference's cell or base, the year before).
    flagged: dict[str, ir.Value] = {}
    if ESTIMATED in rows.columns:
        inputs = joined[ESTIMATED] | joined.b_estimated.fill_null(False) | joined.r_estimated.fill_null(False)
        if changes:
            inputs = inputs | joined.p_estimated.fill_null(False)
        flagged[ESTIMATED] = inputs
        flagged.update(
            {name: joined[name] for name in _estimate_columns(all_cells, figures.all) if name != ESTIMATED}
        )
    result = joined.select(
        "area_fips",
        area_title=area_title,
        own_code=joined.own_code,
        industry_code=joined.industry_code,
        industry_title=industry_title,
        agglvl_code=joined.agglvl_code,
        year=joined.year,
        qtr=joined.qtr,
        disclosure_code=joined.disclosure_code,
        incomplete=joined.incomplete,
        **{name: joined[name] for name in figures.all},
        **flagged,
        **quotients,
        **differences,
    )
    return result


def location_quotients(
    qcew: ir.Table,
    *,
    year: int,
    qtr: str,
    reference: str,
    areas: Sequence[str] | None = None,
    ownerships: Sequence[int] | None = None,
    regions: Sequence[Region] = (),
    bls_rounding: bool = True,
    columns: Sequence[str] | None = None,
) -> ir.Table:
    """Only the location quotients of :func:`measures`: the cell keys, disclosure_code, incomplete and
    ``lq_<figure>`` for each figure (or those named in ``columns``), without changes, titles or figures."""
    chosen = tuple(figures_for(qtr).all if columns is None else columns)
    full = measures(
        qcew,
        year=year,
        qtr=qtr,
        reference=reference,
        areas=areas,
        ownerships=ownerships,
        regions=regions,
        bls_rounding=bls_rounding,
        columns=chosen,
        changes=False,
    )
    keys = ("area_fips", "own_code", "industry_code", "agglvl_code", "year", "qtr")
    return full.select(*keys, "disclosure_code", "incomplete", *(f"lq_{name}" for name in chosen))


def quarterly_measures(
    qcew: ir.Table,
    *,
    year: int,
    qtr: str,
    reference: str,
    areas: Sequence[str] | None = None,
    ownerships: Sequence[int] | None = None,
    regions: Sequence[Region] = (),
    area_titles: ir.Table | None = None,
    industry_titles: ir.Table | None = None,
    bls_rounding: bool = True,
    columns: Sequence[str] | None = None,
) -> ir.Table:
    """:func:`measures` for one quarter (qtr '1'-'4') of the ``qcew_quarterly`` table."""
    if qtr not in QUARTERS:
        raise ValueError(f"quarter must be 1, 2, 3 or 4, not {qtr!r}")
    return measures(
        qcew,
        year=year,
        qtr=qtr,
        reference=reference,
        areas=areas,
        ownerships=ownerships,
        regions=regions,
        area_titles=area_titles,
        industry_titles=industry_titles,
        bls_rounding=bls_rounding,
        columns=columns,
    )


def annual_measures(
    qcew: ir.Table,
    *,
    year: int,
    reference: str,
    areas: Sequence[str] | None = None,
    ownerships: Sequence[int] | None = None,
    regions: Sequence[Region] = (),
    area_titles: ir.Table | None = None,
    industry_titles: ir.Table | None = None,
    bls_rounding: bool = True,
    columns: Sequence[str] | None = None,
) -> ir.Table:
    """:func:`measures` for annual averages (the ``qcew_annual`` table, qtr 'A'): ``annual_*`` columns."""
    return measures(
        qcew,
        year=year,
        qtr=ANNUAL_QTR,
        reference=reference,
        areas=areas,
        ownerships=ownerships,
        regions=regions,
        area_titles=area_titles,
        industry_titles=industry_titles,
        bls_rounding=bls_rounding,
        columns=columns,
    )


#: ``--level`` words and NAICS digit counts -> the units digits of ``agglvl_code`` they select (a region's
#: rows carry their counties' agglvl_code, so the rule holds for regions too).
LEVEL_UNITS: Final[dict[str, tuple[int, ...]]] = {
    "total": (0, 1),
    "domain": (2,),
    "supersector": (3,),
    "sector": (4,),
    "2": (4,),
    **{f"naics{digits}": (digits + 2,) for digits in range(3, 7)},
    **{str(digits): (digits + 2,) for digits in range(3, 7)},
}


@dataclass(frozen=True)
class IndustryLevel:
    """The rows of one industry level: by the units digit of agglvl_code, or one BLS aggregation level."""

    label: str
    units: tuple[int, ...] = ()
    agglvl_code: int | None = None


def industry_level(text: str) -> IndustryLevel:
    """``sector``, ``3``-``6`` (or ``naics3``-``naics6``), ``supersector``, ``domain``, ``total``, or a BLS
    aggregation level code such as ``74`` (county, NAICS sector); ValueError naming the choices otherwise."""
    word = text.strip().lower()
    if word in LEVEL_UNITS:
        return IndustryLevel(label=word, units=LEVEL_UNITS[word])
    if word.isdigit() and 10 <= int(word) <= 99:
        return IndustryLevel(label=f"agglvl {word}", agglvl_code=int(word))
    raise ValueError(
        f"--level {text!r}: choose sector, 3, 4, 5 or 6 (NAICS digits), supersector, domain, total, "
        "or a BLS aggregation level code such as 74"
    )


def select_industries(
    table: ir.Table, *, level: IndustryLevel | None = None, industries: Sequence[str] = ()
) -> ir.Table:
    """The rows of ``table`` (any table with ``industry_code`` and ``agglvl_code``, e.g. :func:`measures`)
    at ``level`` and whose industry code is one of ``industries`` or starts with one (``33`` selects 33,
    331 ... 3399; ``31`` also selects the sector BLS writes 31-33)."""
    if level is not None:
        if level.agglvl_code is not None:
            table = table.filter(table.agglvl_code == level.agglvl_code)
        else:
            table = table.filter((table.agglvl_code % 10).isin(list(level.units)))
    if industries:
        wanted: ir.BooleanValue = ibis.literal(False)
        for code in industries:
            wanted = wanted | table.industry_code.startswith(code)
        table = table.filter(wanted)
    return table


def growth(
    qcew: ir.Table,
    *,
    start_year: int,
    end_year: int,
    qtr: str = ANNUAL_QTR,
    figure: str | None = None,
    areas: Sequence[str] | None = None,
    ownerships: Sequence[int] | None = None,
    regions: Sequence[Region] = (),
) -> ir.Table:
    """Compound annual growth of one figure between the same period of two years.

    ``figure`` defaults to the period's employment (``annual_avg_emplvl`` for 'A', ``month3_emplvl`` for a
    quarter). Returns one row per (area_fips, own_code, industry_code) present in both years, with
    ``start_<figure>``, ``end_<figure>``, ``<figure>_chg`` and ``<figure>_cagr_pct`` =
    100 * ((end / start) ** (1 / (end_year - start_year)) - 1), NULL where either cell is suppressed or
    incomplete, or the start is not positive.
    """
    if end_year <= start_year:
        raise ValueError(f"end year {end_year} must come after start year {start_year}")
    figures = figures_for(qtr)
    name = figure or figures.employment
    if name not in figures.all:
        raise ValueError(
            f"{name!r} is not a figure of period {qtr!r}; choose one of {', '.join(figures.all)}"
        )
    both = cells(qcew, years=[start_year, end_year], qtr=qtr, regions=regions, only_areas=areas, keep=[name])
    start = both.filter(both.year == start_year)
    end = both.filter(both.year == end_year)
    end = end.select(
        e_area=end.area_fips,
        e_own=end.own_code,
        e_industry=end.industry_code,
        e_ok=_usable(end),
        e_incomplete=end.incomplete,
        e_estimated=_estimated(end),
        e_value=end[name],
    )
    joined = start.inner_join(
        end,
        [
            start.area_fips == end.e_area,
            start.own_code == end.e_own,
            start.industry_code == end.e_industry,
        ],
    )
    ok = _usable(joined) & joined.e_ok
    span = end_year - start_year
    start_value: ir.FloatingValue = joined[name].cast("float64")
    ratio = joined.e_value.cast("float64") / ibis.ifelse(start_value > 0, start_value, ibis.null("float64"))
    cagr = (ratio ** (1.0 / span) - 1.0) * 100.0
    result = joined.select(
        "area_fips",
        "area_title",
        "own_code",
        "industry_code",
        "agglvl_code",
        start_year=ibis.literal(start_year, type="int16"),
        end_year=ibis.literal(end_year, type="int16"),
        qtr="qtr",
        incomplete=joined.incomplete | joined.e_incomplete,
        **({ESTIMATED: _estimated(joined) | joined.e_estimated} if ESTIMATED in both.columns else {}),
        **{
            f"start_{name}": joined[name],
            f"end_{name}": joined.e_value,
            f"{name}_chg": ibis.ifelse(ok, joined.e_value - joined[name], ibis.null("int64")),
            f"{name}_cagr_pct": ibis.ifelse(ok, cagr, ibis.null("float64")),
        },
    )
    if areas is not None:
        wanted = [*areas, *(region.name for region in regions)]
        result = result.filter(result.area_fips.isin(wanted))
    if ownerships is not None:
        result = result.filter(result.own_code.isin([int(code) for code in ownerships]))
    return result.order_by(["area_fips", "own_code", "industry_code"])


#: The column that says where a row's location quotients come from (``measures --reference US000``).
LQ_SOURCE: Final = "lq_source"
LQ_COMPUTED: Final = "computed"
LQ_PUBLISHED: Final = "BLS published"
#: The nation's area code: the only reference BLS publishes LQs against.
NATION: Final = "US000"


def with_lq_source(result: ir.Table, *, qtr: str) -> ir.Table:
    """A :func:`measures` result with ``lq_source`` = 'computed' where its employment LQ is present."""
    lq = result[f"lq_{figures_for(qtr).employment}"]
    return result.mutate(
        **{LQ_SOURCE: ibis.ifelse(lq.notnull(), ibis.literal(LQ_COMPUTED), ibis.null("string"))}
    )


def published_location_quotients(result: ir.Table, qcew: ir.Table, *, year: int, qtr: str) -> ir.Table:
    """A :func:`measures` result whose ``lq_*`` columns hold BLS's published LQs (against the U.S.).

    For when the U.S. file (US000) is not loaded: every QCEW file carries BLS's own LQs of its area
    against the nation (kept by ingest). A BLS area's row gets them, with ``lq_source`` = 'BLS published';
    a region's row (an aggregate BLS does not publish) and a row BLS published none for get NULL LQs and
    NULL ``lq_source``. Where BLS marks the LQs as withheld (``lq_disclosure_code`` 'N') only the
    establishment LQ stays (BLS publishes establishment counts, and their LQ, for suppressed cells); the
    others are withheld (BLS writes 0 there). BLS's LQs are rounded to 2 decimals whatever
    ``bls_rounding`` was.
    """
    figures = figures_for(qtr)
    names = [name for name in figures.all if f"lq_{name}" in result.columns and f"lq_{name}" in qcew.columns]
    estabs = figures.summed[0]
    published = qcew.filter(qcew.year == year, qcew.qtr == qtr, qcew.size_code == 0)
    withheld = published.lq_disclosure_code.identical_to(SUPPRESSED)
    side = published.select(
        pub_area=published.area_fips.cast("string"),
        pub_own=published.own_code.cast("int16"),
        pub_industry=published.industry_code.cast("string"),
        **{
            f"pub_lq_{name}": (
                published[f"lq_{name}"].cast("float64")
                if name == estabs
                else ibis.ifelse(withheld, ibis.null("float64"), published[f"lq_{name}"].cast("float64"))
            )
            for name in names
        },
    )
    joined = result.left_join(
        side,
        [
            result.area_fips == side.pub_area,
            result.own_code.cast("int16") == side.pub_own,
            result.industry_code == side.pub_industry,
        ],
    )
    employment = f"pub_lq_{figures.employment}"
    source = (
        ibis.ifelse(joined[employment].notnull(), ibis.literal(LQ_PUBLISHED), ibis.null("string"))
        if employment in joined.columns
        else ibis.null("string")
    )
    replaced = {f"lq_{name}" for name in names}
    return joined.select(
        *[
            joined[f"pub_{column}"].name(column) if column in replaced else joined[column]
            for column in result.columns
        ],
        **{LQ_SOURCE: source},
    )
