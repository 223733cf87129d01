"""The suppressed-cell estimator: hand-built hierarchies with known answers, random consistent tables, and
Vermont's real 2016 Q1 cells with disclosed cells masked like BLS masks them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from sectorwise.lmi import suppression
from sectorwise.lmi.warehouse import QUARTERLY_TABLE, connect
from tests.lmi.lmi_real_warehouse import real_warehouse

AGGLVL = {"31-33": 4, "311": 5, "312": 5, "313": 5, "3111": 6, "3112": 6, "10": 1}


def _cells(rows: list[tuple[str, int, str, int, float, bool]]) -> pd.DataFrame:
    """(area, own, industry, estabs, value, suppressed) → a quarter's cells with one measure."""
    frame = pd.DataFrame(
        rows, columns=["area_fips", "own_code", "industry_code", "qtrly_estabs", "month3_emplvl", "hidden"]
    )
    state = frame["area_fips"].str.endswith("000")
    units = frame["industry_code"].map(AGGLVL)
    frame["agglvl_code"] = np.where(state, 50, 70) + units
    frame["disclosure_code"] = np.where(frame["hidden"], "N", None)
    frame["year"], frame["qtr"] = 2016, "1"
    return frame.drop(columns="hidden")


def _solve(frame: pd.DataFrame, *, lp: bool = True) -> suppression.Solution:
    unknown = (frame["disclosure_code"] == "N").to_numpy()
    values = frame["month3_emplvl"].to_numpy(np.float64)
    return suppression.estimate_measure(frame, values, unknown, lp_cells=unknown if lp else None)


def test_a_cell_derivable_by_subtraction_is_derived_exactly() -> None:
    frame = _cells(
        [
            ("50000", 5, "31-33", 5, 100, False),
            ("50000", 5, "311", 3, 60, False),
            ("50000", 5, "312", 2, 40, True),
        ]
    )
    solution = _solve(frame)
    assert solution.derived[2]
    assert solution.estimate[2] == solution.low[2] == solution.high[2] == 40


def test_two_suppressed_siblings_share_the_remainder() -> None:
    frame = _cells(
        [
            ("50000", 5, "31-33", 6, 100, False),
            ("50000", 5, "311", 2, 50, False),
            ("50000", 5, "312", 3, 30, True),
            ("50000", 5, "313", 1, 20, True),
        ]
    )
    solution = _solve(frame)
    assert list(solution.low[2:]) == [0, 0]
    assert list(solution.high[2:]) == [50, 50]
    assert not solution.derived[2:].any()
    assert solution.estimate[2] + solution.estimate[3] == pytest.approx(50)
    # The prior splits by establishments (3:1), and nothing else tells the two apart.
    assert solution.estimate[2] == pytest.approx(37.5)


def test_the_geography_constraint_pins_a_county_cell() -> None:
    frame = _cells(
        [
            ("50000", 5, "311", 9, 100, False),
            ("50001", 5, "311", 5, 70, False),
            ("50003", 5, "311", 3, 25, True),
            ("50999", 5, "311", 1, 5, False),
        ]
    )
    solution = _solve(frame, lp=False)
    assert solution.derived[2]
    assert solution.estimate[2] == 25


def test_non_negativity_pins_cells_with_nothing_left() -> None:
    frame = _cells(
        [
            ("50000", 5, "31-33", 4, 10, False),
            ("50000", 5, "311", 2, 10, False),
            ("50000", 5, "312", 1, 0, True),
            ("50000", 5, "313", 1, 0, True),
        ]
    )
    solution = _solve(frame)
    assert solution.derived[2:].all()
    assert list(solution.estimate[2:]) == [0, 0]


def test_ownerships_add_up_to_the_total_covered_cell() -> None:
    frame = _cells(
        [
            ("50000", 0, "10", 10, 500, False),
            ("50000", 1, "10", 1, 20, False),
            ("50000", 2, "10", 1, 30, True),
            ("50000", 3, "10", 2, 50, False),
            ("50000", 5, "10", 6, 400, False),
        ]
    )
    assert _solve(frame).estimate[2] == 30


def test_an_unpublished_child_is_a_known_zero_and_a_missing_parent_gives_no_row() -> None:
    frame = _cells([("50000", 5, "311", 3, 60, False), ("50000", 5, "3111", 3, 60, True)])
    matrix = suppression.adding_up(frame)
    assert matrix.shape[0] == 1  # 311 = 3111 (+ 3112, not published: zero); 311's parent is not there
    assert _solve(frame).estimate[1] == 60


