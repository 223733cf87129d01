"""Estimates with intervals for outcome evaluation: shares, before/after changes, difference in differences.

Every function returns a small frozen result with the estimate, its interval, ``n`` and, where it applies, a
p-value. A result computed from fewer than ``minimum`` units (default :data:`DEFAULT_MINIMUM`) is
*suppressed*: its numbers are ``None`` and only ``n`` and ``suppressed=True`` remain, so a page or an export
built from the result cannot show a small-number figure by mistake. Pass ``minimum=0`` to get every number
(tests, internal use).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

#: Fewer units than this and a figure is not shown (the issue's default; callers may raise it).
DEFAULT_MINIMUM: Final = 10

PAIRED_DIFFERENCE_METHOD: Final = "Newcombe (1998) method 10: hybrid score interval for paired data"


@dataclass(frozen=True, slots=True)
class Proportion:
    """A share with its Wilson interval; numbers are ``None`` when ``suppressed``."""

    n: int
    successes: int | None
    estimate: float | None
    low: float | None
    high: float | None
    confidence: float
    suppressed: bool


@dataclass(frozen=True, slots=True)
class PairedProportions:
    """Before and after shares of the same people, the change (after - before) with Newcombe's paired
    interval, and the exact McNemar p-value; numbers are ``None`` when ``suppressed``."""

    n: int
    before: Proportion
    after: Proportion
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    #: Discordant pairs: yes before and no after, no before and yes after.
    worsened: int | None
    improved: int | None
    confidence: float
    suppressed: bool
    method: str = PAIRED_DIFFERENCE_METHOD


@dataclass(frozen=True, slots=True)
class PairedMeans:
    """Mean change (after - before) of the same units with its paired t interval and p-value."""

    n: int
    mean_before: float | None
    mean_after: float | None
    estimate: float | None
    low: float | None
    high: float | None
    p_value: float | None
    confidence: float
    suppressed: bool


@dataclass(frozen=True, slots=True)
class DifferenceInDifferences:
    """The treated x post interaction of a two-group, two-period OLS with cluster-robust errors.

    ``n`` is the number of observations, ``smallest_cell`` the fewest observations among the four
    group x period cells (the figure the suppression rule looks at) and ``clusters`` the number of clusters.
    """

    n: int
    clusters: int
    smallest_cell: int
    estimate: float | None
    standard_error: float | None
    low: float | None
    high: float | None
    p_value: float | None
    confidence: float
    suppressed: bool


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")


def _check_minimum(minimum: int) -> None:
    if minimum < 0:
        raise ValueError(f"minimum must be >= 0, got {minimum!r}")


def is_suppressed(n: int, *, minimum: int = DEFAULT_MINIMUM) -> bool:
    """The small-cell rule: a figure from fewer than ``minimum`` units is not shown."""
    _check_minimum(minimum)
    return n < minimum


def proportion(
    successes: int, n: int, confidence: float = 0.95, *, minimum: int = DEFAULT_MINIMUM
) -> Proportion:
    """The share ``successes / n`` with its Wilson score interval.

    Method: Wilson (1927), "Probable inference, the law of succession, and statistical inference", JASA 22;
    recommended by Newcombe (1998, Stat Med 17:857-872, method 3) and Brown, Cai and DasGupta (2001). Computed
    by ``statsmodels.stats.proportion.proportion_confint(method="wilson")``. The interval lies in [0, 1].
    """
    _check_confidence(confidence)
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes!r}, n={n!r}")
    if n == 0 or is_suppressed(n, minimum=minimum):
        return Proportion(n, None, None, None, None, confidence, suppressed=True)
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    estimate = successes / n
    # At 0 or n the Wilson limit equals the estimate in exact arithmetic; rounding can put it a hair outside.
    low, high = max(0.0, min(float(low), estimate)), min(1.0, max(float(high), estimate))
    return Proportion(n, successes, estimate, low, high, confidence, suppressed=False)


def _booleans(values: Sequence[bool] | np.ndarray | pd.Series, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name}: expected one value per person, got an array of shape {array.shape}")
    if array.dtype != bool:
        if pd.isna(array).any():
            raise ValueError(f"{name}: missing values; drop the people without both observations first")
        if not np.isin(array, (0, 1)).all():
            raise ValueError(f"{name}: expected booleans (or 0/1)")
        array = array.astype(bool)
    return array


def newcombe_paired_interval(
    both: int, only_first: int, only_second: int, neither: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``p1 - p2`` in a paired 2 x 2 table (method 10 of Newcombe 1998).

    ``p1`` is the share with the attribute at the first observation, ``(both + only_first) / n``; ``p2``
    at the second, ``(both + only_second) / n``. Wilson intervals (l1, u1) and (l2, u2) of the two shares are
    combined as ``L = d - sqrt((p1-l1)^2 - 2 phi (p1-l1)(u2-p2) + (u2-p2)^2)`` and
    ``U = d + sqrt((p2-l2)^2 - 2 phi (p2-l2)(u1-p1) + (u1-p1)^2)``, where phi is the correlation of the
    table, ``A / sqrt(product of the four margins)`` with ``A = both*neither - only_first*only_second``,
    corrected as in the paper: ``A - n/2`` when ``A > n/2``, 0 when ``0 <= A <= n/2``, and 0 when a margin
    is empty.

    Reference: R. G. Newcombe, "Improved confidence intervals for the difference between binomial
    proportions based on paired data", Statistics in Medicine 17 (1998) 2635-2650; also Fagerland, Lydersen
    and Laake, "Statistical Analysis of Contingency Tables" (2017), section 8.5 ("Newcombe square-and-add").
    """
    _check_confidence(confidence)
    n = both + only_first + only_second + neither
    if n <= 0 or min(both, only_first, only_second, neither) < 0:
        raise ValueError("a paired table needs non-negative counts and at least one pair")
    first, second = both + only_first, both + only_second
    p1, p2 = first / n, second / n
    l1, u1 = (float(v) for v in proportion_confint(first, n, alpha=1 - confidence, method="wilson"))
    l2, u2 = (float(v) for v in proportion_confint(second, n, alpha=1 - confidence, method="wilson"))
    margins = first * (n - first) * second * (n - second)
    phi = 0.0
    if margins > 0:
        a = both * neither - only_first * only_second
        if a > n / 2:
            phi = (a - n / 2) / math.sqrt(margins)
        elif a < 0:
            phi = a / math.sqrt(margins)
    d = p1 - p2
    lower = d - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    upper = d + math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    # Rounding can push a limit a hair past the estimate or past [-1, 1]; the interval must hold both.
    return max(-1.0, min(lower, d)), min(1.0, max(upper, d))


