"""The phase rule and the TA suggestions (pure: no database)."""

from __future__ import annotations

import itertools

import pytest

from sectorwise.planning.rubric import (
    ANCHORS,
    PHASE_QUORUM,
    TA_TOPICS,
    Indicator,
    Phase,
    phase_of,
    suggested_topics,
    weak_indicators,
)


def scores(*values: int) -> dict[Indicator, int]:
    return dict(zip(Indicator, values, strict=True))


@pytest.mark.parametrize(
    ("values", "phase"),
    [
        ((1, 1, 1, 1, 1, 1), Phase.EXPLORING),
        ((2, 2, 2, 2, 1, 1), Phase.PLANNING),  # four reach planning, none two behind
        ((2, 2, 2, 1, 1, 1), Phase.EXPLORING),  # only three reach planning
        ((3, 3, 3, 3, 2, 2), Phase.IMPLEMENTING),
        ((3, 3, 3, 3, 1, 3), Phase.PLANNING),  # one indicator two phases behind implementing
        ((4, 4, 4, 4, 4, 2), Phase.IMPLEMENTING),  # not sustaining with one indicator at planning
        ((4, 4, 4, 4, 3, 3), Phase.SUSTAINING),
        ((4, 4, 4, 1, 1, 1), Phase.EXPLORING),
        ((4, 4, 4, 4, 4, 4), Phase.SUSTAINING),
    ],
)
def test_phase_rule(values: tuple[int, ...], phase: Phase) -> None:
    assert phase_of(scores(*values)) is phase


def test_phase_rule_against_its_definition_for_every_combination() -> None:
    """All 4^6 score sets: the highest phase P with >= 4 indicators at P or above and none below P - 1."""
    for values in itertools.product(range(1, 5), repeat=6):
        expected = max(
            p for p in range(1, 5) if sum(v >= p for v in values) >= PHASE_QUORUM and min(values) >= p - 1
        )
        assert phase_of(scores(*values)) == expected, values


def test_scores_must_be_complete_and_in_range() -> None:
    with pytest.raises(ValueError, match="missing"):
        phase_of({Indicator.STAFFING: 2})
    with pytest.raises(ValueError, match="1-4"):
        phase_of(scores(1, 2, 3, 4, 5, 1))


def test_weak_indicators_suggest_ta_topics_weakest_first() -> None:
    values = scores(3, 3, 3, 3, 2, 2)  # implementing; funding and data use lag
    assert weak_indicators(values) == [Indicator.FUNDING_BEYOND_STATE, Indicator.DATA_USE]
    assert suggested_topics(values) == ["sustainability funding", "data use", "evaluation"]
    assert suggested_topics(scores(4, 4, 4, 4, 4, 4)) == []
    # Still exploring: every indicator at 1 is weak, each topic named once.
    topics = suggested_topics(scores(1, 1, 1, 1, 1, 1))
    assert len(topics) == len(set(topics)) == len({t for ts in TA_TOPICS.values() for t in ts})


def test_every_indicator_has_an_anchor_per_phase() -> None:
    assert all(set(ANCHORS[indicator]) == set(Phase) for indicator in Indicator)
