"""How an award is split across the funding sources that may carry it: a small mixed-integer program.

Pure (no Django): the award service gives each source's cap (what it may still give to this award: its
balance, what is left of its pledge to the program, and for a source restricted to cost categories the
application's budget in those categories) and gets the shares back. Amounts are solved in whole cents as
integers, so the shares add up to the award exactly; the objective is the fewest sources (each source used
is one more agreement to report against), then, among equally few, the sources with the most room left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SourceOption:
    source_id: int
    name: str
    cap: Decimal
    """The most this source may give to the award (never negative)."""
    reason: str = ""
    """Why the cap is what it is (shown beside the share)."""


@dataclass(frozen=True)
class Share:
    source_id: int
    name: str
    amount: Decimal
    explanation: str


class SplitShort(ValueError):
    """The eligible sources together hold less than the award."""

    def __init__(self, *, amount: Decimal, pooled: Decimal) -> None:
        self.amount = amount
        self.pooled = pooled
        super().__init__(
            f"The eligible funding sources hold ${pooled:,.2f} between them, ${amount - pooled:,.2f} short "
            f"of the award's ${amount:,.2f}."
        )


def _cents(value: Decimal) -> int:
    return int((value / CENT).to_integral_value())


def split_award(*, amount: Decimal, options: Sequence[SourceOption]) -> list[Share]:
    """Shares of ``amount`` across ``options`` (each within its cap, adding up to ``amount`` to the cent),
    using as few sources as possible. Raises ``SplitShort`` when the caps add up to less."""
    usable = [option for option in options if option.cap > 0]
    pooled = sum((option.cap for option in usable), Decimal("0"))
    if pooled < amount:
        raise SplitShort(amount=amount, pooled=pooled)
    if amount <= 0:
        raise ValueError("An award's amount is positive.")
    # One source can carry it: the program's answer is then the one with the largest cap (the tie-break
    # below; the earlier among equals), found without the solver.
    largest = max(usable, key=lambda option: option.cap)
    if largest.cap >= amount:
        explanation = f"${amount:,.2f} from {largest.name}: it alone can carry the award"
        return [Share(largest.source_id, largest.name, amount, explanation)]
    target = _cents(amount)
    caps = np.array([_cents(option.cap) for option in usable], dtype=float)
    n = len(usable)
    # Variables: x_i (cents from source i, integer) then y_i (1 when source i is used).
    # Objective: the number of sources used, with a tie-break under 1 favouring large caps (leaving the
    # smaller pots for awards only they can fund) and, among equal caps, the earlier source.
    tie_break = np.array([(1 - caps[i] / (caps.max() * 2)) * 0.5 / n + i * 1e-6 / n for i in range(n)])
    objective = np.concatenate([np.zeros(n), np.ones(n) + tie_break])
    total = LinearConstraint(np.concatenate([np.ones(n), np.zeros(n)])[np.newaxis, :], target, target)
    # x_i - cap_i * y_i <= 0: a source gives only when it is used.
    linking = LinearConstraint(np.hstack([np.eye(n), -np.diag(caps)]), -np.inf, 0)
    result = milp(
        objective,
        constraints=[total, linking],
        integrality=np.ones(2 * n),
        bounds=Bounds(np.zeros(2 * n), np.concatenate([caps, np.ones(n)])),
    )
    if not result.success or result.x is None:  # pragma: no cover  (feasible whenever pooled >= amount)
        raise SplitShort(amount=amount, pooled=pooled)
    cents = [round(value) for value in result.x[:n]]
    # The solver works in floating point: put any rounding cent back on a source with room.
    difference = target - sum(cents)
    for i in sorted(range(n), key=lambda i: -cents[i]):
        if difference == 0:
            break
        step = max(min(difference, int(caps[i]) - cents[i]), -cents[i])
        cents[i] += step
        difference -= step
    shares = []
    used = sum(1 for value in cents if value > 0)
    for option, value in zip(usable, cents, strict=True):
        if value <= 0:
            continue
        share = Decimal(value) * CENT
        if used == 1:
            explanation = f"${share:,.2f} from {option.name}: it alone can carry the award"
        elif share == option.cap:
            explanation = f"${share:,.2f} from {option.name}: all it may give ({option.reason or 'its cap'})"
        else:
            explanation = f"${share:,.2f} from {option.name}: the rest of the award"
        shares.append(Share(option.source_id, option.name, share, explanation))
    return shares
