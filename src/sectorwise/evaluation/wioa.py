"""WIOA-style performance indicators from participants and UI wage records, per partnership and exit cohort.

Definitions follow the U.S. Department of Labor's TEGL 10-16, Change 2 ("Performance Accountability Guidance
for WIOA Title I, II, III and IV Core Programs", 2022), Attachments on the primary indicators:

- **Employment rate, 2nd (4th) quarter after exit**: the share of exiters with wages in the 2nd (4th)
  calendar quarter after the quarter of exit. "Employed" here means a UI wage record with wages > 0 (the
  supplemental sources WIOA also allows are not held).
- **Median earnings, 2nd quarter after exit**: the median of total wages in that quarter (all employers)
  among the exiters employed in it.
- **Retention with the same employer in the 2nd and 4th quarters after exit** (Effectiveness in Serving
  Employers, approach 2): among the exiters employed in the 2nd quarter after exit, the share employed by
  one of those same employers (same employer id) in the 4th quarter after exit.
- **Credential rate**: the share of exiters who attained a credential. Simplified: WIOA's credential
  attainment rate counts only participants in education or training and credentials within a year of exit;
  here the denominator is every exiter and the flag is the caller's.

A cohort is the calendar year and quarter of exit; participants without an exit date have not exited and
are left out. A quarter after exit that the wage records do not cover yet (later than ``wages_through``,
default the latest quarter in the wage records) is not counted as "not employed": that indicator's ``n``
is 0 for the cohort. Each indicator comes with its ``n`` (its denominator) and is suppressed (``<NA>``)
when ``n`` is under ``minimum``; rates have Wilson intervals (:func:`~sectorwise.evaluation.statistics.
proportion`). Person ids must be identifier hashes (:func:`~sectorwise.evaluation.identifiers.
identifier_hash`): raw SSNs are refused before anything is computed.

Computed in one DuckDB query over the two tables (pandas DataFrames or Arrow tables, registered without
copying).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final, TypeAlias

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from statsmodels.stats.proportion import proportion_confint

from sectorwise.evaluation.statistics import DEFAULT_MINIMUM

PARTICIPANT_COLUMNS: Final = ("person_id", "partnership_id", "entry_date", "exit_date", "credential")
WAGE_COLUMNS: Final = ("person_id", "year", "quarter", "employer_id", "wages")
RATES: Final = ("employment_q2", "employment_q4", "retention", "credential_rate")
_HASH_REGEX: Final = "[0-9a-f]{64}"

Table: TypeAlias = pd.DataFrame | pa.Table


def _columns(table: Table) -> list[str]:
    return [str(c) for c in (table.column_names if isinstance(table, pa.Table) else table.columns)]


def _require(table: Table, needed: tuple[str, ...], name: str) -> None:
    missing = [c for c in needed if c not in _columns(table)]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)} (expected {', '.join(needed)})")


def _first_problems(connection: duckdb.DuckDBPyConnection, table: str, checks: dict[str, str]) -> None:
    """One scan of ``table`` counting the rows that fail each check (SQL condition -> message); raises for
    the first failing check with the count and the first row (1-based position in the table as given)."""
    columns = ", ".join(f"count(*) FILTER ({condition}), min(r) FILTER ({condition})" for condition in checks)
    row = connection.execute(f"SELECT {columns} FROM {table}").fetchone()
    if row is None:  # pragma: no cover - an aggregate always returns one row
        raise RuntimeError(f"validation of {table} returned nothing")
    for index, message in enumerate(checks.values()):
        count, first = row[2 * index], row[2 * index + 1]
        if count:
            raise ValueError(message.format(count=count, row=first))


def _validate(connection: duckdb.DuckDBPyConnection) -> None:
    # The messages never show an identifier.
    not_a_hash = f"person_id IS NULL OR NOT regexp_full_match(person_id, '{_HASH_REGEX}')"
    _first_problems(
        connection,
        "participants",
        {
            not_a_hash: "participants: {count} person_id value(s) are not identifier hashes (first at row "
            "{row}); hash identifiers with sectorwise.evaluation.identifier_hash before computing indicators",
            "exit_date < entry_date OR partnership_id IS NULL": "participants: {count} row(s) exit before "
            "they enter or have no partnership_id (first at row {row})",
        },
    )
    _first_problems(
        connection,
        "wages",
        {
            not_a_hash: "wages: {count} person_id value(s) are not identifier hashes (first at row {row})",
            "quarter NOT BETWEEN 1 AND 4 OR year IS NULL OR quarter IS NULL OR employer_id IS NULL": "wages: "
            "{count} row(s) have no year, a quarter outside 1-4 or no employer_id (first at row {row})",
        },
    )


_QUERY: Final = """
WITH p AS (
    SELECT r AS pid, person_id, partnership_id,
           year(exit_date) AS exit_year, quarter(exit_date) AS exit_quarter,
           year(exit_date) * 4 + quarter(exit_date) - 1 AS exit_q,
           coalesce(credential, false) AS credential
    FROM participants WHERE exit_date IS NOT NULL
),
-- One join: each exiter's wage records in the 2nd and 4th quarters after exit, then per employer and person.
hits AS (
    SELECT p.pid, w.employer_id, w.year * 4 + w.quarter - 1 - p.exit_q AS after, round(w.wages * 100) AS cents
    FROM p JOIN wages AS w ON w.person_id = p.person_id
    WHERE w.wages > 0 AND w.year * 4 + w.quarter - 1 - p.exit_q IN (2, 4)
),
by_employer AS (
    SELECT pid, bool_or(after = 2) AS in_q2, bool_or(after = 4) AS in_q4,
           sum(cents) FILTER (after = 2) AS q2_cents
    FROM hits GROUP BY pid, employer_id
),
by_person AS (
    SELECT pid, sum(q2_cents)::BIGINT AS q2_cents, bool_or(in_q4) AS q4_employed,
           bool_or(in_q2 AND in_q4) AS retained
    FROM by_employer GROUP BY pid
),
per AS (
    SELECT p.partnership_id, p.exit_year, p.exit_quarter, p.credential,
           p.exit_q + 2 <= $through AS q2_seen, p.exit_q + 4 <= $through AS q4_seen,
           b.q2_cents, coalesce(b.q4_employed, false) AS q4_employed, coalesce(b.retained, false) AS retained
    FROM p LEFT JOIN by_person AS b USING (pid)
)
SELECT {keys},
    count(*) AS exiters,
    count(*) FILTER (q2_seen) AS employment_q2_n,
    count(*) FILTER (q2_seen AND q2_cents IS NOT NULL) AS employment_q2_k,
    count(*) FILTER (q4_seen) AS employment_q4_n,
    count(*) FILTER (q4_seen AND q4_employed) AS employment_q4_k,
    count(*) FILTER (q2_seen AND q2_cents IS NOT NULL) AS median_earnings_q2_n,
    quantile_cont(q2_cents, 0.5) FILTER (q2_seen AND q2_cents IS NOT NULL) AS median_cents,
    count(*) FILTER (q4_seen AND q2_cents IS NOT NULL) AS retention_n,
    count(*) FILTER (q4_seen AND retained) AS retention_k,
    count(*) AS credential_rate_n,
    count(*) FILTER (credential) AS credential_rate_k
