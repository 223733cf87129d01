"""Estimates, with bounds, of QCEW's suppressed cells from the adding-up constraints the published cells obey.

BLS withholds a cell's employment and wages (disclosure code ``N``, published as zeros) to protect its
employers, but still publishes its establishment count, and every published cell still adds up:

- industry: within an area and ownership, children sum to their parent (6 → 5 → 4 → 3 digits → sector, BLS's
  range sectors 31-33, 44-45, 48-49 included; sectors → supersectors 1011-1029 → domains 101/102 → total 10);
- ownership: for industry 10, total covered (own 0) = federal + state + local + private (1+2+3+5), and total
  government (own 8, statewide only) = 1+2+3;
- geography: the counties plus the 'unknown' county (SS999) sum to the statewide cell (SS000) of the same
  ownership and industry, for the levels BLS publishes for counties (agglvl 7x mirrors statewide 5x);
- non-negativity. A cell BLS does not publish has no establishment, so it is a known zero.

Each measure (``month1_emplvl`` ... ``total_qtrly_wages``) of one area set and quarter is a separate problem
sharing the structure ``A x = 0`` (one row per constraint: parent − Σ children). The estimator:

1. Bounds. Interval propagation first (Isserman & Westervelt 2006; a cell ≤ parent's high − the others' lows,
   ≥ parent's low − the others' highs; a parent between its children's sums), repeated until nothing moves.
   Then, where a cell still has slack, a linear programme (``scipy.optimize.linprog``, HiGHS) minimises and
   maximises it over its connected component of suppressed cells. Values are whole numbers, so bounds are
   rounded inwards. A cell whose bounds meet is ``derived`` (exact); the others are ``estimated``.
2. Prior (:func:`fitted_prior`): the cell's establishments × a value per establishment fitted, by least
   squares on the log scale, on the DISCLOSED cells of the same quarter and measure, from the cell's
   references: what its industry parent leaves to its unknown children, what the statewide cell leaves to the
   unknown counties, the same industry's statewide rate, the parent's rate, and its establishments (small
   cells are smaller per establishment). The fit's residual spread, a line in log establishments (small
   cells are less predictable), is the prior's relative error.
3. Point estimate: the values closest to the prior in Σ (x/p − 1 − log(x/p)) / σ² (σ the prior's relative
   error; near the prior, the weighted least change with variance (p σ)², but a cell is never shrunk to zero
   to make a remainder add up) within the bounds and satisfying the constraints: a few damped Newton steps,
   each one sparse solve for the multipliers with cells pushed past a bound fixed on it; then a small L1
   projection (one LP, moves weighted by the prior's standard deviation) so that the estimates add up
   exactly.

:func:`protect` masks disclosed cells the way BLS protects a primary cell (complements added until the
constraints no longer derive it), for validation (benchmarks/suppression.py).

``tolerance`` lets each equality be off by that much (for data that do not add up exactly); BLS's published
2016 cells add up exactly (checked by :func:`constraint_residuals`), so the default is 0.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from sectorwise.lmi.codes import (
    SUPPRESSED,
    TOTAL_INDUSTRY,
    NaicsLevel,
    naics_level,
    naics_parent,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: The measures estimated: the three months' employment and the quarter's total wages.
SUPPRESSION_MEASURES: Final = ("month1_emplvl", "month2_emplvl", "month3_emplvl", "total_qtrly_wages")

#: BLS's supersectors and the sectors they hold (https://www.bls.gov/cew/classifications/industry/).
SUPERSECTOR_SECTORS: Final[dict[str, tuple[str, ...]]] = {
    "1011": ("11", "21"),
    "1012": ("23",),
    "1013": ("31-33",),
    "1021": ("22", "42", "44-45", "48-49"),
    "1022": ("51",),
    "1023": ("52", "53"),
    "1024": ("54", "55", "56"),
    "1025": ("61", "62"),
    "1026": ("71", "72"),
    "1027": ("81",),
    "1028": ("92",),
    "1029": ("99",),
}
DOMAIN_SUPERSECTORS: Final[dict[str, tuple[str, ...]]] = {
    "101": ("1011", "1012", "1013"),
    "102": ("1021", "1022", "1023", "1024", "1025", "1026", "1027", "1028", "1029"),
}
#: Ownerships that sum to another, for industry 10: total covered and total government.
OWNERSHIP_PARTS: Final[dict[int, tuple[int, ...]]] = {0: (1, 2, 3, 5), 8: (1, 2, 3)}

_SECTOR_SUPERSECTOR: Final = {s: ss for ss, sectors in SUPERSECTOR_SECTORS.items() for s in sectors}
_SUPERSECTOR_DOMAIN: Final = {ss: d for d, sss in DOMAIN_SUPERSECTORS.items() for ss in sss}
#: Statewide aggregation levels 50-58 have county counterparts 70-78.
_COUNTY_AGGLVL_OFFSET: Final = 20
_STATE_AGGLVLS: Final = range(50, 59)
#: Bounds that meet within this much are one value (a derived cell).
_EXACT: Final = 1e-6


def industry_parent(industry_code: str) -> str | None:
    """The industry a QCEW industry code adds up into: NAICS parent, sector's supersector, ..., '10'."""
    level = naics_level(industry_code)
    if level is NaicsLevel.TOTAL:
        return None
    if level is NaicsLevel.DOMAIN:
        return TOTAL_INDUSTRY
    if level is NaicsLevel.SUPERSECTOR:
        return _SUPERSECTOR_DOMAIN.get(industry_code)
    if level is NaicsLevel.SECTOR:
        return _SECTOR_SUPERSECTOR.get(industry_code)
    return naics_parent(industry_code)


