"""Records of the grants app: pooled funding sources, programs and rounds, applications, reviews, awards and
payments.

Money is ``Decimal`` in ``DecimalField(max_digits=14, decimal_places=2)``. What must never be overspent is
held by the database itself: a funding source's ``committed`` (awards) and ``paid`` (payments) are
denormalised columns with check constraints (``committed <= amount``, ``paid <= committed``), an award's
``paid <= amount`` likewise, and the services update them with ``F()`` expressions inside the transaction
that locks the row (``select_for_update``), so a racing writer that skipped the lock is still refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from sectorwise.core.models import TimeStampedModel, name_not_blank_constraint, refuse_blank_name
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.partnerships.models import Region, SectorPartnership

ZERO: Final = Decimal("0.00")


def money_field(**kwargs: object) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]  # any field option


class FundingSystem(models.TextChoices):
    WORKFORCE = "workforce", "Workforce"
    EDUCATION = "education", "Education"
    ECONOMIC_DEVELOPMENT = "economic_development", "Economic development"
    HUMAN_SERVICES = "human_services", "Human services"
    PHILANTHROPY = "philanthropy", "Philanthropy"
    FEDERAL = "federal", "Federal"
    OTHER = "other", "Other"


class GrantKind(models.TextChoices):
    PLANNING = "planning", "Planning"
    IMPLEMENTATION = "implementation", "Implementation"


class CostCategory(models.TextChoices):
    PERSONNEL = "personnel", "Personnel"
    FRINGE = "fringe", "Fringe benefits"
    TRAVEL = "travel", "Travel"
    EQUIPMENT = "equipment", "Equipment"
    SUPPLIES = "supplies", "Supplies"
    CONTRACTUAL = "contractual", "Contractual"
    TRAINING = "training", "Training and participant costs"
    INDIRECT = "indirect", "Indirect costs"
    OTHER = "other", "Other"


class FundingSource(TimeStampedModel):
    """Money one state system (or a funder) puts into the pool for one fiscal year, with its restrictions.

    An empty restriction list means "no restriction". ``committed`` is the sum of its award shares and
    ``paid`` the sum paid out of them; both are kept by the services in the transaction that changes them.
    """

    name = models.CharField(max_length=200, unique=True, validators=SINGLE_LINE)
    system = models.CharField(max_length=24, choices=FundingSystem.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    amount = money_field()
    committed = money_field(default=ZERO, editable=False)
    paid = money_field(default=ZERO, editable=False)
    requested = money_field(
        default=ZERO,
        editable=False,
        help_text="Payment requests awaiting payment (pending or approved): already spoken for.",
    )
    allowed_regions = models.ManyToManyField(
        Region, blank=True, related_name="+", help_text="Only partnerships in these regions (none: any)."
    )
    allowed_naics = models.JSONField(
        default=list, blank=True, help_text="NAICS prefixes of the target industries it may fund (none: any)."
    )
    allowed_cost_categories = models.JSONField(
        default=list, blank=True, help_text="Budget categories it may pay for (none: any)."
    )
    allowed_program_kinds = models.JSONField(
        default=list, blank=True, help_text="Kinds of grant it may fund (none: any)."
    )
    notes = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fiscal_year", "name"]
        constraints = [
            name_not_blank_constraint("funding_source"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_source_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(committed__gte=0), name="funding_source_committed_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(committed__lte=F("amount")), name="funding_source_committed_within_amount"
            ),
            models.CheckConstraint(condition=Q(paid__gte=0), name="funding_source_paid_not_negative"),
            models.CheckConstraint(
                condition=Q(paid__lte=F("committed")), name="funding_source_paid_within_committed"
            ),
            models.CheckConstraint(
                condition=Q(requested__gte=0), name="funding_source_requested_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(requested__lte=F("committed") - F("paid")),
                name="funding_source_requested_within_unpaid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (FY{self.fiscal_year})"

    def clean(self) -> None:
        refuse_blank_name(self.name)

    @property
    def balance(self) -> Decimal:
        """What is left to commit."""
        return Decimal(self.amount) - Decimal(self.committed)


class GrantProgram(TimeStampedModel):
    """A kind of grant with its limits; rounds open and close under it."""

    name = models.CharField(max_length=200, unique=True, validators=SINGLE_LINE)
    kind = models.CharField(max_length=16, choices=GrantKind.choices)
    min_amount = money_field()
    max_amount = money_field()
    min_months = models.PositiveSmallIntegerField()
    max_months = models.PositiveSmallIntegerField()
    description = models.TextField(blank=True, validators=MULTI_LINE)
    funding_sources = models.ManyToManyField(  # type: ignore[var-annotated]  # through by name
        FundingSource, through="ProgramContribution", related_name="programs", blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            name_not_blank_constraint("grant_program"),
            models.CheckConstraint(
                condition=Q(min_amount__gt=0) & Q(min_amount__lte=F("max_amount")),
                name="grant_program_amounts_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_months__gt=0) & Q(min_months__lte=F("max_months")),
                name="grant_program_months_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramContribution(models.Model):
    """A funding source's pledge to a program: the most its awards under that program may take from it."""

    program = models.ForeignKey(GrantProgram, on_delete=models.CASCADE, related_name="contributions")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="contributions")
    amount = money_field()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "source"], name="program_contribution_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="program_contribution_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.program}: {self.amount}"


