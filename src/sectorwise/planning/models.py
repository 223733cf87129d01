"""The planning app's records: maturity self-assessments (scored by the partnership, reviewed by state staff),
the action plan (employer-ranked priorities and their initiatives), and funding raised beyond state grants.

Single-row rules live in ``clean()`` and ``CheckConstraint``s; rules spanning records (one score per
indicator, rankings only by the partnership's employer members, initiative owners among its members,
submitted assessments locked) in ``services.py``. Simple-history on every record.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from sectorwise.core.models import TimeStampedModel
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.directory.models import Organization
from sectorwise.partnerships.models import Membership, SectorPartnership
from sectorwise.planning.rubric import INDICATOR_LABELS, Indicator, Phase

PHASE_CHOICES: Final = [(phase.value, phase.label) for phase in Phase]
INDICATOR_CHOICES: Final = [(indicator.value, INDICATOR_LABELS[indicator]) for indicator in Indicator]
RANK_MIN, RANK_MAX = 1, 5

# ---------------------------------------------------------------------------------------------------------
# Maturity self-assessment


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    REVIEWED = "reviewed", "Reviewed"


class SelfAssessment(TimeStampedModel):
    """A partnership's maturity self-assessment on one date: drafted and submitted by its convener (or
    state staff), then reviewed by state staff, who agree with each score or adjust it with a comment.
    ``self_phase`` is the phase the partnership's own scores give; ``phase`` the one the reviewed scores
    give."""

    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.PROTECT, related_name="self_assessments"
    )
    assessed_on = models.DateField(help_text="The date the partnership scored itself.")
    status = models.CharField(max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    notes = models.TextField(blank=True, validators=MULTI_LINE)
    self_phase = models.PositiveSmallIntegerField(
        choices=PHASE_CHOICES, null=True, blank=True, editable=False
    )
    phase = models.PositiveSmallIntegerField(choices=PHASE_CHOICES, null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    review_comment = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.DRAFT) | Q(self_phase__isnull=False),
                name="planning_selfassessment_submitted_has_self_phase",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.REVIEWED) | Q(phase__isnull=False),
                name="planning_selfassessment_reviewed_has_phase",
            ),
        ]

    def __str__(self) -> str:
        return f"Self-assessment of {self.partnership} on {self.assessed_on.isoformat()}"

    @property
    def locked(self) -> bool:
        """Submitted or reviewed: the partnership's scores no longer change."""
        return self.status != AssessmentStatus.DRAFT


