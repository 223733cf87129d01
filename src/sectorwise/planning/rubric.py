"""The maturity rubric: phases, indicators, the phase-anchored descriptions a partnership scores itself
against, the rule that turns six scores into a phase, and the technical-assistance topics a weak indicator
suggests. Pure (no database): the models, services, pages and tests share it.

The phase rule (``phase_of``): an indicator's score is the phase whose description fits it (exploring 1,
planning 2, implementing 3, sustaining 4). A partnership is in the highest phase P such that

- at least ``PHASE_QUORUM`` (4) of the 6 indicators score P or above, and
- no indicator scores below P - 1 (one lagging phase is tolerated, two are not).

Exploring needs nothing. Examples: (3, 3, 3, 3, 2, 2) is implementing; (4, 4, 4, 4, 4, 2) is implementing,
not sustaining (its weakest indicator is two phases behind); (4, 4, 4, 1, 1, 1) is exploring.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum
from typing import Final


class Phase(IntEnum):
    EXPLORING = 1
    PLANNING = 2
    IMPLEMENTING = 3
    SUSTAINING = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def slug(self) -> str:
        return self.name.lower()


class Indicator(StrEnum):
    EMPLOYER_LEADERSHIP = "employer_leadership"
    SHARED_PRIORITIES = "shared_priorities"
    ACTION_PLAN = "action_plan"
    STAFFING = "staffing"
    FUNDING_BEYOND_STATE = "funding_beyond_state"
    DATA_USE = "data_use"


INDICATOR_LABELS: Final[dict[Indicator, str]] = {
    Indicator.EMPLOYER_LEADERSHIP: "Employer leadership",
    Indicator.SHARED_PRIORITIES: "Shared priorities",
    Indicator.ACTION_PLAN: "Action plan",
    Indicator.STAFFING: "Staffing",
    Indicator.FUNDING_BEYOND_STATE: "Funding beyond state grants",
    Indicator.DATA_USE: "Data use",
}

ANCHORS: Final[dict[Indicator, dict[Phase, str]]] = {
    Indicator.EMPLOYER_LEADERSHIP: {
        Phase.EXPLORING: "A few employers attend meetings the convener calls and runs.",
        Phase.PLANNING: "Employers co-chair meetings and help set the agenda.",
        Phase.IMPLEMENTING: "Employer champions lead working groups and recruit other employers.",
        Phase.SUSTAINING: "Employers own the partnership's direction; the convener supports them.",
    },
    Indicator.SHARED_PRIORITIES: {
        Phase.EXPLORING: "Employers have named problems, each its own.",
        Phase.PLANNING: "Employers have ranked a list of problems they share.",
        Phase.IMPLEMENTING: "A few shared priorities guide the partnership's work.",
        Phase.SUSTAINING: "Priorities are revisited every year with the employers' rankings.",
    },
    Indicator.ACTION_PLAN: {
        Phase.EXPLORING: "No written plan yet.",
        Phase.PLANNING: "A draft plan names priorities but not who does what.",
        Phase.IMPLEMENTING: "Initiatives have owners, dates and a status that is kept up to date.",
        Phase.SUSTAINING: "The plan is reviewed and renewed; finished initiatives lead to new ones.",
    },
    Indicator.STAFFING: {
        Phase.EXPLORING: "Convening is a part of someone's other job.",
        Phase.PLANNING: "A named convener has time set aside for the partnership.",
        Phase.IMPLEMENTING: "Dedicated staff support the partnership and its working groups.",
        Phase.SUSTAINING: "Staffing is funded for several years and has a succession plan.",
    },
    Indicator.FUNDING_BEYOND_STATE: {
        Phase.EXPLORING: "The partnership runs on the state's grant alone.",
        Phase.PLANNING: "Employers or others give in kind (space, time, equipment).",
        Phase.IMPLEMENTING: (
            "Cash from employers, philanthropy or other public sources covers part of the work."
        ),
        Phase.SUSTAINING: "Funding beyond state grants covers the core work.",
    },
    Indicator.DATA_USE: {
        Phase.EXPLORING: "Labor-market data is shown to the partnership now and then.",
        Phase.PLANNING: "Data informed the choice of priorities.",
        Phase.IMPLEMENTING: "The partnership tracks its initiatives' results.",
        Phase.SUSTAINING: "Results are reviewed regularly and change the plan.",
    },
}
"""What each score means, indicator by indicator (shown beside the choices on the form)."""

PHASE_QUORUM: Final = 4
"""Indicators (of 6) that must reach a phase for the partnership to be in it."""

TA_TOPICS: Final[dict[Indicator, tuple[str, ...]]] = {
    Indicator.EMPLOYER_LEADERSHIP: ("employer engagement",),
    Indicator.SHARED_PRIORITIES: ("meeting design", "strategic planning"),
    Indicator.ACTION_PLAN: ("strategic planning",),
    Indicator.STAFFING: ("staffing", "sustainability funding"),
    Indicator.FUNDING_BEYOND_STATE: ("sustainability funding",),
    Indicator.DATA_USE: ("data use", "evaluation"),
}
"""Technical-assistance topics per indicator, as plain names: the capacity app owns the topic vocabulary
(``capacity.topics.TaTopic``, above planning in the layers) and maps these names onto it
(``topic_for_name``: the value with spaces, e.g. "employer engagement" for ``employer_engagement``)."""


def phase_of(scores: Mapping[Indicator, int]) -> Phase:
    """The partnership's phase from its six indicator scores (the rule in the module's docstring)."""
    missing = set(Indicator) - set(scores)
    if missing:
        raise ValueError(f"scores missing for {sorted(missing)}")
    values = [int(scores[indicator]) for indicator in Indicator]
    if any(value not in tuple(Phase) for value in values):
        raise ValueError(f"scores must be 1-4, got {values}")
    reached = Phase.EXPLORING
    for phase in Phase:
        if sum(value >= phase for value in values) >= PHASE_QUORUM and min(values) >= phase - 1:
            reached = phase
    return reached


def weak_indicators(scores: Mapping[Indicator, int]) -> list[Indicator]:
    """Indicators below the partnership's phase, or still at exploring: where help would lift the phase."""
    phase = phase_of(scores)
    return [
        indicator
        for indicator in Indicator
        if scores[indicator] < phase or scores[indicator] == Phase.EXPLORING
    ]


def suggested_topics(scores: Mapping[Indicator, int]) -> list[str]:
    """TA topics for the weak indicators, each once, weakest indicators first."""
    weak = sorted(weak_indicators(scores), key=lambda indicator: scores[indicator])
    topics: list[str] = []
    for indicator in weak:
        for topic in TA_TOPICS[indicator]:
            if topic not in topics:
                topics.append(topic)
    return topics
