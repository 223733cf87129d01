"""Annual averages derived from four loaded quarters, for years whose annual file is not loaded.

BLS publishes annual averages in their own files (``qcew_annual``). Where a year's four quarters are loaded
and its annual file is not, :func:`derived_annual` computes the annual cells the way BLS defines them:

- ``annual_avg_emplvl`` = the mean of the twelve months, rounded (half up);
- ``annual_avg_estabs`` = the mean of the four quarters' establishment counts, rounded (half up);
- ``total_annual_wages``, ``taxable_annual_wages``, ``annual_contributions`` = the sums of the four quarters;
- ``annual_avg_wkly_wage`` = round(total_annual_wages / mean of the twelve months / 52) and
  ``avg_annual_pay`` = round(total_annual_wages / mean of the twelve months), with the unrounded mean as
  BLS divides by it.

A cell missing from a quarter of an area that has that quarter loaded counts as zero in it (BLS's file has
no row for an industry without establishments that quarter). An area is derived only where all four of its
quarters are loaded. A cell with any suppressed quarter is suppressed ('N', zeros), unless the quarterly
table is filled (:mod:`sectorwise.lmi.filled`) and the quarter holds an estimate: the annual cell is then
``estimated`` with bounds summed from the quarters'. BLS's published ``lq_*``/``oty_*`` columns are NULL
(BLS's own annual LQs are not derivable from the quarters'). Every derived row has ``derived`` true;
:func:`annual_with_derived` unions them with the annual file's rows (``derived`` false).

Checked against BLS's annual file where both are loaded (``tests/lmi/test_annual_derived.py``, Mid-Ohio
2020): the sums (wages, contributions) are exact; averages differ only where BLS's annual file itself
differs from its quarters (revisions after the quarterly release) — the agreement is reported there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import ibis
import ibis.expr.types as ir

from sectorwise.lmi.codes import SUPPRESSED
from sectorwise.lmi.filled import ESTIMATED, high_column, low_column

#: Column saying an annual row was derived from quarters (not read from BLS's annual file).
DERIVED: Final = "derived"
_MONTHS: Final = ("month1_emplvl", "month2_emplvl", "month3_emplvl")
_SUMS: Final = {
    "total_annual_wages": "total_qtrly_wages",
    "taxable_annual_wages": "taxable_qtrly_wages",
    "annual_contributions": "qtrly_contributions",
}
_CELL: Final = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year")


def _half_up(value: ir.FloatingValue) -> ir.IntegerValue:
    rounded: ir.IntegerValue = (value + 0.5).floor().cast("int64")
    return rounded


def _ratio(numerator: ir.Value, denominator: ir.Value) -> ir.IntegerValue:
    quotient: ir.FloatingValue = numerator.cast("float64") / denominator.cast("float64").nullif(0.0)
    result: ir.IntegerValue = quotient.round(0).fill_null(0).cast("int64")
    return result


def complete_years(quarterly: ir.Table, *, years: Sequence[int]) -> ir.Table:
    """(area_fips, year) pairs of ``years`` whose four quarters are all loaded."""
    held = quarterly.filter(quarterly.year.isin(list(years)))
    counts = held.group_by(["area_fips", "year"]).aggregate(quarters=held.qtr.nunique())
    return counts.filter(counts.quarters == 4).select("area_fips", "year")


def derived_annual(quarterly: ir.Table, annual: ir.Table, *, years: Sequence[int]) -> ir.Table:
    """The annual cells of ``years`` derived from ``quarterly`` (module docstring), in ``annual``'s columns
    plus ``derived`` (true)."""
    filled = ESTIMATED in quarterly.columns
    complete = complete_years(quarterly, years=years).rename(c_area="area_fips", c_year="year")
    rows = quarterly.filter(quarterly.year.isin(list(years)), quarterly.size_code == 0)
    rows = rows.inner_join(complete, [rows.area_fips == complete.c_area, rows.year == complete.c_year])
    hidden = rows.disclosure_code.identical_to(SUPPRESSED)
    if filled:
        hidden = hidden & ~rows[ESTIMATED]
    months = rows.month1_emplvl + rows.month2_emplvl + rows.month3_emplvl
    aggregates: dict[str, ir.Value] = {
        "hidden_quarters": ibis.ifelse(hidden, 1, 0).sum(),
        "withheld_quarters": ibis.ifelse(rows.disclosure_code.identical_to(SUPPRESSED), 1, 0).sum(),
        "month_sum": months.cast("int64").sum(),
        "estab_sum": rows.qtrly_estabs.cast("int64").sum(),
        **{name: rows[source].cast("int64").sum() for name, source in _SUMS.items()},
    }
    if filled:
        aggregates[ESTIMATED] = rows[ESTIMATED].any()
        for end, column in (("low", low_column), ("high", high_column)):
            aggregates[f"months_{end}"] = sum(
                (rows[column(month)] for month in _MONTHS[1:]), rows[column(_MONTHS[0])]
            ).sum()
            aggregates[f"wages_{end}"] = rows[column("total_qtrly_wages")].sum()
    cells = rows.group_by(list(_CELL)).aggregate(**aggregates)
    suppressed = cells.hidden_quarters > 0
    mean_months: ir.FloatingValue = cells.month_sum.cast("float64") / 12.0

    def shown(value: ir.Value) -> ir.Value:
        return ibis.ifelse(suppressed, ibis.literal(0, type="int64"), value)

    values: dict[str, ir.Value] = {
        "area_fips": cells.area_fips,
        "own_code": cells.own_code,
        "industry_code": cells.industry_code,
        "agglvl_code": cells.agglvl_code,
        "size_code": cells.size_code,
        "year": cells.year,
        "qtr": ibis.literal("A"),
        # 'N' where a quarter is withheld, as in a filled table (the figures may hold an estimate).
        "disclosure_code": ibis.ifelse(
            cells.withheld_quarters > 0, ibis.literal(SUPPRESSED), ibis.null("string")
        ),
        "annual_avg_estabs": _half_up(cells.estab_sum.cast("float64") / 4.0),
        "annual_avg_emplvl": shown(_half_up(mean_months)),
        **{name: shown(cells[name]) for name in _SUMS},
        "annual_avg_wkly_wage": shown(_ratio(cells.total_annual_wages, mean_months * 52)),
        "avg_annual_pay": shown(_ratio(cells.total_annual_wages, mean_months)),
    }
    if filled:
        values[ESTIMATED] = cells[ESTIMATED]
        for end in ("low", "high"):
            values[f"annual_avg_emplvl_{end}"] = cells[f"months_{end}"].cast("float64") / 12.0
            values[f"total_annual_wages_{end}"] = cells[f"wages_{end}"].cast("float64")
    columns = []
    for name in annual.columns:
        dtype = annual[name].type()
        value = values[name] if name in values else ibis.null(dtype)
        columns.append(value.cast(dtype).name(name))
    return cells.select(*columns, **{DERIVED: ibis.literal(True)})


def annual_with_derived(annual: ir.Table, quarterly: ir.Table, *, derive: Sequence[int]) -> ir.Table:
    """``annual`` with ``derived`` false, and for the years in ``derive`` the cells derived from the quarters
    instead (those years' annual rows, if any, are left out)."""
    kept = annual.filter(~annual.year.isin(list(derive))) if derive else annual
    kept = kept.mutate(**{DERIVED: ibis.literal(False)})
    if not derive:
        return kept
    return ibis.union(kept, derived_annual(quarterly, annual, years=derive))


def years_to_derive(
    annual_years: Sequence[int], quarterly_complete_years: Sequence[int], wanted: Sequence[int]
) -> list[int]:
    """The wanted years with no annual file loaded but four quarters (of some area) loaded."""
    return sorted(y for y in wanted if y not in annual_years and y in quarterly_complete_years)
