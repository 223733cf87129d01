"""Outcome records: progress reports, participants (identifier stored only as a keyed hash), their outcome
observations, systems change, testimonials, and the log of every read of participant-level data.

Single-row rules are pure functions of field values (``progress_counts_error``, ...), asked by the models'
``clean()`` (forms, services) and by the imports row by row, and mirrored by ``CheckConstraint``s so that the
database has the last word. Rules spanning records (one report per partnership and quarter, locking of
submitted reports, poverty status from the partnership's state) live in ``services.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from sectorwise.core.models import TimeStampedModel
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.partnerships.models import SectorPartnership

# ---------------------------------------------------------------------------------------------------------
# Progress reports


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


def progress_counts_error(
    *,
    enrolled: int | None,
    completed: int | None,
    credentialed: int | None,
    placed: int | None,
    wages_at_placement: Decimal | None,
) -> dict[str, str]:
    """The counts of one quarter nest: completed ≤ enrolled, credentialed ≤ completed, placed ≤ completed;
    a wage at placement needs someone placed."""
    errors: dict[str, str] = {}
    if completed is not None and enrolled is not None and completed > enrolled:
        errors["workers_completed"] = (
            f"Workers completed ({completed}) cannot exceed workers enrolled ({enrolled})."
        )
    if credentialed is not None and completed is not None and credentialed > completed:
        errors["workers_credentialed"] = (
            f"Workers credentialed ({credentialed}) cannot exceed workers completed ({completed})."
        )
    if placed is not None and completed is not None and placed > completed:
        errors["workers_placed"] = f"Workers placed ({placed}) cannot exceed workers completed ({completed})."
    if wages_at_placement is not None and not placed:
        errors["wages_at_placement"] = "A wage at placement needs at least one worker placed."
    return errors


class ProgressReport(TimeStampedModel):
    """What a partnership did in one quarter. Submitted reports are locked; a correction is an amendment: a
    new report for the same quarter with the next ``revision``, pointing to the one it corrects."""

    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.PROTECT, related_name="progress_reports"
    )
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    revision = models.PositiveSmallIntegerField(default=0, editable=False)
    amends = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="amended_by"
    )
    # Hook for the grants app's reporting schedule: set from the award's schedule once both exist (a
    # partnership without an award may report too, so it stays optional).
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    employers_engaged = models.PositiveIntegerField(default=0)
    workers_enrolled = models.PositiveIntegerField(default=0)
    workers_completed = models.PositiveIntegerField(default=0)
    workers_credentialed = models.PositiveIntegerField(default=0)
    workers_placed = models.PositiveIntegerField(default=0)
    wages_at_placement = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Average hourly wage of the workers placed, in dollars.",
    )
    narrative = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "-year", "-quarter", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year", "quarter", "revision"], name="progress_report_unique_revision"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="progress_report_quarter",
                violation_error_message="The quarter is 1, 2, 3 or 4.",
            ),
            models.CheckConstraint(
                condition=Q(workers_completed__lte=F("workers_enrolled")),
                name="progress_report_completed_le_enrolled",
                violation_error_message="Workers completed cannot exceed workers enrolled.",
            ),
            models.CheckConstraint(
                condition=Q(workers_credentialed__lte=F("workers_completed")),
                name="progress_report_credentialed_le_completed",
                violation_error_message="Workers credentialed cannot exceed workers completed.",
            ),
            models.CheckConstraint(
                condition=Q(workers_placed__lte=F("workers_completed")),
                name="progress_report_placed_le_completed",
                violation_error_message="Workers placed cannot exceed workers completed.",
            ),
            models.CheckConstraint(
                condition=Q(wages_at_placement__isnull=True)
                | Q(workers_placed__gt=0, wages_at_placement__gte=0),
                name="progress_report_wages_need_placements",
                violation_error_message="A wage at placement needs at least one worker placed.",
            ),
        ]

    def __str__(self) -> str:
        amendment = f", amendment {self.revision}" if self.revision else ""
        return f"{self.partnership} {self.year} Q{self.quarter}{amendment}"

    def clean(self) -> None:
        errors = progress_counts_error(
            enrolled=self.workers_enrolled,
            completed=self.workers_completed,
            credentialed=self.workers_credentialed,
            placed=self.workers_placed,
            wages_at_placement=self.wages_at_placement,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def locked(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


class CustomIndicator(TimeStampedModel):
    """A partnership's own measure, defined by staff with the partnership (e.g. "apprentices hired")."""

    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.CASCADE, related_name="custom_indicators"
    )
    name = models.CharField(max_length=150, validators=SINGLE_LINE)
    unit = models.CharField(max_length=40, blank=True, validators=SINGLE_LINE)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="custom_indicator_unique_name"),
            models.CheckConstraint(
                condition=~Q(name__regex=r"^\s*$"),
                name="custom_indicator_name_not_blank",
                violation_error_message="A name cannot be blank.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class IndicatorValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(CustomIndicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_unique")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


