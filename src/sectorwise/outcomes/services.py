"""Writes of outcomes: each keyword-only, validating, naming the field, owning its transaction.

Rules spanning records live here: one report per partnership, quarter and revision; submitted reports are
locked and corrected by amendments; a participant appears once per partnership; poverty status comes from
the partnership's state and the observation's year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sectorwise.evaluation.identifiers import InvalidIdentifier, RawIdentifier
from sectorwise.evaluation.poverty import YEARS as POVERTY_YEARS
from sectorwise.evaluation.poverty import in_poverty
from sectorwise.outcomes.models import (
    CustomIndicator,
    IndicatorValue,
    OutcomeObservation,
    Participant,
    ProgressReport,
    ReportStatus,
    SystemsChange,
    Testimonial,
)
from sectorwise.outcomes.pii import person_key_of
from sectorwise.outcomes.schedule import report_due_on
from sectorwise.partnerships.models import RegionCounty, SectorPartnership

REPORT_FIELDS = (
    "due_on",
    "employers_engaged",
    "workers_enrolled",
    "workers_completed",
    "workers_credentialed",
    "workers_placed",
    "wages_at_placement",
    "narrative",
)


# Progress reports -----------------------------------------------------------------------------------------


def _refuse_duplicate_quarter(report: ProgressReport) -> None:
    clash = ProgressReport.objects.filter(
        partnership_id=report.partnership_id, year=report.year, quarter=report.quarter
    ).exclude(pk=report.pk)
    if clash.exists():
        raise ValidationError(
            {
                "quarter": f"{report.partnership} already has a report for {report.year} Q{report.quarter}; "
                "open it (or amend it once submitted)."
            }
        )


@transaction.atomic
def progress_report_create(
    *, partnership: SectorPartnership, year: int, quarter: int, values: dict[str, Any]
) -> ProgressReport:
    """A draft report for a quarter that has none."""
    report = ProgressReport(partnership=partnership, year=year, quarter=quarter)
    for name, value in values.items():
        if name not in REPORT_FIELDS:
            raise ValueError(f"{name!r} is not a progress report field")
        setattr(report, name, value)
    if report.due_on is None:  # the award's reporting schedule, else 30 days after the quarter
        report.due_on = report_due_on(partnership=partnership, year=year, quarter=quarter)
    _refuse_duplicate_quarter(report)  # first: its message says what to do, the unique check's does not
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def progress_report_update(*, report: ProgressReport, values: dict[str, Any]) -> ProgressReport:
    """Change a draft. A submitted report is locked: correct it with ``progress_report_amend``."""
    locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if locked.status == ReportStatus.SUBMITTED:
        raise ValidationError(
            f"{locked} was submitted on {locked.submitted_at:%Y-%m-%d} and is locked; file an amendment to "
            "correct it."
        )
    for name, value in values.items():
        if name not in REPORT_FIELDS:
            raise ValueError(f"{name!r} is not a progress report field")
        setattr(report, name, value)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def progress_report_submit(*, report: ProgressReport, user: Any) -> ProgressReport:
    locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if locked.status == ReportStatus.SUBMITTED:
        raise ValidationError(f"{locked} was already submitted.")
    report.full_clean()
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.save()
    return report


@transaction.atomic
def progress_report_amend(*, report: ProgressReport, values: dict[str, Any]) -> ProgressReport:
    """A correction of a submitted report: a new draft with the next revision, starting from the latest
    revision's figures with ``values`` applied; the submitted one stays as it was."""
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(f"{report} is a draft: change it directly instead of amending it.")
    latest = (
        ProgressReport.objects.select_for_update()
        .filter(partnership_id=report.partnership_id, year=report.year, quarter=report.quarter)
        .order_by("-revision")
        .first()
    )
    assert latest is not None
    if latest.status != ReportStatus.SUBMITTED:
        raise ValidationError(f"{latest} is already an open amendment of this quarter: change it instead.")
    amendment = ProgressReport(
        partnership_id=report.partnership_id,
        year=report.year,
        quarter=report.quarter,
        revision=latest.revision + 1,
        amends=latest,
        **{name: getattr(latest, name) for name in REPORT_FIELDS},
    )
    for name, value in values.items():
        if name not in REPORT_FIELDS:
            raise ValueError(f"{name!r} is not a progress report field")
        setattr(amendment, name, value)
    amendment.full_clean()
    amendment.save()
    IndicatorValue.objects.bulk_create(  # the custom indicators' values carry over too
        IndicatorValue(report=amendment, indicator_id=value.indicator_id, value=value.value)
        for value in latest.indicator_values.all()
    )
    return amendment


# Participants and observations ------------------------------------------------------------------------------


def person_key_or_error(raw: str | RawIdentifier, *, field: str = "person_id") -> str:
    """The hash of a raw identifier, or a ``ValidationError`` on ``field`` that does not contain it."""
    try:
        return person_key_of(raw)
    except InvalidIdentifier as error:
        raise ValidationError({field: f"{error}."}) from None