def adding_up(cells: pd.DataFrame) -> sp.csr_array:
    """The adding-up constraints among one state's cells of one period, as rows of ``parent − Σ children``.

    ``cells`` has ``area_fips``, ``own_code``, ``industry_code`` and ``agglvl_code`` (one row per cell, one
    size class). A child that is not published is zero and simply absent from its row; a group whose parent is
    not published gives no row. Counties add up to the statewide cell only for a state whose SS999 cells are
    among ``cells`` (the by_area set of every county of the state).
    """
    areas: list[str] = cells["area_fips"].astype(str).tolist()
    owns: list[int] = cells["own_code"].astype(int).tolist()
    industries: list[str] = cells["industry_code"].astype(str).tolist()
    agglvls: list[int] = cells["agglvl_code"].astype(int).tolist()
    index: dict[tuple[str, int, str], int] = {
        (a, o, i): n for n, (a, o, i) in enumerate(zip(areas, owns, industries, strict=True))
    }
    if len(index) != len(cells):
        raise ValueError("adding_up: the same (area_fips, own_code, industry_code) appears twice")
    groups: dict[tuple[str, int, str], list[int]] = {}
    # Industry: each cell adds into its parent industry in the same area and ownership.
    parents = {code: industry_parent(code) for code in set(industries)}
    for n, (area, own, industry) in enumerate(zip(areas, owns, industries, strict=True)):
        parent = parents[industry]
        if parent is not None:
            groups.setdefault((area, own, parent), []).append(n)
    rows: list[tuple[int, list[int]]] = [
        (index[key], children) for key, children in groups.items() if key in index
    ]
    # Ownership: industry 10 of own 0 (and 8) in each area.
    for area in set(areas):
        for total, parts in OWNERSHIP_PARTS.items():
            parent_n = index.get((area, total, TOTAL_INDUSTRY))
            if parent_n is not None:
                members = [
                    index[(area, p, TOTAL_INDUSTRY)] for p in parts if (area, p, TOTAL_INDUSTRY) in index
                ]
                rows.append((parent_n, members))
    # Geography: counties (and SS999) into the statewide cell at the matching aggregation level.
    by_state: dict[tuple[str, int, str, int], list[int]] = {}
    statewide: dict[tuple[str, int, str, int], int] = {}
    for n, (area, own, industry, agglvl) in enumerate(zip(areas, owns, industries, agglvls, strict=True)):
        if area.endswith("000") and agglvl in _STATE_AGGLVLS:
            statewide[(area[:2], own, industry, agglvl + _COUNTY_AGGLVL_OFFSET)] = n
        elif not area.endswith("000"):
            by_state.setdefault((area[:2], own, industry, agglvl), []).append(n)
    # A state whose counties are not all loaded would be told its cells are zero: its 'unknown' county SS999,
    # published with the county files, is the sign that they are.
    complete = {area[:2] for area in areas if area.endswith("999")}
    for key, parent_n in statewide.items():
        if key[0] in complete:
            rows.append((parent_n, by_state.get(key, [])))
    data: list[float] = []
    row_ids: list[int] = []
    col_ids: list[int] = []
    for r, (parent_n, children) in enumerate(rows):
        row_ids.extend([r] * (len(children) + 1))
        col_ids.append(parent_n)
        col_ids.extend(children)
        data.append(1.0)
        data.extend([-1.0] * len(children))
    return sp.csr_array((data, (row_ids, col_ids)), shape=(len(rows), len(cells)))


def constraint_residuals(matrix: sp.csr_array, values: FloatArray, known: BoolArray) -> FloatArray:
    """For each constraint whose cells are all known: parent − Σ children (zero when the data add up)."""
    unknown_count = (abs(matrix) @ (~known).astype(float)).astype(int)
    residuals = matrix @ np.where(known, values, 0.0)
    return np.asarray(residuals[unknown_count == 0], dtype=np.float64)


