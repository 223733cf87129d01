"""sectorwise.evaluation.statistics against statsmodels and scipy, a published worked example, and
Newcombe's formula written out independently here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from scipy.stats import norm
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from sectorwise.evaluation import (
    difference_in_differences,
    newcombe_paired_interval,
    paired_means,
    paired_proportions,
    proportion,
)


def _pairs(both: int, worsened: int, improved: int, neither: int) -> tuple[list[bool], list[bool]]:
    """Before/after booleans for a paired table (worsened: yes then no; improved: no then yes)."""
    before = [True] * both + [True] * worsened + [False] * improved + [False] * neither
    after = [True] * both + [False] * worsened + [True] * improved + [False] * neither
    return before, after


@pytest.mark.parametrize(("successes", "n"), [(0, 10), (3, 10), (10, 10), (57, 120), (1, 1000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_proportion_is_statsmodels_wilson(successes: int, n: int, confidence: float) -> None:
    result = proportion(successes, n, confidence)
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    assert not result.suppressed
    assert result.estimate == successes / n
    assert (result.low, result.high) == pytest.approx((low, high), abs=1e-12)
    assert result.n == n


def test_small_figures_are_suppressed_and_carry_no_numbers() -> None:
    hidden = proportion(4, 9)
    assert hidden.suppressed and hidden.n == 9
    assert (hidden.successes, hidden.estimate, hidden.low, hidden.high) == (None, None, None, None)
    assert not proportion(4, 10).suppressed
    assert proportion(4, 19, minimum=20).suppressed
    before, after = _pairs(2, 1, 3, 2)
    paired = paired_proportions(before, after)
    assert paired.suppressed and paired.difference is None and paired.p_value is None
    assert paired.before.estimate is None and paired.after.estimate is None
    means = paired_means([1.0] * 9, [2.0] * 9)
    assert means.suppressed and means.estimate is None and means.p_value is None


def test_paired_proportions_reproduce_the_published_cavo_example() -> None:
    # Fagerland, Lydersen and Laake, "Statistical Analysis of Contingency Tables" (2017), ch. 8: complete
    # response before and after consolidation therapy (Cavo et al. 2012), 59 / 6 / 16 / 80 pairs. Published:
    # before - after = -0.0621, Newcombe square-and-add 95 % CI -0.1186 to -0.0046.
    before, after = _pairs(59, 6, 16, 80)
    result = paired_proportions(before, after)
    assert result.n == 161
    assert result.before.estimate == pytest.approx(65 / 161)
    assert result.after.estimate == pytest.approx(75 / 161)
    assert result.difference == pytest.approx(0.0621, abs=5e-5)
    assert result.low == pytest.approx(0.0046, abs=5e-5)
    assert result.high == pytest.approx(0.1186, abs=5e-5)
    assert (result.worsened, result.improved) == (6, 16)
    assert result.p_value == pytest.approx(mcnemar([[59, 6], [16, 80]], exact=True).pvalue, rel=1e-12)
    assert "Newcombe" in result.method


def _wilson_by_hand(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson's limits as the roots of (p - x/n)^2 = z^2 p (1 - p) / n (Newcombe 1998, eq. for method 3)."""
    a = 1 + z * z / n
    b = -(2 * x / n + z * z / n)
    c = (x / n) ** 2
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def _newcombe_method_10(a: int, b: int, c: int, d: int, confidence: float) -> tuple[float, float]:
    """Newcombe (1998, Stat Med 17:2635) method 10 for p1 - p2, p1 = (a+b)/n, p2 = (a+c)/n, written from
    the paper: theta - delta to theta + epsilon with phi* as defined there."""
    n = a + b + c + d
    z = norm.ppf(1 - (1 - confidence) / 2)
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = _wilson_by_hand(a + b, n, z)
    l2, u2 = _wilson_by_hand(a + c, n, z)
    e, f, g, h = a + b, c + d, a + c, b + d
    if 0 in (e, f, g, h):
        phi = 0.0
    elif a * d - b * c > n / 2:
        phi = (a * d - b * c - n / 2) / math.sqrt(e * f * g * h)
    elif a * d - b * c >= 0:
        phi = 0.0
    else:
        phi = (a * d - b * c) / math.sqrt(e * f * g * h)
    delta = math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    epsilon = math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return p1 - p2 - delta, p1 - p2 + epsilon


@pytest.mark.parametrize(
    "table",
    # Newcombe's (1998) own examples (a, b, c, d) and a few of our own, including empty margins.
    [(36, 12, 2, 0), (5, 5, 0, 0), (0, 0, 0, 10), (1, 1, 7, 12), (59, 6, 16, 80), (10, 20, 3, 40)],
)
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_newcombe_interval_matches_the_papers_formula(
    table: tuple[int, int, int, int], confidence: float
) -> None:
    low, high = newcombe_paired_interval(*table, confidence)
    expected_low, expected_high = _newcombe_method_10(*table, confidence)
    assert (low, high) == pytest.approx((expected_low, expected_high), abs=1e-10)