FROM per GROUP BY ALL ORDER BY ALL
"""


def wioa_indicators(
    participants: Table,
    wages: Table,
    *,
    minimum: int = DEFAULT_MINIMUM,
    wages_through: tuple[int, int] | None = None,
    by_cohort: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The WIOA-style indicators (see the module's docstring) per partnership and exit cohort.

    ``participants`` has :data:`PARTICIPANT_COLUMNS` (one row per period of participation: person_id a
    hash, partnership_id, entry_date and exit_date as dates, credential a boolean); ``wages`` has
    :data:`WAGE_COLUMNS` (person_id a hash, year, quarter 1-4, employer_id, wages in dollars).
    ``wages_through`` is the last (year, quarter) the wage records cover; ``by_cohort=False`` gives one row
    per partnership over all exits.

    Returns one row per partnership (and cohort: ``exit_year``, ``exit_quarter``) with ``exiters`` and, for
    each of :data:`RATES`, the rate, ``_low``, ``_high`` and ``_n``; ``median_earnings_q2`` (a Decimal, whole
    cents or half cents) and its ``_n``. Suppressed figures are ``<NA>`` / ``None``.
    """
    _require(participants, PARTICIPANT_COLUMNS, "participants")
    _require(wages, WAGE_COLUMNS, "wages")
    if minimum < 0:
        raise ValueError(f"minimum must be >= 0, got {minimum!r}")
    connection = duckdb.connect()
    try:
        connection.register("participants_given", participants)
        connection.register("wages_given", wages)
        # Copied once into DuckDB's own tables, with the columns used, the hash as text and row positions
        # for messages: the checks and the query then scan native, parallel storage.
        connection.execute(
            "CREATE TEMP TABLE participants AS SELECT row_number() OVER () AS r, "
            "person_id::VARCHAR AS person_id, partnership_id, entry_date::DATE AS entry_date, "
            "exit_date::DATE AS exit_date, credential::BOOLEAN AS credential FROM participants_given"
        )
        connection.execute(
            "CREATE TEMP TABLE wages AS SELECT row_number() OVER () AS r, person_id::VARCHAR AS person_id, "
            "year::INTEGER AS year, quarter::INTEGER AS quarter, employer_id, wages::DOUBLE AS wages "
            "FROM wages_given"
        )
        _validate(connection)
        if wages_through is None:
            latest = connection.execute("SELECT max(year * 4 + quarter - 1) FROM wages").fetchone()
            through = int(latest[0]) if latest is not None and latest[0] is not None else -1
        else:
            year, quarter = wages_through
            if not 1 <= quarter <= 4:
                raise ValueError(f"wages_through: quarter must be 1-4, got {quarter!r}")
            through = year * 4 + quarter - 1
        keys = "partnership_id, exit_year, exit_quarter" if by_cohort else "partnership_id"
        counts = connection.execute(_QUERY.format(keys=keys), {"through": through}).df()
    finally:
        connection.close()
    return _shown(counts, minimum=minimum, confidence=confidence)