class IndicatorScore(models.Model):
    """One indicator of one self-assessment: the partnership's score and, once reviewed, the staff's (the same
    when they agree; another with a comment when they adjust it)."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.CharField(max_length=24, choices=INDICATOR_CHOICES)
    self_score = models.PositiveSmallIntegerField(
        choices=PHASE_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    reviewed_score = models.PositiveSmallIntegerField(
        choices=PHASE_CHOICES, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    comment = models.TextField(blank=True, validators=MULTI_LINE, help_text="Why the review adjusted it.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="planning_one_score_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(self_score__gte=1, self_score__lte=4), name="planning_self_score_in_range"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_score__isnull=True) | Q(reviewed_score__gte=1, reviewed_score__lte=4),
                name="planning_reviewed_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.self_score}"

    @property
    def adjusted(self) -> bool:
        return self.reviewed_score is not None and self.reviewed_score != self.self_score


# ---------------------------------------------------------------------------------------------------------
# Action plan


class PrioritySource(models.TextChoices):
    PARTNERSHIP = "partnership", "Named by the partnership"
    SURVEY_OCCUPATION = "survey_occupation", "Employer survey: hard-to-fill occupation"
    SURVEY_SKILL_GAP = "survey_skill_gap", "Employer survey: skill gap"


class Priority(TimeStampedModel):
    """A problem the partnership's employers share, ranked by each employer member."""

    partnership = models.ForeignKey(SectorPartnership, on_delete=models.PROTECT, related_name="priorities")
    title = models.CharField(max_length=200, validators=SINGLE_LINE)
    description = models.TextField(blank=True, validators=MULTI_LINE)
    source = models.CharField(
        max_length=24, choices=PrioritySource.choices, default=PrioritySource.PARTNERSHIP
    )
    source_code = models.CharField(
        max_length=20, blank=True, validators=SINGLE_LINE, help_text="The SOC code of a survey occupation."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "title"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "title"], name="planning_priority_title_unique"),
            models.CheckConstraint(
                condition=~Q(title__regex=r"^\s*$"), name="planning_priority_title_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.title is not None and not self.title.strip():
            raise ValidationError({"title": "A priority needs a title."})


class PriorityRanking(TimeStampedModel):
    """One employer member's ranking of one priority: importance and feasibility, 1 (low) to 5 (high).

    Employers hold no accounts: the convener (or state staff) enters each employer's ranking
    (``entered_by``). A ranking belongs to the employer's membership and goes with it (its history stays)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="rankings")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="priority_rankings")
    importance = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RANK_MIN), MaxValueValidator(RANK_MAX)]
    )
    feasibility = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RANK_MIN), MaxValueValidator(RANK_MAX)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "membership"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "membership"], name="planning_one_ranking_per_employer"
            ),
            models.CheckConstraint(
                condition=Q(importance__gte=RANK_MIN, importance__lte=RANK_MAX)
                & Q(feasibility__gte=RANK_MIN, feasibility__lte=RANK_MAX),
                name="planning_ranking_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: importance {self.importance}, feasibility {self.feasibility}"


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    ON_HOLD = "on_hold", "On hold"
    DROPPED = "dropped", "Dropped"


class Initiative(TimeStampedModel):
    """What the partnership does about a priority: who (member organisations), when, and how far it got."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200, validators=SINGLE_LINE)
    description = models.TextField(blank=True, validators=MULTI_LINE)
    owners = models.ManyToManyField(
        Organization, related_name="planning_initiatives", help_text="Member organisations that carry it out."
    )
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.PLANNED
    )
    history = HistoricalRecords(m2m_fields=[owners])

    class Meta:
        ordering = ["priority", "due_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(due_on__isnull=True) | Q(due_on__gte=F("starts_on")),
                name="planning_initiative_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(title__regex=r"^\s*$"), name="planning_initiative_title_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "The due date cannot be before the start date."})
        if self.title is not None and not self.title.strip():
            raise ValidationError({"title": "An initiative needs a title."})


# ---------------------------------------------------------------------------------------------------------
# Sustainability


class FundingKind(models.TextChoices):
    EMPLOYER_DUES = "employer_dues", "Employer dues or contributions"
    PHILANTHROPY = "philanthropy", "Philanthropy"
    FEDERAL = "federal", "Federal grant"
    LOCAL_GOVERNMENT = "local_government", "Local government"
    EDUCATION = "education", "Education or training partner"
    IN_KIND = "in_kind", "In kind (valued)"
    EARNED = "earned", "Earned revenue (fees, events)"
    OTHER = "other", "Other"


class SustainabilityFunding(TimeStampedModel):
    """Money (or valued in-kind support) a partnership raised beyond state grants, for one period."""

    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.PROTECT, related_name="sustainability_funding"
    )
    source_name = models.CharField(max_length=200, validators=SINGLE_LINE)
    kind = models.CharField(max_length=20, choices=FundingKind.choices)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    period_start = models.DateField()
    period_end = models.DateField()
    notes = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "-period_start", "source_name"]
        verbose_name_plural = "sustainability funding"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="planning_funding_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="planning_funding_period_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(source_name__regex=r"^\s*$"), name="planning_funding_source_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_name}: ${self.amount:,.2f}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})
        if self.source_name is not None and not self.source_name.strip():
            raise ValidationError({"source_name": "Name the source."})