# ---------------------------------------------------------------------------------------------------------
# Participants and their outcomes


def _hex_digits_removed(column: str) -> Func:
    """SQL ``LTRIM(column, '0123456789abcdef')`` (SQLite and PostgreSQL alike): '' when every character is a
    lower-case hex digit."""
    return Func(F(column), Value("0123456789abcdef"), function="LTRIM", output_field=models.CharField())


person_key_validator = RegexValidator(
    r"^[0-9a-f]{64}$", "A person key is the 64-hex-digit hash of an identifier, never the identifier."
)


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Another sex or gender"


class RaceEthnicity(models.TextChoices):
    """The WIOA/PIRL reporting groups (one per participant here: the group they chose first)."""

    HISPANIC = "hispanic", "Hispanic or Latino"
    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    WHITE = "white", "White"
    MULTIPLE = "multiple", "More than one race"


DEMOGRAPHIC_FIELDS = ("birth_year", "sex", "race_ethnicity", "low_income_at_entry", "barriers")


def participant_dates_error(*, enrolled_on: dt.date | None, exited_on: dt.date | None) -> dict[str, str]:
    if enrolled_on is not None and exited_on is not None and exited_on < enrolled_on:
        return {"exited_on": f"Exit {exited_on.isoformat()} is before enrolment {enrolled_on.isoformat()}."}
    return {}


def demographics_consent_error(*, consented: bool, values: dict[str, Any]) -> dict[str, str]:
    """Demographics are kept only with the participant's consent."""
    if consented:
        return {}
    given = [name for name in DEMOGRAPHIC_FIELDS if values.get(name) not in (None, "")]
    if given:
        return {
            "demographics_consent": "Demographics are kept only with the participant's consent; without it "
            f"leave {', '.join(given)} empty."
        }
    return {}


class Participant(TimeStampedModel):
    """A worker served by a partnership. ``person_key`` is the keyed hash of their SSN or state ID
    (``outcomes.pii``): the raw number is never a field, so it can be in no row and no history record."""

    # No index of its own: the unique (partnership, person_key) index leads with it and serves every lookup
    # by partnership; a fourth index cost the state-sized import a tenth of its time.
    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.PROTECT, related_name="participants", db_index=False
    )
    person_key = models.CharField(max_length=64, validators=[person_key_validator], editable=False)
    enrolled_on = models.DateField()
    exited_on = models.DateField(null=True, blank=True)
    demographics_consent = models.BooleanField(default=False)
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    race_ethnicity = models.CharField(max_length=20, choices=RaceEthnicity.choices, blank=True)
    low_income_at_entry = models.BooleanField(null=True, blank=True)
    barriers = models.CharField(
        max_length=200,
        blank=True,
        validators=SINGLE_LINE,
        help_text="Other barriers to employment, as consented.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "enrolled_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "person_key"], name="participant_unique_person"),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("enrolled_on")),
                name="participant_exit_after_enrolment",
                violation_error_message="The exit date cannot be before the enrolment date.",
            ),
            # 64 hex digits, checked natively (a regex runs in Python per row on SQLite: see WageRecord).
            models.CheckConstraint(
                condition=Exact(Length("person_key"), 64),
                name="participant_person_key_length",
                violation_error_message="A person key is the hash of an identifier, never the identifier.",
            ),
            models.CheckConstraint(
                condition=Exact(_hex_digits_removed("person_key"), Value("")),
                name="participant_person_key_is_hex",
                violation_error_message="A person key is the hash of an identifier, never the identifier.",
            ),
            models.CheckConstraint(
                condition=Q(demographics_consent=True)
                | Q(
                    birth_year__isnull=True,
                    sex="",
                    race_ethnicity="",
                    low_income_at_entry__isnull=True,
                    barriers="",
                ),
                name="participant_demographics_need_consent",
                violation_error_message="Demographics are kept only with the participant's consent.",
            ),
        ]
        indexes = [models.Index(fields=["person_key"])]

    def __str__(self) -> str:
        return f"Participant {self.pk} of {self.partnership}"

    def clean(self) -> None:
        errors = participant_dates_error(enrolled_on=self.enrolled_on, exited_on=self.exited_on)
        errors |= demographics_consent_error(
            consented=self.demographics_consent,
            values={name: getattr(self, name) for name in DEMOGRAPHIC_FIELDS},
        )
        if errors:
            raise ValidationError(errors)