@dataclass(frozen=True)
class Solution:
    """One measure's estimates for every cell (known cells: their value; low = high = estimate)."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    prior: FloatArray
    derived: BoolArray
    lp_solved: int


def propagate_bounds(
    matrix: sp.csr_array,
    low: FloatArray,
    high: FloatArray,
    *,
    tolerance: float = 0.0,
    max_rounds: int = 200,
) -> tuple[FloatArray, FloatArray]:
    """Tighten ``low``/``high`` (``high`` may be inf) by interval propagation over the rows of ``matrix``.

    Each row says Σ a_k x_k ∈ [−tolerance, tolerance]; for a member j, a_j x_j lies between minus the others'
    largest and smallest sums (widened by the tolerance). Repeated until no bound moves by more than 1e-9.
    """
    coo = matrix.tocoo()
    rows, cols, coef = coo.row, coo.col, coo.data
    m = matrix.shape[0]
    low, high = low.copy(), high.copy()
    for _round in range(max_rounds):
        lo_k, hi_k = low[cols], high[cols]
        t_min = np.where(coef > 0, coef * lo_k, coef * hi_k)
        t_max = np.where(coef > 0, coef * hi_k, coef * lo_k)
        min_inf, max_inf = np.isinf(t_min), np.isinf(t_max)
        sum_min = np.bincount(rows, np.where(min_inf, 0.0, t_min), minlength=m)
        sum_max = np.bincount(rows, np.where(max_inf, 0.0, t_max), minlength=m)
        n_min_inf = np.bincount(rows, min_inf, minlength=m)
        n_max_inf = np.bincount(rows, max_inf, minlength=m)
        # The others' sums, for each (row, member) entry.
        others_min = sum_min[rows] - np.where(min_inf, 0.0, t_min)
        others_min = np.where(n_min_inf[rows] - min_inf > 0, -np.inf, others_min)
        others_max = sum_max[rows] - np.where(max_inf, 0.0, t_max)
        others_max = np.where(n_max_inf[rows] - max_inf > 0, np.inf, others_max)
        # a_j x_j ∈ [−tolerance − others_max, tolerance − others_min]
        term_low = -tolerance - others_max
        term_high = tolerance - others_min
        with np.errstate(invalid="ignore"):
            cand_low = np.where(coef > 0, term_low / coef, term_high / coef)
            cand_high = np.where(coef > 0, term_high / coef, term_low / coef)
        new_low = low.copy()
        new_high = high.copy()
        np.maximum.at(new_low, cols, np.nan_to_num(cand_low, nan=-np.inf))
        np.minimum.at(new_high, cols, np.nan_to_num(cand_high, nan=np.inf))
        moved = np.nanmax(np.abs(np.nan_to_num(new_low - low))) if len(low) else 0.0
        finite = np.isfinite(new_high) & np.isfinite(high)
        moved = max(
            moved,
            float(np.max(np.abs(new_high[finite] - high[finite]), initial=0.0)),
            float(np.count_nonzero(np.isfinite(new_high) & ~np.isfinite(high))),
        )
        low, high = new_low, new_high
        if moved <= 1e-9:
            break
    return low, high


def _round_inwards(low: FloatArray, high: FloatArray, tolerance: float) -> tuple[FloatArray, FloatArray]:
    # Published values are whole numbers; solver noise of 1e-6 must not cut off the integer it sits on.
    slack = 1e-6 + tolerance * 0
    return np.ceil(low - slack), np.floor(high + slack)


def _highs() -> Any | None:
    # SciPy's bundled HiGHS object keeps the model and basis between solves, so re-optimising with a new
    # objective takes a few simplex steps instead of a fresh solve (about 10x faster than linprog per cell).
    # It is not public API: when it moves, linprog does the same work, only slower.
    try:
        return importlib.import_module("scipy.optimize._highspy._core")
    except ImportError:  # pragma: no cover - depends on the SciPy build
        return None


def _lp_bounds(
    matrix: sp.csr_array,
    rhs: FloatArray,
    low: FloatArray,
    high: FloatArray,
    cells: IntArray,
    *,
    tolerance: float,
) -> tuple[FloatArray, FloatArray]:
    """Min and max of each of ``cells`` (columns of ``matrix``) over |matrix x − rhs| ≤ tol, low ≤ x ≤ high.

    A solve that fails keeps the propagated bound: it is valid, only looser.
    """
    out_low, out_high = low.copy(), high.copy()
    core = _highs()
    n_rows, n_cols = matrix.shape
    if core is not None:
        csc = matrix.tocsc()
        lp = core.HighsLp()
        lp.num_col_, lp.num_row_ = n_cols, n_rows
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, n_rows
        lp.a_matrix_.format_ = core.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = csc.indptr, csc.indices
        lp.a_matrix_.value_ = csc.data
        lp.col_cost_ = np.zeros(n_cols)
        lp.col_lower_, lp.col_upper_ = low, np.where(np.isinf(high), core.kHighsInf, high)
        lp.row_lower_, lp.row_upper_ = rhs - tolerance, rhs + tolerance
        solver = core._Highs()
        solver.setOptionValue("output_flag", False)
        solver.passModel(lp)
        optimal = core.HighsModelStatus.kOptimal
        for j in cells:
            for sign in (1.0, -1.0):
                solver.changeColCost(int(j), sign)
                solver.run()
                if solver.getModelStatus() != optimal:
                    continue
                value = float(solver.getInfo().objective_function_value)
                if sign > 0:
                    out_low[j] = max(out_low[j], value)
                else:
                    out_high[j] = min(out_high[j], -value)
            solver.changeColCost(int(j), 0.0)
        return out_low, out_high
    bounds = list(zip(low, [None if np.isinf(h) else h for h in high], strict=True))
    a_ub = sp.vstack([matrix, -matrix]).tocsr()
    b_ub = np.concatenate([rhs + tolerance, -(rhs - tolerance)])
    for j in cells:
        for sign in (1.0, -1.0):
            c = np.zeros(n_cols)
            c[j] = sign
            result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            if result.status != 0:
                continue
            if sign > 0:
                out_low[j] = max(out_low[j], float(result.fun))
            else:
                out_high[j] = min(out_high[j], -float(result.fun))
    return out_low, out_high


def _weighted_least_change(
    matrix: sp.csr_array,
    rhs: FloatArray,
    low: FloatArray,
    high: FloatArray,
    prior: FloatArray,
    scale: FloatArray,
    *,
    rounds: int = 20,
) -> FloatArray:
    """min Σ (x − p)² / scale subject to matrix x = rhs, with cells that leave their bounds fixed on them.

    Without bounds the answer is x = p + S Aᵀ λ with (A S Aᵀ) λ = rhs − A p (one sparse solve; a tiny ridge
    makes the redundant rows, e.g. industry and geography totals of the same cells, harmless). A cell the
    solution pushes past a bound is fixed there and the rest solved again, a few rounds at most.
    """
    x = prior.copy()
    free = np.ones(len(x), dtype=bool)
    for _round in range(rounds):
        a_free = matrix[:, free]
        fixed_part = matrix[:, ~free] @ x[~free]
        residual = rhs - fixed_part - a_free @ prior[free]
        normal = (a_free @ sp.diags_array(scale[free]) @ a_free.T).tocsc()
        # The ridge is relative to each row's own scale: cells whose variances differ by orders of magnitude
        # must not have their small rows' constraints washed out by a ridge sized for the large ones.
        diagonal = normal.diagonal()
        ridge = 1e-9 * np.maximum(diagonal, 1e-12 * max(float(diagonal.max(initial=0.0)), 1.0))
        normal = normal + sp.diags_array(ridge, format="csc")
        multipliers = spsolve(normal, residual)
        x_free = prior[free] + scale[free] * (a_free.T @ multipliers)
        x[free] = x_free
        outside = (x < low - 1e-9) | (x > high + 1e-9)
        if not outside.any():
            break
        x = np.clip(x, low, high)
        free &= ~outside
        if not free.any():
            break
    return np.clip(x, low, high)


def _relative_least_change(
    matrix: sp.csr_array,
    rhs: FloatArray,
    low: FloatArray,
    high: FloatArray,
    prior: FloatArray,
    variance: FloatArray,
    *,
    iterations: int = 6,
) -> FloatArray:
    """min Σ (x/p − 1 − log(x/p)) / σ² subject to ``matrix x = rhs`` and the bounds, by damped Newton steps.

    Near the prior this is the weighted least change with variance (p σ)², but shrinking a cell towards zero
    costs ever more (a prior of 50 is not pulled to 0 to make a small remainder add up; the plain quadratic
    did that). Each step is a weighted least change (:func:`_weighted_least_change`) around the Newton target
    2x − x²/p with variance (x σ)², cut short so that no cell loses more than 90 % in one step.
    """
    p = np.maximum(prior, 1e-9)
    sigma2 = np.where(prior > 0, variance / p**2, 1.0)
    x = np.clip(prior, low, high)
    x = np.where(x > 0, x, np.minimum(np.maximum(low, 0.5), high))
    for _step in range(iterations):
        target = 2 * x - x**2 / p
        scale = np.maximum(x**2 * sigma2, 1.0)
        step = np.clip(_weighted_least_change(matrix, rhs, low, high, target, scale), low, high)
        shrinking = step < 0.1 * x
        alpha = 1.0
        if shrinking.any():
            alpha = min(1.0, float(np.min(0.9 * x[shrinking] / (x[shrinking] - step[shrinking]))))
        moved = alpha * (step - x)
        x = np.maximum(x + moved, 0.0)
        if np.max(np.abs(moved) / np.maximum(x, 1.0), initial=0.0) < 1e-9:
            break
    return np.clip(x, low, high)


def _point_estimate(
    matrix: sp.csr_array,
    rhs: FloatArray,
    low: FloatArray,
    high: FloatArray,
    prior: FloatArray,
    *,
    tolerance: float,
    variance: FloatArray | None = None,
) -> FloatArray:
    """Closest to ``prior`` within the bounds, then projected (L1) onto the constraints.

    With the prior's ``variance`` v = (p σ)²: closest in relative terms (:func:`_relative_least_change`);
    without, in Σ (x − p)² / p (Poisson-like).
    """
    n = matrix.shape[1]
    scale = np.maximum(prior if variance is None else variance, 1.0)
    start = np.clip(prior, low, high)
    if matrix.shape[0] == 0:
        return start
    if variance is None:
        fitted = _weighted_least_change(matrix, rhs, low, high, start, scale)
    else:
        fitted = _relative_least_change(matrix, rhs, low, high, prior, variance)
    fitted = np.clip(fitted, low, high)
    # Project onto the constraints with the least weighted L1 move: x = fitted + up − down (in standard
    # deviations where the variance is given).
    w = 1.0 / np.sqrt(scale) if variance is not None else 1.0 / scale
    c = np.concatenate([np.zeros(n), w, w])
    eye = sp.eye_array(n, format="csr")
    a_link = sp.hstack([eye, -eye, eye]).tocsr()  # x − up + down = fitted
    zeros = sp.csr_array((matrix.shape[0], 2 * n))
    a_cons = sp.hstack([matrix, zeros]).tocsr()
    bounds = [(lo, None if np.isinf(hi) else hi) for lo, hi in zip(low, high, strict=True)]
    bounds += [(0.0, None)] * (2 * n)
    if tolerance > 0:
        result = linprog(
            c,
            A_ub=sp.vstack([a_cons, -a_cons]).tocsr(),
            b_ub=np.concatenate([rhs + tolerance, -(rhs - tolerance)]),
            A_eq=a_link,
            b_eq=fitted,
            bounds=bounds,
            method="highs",
        )
    else:
        result = linprog(
            c,
            A_eq=sp.vstack([a_cons, a_link]).tocsr(),
            b_eq=np.concatenate([rhs, fitted]),
            bounds=bounds,
            method="highs",
        )
    if result.status != 0:
        return fitted
    return np.clip(np.asarray(result.x[:n], dtype=np.float64), low, high)


def _unknown_system(
    matrix: sp.csr_array, values: FloatArray, known: BoolArray
) -> tuple[sp.csr_array, FloatArray]:
    """The constraints among the unknown cells only: ``sub x_unknown = rhs`` (rows without one dropped)."""
    unknown = np.flatnonzero(~known)
    sub = matrix[:, unknown].tocsr()
    rhs = -(matrix @ np.where(known, values, 0.0))
    involved = np.flatnonzero(np.diff(sub.indptr) > 0)
    return sub[involved], np.asarray(rhs[involved], dtype=np.float64)


def bounds(
    matrix: sp.csr_array,
    values: FloatArray,
    known: BoolArray,
    *,
    tolerance: float = 0.0,
    lp_cells: BoolArray | None = None,
    integer: bool = True,
) -> tuple[FloatArray, FloatArray, int]:
    """Lower and upper bounds of every cell (known cells: their value), and the number of LPs solved.

    Interval propagation, then, for the ``lp_cells`` still with slack, the min and max by LP over their
    connected component of unknown cells (see :func:`solve`).
    """
    low = np.where(known, values, 0.0).astype(np.float64)
    high = np.where(known, values, np.inf).astype(np.float64)
    low, high = propagate_bounds(matrix, low, high, tolerance=tolerance)
    if integer:
        low, high = _round_inwards(low, high, tolerance)
        low[known], high[known] = values[known], values[known]
    unknown = np.flatnonzero(~known)
    sub, rhs = _unknown_system(matrix, values, known)
    u_low, u_high = low[unknown], high[unknown]
    lp_solved = 0
    wanted = np.zeros(len(unknown), dtype=bool) if lp_cells is None else lp_cells[unknown]
    if wanted.any() and sub.shape[0]:
        # Components of unknown cells that share a constraint are independent problems: the LPs of a cell
        # need only its component's rows and cells.
        link = (abs(sub).T @ abs(sub)).tocsr()
        _count, labels = connected_components(link, directed=False)
        row_label = labels[sub.indices[sub.indptr[:-1]]]
        slack_cells = np.flatnonzero((u_high - u_low > _EXACT) & wanted)
        row_order = np.argsort(row_label, kind="stable")
        row_starts = np.searchsorted(row_label[row_order], np.arange(_count + 1))
        cell_order = np.argsort(labels, kind="stable")
        cell_starts = np.searchsorted(labels[cell_order], np.arange(_count + 1))
        for label in np.unique(labels[slack_cells]):
            members = cell_order[cell_starts[label] : cell_starts[label + 1]]
            rows_of = row_order[row_starts[label] : row_starts[label + 1]]
            part = sub[rows_of][:, members].tocsr()
            lo, hi = u_low[members], u_high[members]
            slack = np.flatnonzero((hi - lo > _EXACT) & wanted[members])
            lo, hi = _lp_bounds(part, rhs[rows_of], lo, hi, slack, tolerance=tolerance)
            lp_solved += 2 * len(slack)
            if integer:
                lo, hi = _round_inwards(lo, hi, tolerance)
            u_low[members], u_high[members] = lo, hi
    low[unknown], high[unknown] = u_low, u_high
    return low, high, lp_solved


def solve(
    matrix: sp.csr_array,
    values: FloatArray,
    known: BoolArray,
    prior: FloatArray,
    *,
    tolerance: float = 0.0,
    lp_cells: BoolArray | None = None,
    integer: bool = True,
    variance: FloatArray | None = None,
) -> Solution:
    """Bounds and point estimates of the unknown cells of one measure.

    ``matrix`` rows say parent − Σ children = 0 (within ``tolerance``); ``values`` hold the known cells;
    ``prior`` the unknown cells' prior guesses. ``lp_cells`` marks the cells whose bounds the LPs tighten
    where propagation leaves slack (None: none; the propagated bounds are valid, and LP bounds cost a few ms
    per cell); ``integer`` rounds bounds inwards to whole numbers.
    """
    low, high, lp_solved = bounds(
        matrix, values, known, tolerance=tolerance, lp_cells=lp_cells, integer=integer
    )
    unknown = np.flatnonzero(~known)
    sub, rhs = _unknown_system(matrix, values, known)
    u_low, u_high = low[unknown], high[unknown]
    estimate = np.where(known, values, 0.0).astype(np.float64)
    estimate[unknown] = _point_estimate(
        sub,
        rhs,
        u_low,
        u_high,
        prior[unknown],
        tolerance=tolerance,
        variance=None if variance is None else variance[unknown],
    )
    low[unknown], high[unknown] = u_low, u_high
    derived = ~known & (high - low <= _EXACT)
    estimate[derived] = low[derived]
    return Solution(
        estimate=estimate,
        low=low,
        high=high,
        prior=np.where(known, values, prior),
        derived=derived,
        lp_solved=lp_solved,
    )


def protect(
    matrix: sp.csr_array,
    values: FloatArray,
    known: BoolArray,
    primaries: Iterable[int],
    cost: FloatArray,
    *,
    eligible: BoolArray | None = None,
    max_rounds: int = 30,
) -> BoolArray:
    """Hide ``primaries`` and the complementary cells needed so that none of them is derivable, like BLS.

    ``values``: one measure's cells, or several measures as rows (a primary must be underivable in each);
    ``known``: the cells known before (e.g. all but BLS's own suppressions); ``cost``: what hiding a cell
    costs (e.g. its establishments), the cheapest complement being chosen; ``eligible``: the known cells that
    may be hidden as complements (default: every known cell).

    Repeated until no primary is derived: bounds by :func:`propagate_bounds`; for each derived primary (and,
    through constraints whose other unknown cells are all derived, those cells too), in every constraint that
    pins it (its other cells known or derived) the cheapest eligible known cell is hidden; in a constraint
    with no eligible cell, its derived unknown cells are protected in turn. When propagation no longer
    derives a primary, the LP bounds (:func:`bounds`) check it; one they still pin gets a complement in every
    constraint it is in. Returns the hidden cells (primaries and complements); a primary that cannot be
    protected (no eligible cell left) stays derivable.
    """
    measures = np.atleast_2d(np.asarray(values, dtype=np.float64))
    allowed = known.copy() if eligible is None else known & eligible
    primary = np.zeros(matrix.shape[1], dtype=bool)
    primary[list(primaries)] = True
    hidden = primary.copy()
    csr = matrix.tocsr()
    csc = matrix.tocsc()

    def derived_cells(lp: bool) -> BoolArray:
        now_known = known & ~hidden
        out = np.zeros(len(hidden), dtype=bool)
        for row in measures:
            if lp:
                low, high, _ = bounds(csr, row, now_known, lp_cells=primary)
            else:
                start_low, start_high = np.where(now_known, row, 0.0), np.where(now_known, row, np.inf)
                low, high = propagate_bounds(csr, start_low, start_high)
                low, high = _round_inwards(low, high, 0.0)
            out |= ~now_known & (high - low <= _EXACT)
        return out

    def rows_of(cell: int) -> IntArray:
        return np.asarray(csc.indices[csc.indptr[cell] : csc.indptr[cell + 1]], dtype=np.int64)

    def members(row: int) -> IntArray:
        return np.asarray(csr.indices[csr.indptr[row] : csr.indptr[row + 1]], dtype=np.int64)

    def _unknown(cells: IntArray, cell: int) -> IntArray:
        others = cells[cells != cell]
        return np.asarray(others[~(known[others] & ~hidden[others])], dtype=np.int64)

    def cheapest(cells: IntArray) -> int | None:
        options = cells[allowed[cells] & ~hidden[cells]]
        return int(options[np.argmin(cost[options])]) if len(options) else None

    for _round in range(max_rounds):
        lp = False
        derived = derived_cells(lp=False)
        if not (derived & primary).any():
            lp = True
            derived = derived_cells(lp=True)
            if not (derived & primary).any():
                break
        added = False
        queue = [int(n) for n in np.flatnonzero(derived & primary)]
        seen = set(queue)
        while queue:
            cell = queue.pop()
            rows = rows_of(cell)
            pinning = [lp or bool(np.all(derived[_unknown(members(int(row)), cell)])) for row in rows]
            if not any(pinning):  # derived by the bounds of several constraints: open them all
                pinning = [True] * len(rows)
            for row, pins in zip(rows, pinning, strict=True):
                if not pins:
                    continue
                cells = members(int(row))
                others = cells[cells != cell]
                unknown_others = _unknown(cells, cell)
                choice = cheapest(others)
                if choice is not None:
                    hidden[choice] = True
                    added = True
                    continue
                for other in unknown_others:
                    if int(other) not in seen:
                        seen.add(int(other))
                        queue.append(int(other))
        if not added:
            break
    return hidden


_LEVEL_ORDER: Final = {level: n for n, level in enumerate(NaicsLevel)}


def _keys(cells: pd.DataFrame) -> list[tuple[str, int, str]]:
    return list(
        zip(
            cells["area_fips"].astype(str),
            cells["own_code"].astype(int),
            cells["industry_code"].astype(str),
            strict=True,
        )
    )


def _rate(value: float, estabs: float) -> float | None:
    return value / estabs if estabs > 0 and value >= 0 else None


def parent_rate_prior(cells: pd.DataFrame, values: FloatArray, known: BoolArray) -> FloatArray:
    """The plain baseline: establishments × value per establishment of the nearest known parent industry.

    The parent is looked for up the industry hierarchy in the same area and ownership (industry 10 of an
    ownership falls back to the area's total covered cell). Known cells keep their value.
    """
    keys = _keys(cells)
    estabs = cells["qtrly_estabs"].to_numpy(dtype=np.float64)
    position = {key: n for n, key in enumerate(keys)}
    out = np.where(known, values, 0.0).astype(np.float64)
    for n in np.flatnonzero(~known):
        area, own, industry = keys[n]
        rate: float | None = None
        code: str | None = industry
        while rate is None and code is not None:
            code = industry_parent(code)
            at = position.get((area, own, code)) if code is not None else None
            if at is not None and known[at]:
                rate = _rate(values[at], estabs[at])
        if rate is None:
            at = position.get((area, 0, TOTAL_INDUSTRY))
            rate = _rate(values[at], estabs[at]) if at is not None and known[at] else 0.0
        out[n] = estabs[n] * (rate or 0.0)
    return out


def remainder_prior(cells: pd.DataFrame, values: FloatArray, known: BoolArray) -> FloatArray:
    """The estimator's prior: establishments × value per establishment of the best reference.

    A county cell whose statewide cell (same ownership and industry) is known takes the statewide rate. Else
    the rate of what the parent industry leaves to its unknown children: (parent − Σ known children) /
    (parent's establishments − Σ known children's), the parent being known or already given a prior (cells are
    visited from the top of the hierarchy down); else the parent's own rate; else the area's total.
    """
    keys = _keys(cells)
    estabs = cells["qtrly_estabs"].to_numpy(dtype=np.float64)
    position = {key: n for n, key in enumerate(keys)}
    value = np.where(known, values, np.nan).astype(np.float64)
    children: dict[int, list[int]] = {}
    codes = {code for _area, _own, code in keys}
    parents = {code: industry_parent(code) for code in codes}
    levels = {code: _LEVEL_ORDER[naics_level(code)] for code in codes}
    for n, (area, own, industry) in enumerate(keys):
        parent = parents[industry]
        at = position.get((area, own, parent)) if parent is not None else None
        if at is None and industry == TOTAL_INDUSTRY and own != 0:
            at = position.get((area, 0, TOTAL_INDUSTRY))
        if at is not None:
            children.setdefault(at, []).append(n)
    parent_of = {c: p for p, cs in children.items() for c in cs}
    unknown = [int(n) for n in np.flatnonzero(~known)]
    # Statewide cells first, then counties; within each, top of the industry hierarchy first.
    order = sorted(
        unknown,
        key=lambda n: (not keys[n][0].endswith("000"), levels[keys[n][2]], -keys[n][1]),
    )
    for n in order:
        area, own, industry = keys[n]
        rate: float | None = None
        if not area.endswith("000"):
            at = position.get((area[:2] + "000", own, industry))
            if at is not None and known[at]:
                rate = _rate(values[at], estabs[at])
        p = parent_of.get(n)
        if rate is None and p is not None and not np.isnan(value[p]):
            siblings = children[p]
            known_sib = [s for s in siblings if known[s]]
            rest_value = value[p] - sum(values[s] for s in known_sib)
            rest_estabs = estabs[p] - sum(estabs[s] for s in known_sib)
            rate = _rate(rest_value, rest_estabs) or _rate(value[p], estabs[p])
        if rate is None:
            at = position.get((area, 0, TOTAL_INDUSTRY))
            rate = _rate(value[at], estabs[at]) if at is not None and not np.isnan(value[at]) else 0.0
        value[n] = estabs[n] * (rate or 0.0)
    return np.nan_to_num(value)


#: The reference rates a cell's prior is fitted on (see :func:`fitted_prior`).
PRIOR_FEATURES: Final = ("industry_remainder", "county_remainder", "statewide_industry", "parent")
#: A feature set is fitted on at least this many disclosed cells, else the smaller sets are tried.
_MIN_TRAINING: Final = 30


@dataclass(frozen=True)
class Prior:
    """Prior guesses of the unknown cells and the spread of the log error the fit left on disclosed cells."""

    value: FloatArray
    log_sd: FloatArray
    fitted_on: dict[tuple[str, ...], int]


def _log_rate(value: FloatArray, estabs: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where((estabs > 0) & (value > 0), value / estabs, np.nan)
        return np.log(rate)


def _prior_features(
    cells: pd.DataFrame, matrix: sp.csr_array, values: FloatArray, known: BoolArray
) -> tuple[FloatArray, BoolArray]:
    """Log rates (value per establishment) of each cell's references, and which may train the fit.

    Columns as :data:`PRIOR_FEATURES`: what the industry parent (same area, ownership) leaves to its children
    other than the disclosed ones except this cell; the same for the statewide cell and its counties; the rate
    of the same industry statewide (county cells); the rate of the industry parent. A disclosed cell trains a
    remainder feature only where that remainder holds some unknown cell besides it, as a hidden cell's does
    (otherwise the feature would be the cell itself).
    """
    n = len(cells)
    estabs = cells["qtrly_estabs"].to_numpy(dtype=np.float64)
    areas = cells["area_fips"].astype(str).to_numpy()
    industries = cells["industry_code"].astype(str).to_numpy()
    features = np.full((n, len(PRIOR_FEATURES)), np.nan)
    trains = np.zeros((n, len(PRIOR_FEATURES)), dtype=bool)
    coo = matrix.tocoo()
    rows, cols, coef = coo.row, coo.col, coo.data
    parent_of_row = np.full(matrix.shape[0], -1, dtype=np.int64)
    parent_of_row[rows[coef > 0]] = cols[coef > 0]
    child = coef < 0
    rows, cols = rows[child], cols[child]
    parents = parent_of_row[rows]
    m = matrix.shape[0]
    known_value = np.bincount(rows, np.where(known[cols], values[cols], 0.0), minlength=m)
    known_estabs = np.bincount(rows, np.where(known[cols], estabs[cols], 0.0), minlength=m)
    unknown_children = np.bincount(rows, ~known[cols], minlength=m)
    own_value = np.where(known[cols], values[cols], 0.0)
    own_estabs = np.where(known[cols], estabs[cols], 0.0)
    rest_value = values[parents] - (known_value[rows] - own_value)
    rest_estabs = estabs[parents] - (known_estabs[rows] - own_estabs)
    rest_rate = _log_rate(rest_value, rest_estabs)
    parent_rate = _log_rate(values[parents], estabs[parents])
    usable = known[parents]
    # The other unknown children of the row, besides the cell itself.
    others_unknown = unknown_children[rows] - (~known[cols]).astype(np.int64)
    geography = usable & (areas[parents] != areas[cols])
    # Ownerships of industry 10 (same area and industry) are left out: the total's rate is no guide.
    industry = usable & (areas[parents] == areas[cols]) & (industries[parents] != industries[cols])
    for column, entries in ((0, industry), (1, geography)):
        at = cols[entries]
        features[at, column] = rest_rate[entries]
        trains[at, column] = known[at] & (others_unknown[entries] > 0)
    at = cols[industry]
    features[at, 3] = parent_rate[industry]
    trains[at, 3] = known[at]
    # The same industry and ownership statewide.
    keys = pd.DataFrame(
        {
            "state": [a[:2] + "000" for a in areas],
            "own": cells["own_code"].astype(int).to_numpy(),
            "industry": industries,
        }
    )
    statewide_at = pd.Series(np.arange(n), index=pd.MultiIndex.from_arrays([areas, keys["own"], industries]))
    statewide_at = statewide_at[~statewide_at.index.duplicated()]
    lookup = statewide_at.reindex(pd.MultiIndex.from_arrays([keys["state"], keys["own"], keys["industry"]]))
    at_state = lookup.to_numpy()
    county_cell = ~pd.Series(areas).str.endswith("000").to_numpy() & ~np.isnan(at_state)
    target = np.flatnonzero(county_cell)
    source = at_state[county_cell].astype(np.int64)
    ok = known[source]
    features[target[ok], 2] = _log_rate(values[source[ok]], estabs[source[ok]])
    trains[target[ok], 2] = known[target[ok]]
    available = ~np.isnan(features)
    return features, trains & available


def _spread_by_size(residual: FloatArray, train_estabs: FloatArray, estabs: FloatArray) -> FloatArray:
    """The fit's log error spread at each cell's size: smaller cells are relatively less predictable.

    |residual| regressed on log establishments; E|e| = σ √(2/π) for a normal error, so the line is scaled by
    √(π/2). Clipped to a quarter and four times the overall spread, so that a line fitted on few large or
    few small cells does not claim a cell is (almost) certain or hopeless.
    """
    overall = float(np.std(residual))
    design = np.column_stack([np.ones(len(train_estabs)), np.log(train_estabs)])
    coef, *_ = np.linalg.lstsq(design, np.abs(residual), rcond=None)
    line = (coef[0] + coef[1] * np.log(estabs)) * np.sqrt(np.pi / 2)
    return np.asarray(np.clip(line, 0.25 * overall, 4.0 * overall), dtype=np.float64)


def fitted_prior(
    cells: pd.DataFrame,
    values: FloatArray,
    known: BoolArray,
    *,
    matrix: sp.csr_array | None = None,
    max_training_estabs: float = np.inf,
) -> Prior:
    """The estimator's prior: establishments × a value per establishment fitted on the disclosed cells.

    log(value / establishments) of a cell is regressed (least squares) on the log rates of its references
    (:func:`_prior_features`), log establishments, and whether it is a county cell, over the disclosed cells
    of the same quarter and measure whose references are alike (one fit per set of references available and
    per county or statewide cell, on every disclosed cell that has them all, counties and statewide cells
    pooled when one kind has fewer than 30; a set with fewer than 30 such cells drops its weakest reference).
    Nothing of the unknown cells' values is used. The residual spread of each fit, as a line in log
    establishments (:func:`_spread_by_size`), is the cell's ``log_sd``.
    Cells with no reference fall back to :func:`remainder_prior` (log_sd: the largest of the fits').
    """
    structure = adding_up(cells) if matrix is None else matrix
    features, trains = _prior_features(cells, structure, values, known)
    estabs = cells["qtrly_estabs"].to_numpy(dtype=np.float64)
    county = ~cells["area_fips"].astype(str).str.endswith("000").to_numpy()
    target = _log_rate(values, estabs)
    base = known & ~np.isnan(target) & (estabs <= max_training_estabs)
    fallback = remainder_prior(cells, values, known)
    value = np.where(known, values, fallback).astype(np.float64)
    log_sd = np.full(len(cells), np.nan)
    fitted_on: dict[tuple[str, ...], int] = {}
    unknown = np.flatnonzero(~known & (estabs > 0))
    available = ~np.isnan(features)
    patterns: dict[tuple[bool, tuple[int, ...]], list[int]] = {}
    for n in unknown:
        pattern = tuple(np.flatnonzero(available[n]).tolist())
        patterns.setdefault((bool(county[n]), pattern), []).append(int(n))
    for (in_county, pattern), members in patterns.items():
        chosen = list(pattern)
        # County cells and statewide cells are fitted apart where each has enough disclosed cells.
        alike = county == in_county
        while chosen:
            rows = base & trains[:, chosen].all(axis=1)
            if (rows & alike).sum() >= _MIN_TRAINING:
                rows &= alike
                break
            if rows.sum() >= _MIN_TRAINING:
                break
            chosen.pop()  # the parent's rate and the statewide rate go first, the remainders last
        if not chosen:
            continue
        design = np.column_stack(
            [np.ones(int(rows.sum())), features[rows][:, chosen], np.log(estabs[rows]), county[rows]]
        )
        coef, *_ = np.linalg.lstsq(design, target[rows], rcond=None)
        residual = target[rows] - design @ coef
        at = np.asarray(members)
        x = np.column_stack([np.ones(len(at)), features[at][:, chosen], np.log(estabs[at]), county[at]])
        value[at] = estabs[at] * np.exp(x @ coef)
        log_sd[at] = _spread_by_size(residual, estabs[rows], estabs[at])
        fitted_on[tuple(PRIOR_FEATURES[c] for c in chosen)] = int(rows.sum())
    widest = float(np.nanmax(log_sd)) if np.isfinite(log_sd).any() else 1.0
    log_sd = np.where(known, 0.0, np.nan_to_num(log_sd, nan=widest))
    return Prior(value=value, log_sd=log_sd, fitted_on=fitted_on)


def estimate_measure(
    cells: pd.DataFrame,
    values: FloatArray,
    unknown: BoolArray,
    *,
    tolerance: float = 0.0,
    lp_cells: BoolArray | None = None,
    matrix: sp.csr_array | None = None,
) -> Solution:
    """Bounds and estimates of one measure of one state's quarter, with ``unknown`` cells to be estimated.

    ``lp_cells``: cells whose bounds are tightened by LP (see :func:`solve`).
    """
    known = ~unknown
    structure = adding_up(cells) if matrix is None else matrix
    prior = fitted_prior(cells, values, known, matrix=structure)
    # The prior's variance: its fitted log spread, as a relative error, squared.
    variance = (prior.value * prior.log_sd) ** 2
    return solve(
        structure,
        values,
        known,
        prior.value,
        tolerance=tolerance,
        lp_cells=lp_cells,
        variance=variance,
    )


_CELL_COLUMNS: Final = ("area_fips", "own_code", "industry_code", "agglvl_code")


def estimate_suppressed(
    cells: pd.DataFrame,
    *,
    measures: Sequence[str] = SUPPRESSION_MEASURES,
    tolerance: float = 0.0,
    exact_bounds: bool = False,
) -> pd.DataFrame:
    """Estimates of every suppressed cell of one state's QCEW quarters, one row per cell and measure.

    ``cells``: the state's statewide, county and SS999 rows of size class 0 (columns ``area_fips, own_code,
    industry_code, agglvl_code, year, qtr, disclosure_code, qtrly_estabs`` and the measures); several
    quarters are solved one by one. Returns the cell's keys, ``measure``, ``estimate``, ``low``, ``high``,
    ``prior`` and ``status`` (``derived`` where the constraints pin the value, else ``estimated``).
    ``exact_bounds`` tightens every cell's bounds by LP (minutes for a state's year, against seconds for the
    propagated bounds).
    """
    out: list[pd.DataFrame] = []
    for (year, qtr), quarter in cells.groupby(["year", "qtr"], sort=True):
        quarter = quarter.reset_index(drop=True)
        unknown = (quarter["disclosure_code"].fillna("") == SUPPRESSED).to_numpy()
        if not unknown.any():
            continue
        matrix = adding_up(quarter)
        for measure in measures:
            values = quarter[measure].fillna(0).to_numpy(dtype=np.float64)
            solution = estimate_measure(
                quarter,
                values,
                unknown,
                tolerance=tolerance,
                lp_cells=unknown if exact_bounds else None,
                matrix=matrix,
            )
            frame = quarter.loc[unknown, list(_CELL_COLUMNS)].copy()
            frame.insert(0, "year", int(str(year)))
            frame.insert(1, "qtr", str(qtr))
            frame["qtrly_estabs"] = quarter.loc[unknown, "qtrly_estabs"]
            frame["measure"] = measure
            frame["estimate"] = solution.estimate[unknown]
            frame["low"] = solution.low[unknown]
            frame["high"] = solution.high[unknown]
            frame["prior"] = solution.prior[unknown]
            frame["status"] = np.where(solution.derived[unknown], "derived", "estimated")
            out.append(frame)
    if not out:
        columns = ["year", "qtr", *_CELL_COLUMNS, "qtrly_estabs", "measure", "estimate", "low", "high"]
        return pd.DataFrame(columns=[*columns, "prior", "status"])
    return pd.concat(out, ignore_index=True)


def suppressed_estimates(
    qcew: ir.Table,
    *,
    state_fips: str,
    years: Iterable[int] | None = None,
    measures: Sequence[str] = SUPPRESSION_MEASURES,
    tolerance: float = 0.0,
) -> pa.Table:
    """The warehouse's ``qcew_quarterly`` table (Ibis) → estimates of one state's suppressed cells (Arrow).

    Reads the state's statewide, county and SS999 cells of size class 0 (the years given, else all) and runs
    :func:`estimate_suppressed`.
    """
    table = qcew.filter(qcew.area_fips.startswith(state_fips), qcew.size_code == 0)
    if years is not None:
        table = table.filter(table.year.isin(list(years)))
    wanted = [*_CELL_COLUMNS, "year", "qtr", "disclosure_code", "qtrly_estabs", *measures]
    frame = table.select(*wanted).to_pandas()
    frame = frame[frame["area_fips"].str.fullmatch(r"\d{5}")]
    result = estimate_suppressed(frame, measures=measures, tolerance=tolerance)
    return pa.Table.from_pandas(result, preserve_index=False)
