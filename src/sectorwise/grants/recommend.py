"""A round's funding recommendation: rank-ordered awards within the pooled money, each split across the
sources that may carry it, explained line by line; where the money runs out, which application is cut and why.

Pure (no Django). The best-ranked application is funded first, its requested amount split by
``split.split_award`` (fewest sources, within each source's cap); the next sees what is left. An application
the money cannot carry is cut with the figures, and the walk goes on: a smaller, lower-ranked request may
still fit (said so on its line). Unscored applications are not recommended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sectorwise.grants.split import Share, SourceOption, SplitShort, split_award

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Pool:
    """What one funding source can give to the whole round: the least of its balance and what is left of
    its pledge to the program."""

    source_id: int
    name: str
    room: Decimal


@dataclass(frozen=True)
class Candidate:
    application_id: int
    name: str
    amount: Decimal
    """What it asks for (within the program's limits: the completeness check saw to it)."""
    score: Decimal | None
    rank: int | None
    caps: dict[int, tuple[Decimal, str]]
    """Source id -> (the most that source may give this application alone, why): only the sources that may
    fund it at all (restrictions by region, industry, kind left out). The cap is the application's budget in
    the source's allowed categories, or the source's whole room."""
    ineligible: list[str] = field(default_factory=list)
    """"<source> funds only ..." for each source that may not fund it."""


@dataclass(frozen=True)
class Line:
    candidate: Candidate
    funded: bool
    shares: list[Share]
    explanation: str


@dataclass(frozen=True)
class Recommendation:
    lines: list[Line]
    left: dict[int, Decimal]
    """Each source's room after the recommended awards."""

    @property
    def funded(self) -> list[Line]:
        return [line for line in self.lines if line.funded]

    @property
    def cut(self) -> list[Line]:
        return [line for line in self.lines if not line.funded]

    @property
    def total(self) -> Decimal:
        return sum((line.candidate.amount for line in self.funded), ZERO)


def recommend(*, candidates: Sequence[Candidate], pools: Sequence[Pool]) -> Recommendation:
    room = {pool.source_id: pool.room for pool in pools}
    names = {pool.source_id: pool.name for pool in pools}
    ordered = sorted(
        candidates, key=lambda c: (c.rank is None, c.rank or 0, -(c.score or 0), c.application_id)
    )
    lines: list[Line] = []
    someone_cut = False
    for candidate in ordered:
        head = f"Rank {candidate.rank} (score {candidate.score})" if candidate.rank else "Unranked"
        if candidate.rank is None:
            lines.append(
                Line(
                    candidate,
                    False,
                    [],
                    f"{head}: {candidate.name} is not recommended: no submitted reviews.",
                )
            )
            continue
        options = [
            SourceOption(source_id, names[source_id], min(cap, room[source_id]), reason)
            for source_id, (cap, reason) in candidate.caps.items()
            if source_id in room
        ]
        try:
            shares = split_award(amount=candidate.amount, options=options)
        except SplitShort as short:
            someone_cut = True
            not_eligible = (
                f" Not eligible: {'; '.join(candidate.ineligible)}." if candidate.ineligible else ""
            )
            lines.append(
                Line(
                    candidate,
                    False,
                    [],
                    f"{head}: {candidate.name} is cut. It asks for ${candidate.amount:,.2f}; after the "
                    f"higher-ranked awards the sources that may fund it hold ${short.pooled:,.2f}, "
                    f"${candidate.amount - short.pooled:,.2f} short.{not_eligible}",
                )
            )
            continue
        for share in shares:
            room[share.source_id] -= share.amount
        note = " (it fits in what the cut applications above could not use)" if someone_cut else ""
        lines.append(
            Line(
                candidate,
                True,
                shares,
                f"{head}: ${candidate.amount:,.2f} to {candidate.name}{note}: "
                + "; ".join(share.explanation for share in shares)
                + ".",
            )
        )
    return Recommendation(lines=lines, left=room)