class Timing(models.TextChoices):
    BASELINE = "baseline", "Baseline (at enrolment)"
    EXIT = "exit", "At exit"
    MONTHS_6 = "6_months", "6 months after exit"
    MONTHS_12 = "12_months", "12 months after exit"
    MONTHS_24 = "24_months", "24 months after exit"


FOLLOW_UPS = (Timing.EXIT, Timing.MONTHS_6, Timing.MONTHS_12, Timing.MONTHS_24)


def observation_error(
    *,
    employed: bool | None,
    quarterly_earnings: Decimal | None,
    employer_health_insurance: bool | None,
    paid_sick_leave: bool | None,
    household_size: int | None,
    household_income: Decimal | None,
) -> dict[str, str]:
    """Earnings and job benefits belong to someone employed; household income needs the household's size."""
    errors: dict[str, str] = {}
    if employed is False:
        if quarterly_earnings:
            errors["quarterly_earnings"] = (
                "Someone not employed has no quarterly earnings (leave it empty or 0)."
            )
        if employer_health_insurance:
            errors["employer_health_insurance"] = (
                "Employer health insurance needs an employer: employed is no."
            )
        if paid_sick_leave:
            errors["paid_sick_leave"] = "Paid sick leave needs an employer: employed is no."
    if household_income is not None and household_size is None:
        errors["household_size"] = (
            "Give the household size with the household income (poverty status needs both)."
        )
    return errors


class OutcomeObservation(TimeStampedModel):
    """What was observed of a participant at baseline or a follow-up. ``in_poverty`` is derived when written
    (``services``): household income below the HHS guideline of the observation's year in the partnership's
    state; None when unknown."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="observations")
    timing = models.CharField(max_length=12, choices=Timing.choices)
    observed_on = models.DateField()
    employed = models.BooleanField(null=True, blank=True)
    quarterly_earnings = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    household_size = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    household_income = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Annual, in dollars.",
    )
    in_poverty = models.BooleanField(null=True, blank=True, editable=False)
    employer_health_insurance = models.BooleanField(null=True, blank=True)
    paid_sick_leave = models.BooleanField(null=True, blank=True)
    credential_attained = models.BooleanField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["participant", "observed_on"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "timing"], name="observation_unique_timing"),
            models.CheckConstraint(
                condition=Q(quarterly_earnings__isnull=True) | Q(quarterly_earnings__gte=0),
                name="observation_earnings_not_negative",
                violation_error_message="Quarterly earnings cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(household_income__isnull=True)
                | Q(household_income__gte=0, household_size__isnull=False),
                name="observation_income_with_household_size",
                violation_error_message=(
                    "Give the household size with the household income (poverty status needs both)."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(employed=False)
                | (
                    (Q(quarterly_earnings__isnull=True) | Q(quarterly_earnings=0))
                    & ~Q(employer_health_insurance=True)
                    & ~Q(paid_sick_leave=True)
                ),
                name="observation_job_facts_need_employment",
                violation_error_message=(
                    "Earnings, employer health insurance and paid sick leave need employed to be yes."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_timing_display()} of participant {self.participant_id}"

    def clean(self) -> None:
        errors = observation_error(
            employed=self.employed,
            quarterly_earnings=self.quarterly_earnings,
            employer_health_insurance=self.employer_health_insurance,
            paid_sick_leave=self.paid_sick_leave,
            household_size=self.household_size,
            household_income=self.household_income,
        )
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------------
# Systems change and testimonials


class SystemsChangeKind(models.TextChoices):
    EDUCATION_PROGRAM = "education_program", "New or changed education program"
    CREDENTIAL = "credential", "Credential"
    HR_PRACTICE = "hr_practice", "HR practice"
    POLICY = "policy", "Policy"
    FUNDING = "funding", "Funding"


class SystemsChange(TimeStampedModel):
    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.CASCADE, related_name="systems_changes"
    )
    kind = models.CharField(max_length=20, choices=SystemsChangeKind.choices)
    description = models.TextField(validators=MULTI_LINE)
    evidence = models.TextField(
        blank=True, validators=MULTI_LINE, help_text="Where it is documented (a link, a document)."
    )
    occurred_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "-occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


def testimonial_consent_error(*, consent_to_publish: bool, consent_on: dt.date | None) -> dict[str, str]:
    if consent_to_publish and consent_on is None:
        return {"consent_on": "Give the date the person consented to publication."}
    if not consent_to_publish and consent_on is not None:
        return {
            "consent_on": "A consent date without consent to publish: tick the consent or clear the date."
        }
    return {}


class Testimonial(TimeStampedModel):
    """A quote; only those whose speaker consented to publication (with the date) are ever shown publicly."""

    partnership = models.ForeignKey(SectorPartnership, on_delete=models.CASCADE, related_name="testimonials")
    quote = models.TextField(validators=MULTI_LINE)
    attributed_to = models.CharField(
        max_length=150, validators=SINGLE_LINE, help_text="Who, as they agreed to be named."
    )
    consent_to_publish = models.BooleanField(default=False)
    consent_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_publish=True, consent_on__isnull=False)
                | Q(consent_to_publish=False, consent_on__isnull=True),
                name="testimonial_consent_has_date",
                violation_error_message="Consent to publish and its date go together.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attributed_to}: {self.quote[:60]}"

    def clean(self) -> None:
        errors = testimonial_consent_error(
            consent_to_publish=self.consent_to_publish, consent_on=self.consent_on
        )
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------------
# The access log


class ParticipantAccessLog(models.Model):
    """One read of participant-level data: who, what, when. Written by the selectors that read it; read-only
    in the admin (state administrators)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept if the account is deleted.")
    partnership = models.ForeignKey(SectorPartnership, on_delete=models.SET_NULL, null=True, related_name="+")
    what = models.CharField(max_length=200)
    records = models.PositiveIntegerField(default=0, help_text="How many participants' rows were read.")
    path = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "participant data access"
        verbose_name_plural = "participant data accesses"

    def __str__(self) -> str:
        return f"{self.username} read {self.what} at {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------------------