def test_paired_proportions_mcnemar_is_statsmodels_exact() -> None:
    rng = np.random.default_rng(7)
    before = rng.random(200) < 0.35
    after = before | (rng.random(200) < 0.3)
    result = paired_proportions(before, after)
    table = pd.crosstab(~before, ~after).to_numpy()  # rows/columns: yes first
    assert result.p_value == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-12)
    assert result.difference == pytest.approx(after.mean() - before.mean())


@given(
    st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)  # fmt: skip
def test_paired_intervals_contain_the_estimates_and_stay_in_range(
    both: int, worsened: int, improved: int, neither: int, confidence: float
) -> None:
    before, after = _pairs(both, worsened, improved, neither)
    result = paired_proportions(before, after, confidence, minimum=1)
    if result.n == 0:
        assert result.suppressed
        return
    assert result.low is not None and result.high is not None and result.difference is not None
    assert -1 <= result.low <= result.difference <= result.high <= 1
    for share in (result.before, result.after):
        assert share.low is not None and share.high is not None and share.estimate is not None
        assert 0 <= share.low <= share.estimate <= share.high <= 1


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.floats(0.5, 0.999))
def test_proportion_interval_contains_the_estimate_within_0_and_1(
    pair: tuple[int, int], confidence: float
) -> None:
    successes, n = pair
    result = proportion(successes, n, confidence, minimum=1)
    assert result.low is not None and result.high is not None and result.estimate is not None
    assert 0 <= result.low <= result.estimate <= result.high <= 1


def test_paired_means_is_scipy_ttest_rel() -> None:
    rng = np.random.default_rng(11)
    before = rng.normal(4_000, 900, 40)
    after = before + rng.normal(350, 700, 40)
    result = paired_means(before, after, 0.9)
    expected = stats.ttest_rel(after, before)
    interval = expected.confidence_interval(confidence_level=0.9)
    assert result.estimate == pytest.approx(float(np.mean(after - before)), rel=1e-12)
    assert (result.low, result.high) == pytest.approx((interval.low, interval.high), rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.low is not None and result.high is not None
    assert result.low <= result.estimate <= result.high
    assert result.mean_before == pytest.approx(before.mean())


def test_paired_means_refuses_unpaired_or_missing_values() -> None:
    with pytest.raises(ValueError, match="pairs"):
        paired_means([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="missing"):
        paired_means([1.0, float("nan")], [1.0, 2.0])


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for site in range(24):
        treated = site % 2 == 0
        site_effect = rng.normal(0, 300)
        for person in range(15):
            for post in (0, 1):
                earnings = 4_000 + site_effect + 250 * post + (600 if treated and post else 0)
                rows.append(
                    {"site": f"s{site}", "person": person, "treated": treated, "post": post,
                     "earnings": earnings + rng.normal(0, 800)}
                )  # fmt: skip
    return pd.DataFrame(rows)


def test_difference_in_differences_is_statsmodels_cluster_ols() -> None:
    frame = _panel()
    result = difference_in_differences(
        frame, outcome="earnings", treated="treated", post="post", cluster="site", confidence=0.9
    )
    data = frame.assign(treated=frame["treated"].astype(int))
    fit = smf.ols("earnings ~ treated * post", data=data).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["site"])[0]}, use_t=True
    )
    low, high = fit.conf_int(alpha=0.1).loc["treated:post"]
    assert result.estimate == pytest.approx(fit.params["treated:post"], rel=1e-10)
    assert result.standard_error == pytest.approx(fit.bse["treated:post"], rel=1e-10)
    assert (result.low, result.high) == pytest.approx((low, high), rel=1e-10)
    assert result.p_value == pytest.approx(fit.pvalues["treated:post"], rel=1e-8)
    assert (result.n, result.clusters, result.smallest_cell) == (720, 24, 180)


def test_difference_in_differences_suppresses_thin_cells_and_names_bad_columns() -> None:
    frame = _panel()
    # Treated after: one person in each of 9 sites, under the minimum of 10.
    kept_sites = {f"s{site}" for site in range(0, 18, 2)}
    treated_post = frame["treated"] & (frame["post"] == 1)
    thin = frame[~treated_post | ((frame["person"] == 0) & frame["site"].isin(kept_sites))]
    result = difference_in_differences(
        thin, outcome="earnings", treated="treated", post="post", cluster="site"
    )
    assert result.suppressed and result.estimate is None and result.smallest_cell == 9
    shown = difference_in_differences(
        thin, outcome="earnings", treated="treated", post="post", cluster="site", minimum=9
    )
    assert not shown.suppressed and shown.estimate is not None
    with pytest.raises(ValueError, match="'wages' not in the frame"):
        difference_in_differences(frame, outcome="wages", treated="treated", post="post", cluster="site")
    with pytest.raises(ValueError, match="'post' has missing values"):
        difference_in_differences(
            frame.assign(post=frame["post"].astype(float).where(frame["person"] != 3)),
            outcome="earnings", treated="treated", post="post", cluster="site",
        )  # fmt: skip