def _shown(counts: pd.DataFrame, *, minimum: int, confidence: float) -> pd.DataFrame:
    """Rates, intervals and medians from the counts, suppressed below ``minimum``."""
    keys = [c for c in ("partnership_id", "exit_year", "exit_quarter") if c in counts.columns]
    result = counts[[*keys, "exiters"]].copy()
    for rate in RATES:
        n = counts[f"{rate}_n"].to_numpy(dtype=np.int64)
        k = counts[f"{rate}_k"].to_numpy(dtype=np.int64)
        shown = (n >= minimum) & (n > 0)
        value = np.full(n.shape, np.nan)
        low = np.full(n.shape, np.nan)
        high = np.full(n.shape, np.nan)
        if shown.any():
            value[shown] = k[shown] / n[shown]
            lows, highs = proportion_confint(k[shown], n[shown], alpha=1 - confidence, method="wilson")
            low[shown], high[shown] = lows, highs
        for suffix, array in (("", value), ("_low", low), ("_high", high)):
            result[f"{rate}{suffix}"] = pd.array(
                [pd.NA if np.isnan(v) else float(v) for v in array], dtype="Float64"
            )
        result[f"{rate}_n"] = n
    median_n = counts["median_earnings_q2_n"].to_numpy(dtype=np.int64)
    medians: list[Any] = [
        _cents_to_dollars(cents) if count >= minimum and count > 0 else None
        for cents, count in zip(counts["median_cents"].tolist(), median_n, strict=True)
    ]
    result["median_earnings_q2"] = pd.Series(medians, index=result.index, dtype=object)
    result["median_earnings_q2_n"] = median_n
    return result.reset_index(drop=True)


def _cents_to_dollars(cents: float) -> Decimal:
    # The median of whole cents is a whole or half cent: exact in a double, exact as a Decimal.
    dollars = Decimal(round(cents * 2)) / Decimal(200)
    whole_cents = dollars.quantize(Decimal("0.01"))
    return whole_cents if whole_cents == dollars else dollars.quantize(Decimal("0.001"))