def paired_proportions(
    before: Sequence[bool] | np.ndarray | pd.Series,
    after: Sequence[bool] | np.ndarray | pd.Series,
    confidence: float = 0.95,
    *,
    minimum: int = DEFAULT_MINIMUM,
) -> PairedProportions:
    """The same people before and after (one boolean each): both shares with Wilson intervals, the change
    ``after - before`` with Newcombe's hybrid score interval for paired data (method 10 of Newcombe 1998,
    see :func:`newcombe_paired_interval`), and the exact McNemar p-value (binomial test on the discordant
    pairs; ``statsmodels.stats.contingency_tables.mcnemar(table, exact=True)``).

    Suppressed when there are fewer than ``minimum`` pairs.
    """
    _check_confidence(confidence)
    first, second = _booleans(before, "before"), _booleans(after, "after")
    if first.shape != second.shape:
        raise ValueError(f"before has {first.size} values and after {second.size}: they must be pairs")
    n = int(first.size)
    if n == 0 or is_suppressed(n, minimum=minimum):
        hidden = Proportion(n, None, None, None, None, confidence, suppressed=True)
        return PairedProportions(
            n, hidden, hidden, None, None, None, None, None, None, confidence, suppressed=True
        )
    both = int(np.sum(first & second))
    worsened = int(np.sum(first & ~second))
    improved = int(np.sum(~first & second))
    neither = n - both - worsened - improved
    # Rows: before yes/no; columns: after yes/no.
    table = np.array([[both, worsened], [improved, neither]])
    p_value = float(mcnemar(table, exact=True).pvalue)
    # The interval for after - before is the negated interval for before - after (the method is symmetric).
    low, high = newcombe_paired_interval(both, improved, worsened, neither, confidence)
    return PairedProportions(
        n,
        proportion(both + worsened, n, confidence, minimum=minimum),
        proportion(both + improved, n, confidence, minimum=minimum),
        (improved - worsened) / n,
        low,
        high,
        p_value,
        worsened,
        improved,
        confidence,
        suppressed=False,
    )