class RoundState(models.TextChoices):
    PLANNED = "planned", "Planned"
    OPEN = "open", "Open for applications"
    IN_REVIEW = "in_review", "Closed, in review"
    REVIEW_CLOSED = "review_closed", "Review closed"


class Round(TimeStampedModel):
    """One call for applications under a program. Rounds of one program never overlap in time (the services
    refuse it; on PostgreSQL an exclusion constraint too, migration 0002)."""

    program = models.ForeignKey(GrantProgram, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(max_length=200, validators=SINGLE_LINE)
    opens_on = models.DateField()
    closes_on = models.DateField()
    state = models.CharField(max_length=16, choices=RoundState.choices, default=RoundState.PLANNED)
    required_attachments = models.JSONField(
        default=list,
        blank=True,
        help_text="Kinds of attachment every application must carry to be submitted.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            name_not_blank_constraint("round"),
            models.CheckConstraint(condition=Q(opens_on__lte=F("closes_on")), name="round_dates_ordered"),
            models.UniqueConstraint(fields=["program", "name"], name="round_name_unique_in_program"),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.name}"

    @property
    def scores_visible_to_all_reviewers(self) -> bool:
        return self.state == RoundState.REVIEW_CLOSED


class Criterion(models.Model):
    """One line of a round's rubric; an application's score is the weighted mean of its criteria's scores."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200, validators=SINGLE_LINE)
    guidance = models.TextField(blank=True, validators=MULTI_LINE)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(default=5)
    position = models.PositiveSmallIntegerField(default=0)
    is_industry_assessment = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_score_positive"),
            models.UniqueConstraint(fields=["round", "name"], name="criterion_name_unique_in_round"),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    RECOMMENDED = "recommended", "Recommended"
    AWARDED = "awarded", "Awarded"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = ApplicationState


def _may(action: str) -> Any:
    """A transition's permission: the rules table's ``action`` about the application."""

    def permitted(instance: Any, user: Any) -> bool:
        from sectorwise.core.rules import rule_for, user_can

        rule = rule_for(action)
        return user_can(user=user, action=action, obj=instance if rule.about_object else None)

    return permitted


NARRATIVE_SECTIONS: Final = (
    ("summary", "Summary"),
    ("industry_assessment", "Industry assessment"),
    ("employer_engagement", "Employer leadership and engagement"),
    ("plan", "Work plan"),
    ("outcomes", "Expected outcomes"),
    ("sustainability", "Sustainability"),
)
"""The narrative sections every application answers (field name, heading); all required at submission."""


class Application(TimeStampedModel):
    """A partnership's request in a round, written by its convener. A draft saves with fields missing;
    ``application_submit`` checks completeness and locks it."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    partnership = models.ForeignKey(SectorPartnership, on_delete=models.PROTECT, related_name="applications")
    title = models.CharField(max_length=200, blank=True, validators=SINGLE_LINE)
    state = FSMField(
        max_length=16, choices=ApplicationState.choices, default=ApplicationState.DRAFT, protected=False
    )
    requested_amount = money_field(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True, validators=MULTI_LINE)
    industry_assessment = models.TextField(blank=True, validators=MULTI_LINE)
    employer_engagement = models.TextField(blank=True, validators=MULTI_LINE)
    plan = models.TextField(blank=True, validators=MULTI_LINE)
    outcomes = models.TextField(blank=True, validators=MULTI_LINE)
    sustainability = models.TextField(blank=True, validators=MULTI_LINE)
    planning_waiver_reason = models.TextField(
        blank=True,
        validators=MULTI_LINE,
        help_text="Staff only: why an implementation grant may go to a partnership without a finished "
        "planning phase.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "partnership__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "partnership"], name="application_one_per_round"),
            models.CheckConstraint(
                condition=Q(requested_amount__isnull=True) | Q(requested_amount__gt=0),
                name="application_requested_positive",
            ),
            models.CheckConstraint(
                condition=Q(state__in=("draft", "withdrawn")) | Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.partnership} in {self.round}"

    @property
    def is_draft(self) -> bool:
        return self.state == ApplicationState.DRAFT

    # The state machine: who may move an application where, in one place. Each transition's permission is
    # an action of the rules table (``grants.rules``); the services call these methods (and only they
    # change ``state``), so a move the machine does not know raises ``TransitionNotAllowed``.
    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, permission=_may("edit_application"))
    def submit(self) -> None:
        """The convener submits a complete draft (``services.application_submit`` checks completeness)."""

    @transition(field=state, source=S.SUBMITTED, target=S.IN_REVIEW, permission=_may("manage_funding"))
    def start_review(self) -> None:
        """The round closes to applications (``services.round_close``)."""

    @transition(field=state, source=S.IN_REVIEW, target=S.RECOMMENDED, permission=_may("manage_funding"))
    def recommend(self) -> None:
        """Staff accept the round's funding recommendation for it."""

    @transition(
        field=state, source=[S.IN_REVIEW, S.RECOMMENDED], target=S.AWARDED, permission=_may("manage_funding")
    )
    def mark_awarded(self) -> None:
        """Staff award it (``services.award_create``)."""

    @transition(
        field=state,
        source=[S.SUBMITTED, S.IN_REVIEW, S.RECOMMENDED],
        target=S.DECLINED,
        permission=_may("manage_funding"),
    )
    def decline(self) -> None:
        """Staff decline it."""

    @transition(
        field=state,
        source=[S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RECOMMENDED],
        target=S.WITHDRAWN,
        permission=_may("withdraw_application"),
    )
    def withdraw(self) -> None:
        """Its convener (or staff) withdraws it before a decision."""


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=16, choices=CostCategory.choices)
    description = models.CharField(max_length=200, blank=True, validators=SINGLE_LINE)
    amount = money_field()
    match_amount = money_field(default=ZERO)
    match_source = models.CharField(max_length=200, blank=True, validators=SINGLE_LINE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative"),
            models.CheckConstraint(condition=Q(match_amount__gte=0), name="budget_line_match_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"


class ConflictOfInterest(TimeStampedModel):
    """A reviewer's declared conflict with a partnership: never assigned its applications, recused if
    already assigned. Kept with the reason."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts")
    partnership = models.ForeignKey(SectorPartnership, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(validators=MULTI_LINE)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "partnership"], name="conflict_unique"),
            models.CheckConstraint(condition=~Q(reason__regex=r"^\s*$"), name="conflict_reason_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ↔ {self.partnership}"


class ReviewState(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    SUBMITTED = "submitted", "Submitted"
    RECUSED = "recused", "Recused"


class Review(TimeStampedModel):
    """One reviewer's review of one application: its scores per criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(max_length=12, choices=ReviewState.choices, default=ReviewState.ASSIGNED)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "reviewer__username"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application}"


class Score(TimeStampedModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, validators=MULTI_LINE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class AwardState(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed out"


class Award(TimeStampedModel):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    amount = money_field()
    paid = money_field(default=ZERO, editable=False)
    requested = money_field(
        default=ZERO, editable=False, help_text="Payment requests pending or approved, not yet paid."
    )
    returned = money_field(default=ZERO, editable=False, help_text="Unspent money returned at closeout.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    conditions = models.TextField(blank=True, validators=MULTI_LINE)
    state = models.CharField(max_length=8, choices=AwardState.choices, default=AwardState.ACTIVE)
    closed_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="award_paid_not_negative"),
            models.CheckConstraint(condition=Q(paid__lte=F("amount")), name="award_paid_within_amount"),
            models.CheckConstraint(condition=Q(requested__gte=0), name="award_requested_not_negative"),
            models.CheckConstraint(
                condition=Q(requested__lte=F("amount") - F("paid")), name="award_requested_within_unpaid"
            ),
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="award_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"Award to {self.application.partnership}: {self.amount}"

    @property
    def remaining(self) -> Decimal:
        return Decimal(self.amount) - Decimal(self.paid)

    @property
    def available(self) -> Decimal:
        """What a new payment request may still ask for (requests awaiting payment count against it)."""
        return Decimal(self.amount) - Decimal(self.paid) - Decimal(self.requested)


class AwardFunding(models.Model):
    """The share of an award one funding source carries, and how much of it has been paid."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="funding")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="award_funding")
    amount = money_field()
    paid = money_field(default=ZERO, editable=False)
    requested = money_field(default=ZERO, editable=False)
    released = money_field(default=ZERO, editable=False, help_text="Unspent, given back at closeout.")
    explanation = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["award", "-amount", "source_id"]
        constraints = [
            models.UniqueConstraint(fields=["award", "source"], name="award_funding_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_funding_positive"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="award_funding_paid_not_negative"),
            models.CheckConstraint(condition=Q(paid__lte=F("amount")), name="award_funding_paid_within"),
            models.CheckConstraint(
                condition=Q(requested__gte=0), name="award_funding_requested_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(requested__lte=F("amount") - F("paid")), name="award_funding_requested_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"


class Payment(TimeStampedModel):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    paid_on = models.DateField()
    note = models.CharField(max_length=300, blank=True, validators=SINGLE_LINE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"


class PaymentLine(models.Model):
    """Which budget category a payment pays for (a payment may carry none: a lump sum)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=16, choices=CostCategory.choices)
    amount = money_field()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_line_positive")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"


class PaymentRequestState(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved, awaiting payment"
    PAID = "paid", "Paid"
    DECLINED = "declined", "Declined"


class PaymentRequest(TimeStampedModel):
    """A grantee's reimbursement request: expenditure lines by budget category, approved by staff, then paid.
    From the moment it is made until it is declined or paid its amount counts against the award's and its
    sources' balances (``requested`` columns, checked by the database)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payment_requests")
    amount = money_field()
    state = models.CharField(
        max_length=10, choices=PaymentRequestState.choices, default=PaymentRequestState.PENDING
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, validators=SINGLE_LINE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decline_reason = models.TextField(blank=True, validators=MULTI_LINE)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="request", null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_request_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(payment__isnull=False), name="payment_request_paid_has_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"Request of {self.amount} ({self.get_state_display().lower()})"


class PaymentRequestLine(models.Model):
    """One expenditure line of a request, by budget category."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=16, choices=CostCategory.choices)
    description = models.CharField(max_length=200, blank=True, validators=SINGLE_LINE)
    amount = money_field()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_request_line_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"


class PaymentRequestDraw(models.Model):
    """How much of a request each of the award's funding shares carries (fixed when the request is made,
    so that paying or declining it moves exactly what it held)."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="draws")
    funding = models.ForeignKey(AwardFunding, on_delete=models.PROTECT, related_name="draws")
    amount = money_field()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "funding"], name="payment_request_draw_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_request_draw_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.funding.source}: {self.amount}"


class Milestone(TimeStampedModel):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200, validators=SINGLE_LINE)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.name} (due {self.due_on})"


class ReportDue(models.Model):
    """The award's reporting schedule: one progress report per quarter of its period, due 30 days after
    the quarter ends (``services.award_create`` writes it; the outcomes app reads it through
    ``selectors.award_report_due_dates``)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="reports_due")
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["award", "period_end"], name="report_due_one_per_period"),
            models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name="report_due_ordered"),
        ]

    def __str__(self) -> str:
        return f"Report for {self.period_start}–{self.period_end}, due {self.due_on}"


