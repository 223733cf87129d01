"""Reads of outcomes: public aggregates (suppressed under the minimum), and participant-level reads, each of
which is logged (``ParticipantAccessLog``) before anything is returned.

Aggregates pair each participant's baseline with their latest follow-up (exit, 6, 12, 24 months) where both
are known, and hand the pairs to ``sectorwise.evaluation``: shares with Wilson intervals, the change with
Newcombe's paired interval and the exact McNemar p-value, earnings as a paired mean. Results resting on
fewer than ``minimum`` people come back suppressed (no numbers at all). Subgroups (low income at entry, sex,
race and ethnicity) are shown where their cells allow: their sizes go through ``suppress_table`` so that a
hidden subgroup cannot be worked out from the total and the other subgroups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import numpy as np

from sectorwise.charts.intervals import share_intervals
from sectorwise.core.rules import visible_to
from sectorwise.evaluation.statistics import (
    DEFAULT_MINIMUM,
    PairedMeans,
    PairedProportions,
    Proportion,
    paired_means,
    paired_proportions,
    proportion,
)
from sectorwise.evaluation.suppression import suppress_table
from sectorwise.outcomes.models import (
    FOLLOW_UPS,
    OutcomeObservation,
    Participant,
    ParticipantAccessLog,
    ProgressReport,
    RaceEthnicity,
    Sex,
    Testimonial,
    Timing,
)
from sectorwise.outcomes.rules import OutcomeAction
from sectorwise.partnerships.models import SectorPartnership

MEASURES: Final = (
    ("employed", "Employed"),
    ("not_in_poverty", "Household above the poverty guideline"),
    ("employer_health_insurance", "Health insurance through an employer"),
    ("paid_sick_leave", "Paid sick leave"),
)

_FOLLOW_UP_ORDER: Final = {timing.value: rank for rank, timing in enumerate(FOLLOW_UPS, start=1)}


@dataclass(frozen=True)
class SubgroupResult:
    dimension: str
    group: str
    result: PairedProportions
    """Suppressed when its own pairs are too few or when showing it would reveal a hidden subgroup."""


@dataclass(frozen=True)
class MeasureResult:
    key: str
    label: str
    result: PairedProportions
    subgroups: list[SubgroupResult] = field(default_factory=list)


@dataclass(frozen=True)
class OutcomeSummary:
    partnership: SectorPartnership
    participants: Proportion
    """How many participants exited, of all enrolled (``n``: participants; suppressed under the minimum)."""
    measures: list[MeasureResult]
    earnings: PairedMeans
    chart: dict[str, Any] | None
    minimum: int


def _hidden() -> PairedProportions:
    """A subgroup hidden by complementary suppression: no figure at all (its own ``n`` included)."""
    return paired_proportions([], [], minimum=1)


def _pairs(partnership_id: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(one row per participant with a baseline and a follow-up: before/after of each measure and the
    participant's subgroups; counts of participants enrolled and exited)."""
    participants = {
        row["id"]: row
        for row in Participant.objects.filter(partnership_id=partnership_id).values(
            "id", "exited_on", "low_income_at_entry", "sex", "race_ethnicity"
        )
    }
    observations = OutcomeObservation.objects.filter(participant__partnership_id=partnership_id).values(
        "participant_id",
        "timing",
        "employed",
        "in_poverty",
        "employer_health_insurance",
        "paid_sick_leave",
        "quarterly_earnings",
    )
    baseline: dict[int, dict[str, Any]] = {}
    latest: dict[int, dict[str, Any]] = {}
    for found in observations:
        row: dict[str, Any] = dict(found)
        person = row["participant_id"]
        if row["timing"] == Timing.BASELINE:
            baseline[person] = row
        elif (
            person not in latest
            or _FOLLOW_UP_ORDER[row["timing"]] > _FOLLOW_UP_ORDER[latest[person]["timing"]]
        ):
            latest[person] = row
    rows = []
    for person, before in baseline.items():
        after = latest.get(person)
        if after is None:
            continue
        rows.append({"participant": participants[person], "before": before, "after": after})
    counts = {
        "enrolled": len(participants),
        "exited": sum(1 for row in participants.values() if row["exited_on"] is not None),
    }
    return rows, counts


def _measure_value(observation: dict[str, Any], key: str) -> bool | None:
    if key == "not_in_poverty":
        status = observation["in_poverty"]
        return None if status is None else not status
    value: bool | None = observation[key]
    return value


def _paired(rows: list[dict[str, Any]], key: str, minimum: int) -> PairedProportions:
    before, after = [], []
    for row in rows:
        first, second = _measure_value(row["before"], key), _measure_value(row["after"], key)
        if first is not None and second is not None:
            before.append(first)
            after.append(second)
    return paired_proportions(before, after, minimum=minimum)


