"""The fixed vocabulary of capacity-building topics: technical assistance, events and resources are tagged
with it, and a maturity self-assessment's weak indicators suggest TA in these topics.

``TA_TOPICS`` (value, label) is the constant other code refers to. The planning app sits below capacity in
the layers contract and may not import it: it names topics by their values (``"employer_engagement"``),
which are stable; ``TaTopic(value)`` refuses an unknown one.
"""

from __future__ import annotations

from typing import Final

from django.db import models


class TaTopic(models.TextChoices):
    EMPLOYER_ENGAGEMENT = "employer_engagement", "Employer engagement"
    MEETING_DESIGN = "meeting_design", "Meeting design and facilitation"
    STRATEGIC_PLANNING = "strategic_planning", "Strategic planning"
    EVALUATION = "evaluation", "Evaluation"
    DATA_USE = "data_use", "Data use and labor-market information"
    SUSTAINABILITY_FUNDING = "sustainability_funding", "Sustainability funding"
    STAFFING = "staffing", "Staffing and governance"
    CAREER_PATHWAYS = "career_pathways", "Career pathways and training design"
    EQUITY = "equity", "Equity and access"
    COMMUNICATIONS = "communications", "Communications and storytelling"


TA_TOPICS: Final[tuple[tuple[str, str], ...]] = tuple((topic.value, topic.label) for topic in TaTopic)
"""Every topic as (value, label), in the order pages show them."""

TOPIC_LABELS: Final[dict[str, str]] = dict(TA_TOPICS)


def topic_for_name(name: str) -> TaTopic | None:
    """The topic a plain name stands for: its value (``"data_use"``), the value with spaces
    (``"data use"``, as ``planning.rubric.TA_TOPICS`` names them) or its label; None for an unknown one."""
    wanted = name.strip().lower()
    for topic in TaTopic:
        if wanted in (topic.value, topic.value.replace("_", " "), str(topic.label).lower()):
            return topic
    return None


def topics_to_text(topics: list[str] | tuple[str, ...]) -> str:
    """Tags as stored: ``|a|b|`` (so ``icontains "|a|"`` finds one exactly, on SQLite and PostgreSQL)."""
    unique = sorted({TaTopic(topic).value for topic in topics})
    return f"|{'|'.join(unique)}|" if unique else ""


def topics_from_text(text: str) -> list[str]:
    return [part for part in text.split("|") if part]