def paired_means(
    before: Sequence[float] | np.ndarray | pd.Series,
    after: Sequence[float] | np.ndarray | pd.Series,
    confidence: float = 0.95,
    *,
    minimum: int = DEFAULT_MINIMUM,
) -> PairedMeans:
    """Mean change ``after - before`` of the same units with the paired t interval and two-sided p-value.

    Method: Student's paired t test, ``scipy.stats.ttest_rel(after, before)``, the interval from its result's
    ``confidence_interval(confidence_level=confidence)`` (n - 1 degrees of freedom). When every change is
    the same the standard error is 0 and scipy's p-value and limits are NaN; they are returned as NaN.
    Suppressed when there are fewer than ``minimum`` pairs (and always with fewer than 2).
    """
    _check_confidence(confidence)
    first = np.asarray(before, dtype=float)
    second = np.asarray(after, dtype=float)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValueError(f"before has {first.size} values and after {second.size}: they must be pairs")
    if np.isnan(first).any() or np.isnan(second).any():
        raise ValueError("missing values; drop the units without both observations first")
    n = int(first.size)
    if n < 2 or is_suppressed(n, minimum=minimum):
        return PairedMeans(n, None, None, None, None, None, None, confidence, suppressed=True)
    result = stats.ttest_rel(second, first)
    interval = result.confidence_interval(confidence_level=confidence)
    return PairedMeans(
        n,
        float(first.mean()),
        float(second.mean()),
        float(np.mean(second - first)),
        float(interval.low),
        float(interval.high),
        float(result.pvalue),
        confidence,
        suppressed=False,
    )


def _indicator(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        raise ValueError(
            f"column {column!r} not in the frame (columns: {', '.join(map(str, frame.columns))})"
        )
    values = frame[column]
    if values.isna().any():
        raise ValueError(f"column {column!r} has missing values (first at row {values.isna().idxmax()!r})")
    array = values.to_numpy()
    if array.dtype != bool and not np.isin(array, (0, 1)).all():
        raise ValueError(f"column {column!r} must be boolean or 0/1")
    return array.astype(float)


def difference_in_differences(
    frame: pd.DataFrame,
    *,
    outcome: str,
    treated: str,
    post: str,
    cluster: str,
    confidence: float = 0.95,
    minimum: int = DEFAULT_MINIMUM,
) -> DifferenceInDifferences:
    """The difference-in-differences estimate: the ``treated x post`` coefficient of the OLS regression
    ``outcome ~ 1 + treated + post + treated:post`` with cluster-robust (sandwich) standard errors.

    Method: statsmodels ``OLS(...).fit(cov_type="cluster", cov_kwds={"groups": ...}, use_t=True)``: the
    Liang-Zeger (1986) cluster-robust covariance with the small-sample factor (G/(G-1))((N-1)/(N-K)) and a
    t distribution with G - 1 degrees of freedom (Stata's convention; Cameron and Miller, "A practitioner's
    guide to cluster-robust inference", J. Human Resources 50 (2015)). Cluster on the unit that was treated
    (partnership, person); with few clusters (under about 30) the interval is too narrow: ``clusters`` says
    how many there were.

    ``treated`` and ``post`` are boolean or 0/1 columns. Suppressed when any of the four group x period
    cells has fewer than ``minimum`` observations.
    """
    _check_confidence(confidence)
    if cluster not in frame.columns:
        raise ValueError(f"column {cluster!r} not in the frame")
    if outcome not in frame.columns:
        raise ValueError(f"column {outcome!r} not in the frame")
    y = pd.to_numeric(frame[outcome], errors="raise").to_numpy(dtype=float)
    if np.isnan(y).any():
        raise ValueError(f"column {outcome!r} has missing values")
    if frame[cluster].isna().any():
        raise ValueError(f"column {cluster!r} has missing values")
    group, period = _indicator(frame, treated), _indicator(frame, post)
    cells = [int(np.sum((group == g) & (period == p))) for g in (0.0, 1.0) for p in (0.0, 1.0)]
    groups, _ = pd.factorize(frame[cluster], sort=True)
    clusters = int(groups.max()) + 1 if groups.size else 0
    n = int(y.size)
    if min(cells) == 0 or is_suppressed(min(cells), minimum=minimum) or clusters < 2:
        return DifferenceInDifferences(
            n, clusters, min(cells), None, None, None, None, None, confidence, suppressed=True
        )
    design = np.column_stack([np.ones(n), group, period, group * period])
    fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence)[3]
    return DifferenceInDifferences(
        n,
        clusters,
        min(cells),
        float(fit.params[3]),
        float(fit.bse[3]),
        float(low),
        float(high),
        float(fit.pvalues[3]),
        confidence,
        suppressed=False,
    )