SUBGROUPS: Final[tuple[tuple[str, str, Callable[[dict[str, Any]], str | None]], ...]] = (
    (
        "low_income_at_entry",
        "Low income at entry",
        lambda p: None if p["low_income_at_entry"] is None else ("Yes" if p["low_income_at_entry"] else "No"),
    ),
    ("sex", "Sex", lambda p: str(Sex(p["sex"]).label) if p["sex"] else None),
    (
        "race_ethnicity",
        "Race and ethnicity",
        lambda p: str(RaceEthnicity(p["race_ethnicity"]).label) if p["race_ethnicity"] else None,
    ),
)


def _subgroups(rows: list[dict[str, Any]], key: str, minimum: int) -> list[SubgroupResult]:
    found: list[SubgroupResult] = []
    for _, dimension, group_of in SUBGROUPS:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            group = group_of(row["participant"])
            if group is not None:
                groups[group].append(row)
        if len(groups) < 2:
            continue
        labels = sorted(groups)
        results = {label: _paired(groups[label], key, minimum) for label in labels}
        # The subgroups' sizes add up to the known ones' total: hide more where one hidden size could be
        # recovered from the others (complementary suppression on the column of sizes).
        sizes = np.array([[results[label].n] for label in labels], dtype=np.int64)
        table = suppress_table(sizes, minimum=minimum)
        for index, label in enumerate(labels):
            hidden = (index, 0) in table.hidden
            result = _hidden() if hidden or results[label].suppressed else results[label]
            found.append(SubgroupResult(dimension=dimension, group=label, result=result))
    return found


def outcome_summary(*, partnership: SectorPartnership, minimum: int = DEFAULT_MINIMUM) -> OutcomeSummary:
    """A partnership's aggregate outcomes, safe to show anyone: every figure under ``minimum`` suppressed."""
    rows, counts = _pairs(partnership.pk)
    measures = [
        MeasureResult(
            key=key, label=label, result=_paired(rows, key, minimum), subgroups=_subgroups(rows, key, minimum)
        )
        for key, label in MEASURES
    ]
    earnings_pairs = [
        (row["before"]["quarterly_earnings"], row["after"]["quarterly_earnings"])
        for row in rows
        if row["before"]["quarterly_earnings"] is not None and row["after"]["quarterly_earnings"] is not None
    ]
    earnings = paired_means(
        [float(before) for before, _ in earnings_pairs],
        [float(after) for _, after in earnings_pairs],
        minimum=minimum,
    )
    participants = (
        proportion(counts["exited"], counts["enrolled"], minimum=minimum)
        if counts["enrolled"]
        else proportion(0, 0, minimum=minimum)
    )
    return OutcomeSummary(
        partnership=partnership,
        participants=participants,
        measures=measures,
        earnings=earnings,
        chart=_chart(measures),
        minimum=minimum,
    )


def _chart(measures: list[MeasureResult]) -> dict[str, Any] | None:
    values = []
    for measure in measures:
        result = measure.result
        if result.suppressed:
            continue
        for period, share in (("Baseline", result.before), ("Latest follow-up", result.after)):
            values.append(
                {
                    "measure": measure.label,
                    "period": period,
                    "estimate": share.estimate,
                    "low": share.low,
                    "high": share.high,
                    "n": share.n,
                }
            )
    if not values:
        return None
    return share_intervals(values, title="Before and after, with 95% intervals")


def public_testimonials(*, partnership: SectorPartnership) -> list[Testimonial]:
    """Only testimonials whose speaker consented to publication."""
    return list(Testimonial.objects.filter(partnership=partnership, consent_to_publish=True))


def progress_reports(*, partnership: SectorPartnership) -> list[ProgressReport]:
    return list(
        ProgressReport.objects.filter(partnership=partnership).order_by("-year", "-quarter", "-revision")
    )


def money(value: Decimal | float | None) -> str:
    return "" if value is None else f"${Decimal(str(value)):,.0f}"


# Participant-level reads: logged -------------------------------------------------------------------------


def participant_access_record(
    *, user: Any, what: str, records: int, partnership: SectorPartnership | None = None, path: str = ""
) -> ParticipantAccessLog:
    """Who read which participant-level data, when (written before the data is returned)."""
    return ParticipantAccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        partnership=partnership,
        what=what[:200],
        records=records,
        path=path[:500],
    )


def participant_list(*, partnership: SectorPartnership, user: Any, path: str = "") -> list[Participant]:
    """A partnership's participants for a user the rule lets read them; the read is logged."""
    participants = list(
        visible_to(Participant.objects.all(), user=user, action=OutcomeAction.VIEW_PARTICIPANTS)
        .filter(partnership=partnership)
        .order_by("enrolled_on", "id")
    )
    participant_access_record(
        user=user,
        what=f"participant list of {partnership.name}",
        records=len(participants),
        partnership=partnership,
        path=path,
    )
    return participants