@transaction.atomic
def participant_create(
    *, partnership: SectorPartnership, person_id: RawIdentifier, values: dict[str, Any]
) -> Participant:
    """Enrol a participant: the raw identifier is hashed here and dropped; only the hash is stored."""
    participant = Participant(partnership=partnership, person_key=person_key_or_error(person_id), **values)
    participant.full_clean(exclude=["person_key"])
    if Participant.objects.filter(partnership=partnership, person_key=participant.person_key).exists():
        raise ValidationError({"person_id": f"This person is already a participant of {partnership}."})
    participant.save()
    return participant


def partnership_state_fips(partnership_id: int) -> str | None:
    """The state of a partnership: the state most of its region's counties are in (FIPS), None without
    counties."""
    counties = RegionCounty.objects.filter(region__partnerships__id=partnership_id).values_list(
        "county_fips", flat=True
    )
    states = Counter(fips[:2] for fips in counties)
    return states.most_common(1)[0][0] if states else None


def poverty_status(
    *, income: Decimal | None, household_size: int | None, observed_on: dt.date, state_fips: str | None
) -> bool | None:
    """Below the HHS poverty guideline of the observation's year (the latest published for later years)
    in the partnership's state; None when income, size or state is unknown."""
    if income is None or household_size is None or state_fips is None:
        return None
    year = min(max(observed_on.year, POVERTY_YEARS[0]), POVERTY_YEARS[-1])
    try:
        return in_poverty(income, year, household_size, state_fips)
    except ValueError:  # a territory: HHS defines no guideline there, so the status stays unknown
        return None


@transaction.atomic
def observation_save(*, observation: OutcomeObservation) -> OutcomeObservation:
    """Create or replace a participant's observation at one timing, deriving its poverty status."""
    observation.in_poverty = poverty_status(
        income=observation.household_income,
        household_size=observation.household_size,
        observed_on=observation.observed_on,
        state_fips=partnership_state_fips(observation.participant.partnership_id),
    )
    observation.full_clean(validate_unique=False)
    existing = OutcomeObservation.objects.filter(
        participant_id=observation.participant_id, timing=observation.timing
    ).first()
    if existing is not None and existing.pk != observation.pk:
        observation.pk = existing.pk
        observation.created_at = existing.created_at
        observation._state.adding = False
    observation.save()
    return observation


# Systems change and testimonials -------------------------------------------------------------------


@transaction.atomic
def systems_change_verify(*, change: SystemsChange, user: Any) -> SystemsChange:
    change.verified_by = user
    change.verified_at = timezone.now()
    change.save(update_fields=["verified_by", "verified_at", "updated_at"])
    return change


@transaction.atomic
def testimonial_save(*, testimonial: Testimonial) -> Testimonial:
    testimonial.full_clean()
    testimonial.save()
    return testimonial


def next_revision(partnership_id: int, year: int, quarter: int) -> int:
    found = ProgressReport.objects.filter(
        partnership_id=partnership_id, year=year, quarter=quarter
    ).aggregate(top=Max("revision"))["top"]
    return 0 if found is None else found + 1


# Custom indicators, systems change, testimonials (record pages) ------------------------------------------


@transaction.atomic
def custom_indicator_save(*, indicator: CustomIndicator) -> CustomIndicator:
    """Create or change a partnership's own indicator; names are unique within the partnership."""
    clash = CustomIndicator.objects.filter(
        partnership_id=indicator.partnership_id, name__iexact=indicator.name.strip()
    ).exclude(pk=indicator.pk)
    if clash.exists():
        raise ValidationError(
            {"name": f"This partnership already has an indicator named {indicator.name!r}."}
        )
    indicator.name = indicator.name.strip()
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_values_save(
    *, report: ProgressReport, values: dict[int, Decimal | None]
) -> list[IndicatorValue]:
    """Set a draft report's values of its partnership's indicators (indicator id -> value; None removes the
    value). A submitted report is locked like its counts."""
    locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if locked.status == ReportStatus.SUBMITTED:
        raise ValidationError(f"{locked} was submitted and is locked; file an amendment to correct it.")
    indicators = set(
        CustomIndicator.objects.filter(partnership_id=report.partnership_id).values_list("pk", flat=True)
    )
    unknown = set(values) - indicators
    if unknown:
        raise ValidationError(f"Indicators {sorted(unknown)} are not {report.partnership}'s.")
    existing = {value.indicator_id: value for value in report.indicator_values.all()}
    saved = []
    for indicator_id, amount in values.items():
        current = existing.get(indicator_id)
        if amount is None:
            if current is not None:
                current.delete()
            continue
        if current is None:
            current = IndicatorValue(report=report, indicator_id=indicator_id, value=amount)
        current.value = amount
        current.full_clean()
        current.save()
        saved.append(current)
    return saved


_SYSTEMS_CHANGE_CONTENT = ("kind", "description", "evidence", "occurred_on")


@transaction.atomic
def systems_change_save(*, change: SystemsChange) -> SystemsChange:
    """Create or change a reported systems change. Changing what a verified change says withdraws its
    verification (staff verify what is there, not what was there)."""
    change.full_clean()
    if change.pk is not None and change.verified_at is not None:
        before = SystemsChange.objects.get(pk=change.pk)
        if any(getattr(before, name) != getattr(change, name) for name in _SYSTEMS_CHANGE_CONTENT):
            change.verified_by = None
            change.verified_at = None
    change.save()
    return change
