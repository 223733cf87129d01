"""Suppressed QCEW cells filled with the estimator's figures: stored once, joined in lazily everywhere.

One estimator (:mod:`sectorwise.lmi.suppression`) for every analysis: its estimates are computed once per
state and year and stored in the warehouse's ``qcew_estimates`` table (one row per suppressed cell, period
and measure: ``estimate``, ``low``, ``high``, ``status`` ``derived``/``estimated``), by
``sectorwise lmi estimate`` and at the end of ``sectorwise lmi ingest``. :func:`filled_qcew` is an Ibis join
(no solver): the QCEW table with each estimated cell's measures replaced by the estimate, an ``estimated``
flag, and ``<measure>_low``/``<measure>_high`` beside every filled measure (a disclosed cell's bounds are its
value). The measures then run on the filled table unchanged; ``--no-estimate`` runs them on the raw table.

Quarterly cells: the estimator solves each quarter over the state's adding-up constraints (statewide,
counties and the 999 'unknown' county). Annual cells (``qcew_annual``): the annual average employment and
annual wages of a suppressed cell are the mean of its twelve months and the sum of its four quarters, each
quarter filled (BLS's figure where published, else the quarter's estimate; the bounds add up the same way),
when the four quarters are loaded; an annual cell without them is left suppressed. The annual file's own
averages are rounded per cell, so they do not add up exactly and are not solved on their own.

The solver (scipy) runs where the data are read, never on Spark; the join of :func:`filled_qcew` is plain
Ibis and runs on any backend.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import ibis

from sectorwise.lmi.codes import SUPPRESSED
from sectorwise.lmi.warehouse import ANNUAL_TABLE, QUARTERLY_TABLE

if TYPE_CHECKING:
    import duckdb
    import ibis.expr.types as ir
    import pandas as pd
    from ibis.backends.duckdb import Backend as DuckDBBackend

ESTIMATES_TABLE: Final = "qcew_estimates"
ESTIMATES_COLUMNS: Final[dict[str, str]] = {
    "area_fips": "VARCHAR",
    "own_code": "SMALLINT",
    "industry_code": "VARCHAR",
    "agglvl_code": "SMALLINT",
    "size_code": "SMALLINT",
    "year": "SMALLINT",
    "qtr": "VARCHAR",
    "measure": "VARCHAR",
    "estimate": "DOUBLE",
    "low": "DOUBLE",
    "high": "DOUBLE",
    "status": "VARCHAR",
}
#: The measures filled in each table (the quarterly ones are :data:`suppression.SUPPRESSION_MEASURES`, which
#: imports scipy: this module is imported by every analysis, so it stays light).
SUPPRESSION_MEASURES: Final = ("month1_emplvl", "month2_emplvl", "month3_emplvl", "total_qtrly_wages")
ANNUAL_MEASURES: Final = ("annual_avg_emplvl", "total_annual_wages")
FILLED_MEASURES: Final[dict[str, tuple[str, ...]]] = {
    QUARTERLY_TABLE: SUPPRESSION_MEASURES,
    ANNUAL_TABLE: ANNUAL_MEASURES,
}
#: The column that says a row's figures (or the LQs and changes computed from them) rest on an estimate.
ESTIMATED: Final = "estimated"
_KEYS: Final = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr")
_MONTHS: Final = ("month1_emplvl", "month2_emplvl", "month3_emplvl")


def low_column(measure: str) -> str:
    return f"{measure}_low"


def high_column(measure: str) -> str:
    return f"{measure}_high"


def is_filled(table: ir.Table) -> bool:
    """Whether ``table`` is a :func:`filled_qcew` table (it carries the ``estimated`` flag)."""
    return ESTIMATED in table.columns


def filled_measures(table: ir.Table) -> tuple[str, ...]:
    """The measures of a filled table that carry bounds (none for a raw table)."""
    if not is_filled(table):
        return ()
    return tuple(m for ms in FILLED_MEASURES.values() for m in ms if low_column(m) in table.columns)


def ensure_estimates_table(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in ESTIMATES_COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {ESTIMATES_TABLE} ({columns})")


# --- computing and storing --------------------------------------------------------------------------


@dataclass
class EstimateSummary:
    """What one run of :func:`store_estimates` did."""

    state_years: list[tuple[str, int]] = field(default_factory=list)
    quarterly_rows: int = 0
    annual_rows: int = 0
    suppressed_cells: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)


def estimable_state_years(
    con: duckdb.DuckDBPyConnection,
    *,
    states: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    require_unknown_county: bool = False,
) -> list[tuple[str, int]]:
    """(state FIPS, year) pairs whose statewide quarterly cells (SS000) are loaded, and with
    ``require_unknown_county`` their SS999 cells too (the geography constraint needs every county's)."""
    rows = con.execute(
        f"SELECT DISTINCT area_fips, year FROM {QUARTERLY_TABLE} "
        "WHERE regexp_full_match(area_fips, '\\d\\d(000|999)')"
    ).fetchall()
    present = {(str(area), int(year)) for area, year in rows}
    found: list[tuple[str, int]] = []
    for area, year in sorted(present):
        state = area[:2]
        if not area.endswith("000") or (states is not None and state not in states):
            continue
        if years is not None and year not in years:
            continue
        if require_unknown_county and (state + "999", year) not in present:
            continue
        found.append((state, year))
    return found


def _state_cells(con: duckdb.DuckDBPyConnection, table: str, state: str, year: int) -> pd.DataFrame:
    columns = ["area_fips", "own_code", "industry_code", "agglvl_code", "year", "qtr", "disclosure_code"]
    if table == QUARTERLY_TABLE:
        columns += ["qtrly_estabs", *SUPPRESSION_MEASURES]
    else:
        columns += ["annual_avg_estabs", *ANNUAL_MEASURES]
    frame = con.execute(
        f"SELECT {', '.join(columns)} FROM {table} WHERE size_code = 0 AND year = ? "
        "AND regexp_full_match(area_fips, ?)",
        [year, f"{state}\\d\\d\\d"],
    ).df()
    return frame


def quarterly_estimates(cells: pd.DataFrame) -> pd.DataFrame:
    """Estimates of a state-year's suppressed quarterly cells in the ``qcew_estimates`` layout."""
    from sectorwise.lmi.suppression import estimate_suppressed

    result = estimate_suppressed(cells)
    result = result.assign(size_code=0)
    return result[list(ESTIMATES_COLUMNS)]


def annual_from_quarters(
    annual: pd.DataFrame, quarters: pd.DataFrame, estimates: pd.DataFrame
) -> pd.DataFrame:
    """Estimates of a state-year's suppressed annual cells from its four filled quarters (module docstring).

    ``annual``: the annual cells; ``quarters``: the quarterly cells of the same year; ``estimates``: the
    quarterly estimates (:func:`quarterly_estimates`).
    """
    import pandas as pd

    keys = ["area_fips", "own_code", "industry_code"]
    suppressed = annual[annual["disclosure_code"].fillna("") == SUPPRESSED]
    if suppressed.empty or quarters.empty:
        return pd.DataFrame(columns=list(ESTIMATES_COLUMNS))
    long = quarters.melt(
        id_vars=[*keys, "qtr"], value_vars=list(SUPPRESSION_MEASURES), var_name="measure", value_name="value"
    )
    long["low"] = long["high"] = long["value"].astype("float64")
    long["derived"] = True
    filled = estimates.set_index([*keys, "qtr", "measure"])
    at = long.set_index([*keys, "qtr", "measure"]).index
    hit = at.isin(filled.index)
    matched = filled.reindex(at[hit])
    long.loc[hit, "value"] = matched["estimate"].to_numpy()
    long.loc[hit, "low"] = matched["low"].to_numpy()
    long.loc[hit, "high"] = matched["high"].to_numpy()
    long.loc[hit, "derived"] = (matched["status"] == "derived").to_numpy()
    suppressed_q = quarters[quarters["disclosure_code"].fillna("") == SUPPRESSED].set_index([*keys, "qtr"])
    # A suppressed quarter without an estimate (nothing stored for it) cannot be filled.
    unfilled = long.set_index([*keys, "qtr"]).index.isin(suppressed_q.index) & ~hit
    long = long[~unfilled]
    long["month"] = long["measure"].isin(_MONTHS)
    out: list[pd.DataFrame] = []
    for annual_measure, is_month, parts in (
        ("annual_avg_emplvl", True, 12),
        ("total_annual_wages", False, 4),
    ):
        part = long[long["month"] == is_month]
        sums = part.groupby(keys).agg(
            n=("value", "size"),
            estimate=("value", "sum"),
            low=("low", "sum"),
            high=("high", "sum"),
            derived=("derived", "all"),
        )
        sums = sums[sums["n"] == parts]
        if is_month:
            sums[["estimate", "low", "high"]] = sums[["estimate", "low", "high"]] / 12.0
        merged = suppressed.merge(sums.reset_index(), on=keys, how="inner")
        merged["measure"] = annual_measure
        merged["size_code"] = 0
        merged["status"] = merged["derived"].map({True: "derived", False: "estimated"})
        out.append(merged[list(ESTIMATES_COLUMNS)])
    return pd.concat(out, ignore_index=True)


def _replace(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, state: str, year: int, qtrs: str
) -> None:
    con.execute(
        f"DELETE FROM {ESTIMATES_TABLE} WHERE year = ? AND regexp_full_match(area_fips, ?) AND "
        + ("qtr = 'A'" if qtrs == "A" else "qtr <> 'A'"),
        [year, f"{state}\\d\\d\\d"],
    )
    if frame.empty:
        return
    frame = frame.astype({"own_code": "int16", "agglvl_code": "int16", "size_code": "int16", "year": "int16"})
    con.register("_sectorwise_estimates", frame)
    try:
        columns = ", ".join(ESTIMATES_COLUMNS)
        con.execute(f"INSERT INTO {ESTIMATES_TABLE} SELECT {columns} FROM _sectorwise_estimates")
    finally:
        con.unregister("_sectorwise_estimates")


def store_estimates(
    con: duckdb.DuckDBPyConnection,
    *,
    state_years: Iterable[tuple[str, int]],
    progress: Callable[[str, int], None] | None = None,
) -> EstimateSummary:
    """Compute and store (replacing what was stored) the estimates of each (state, year): quarters first,
    then the annual cells from them. Write through :func:`sectorwise.lmi.warehouse.writing`."""
    import pandas as pd

    ensure_estimates_table(con)
    summary = EstimateSummary()
    started = time.monotonic()
    for state, year in state_years:
        if progress is not None:
            progress(state, year)
        quarters = _state_cells(con, QUARTERLY_TABLE, state, year)
        estimates = quarterly_estimates(quarters) if not quarters.empty else pd.DataFrame()
        if estimates.empty:
            estimates = pd.DataFrame(columns=list(ESTIMATES_COLUMNS))
        _replace(con, estimates, state=state, year=year, qtrs="Q")
        annual = _state_cells(con, ANNUAL_TABLE, state, year)
        annual_estimates = annual_from_quarters(annual, quarters, estimates)
        if not annual.empty:
            _replace(con, annual_estimates, state=state, year=year, qtrs="A")
        summary.state_years.append((state, year))
        summary.quarterly_rows += len(estimates)
        summary.annual_rows += len(annual_estimates)
        summary.suppressed_cells += int((quarters["disclosure_code"].fillna("") == SUPPRESSED).sum())
    summary.seconds = time.monotonic() - started
    return summary


# --- the lazy filled table --------------------------------------------------------------------------


def has_estimates(con: DuckDBBackend) -> bool:
    return ESTIMATES_TABLE in con.list_tables()


def filled_qcew(qcew: ir.Table, estimates: ir.Table, *, measures: Sequence[str] | None = None) -> ir.Table:
    """``qcew`` (``qcew_quarterly`` or ``qcew_annual``) with its estimated cells filled (module docstring).

    Same columns, the filled measures holding the estimate (rounded to a whole number, as BLS publishes),
    the average wages of a filled cell recomputed from its filled figures, plus ``estimated`` (bool) and
    ``<measure>_low``/``<measure>_high`` per filled measure. A suppressed cell without an estimate keeps its
    zeros with ``estimated`` false and NULL bounds: it stays suppressed.
    """
    annual = "annual_avg_emplvl" in qcew.columns
    chosen = tuple(measures or (ANNUAL_MEASURES if annual else SUPPRESSION_MEASURES))
    wanted = estimates.filter(
        estimates.measure.isin(list(chosen)), estimates.qtr == "A" if annual else estimates.qtr != "A"
    )
    pivot = wanted.group_by(list(_KEYS)).aggregate(
        **{
            f"e_{kind}_{m}": wanted[kind].max(where=wanted.measure == m)
            for m in chosen
            for kind in ("estimate", "low", "high")
        }
    )
    pivot = pivot.rename(**{f"e_{k}": k for k in _KEYS})
    joined = qcew.left_join(pivot, [qcew[k] == pivot[f"e_{k}"] for k in _KEYS])
    has = ibis.literal(False)
    for m in chosen:
        has = has | joined[f"e_estimate_{m}"].notnull()
    filled: dict[str, ir.Value] = {}
    for m in chosen:
        dtype = qcew[m].type()
        estimate = joined[f"e_estimate_{m}"]
        filled[m] = ibis.ifelse(estimate.notnull(), estimate.round(0).cast(dtype), joined[m])
        value = joined[m].cast("float64")
        filled[low_column(m)] = ibis.ifelse(
            estimate.notnull(),
            joined[f"e_low_{m}"],
            ibis.ifelse(joined.disclosure_code.identical_to(SUPPRESSED), ibis.null("float64"), value),
        )
        filled[high_column(m)] = ibis.ifelse(
            estimate.notnull(),
            joined[f"e_high_{m}"],
            ibis.ifelse(joined.disclosure_code.identical_to(SUPPRESSED), ibis.null("float64"), value),
        )
    filled.update(_filled_wages(joined, filled, has, annual=annual))
    return joined.select(
        *[filled.get(c, joined[c]).name(c) for c in qcew.columns],
        **{ESTIMATED: has},
        **{name: filled[name] for m in chosen for name in (low_column(m), high_column(m))},
    )


def _filled_wages(
    joined: ir.Table, filled: dict[str, ir.Value], has: ir.BooleanValue, *, annual: bool
) -> dict[str, ir.Value]:
    """A filled cell's average wages, from its filled figures, computed as BLS computes them."""

    def ratio(numerator: ir.Value, denominator: ir.Value) -> ir.Value:
        quotient = numerator.cast("float64") / denominator.cast("float64").nullif(0.0)
        return quotient.round(0).fill_null(0).cast("int64")

    out: dict[str, ir.Value] = {}
    if annual:
        if "total_annual_wages" in filled and "annual_avg_emplvl" in filled:
            wages, emp = filled["total_annual_wages"], filled["annual_avg_emplvl"]
            if "annual_avg_wkly_wage" in joined.columns:
                out["annual_avg_wkly_wage"] = ibis.ifelse(
                    has, ratio(wages, emp * 52), joined.annual_avg_wkly_wage
                )
            if "avg_annual_pay" in joined.columns:
                out["avg_annual_pay"] = ibis.ifelse(has, ratio(wages, emp), joined.avg_annual_pay)
        return out
    if all(m in filled for m in SUPPRESSION_MEASURES) and "avg_wkly_wage" in joined.columns:
        months = filled["month1_emplvl"] + filled["month2_emplvl"] + filled["month3_emplvl"]
        out["avg_wkly_wage"] = ibis.ifelse(
            has, ratio(filled["total_qtrly_wages"] * 3, months * 13), joined.avg_wkly_wage
        )
    return out


def analysis_table(con: DuckDBBackend, *, annual: bool, estimate: bool) -> ir.Table:
    """The table analyses read: the period's QCEW table, filled with the stored estimates when
    ``estimate`` is true and the warehouse holds any (else the raw table: BLS's figures exactly)."""
    raw = con.table(ANNUAL_TABLE if annual else QUARTERLY_TABLE)
    if not estimate or not has_estimates(con):
        return raw
    return filled_qcew(raw, con.table(ESTIMATES_TABLE))
