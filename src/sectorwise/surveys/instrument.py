"""The standard employer instrument, defined in code: every survey asks these questions, in this order, and
may add its own (``SurveyQuestion``).

Each question is a column of ``Response`` (or, for the two demand questions, rows of ``HardToFillOccupation``
and ``SkillGap``). Shares are taken over the employers who gave a definite answer ("don't know" and blanks
left out of ``n``); a share's "favourable" answers are named here, so the results page, the export and the
tests read one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from django.db import models


class Change(models.TextChoices):
    DECREASED = "decreased", "Decreased"
    SAME = "same", "About the same"
    INCREASED = "increased", "Increased"
    UNKNOWN = "unknown", "Don't know"


class Quality(models.TextChoices):
    BETTER = "better", "Better"
    SAME = "same", "About the same"
    WORSE = "worse", "Worse"
    UNKNOWN = "unknown", "Don't know"


class Productivity(models.TextChoices):
    HIGHER = "higher", "Higher"
    SAME = "same", "About the same"
    LOWER = "lower", "Lower"
    UNKNOWN = "unknown", "Don't know"


class Satisfaction(models.IntegerChoices):
    VERY_DISSATISFIED = 1, "Very dissatisfied"
    DISSATISFIED = 2, "Dissatisfied"
    NEUTRAL = 3, "Neither satisfied nor dissatisfied"
    SATISFIED = 4, "Satisfied"
    VERY_SATISFIED = 5, "Very satisfied"


class Skill(models.TextChoices):
    TECHNICAL = "technical", "Technical, job-specific skills"
    DIGITAL = "digital", "Digital and computer skills"
    MATH = "math", "Applied math and measurement"
    READING = "reading", "Reading and writing"
    PROBLEM_SOLVING = "problem_solving", "Problem solving and critical thinking"
    COMMUNICATION = "communication", "Communication and customer service"
    TEAMWORK = "teamwork", "Teamwork"
    RELIABILITY = "reliability", "Reliability and work habits"
    SAFETY = "safety", "Safety and compliance"
    SUPERVISION = "supervision", "Supervision and leadership"


class QuestionKind(StrEnum):
    SHARE = "share"
    """A choice whose favourable answers make a share (with a Wilson interval)."""
    NUMBER = "number"
    """A number: mean with a t interval."""
    DEMAND = "demand"
    """The demand questions: counted by employer, ranked."""


@dataclass(frozen=True)
class StandardQuestion:
    key: str
    """The ``Response`` field (or, for the demand questions, the related rows' name)."""
    text: str
    kind: QuestionKind
    favourable: frozenset[str | int] = frozenset()
    """For shares: the answers counted as favourable."""
    share_label: str = ""
    """What the share is called on the results page ("fewer staff leaving")."""
    excluded: frozenset[str | int] = frozenset({Change.UNKNOWN})
    """Answers left out of ``n`` (don't know)."""


STANDARD_QUESTIONS: Final[tuple[StandardQuestion, ...]] = (
    StandardQuestion(
        "turnover",
        "Since working with the partnership, has staff turnover in your business changed?",
        QuestionKind.SHARE,
        frozenset({Change.DECREASED}),
        "turnover decreased",
    ),
    StandardQuestion(
        "rework",
        "Has rework (work done again because of errors) changed?",
        QuestionKind.SHARE,
        frozenset({Change.DECREASED}),
        "rework decreased",
    ),
    StandardQuestion(
        "complaints",
        "Have customer complaints changed?",
        QuestionKind.SHARE,
        frozenset({Change.DECREASED}),
        "customer complaints decreased",
    ),
    StandardQuestion(
        "quality_of_hires",
        "How is the quality of your recent hires compared with before?",
        QuestionKind.SHARE,
        frozenset({Quality.BETTER}),
        "better quality of hires",
    ),
    StandardQuestion(
        "productivity",
        "How is the productivity of the workers hired or trained through the partnership?",
        QuestionKind.SHARE,
        frozenset({Productivity.HIGHER}),
        "higher productivity",
    ),
    StandardQuestion(
        "collaboration_value",
        "How satisfied are you with the value of collaborating in the partnership?",
        QuestionKind.SHARE,
        frozenset({Satisfaction.SATISFIED, Satisfaction.VERY_SATISFIED}),
        "satisfied with the value of collaborating",
        excluded=frozenset(),
    ),
    StandardQuestion(
        "time_to_fill_days",
        "On average, how many days does it take to fill a vacancy?",
        QuestionKind.NUMBER,
    ),
    StandardQuestion(
        "planned_hires",
        "How many people do you plan to hire in the next 12 months?",
        QuestionKind.NUMBER,
    ),
    StandardQuestion(
        "hard_to_fill",
        "Which occupations are hard to fill? (SOC codes, e.g. 51-4041)",
        QuestionKind.DEMAND,
    ),
    StandardQuestion(
        "skill_gaps",
        "Where do applicants and new hires fall short?",
        QuestionKind.DEMAND,
    ),
)

SHARE_QUESTIONS: Final = tuple(q for q in STANDARD_QUESTIONS if q.kind is QuestionKind.SHARE)
NUMBER_QUESTIONS: Final = tuple(q for q in STANDARD_QUESTIONS if q.kind is QuestionKind.NUMBER)
QUESTION_TEXT: Final = {q.key: q.text for q in STANDARD_QUESTIONS}
