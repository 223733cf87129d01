"""Employer surveys: a survey of one partnership's employers (the standard instrument of
``instrument.py`` plus its own questions), one invitation per employer contact with a one-use link, and the
responses.

A link's token is never stored: an invitation keeps the SHA-256 of it (``token_hash``), and its history
leaves even that out. A response belongs to exactly one invitation (a unique one-to-one), so a link can
never give two responses, whatever the timing (``services.response_submit``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from sectorwise.core.models import TimeStampedModel
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.directory.models import Organization, Person
from sectorwise.partnerships.models import SectorPartnership
from sectorwise.surveys.instrument import Change, Productivity, Quality, Satisfaction, Skill
from sectorwise.surveys.soc import validate_soc_code


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Survey(TimeStampedModel):
    partnership = models.ForeignKey(SectorPartnership, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(max_length=200, validators=SINGLE_LINE)
    period = models.CharField(
        max_length=40, blank=True, validators=SINGLE_LINE, help_text="What the answers cover, e.g. 2025."
    )
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="Links stop working at the end of this day.")
    status = models.CharField(max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    introduction = models.TextField(blank=True, validators=MULTI_LINE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="survey_closes_after_it_opens",
                violation_error_message="A survey closes on or after the day it opens.",
            ),
            models.CheckConstraint(condition=~Q(title__regex=r"^\s*$"), name="survey_title_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.partnership})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not (self.title or "").strip():
            raise ValidationError({"title": "A survey needs a title."})
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "A survey closes on or after the day it opens."})


class CustomKind(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    CHOICE = "choice", "One choice from a list"
    SCALE = "scale", "Scale from 1 to 5"


class SurveyQuestion(TimeStampedModel):
    """A survey's own question, asked after the standard instrument."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300, validators=SINGLE_LINE)
    kind = models.CharField(max_length=10, choices=CustomKind.choices)
    choices = models.TextField(blank=True, help_text="For a choice: one option per line.")
    required = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == CustomKind.CHOICE and len(self.options) < 2:
            raise ValidationError({"choices": "A choice question needs at least two options, one per line."})
        if self.kind != CustomKind.CHOICE and self.options:
            raise ValidationError({"choices": "Only a choice question has options."})


class Invitation(TimeStampedModel):
    """One employer contact asked to answer one survey through a one-use link."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="survey_invitations")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="survey_invitations"
    )
    email = models.EmailField()
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, validators=[RegexValidator(r"^[0-9a-f]{64}$")]
    )
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["survey", "organization__name", "person__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="invitation_one_per_contact"),
            models.CheckConstraint(
                condition=Q(token_hash__regex=r"^[0-9a-f]{64}$"), name="invitation_token_is_a_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.organization}) for {self.survey.title}"


class Response(TimeStampedModel):
    """One employer's answers. The standard instrument's answers are columns; the demand questions and the
    custom questions are rows (``HardToFillOccupation``, ``SkillGap``, ``CustomAnswer``)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    submitted_at = models.DateTimeField()
    turnover = models.CharField(max_length=10, choices=Change.choices, blank=True)
    rework = models.CharField(max_length=10, choices=Change.choices, blank=True)
    complaints = models.CharField(max_length=10, choices=Change.choices, blank=True)
    quality_of_hires = models.CharField(max_length=10, choices=Quality.choices, blank=True)
    productivity = models.CharField(max_length=10, choices=Productivity.choices, blank=True)
    collaboration_value = models.PositiveSmallIntegerField(
        choices=Satisfaction.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    time_to_fill_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    planned_hires = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    other_skill_gaps = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(collaboration_value__isnull=True)
                | Q(collaboration_value__gte=1, collaboration_value__lte=5),
                name="response_collaboration_value_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey.title}"


class HardToFillOccupation(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="hard_to_fill")
    soc_code = models.CharField(max_length=7, validators=[validate_soc_code])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "soc_code"], name="hard_to_fill_once_per_response"),
            models.CheckConstraint(
                condition=Q(soc_code__regex=r"^[0-9]{2}-[0-9]{4}$"), name="hard_to_fill_soc_format"
            ),
        ]

    def __str__(self) -> str:
        return self.soc_code


class SkillGap(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="skill_gaps")
    skill = models.CharField(max_length=20, choices=Skill.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "skill"], name="skill_gap_once_per_response"),
        ]

    def __str__(self) -> str:
        return self.get_skill_display()


class CustomAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="custom_answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True, validators=MULTI_LINE)
    """A text answer, or the option chosen."""
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    """A number, or the point on the scale."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="custom_answer_once_per_response"),
        ]

    def __str__(self) -> str:
        return str(self.value())

    def value(self) -> Any:
        return self.number if self.number is not None else self.text
