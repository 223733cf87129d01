"""Participants with a baseline and a follow-up, written straight to the tables (the record pages' and the
API's tests need many; the imports and services that write them are tested in test_outcomes.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from sectorwise.outcomes.models import OutcomeObservation, Participant, Timing
from sectorwise.partnerships.models import SectorPartnership


def cohort(
    partnership: SectorPartnership,
    *,
    employed: list[tuple[bool, bool]],
    earnings: tuple[int, int] = (5000, 6000),
    sex: str = "",
) -> list[Participant]:
    """One participant per (employed before, employed after), with earnings before/after for the employed
    (plus the participant's index, so the changes vary)."""
    people = []
    for index, (before, after) in enumerate(employed):
        key = hashlib.sha256(f"{partnership.pk}:{index}".encode()).hexdigest()
        person = Participant.objects.create(
            partnership=partnership,
            person_key=key,
            enrolled_on=dt.date(2023, 1, 9),
            exited_on=dt.date(2023, 9, 1),
            demographics_consent=bool(sex),
            sex=sex,
        )
        for timing, day, is_employed, pay in (
            (Timing.BASELINE, dt.date(2023, 1, 9), before, earnings[0] + index),
            (Timing.MONTHS_12, dt.date(2024, 9, 1), after, earnings[1] + 3 * index),
        ):
            OutcomeObservation.objects.create(
                participant=person,
                timing=timing,
                observed_on=day,
                employed=is_employed,
                quarterly_earnings=Decimal(pay) if is_employed else None,
            )
        people.append(person)
    return people