class Amendment(TimeStampedModel):
    """A change to an award, kept as a record (the award's amount or end date never change by edit)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="amendments")
    old_amount = money_field()
    new_amount = money_field()
    old_ends_on = models.DateField()
    new_ends_on = models.DateField()
    reason = models.TextField(validators=MULTI_LINE)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason__regex=r"^\s*$"), name="amendment_reason_not_blank"),
            models.CheckConstraint(condition=Q(new_amount__gt=0), name="amendment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Amendment of {self.award_id}: {self.old_amount} → {self.new_amount}"


class AttachmentKind(models.TextChoices):
    INDUSTRY_ASSESSMENT = "industry_assessment", "Industry assessment"
    BUDGET_JUSTIFICATION = "budget_justification", "Budget justification"
    LETTER_OF_SUPPORT = "letter_of_support", "Letter of employer support"
    OTHER = "other", "Other"


class Attachment(TimeStampedModel):
    """A file of an application (type told by its content, size-limited: ``grants.files``), kept in the
    database. An industry assessment carries the data vintage it was built from."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=24, choices=AttachmentKind.choices)
    file_name = models.CharField(max_length=200, validators=SINGLE_LINE)
    content_type = models.CharField(max_length=120)
    file_size = models.PositiveIntegerField()
    content = models.BinaryField(editable=False)
    vintage = models.CharField(
        max_length=200,
        blank=True,
        validators=SINGLE_LINE,
        help_text="For an industry assessment: the data it was built from (e.g. QCEW 2024 annual).",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The bytes stay out of the history (a copy per change); name, type, size and vintage are kept.
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.CheckConstraint(condition=Q(file_size__gt=0), name="attachment_not_empty")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"


class NotificationPreference(models.Model):
    """How a user hears of grants events: each at once (default) or one e-mail a day (the digest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants_notification_preference"
    )
    daily_digest = models.BooleanField(default=False)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user}: {'daily digest' if self.daily_digest else 'each at once'}"


class Notification(models.Model):
    """One grants event told to one user; ``sent_at`` set when it went out (at once, or in a digest)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "user"])]

    def __str__(self) -> str:
        return self.subject