@st.composite
def _tables(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray]:
    """A consistent table: three counties (one of them SS999) × a small NAICS tree, sums up to the state."""
    counties = ["50001", "50003", "50999"]
    leaves = {"3111": "311", "3112": "311", "312": "31-33", "313": "31-33"}
    rows = []
    leaf_values: dict[tuple[str, str], int] = {}
    for county in counties:
        for leaf in leaves:
            leaf_values[(county, leaf)] = draw(st.integers(0, 60))
    for area in [*counties, "50000"]:
        areas = counties if area == "50000" else [area]

        def total(codes: list[str], areas: list[str] = areas) -> int:
            return sum(leaf_values[(a, c)] for a in areas for c in codes)

        sums = {
            "3111": total(["3111"]),
            "3112": total(["3112"]),
            "311": total(["3111", "3112"]),
            "312": total(["312"]),
            "313": total(["313"]),
            "31-33": total(list(leaves)),
        }
        for code, value in sums.items():
            rows.append((area, 5, code, max(1, value // 10), value, False))
    frame = _cells(rows)
    mask = np.array(draw(st.lists(st.booleans(), min_size=len(frame), max_size=len(frame))))
    return frame, mask


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_bounds_contain_the_truth_and_estimates_add_up(table: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, mask = table
    truth = frame["month3_emplvl"].to_numpy(np.float64)
    matrix = suppression.adding_up(frame)
    for lp_cells in (None, mask):
        solution = suppression.estimate_measure(frame, truth, mask, lp_cells=lp_cells, matrix=matrix)
        assert np.all(solution.low <= truth) and np.all(truth <= solution.high)
        assert np.all(solution.low - 1e-6 <= solution.estimate)
        assert np.all(solution.estimate <= solution.high + 1e-6)
        assert np.abs(matrix @ solution.estimate).max(initial=0.0) <= 1e-6
        assert np.array_equal(solution.estimate[solution.derived], truth[solution.derived])
        assert np.array_equal(solution.estimate[~mask], truth[~mask])


def _underivable(matrix: sp.csr_array, values: np.ndarray, known: np.ndarray, cell: int) -> bool:
    low, high, _ = suppression.bounds(matrix, values, known, lp_cells=~known)
    return bool(high[cell] - low[cell] > 1e-6)


def test_protect_adds_the_cheapest_complement_in_each_constraint_that_pins_the_primary() -> None:
    # County 50001's 311 is the primary: its industry row (31-33 = 311 + 312 + 313) and its geography row
    # (state 311 = 50001 + 50003 + 50999) each pin it until one more cell of that row is hidden.
    frame = _cells(
        [
            ("50000", 5, "311", 9, 90, False),
            ("50001", 5, "31-33", 9, 100, False),
            ("50001", 5, "311", 2, 40, False),
            ("50001", 5, "312", 3, 35, False),
            ("50001", 5, "313", 4, 25, False),
            ("50003", 5, "311", 3, 30, False),
            ("50999", 5, "311", 4, 20, False),
        ]
    )
    values = frame["month3_emplvl"].to_numpy(np.float64)
    known = np.ones(len(frame), dtype=bool)
    matrix = suppression.adding_up(frame)
    cost = frame["qtrly_estabs"].to_numpy(np.float64)
    hidden = suppression.protect(matrix, values, known, [2], cost)
    # The primary, the cheaper sibling (312: 3 establishments against 313's 4), the cheaper other county
    # (50003: 3 against 50999's 4); nothing else.
    assert np.flatnonzero(hidden).tolist() == [2, 3, 5]
    assert _underivable(matrix, values, ~hidden, 2)
    # Hiding the primary alone leaves it derivable: the complements are needed.
    alone = np.zeros(len(frame), dtype=bool)
    alone[2] = True
    assert not _underivable(matrix, values, ~alone, 2)


def test_protect_follows_a_complement_that_another_constraint_pins() -> None:
    # 50001's only sibling of the primary (312) is itself pinned by its geography row (state 312 − the other
    # counties): hiding it is not enough, so protection goes on until the primary has slack everywhere.
    frame = _cells(
        [
            ("50000", 5, "311", 6, 60, False),
            ("50000", 5, "312", 5, 50, False),
            ("50001", 5, "31-33", 5, 50, False),
            ("50001", 5, "311", 2, 30, False),
            ("50001", 5, "312", 3, 20, False),
            ("50003", 5, "311", 3, 25, False),
            ("50003", 5, "312", 1, 25, False),
            ("50999", 5, "311", 1, 5, False),
            ("50999", 5, "312", 1, 5, False),
        ]
    )
    values = frame["month3_emplvl"].to_numpy(np.float64)
    matrix = suppression.adding_up(frame)
    cost = frame["qtrly_estabs"].to_numpy(np.float64)
    primary = 3
    hidden = suppression.protect(matrix, values, np.ones(len(frame), dtype=bool), [primary], cost)
    assert hidden[primary] and hidden.sum() >= 4
    assert _underivable(matrix, values, ~hidden, primary)
    # Cells BLS already suppressed stay unknown and count towards the protection; eligible limits the choice.
    blocked = np.ones(len(frame), dtype=bool)
    blocked[[7, 8]] = False  # the unknown county's cells may not be hidden
    limited = suppression.protect(
        matrix, values, np.ones(len(frame), dtype=bool), [primary], cost, eligible=blocked
    )
    assert not limited[[7, 8]].any()
    assert _underivable(matrix, values, ~limited, primary)


def _relative_oracle(prior: np.ndarray, total: float) -> np.ndarray:
    """Σ x = total closest to ``prior`` in Σ (x/p − 1 − log(x/p)) with one σ: 1/x = 1/p + d, d from brentq."""
    d = brentq(lambda d: float((1 / (1 / prior + d)).sum() - total), -0.999 / prior.max(), 1e6)
    return np.asarray(1 / (1 / prior + d))


def test_the_least_change_is_relative_and_never_shrinks_a_cell_to_zero() -> None:
    matrix = sp.csr_array(np.array([[1.0, 1.0, 1.0]]))
    low, high = np.zeros(3), np.full(3, np.inf)
    prior = np.array([50.0, 10.0, 10.0])
    variance = (0.5 * prior) ** 2
    rhs = np.array([12.0])
    # The plain quadratic in (x − p)² / (p σ)² empties the largest cell to make 70 add up to 12 ...
    plain = suppression._weighted_least_change(matrix, rhs, low, high, prior, variance)
    assert plain[0] == 0.0
    # ... the relative one keeps every cell positive, at the optimum brentq finds.
    estimate = suppression._point_estimate(matrix, rhs, low, high, prior, tolerance=0, variance=variance)
    assert estimate == pytest.approx(_relative_oracle(prior, 12.0), rel=1e-6)
    assert (estimate > 0).all() and estimate.sum() == pytest.approx(12.0)
    # Growing: 800 → 1000; near the prior, cells move in proportion to (p σ)² (larger ones relatively more).
    prior = np.array([100.0, 300.0, 400.0])
    variance = (0.1 * prior) ** 2
    grown = suppression._point_estimate(
        matrix, np.array([1000.0]), low, high, prior, tolerance=0, variance=variance
    )
    assert grown == pytest.approx(_relative_oracle(prior, 1000.0), rel=1e-6)
    # A bound: the first cell stops at 102, the others share the rest as the oracle says.
    capped = suppression._point_estimate(
        matrix,
        np.array([1000.0]),
        low,
        np.array([102.0, np.inf, np.inf]),
        prior,
        tolerance=0,
        variance=variance,
    )
    assert capped[0] == pytest.approx(102.0)
    assert capped[1:] == pytest.approx(_relative_oracle(prior[1:], 898.0), rel=1e-6)


def test_small_cells_get_a_wider_prior_spread_within_limits() -> None:
    rng = np.random.default_rng(3)
    estabs = np.round(np.exp(rng.uniform(0.0, np.log(500.0), size=2000)))
    # Log errors that shrink with size, as QCEW's do: σ = 1 for one establishment, 0.25 for ~400.
    sigma = 1.0 - 0.125 * np.log(estabs)
    residual = rng.normal(0.0, sigma)
    spread = suppression._spread_by_size(residual, estabs, np.array([1.0, 20.0, 400.0, 1e9]))
    assert spread[0] > spread[1] > spread[2]
    assert spread[0] == pytest.approx(1.0, abs=0.15) and spread[2] == pytest.approx(0.25, abs=0.1)
    # Far outside the sizes it was fitted on, the line is held to a quarter of the overall spread.
    assert spread[3] == pytest.approx(0.25 * np.std(residual))


@pytest.mark.realdata
def test_vermont_masked_cells_are_protected_bounded_and_estimated_better_than_the_baseline() -> None:
    from benchmarks.suppression import mask_like_bls

    con = connect(real_warehouse("50"), read_only=True)
    table = con.table(QUARTERLY_TABLE)
    quarter = table.filter(table.qtr == "1", table.size_code == 0).to_pandas().reset_index(drop=True)
    con.disconnect()
    suppressed = (quarter["disclosure_code"].fillna("") == "N").to_numpy()
    matrix = suppression.adding_up(quarter)
    masked, primaries = mask_like_bls(quarter, np.random.default_rng(7))
    unknown = suppressed | masked
    assert len(primaries) >= 30 and masked.sum() > len(primaries)
    for measure in ("month3_emplvl", "total_qtrly_wages"):
        truth = quarter[measure].to_numpy(np.float64)
        # BLS's published cells add up exactly: no tolerance is needed.
        assert not suppression.constraint_residuals(matrix, truth, ~suppressed).any()
        solution = suppression.estimate_measure(quarter, truth, unknown, matrix=matrix, lp_cells=masked)
        # Every primary is protected: even the LP bounds leave it slack.
        assert not solution.derived[primaries].any()
        t = truth[masked]
        assert np.all((solution.low[masked] <= t) & (t <= solution.high[masked]))
        hidden = masked & ~solution.derived
        estimator = np.median(np.abs(solution.estimate[hidden] - truth[hidden]) / truth[hidden])
        baseline_values = suppression.parent_rate_prior(quarter, truth, ~unknown)
        baseline = np.median(np.abs(baseline_values[hidden] - truth[hidden]) / truth[hidden])
        assert estimator <= baseline / 2
        # The prior is fitted on disclosed cells only: other truths for the unknown cells change nothing.
        scrambled = np.where(unknown, truth[::-1], truth)
        prior = suppression.fitted_prior(quarter, truth, ~unknown, matrix=matrix).value
        again = suppression.fitted_prior(quarter, scrambled, ~unknown, matrix=matrix).value
        assert np.array_equal(prior[unknown], again[unknown])