# Unemployment-insurance wage records

WAGE_YEARS = (1990, 2100)
MAX_EMPLOYER_ID_LENGTH = 30


class WageRecord(models.Model):
    """One UI wage record: what one employer paid one person in one calendar quarter. The person is known only
    by ``person_key``, the same keyed hash as ``Participant.person_key`` (so records link to participants
    without the number); the employer id is the UI account number as the state gives it (not personal).

    Written only by the wage-record import (``importing.WageRecordImporter``), which keeps a history record
    of each row like every import; read only as aggregates (``wages.wioa_for_partnership``) and in the
    logged PIRL export."""

    person_key = models.CharField(max_length=64, validators=[person_key_validator], editable=False)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(WAGE_YEARS[0]), MaxValueValidator(WAGE_YEARS[1])]
    )
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    employer_id = models.CharField(
        max_length=MAX_EMPLOYER_ID_LENGTH,
        validators=SINGLE_LINE,
        help_text="The employer's UI account number.",
    )
    wages = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    history = HistoricalRecords()

    class Meta:
        ordering = ["person_key", "year", "quarter", "employer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_key", "year", "quarter", "employer_id"], name="wage_record_unique"
            ),
            # Not a regex as on Participant: SQLite runs Django's REGEXP in Python for each row, a
            # third of the insert time of a million-row wage file. 64 characters, all hex digits.
            models.CheckConstraint(
                condition=Exact(Length("person_key"), 64),
                name="wage_record_person_key_length",
                violation_error_message="A person key is the hash of an identifier, never the identifier.",
            ),
            models.CheckConstraint(
                condition=Exact(_hex_digits_removed("person_key"), Value("")),
                name="wage_record_person_key_is_hex",
                violation_error_message="A person key is the hash of an identifier, never the identifier.",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="wage_record_quarter_1_to_4",
                violation_error_message="The quarter is 1, 2, 3 or 4.",
            ),
            models.CheckConstraint(
                condition=Q(wages__gte=0),
                name="wage_record_wages_not_negative",
                violation_error_message="Wages cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"Wages {self.year} Q{self.quarter} at {self.employer_id}"
