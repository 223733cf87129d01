"""The grants records in the admin: READ-ONLY, every one of them, and never deletable.

Money, scores, states and decisions move only through ``grants.services``: a funding source's ``committed``,
``paid`` and ``requested`` columns are kept in the transaction that locks the row, an award is split over
sources the services choose, payment requests reserve money from the moment they are made, an amendment is
the only way an award's amount or end date changes, and applications and rounds move through the state
machine whose transitions carry their own permissions. An edit here would skip every one of those rules
(and the notifications and history entries that go with them), so state staff view the records and their
history, and nobody adds or changes them (django-simple-history's revert form included:
``core.admin_readonly``).

Nothing here is deletable, not even by a state administrator. Awards, their funding shares, payments,
payment requests, amendments, reviews and scores are the record of money promised, paid and decided on:
deleting one would erase the audit trail the legislative report and the closeout rely on, and some would
leave the sources' totals counting money nothing accounts for. Funding sources, programs, rounds,
criteria, applications and conflicts of interest are what those records point to (the database protects
most of them anyway). Rubric criteria stay read-only too: a changed weight or maximum would change the
meaning of scores already given.

Attachments show their name, type, size and vintage, never their bytes; users' notification preferences
and the notifications themselves (e-mail bodies) are not in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sectorwise.core.admin_readonly import ReadOnlyHistoryAdmin, ReadOnlyInline
from sectorwise.grants.models import (
    Amendment,
    Application,
    Attachment,
    Award,
    AwardFunding,
    BudgetLine,
    ConflictOfInterest,
    Criterion,
    FundingSource,
    GrantProgram,
    Milestone,
    Payment,
    PaymentLine,
    PaymentRequest,
    PaymentRequestDraw,
    PaymentRequestLine,
    ProgramContribution,
    ReportDue,
    Review,
    Round,
    Score,
)

_PARTNERSHIP = "application__partnership"


class SourceContributionInline(ReadOnlyInline):
    model = ProgramContribution
    fields = ("program", "amount")
    select = ("program",)
    verbose_name = "pledge to a program"


class ProgramContributionInline(ReadOnlyInline):
    model = ProgramContribution
    fields = ("source", "amount")
    select = ("source",)
    verbose_name = "pledge from a funding source"


@admin.register(FundingSource)
class FundingSourceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "system", "fiscal_year", "amount", "committed", "paid", "requested")
    list_filter = ("system", "fiscal_year")
    search_fields = ("name",)
    fields = (
        "name",
        "system",
        "fiscal_year",
        "amount",
        "committed",
        "paid",
        "requested",
        "allowed_regions",
        "allowed_naics",
        "allowed_cost_categories",
        "allowed_program_kinds",
        "notes",
    )
    inlines = (SourceContributionInline,)


@admin.register(GrantProgram)
class GrantProgramAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "kind", "min_amount", "max_amount", "min_months", "max_months")
    list_filter = ("kind",)
    search_fields = ("name",)
    fields = ("name", "kind", "min_amount", "max_amount", "min_months", "max_months", "description")
    inlines = (ProgramContributionInline,)


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ("position", "name", "weight", "max_score", "is_industry_assessment", "guidance")


@admin.register(Round)
class RoundAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "program", "state", "opens_on", "closes_on")
    list_filter = ("state", "program")
    search_fields = ("name", "program__name")
    list_select_related = ("program",)
    date_hierarchy = "opens_on"
    fields = ("program", "name", "state", "opens_on", "closes_on", "required_attachments")
    inlines = (CriterionInline,)


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ("category", "description", "amount", "match_amount", "match_source")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("kind", "file_name", "content_type", "file_size", "vintage", "uploaded_by", "created_at")
    select = ("uploaded_by",)
    defer = ("content",)  # the bytes are never shown: not even read


class RoundFilter(admin.SimpleListFilter):
    """By round, its name with its program's read in the same query (Django's own filter reads each
    round's program separately)."""

    title = "round"
    parameter_name = "round"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (str(grant_round.pk), str(grant_round)) for grant_round in Round.objects.select_related("program")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(round_id=value) if value and value.isdigit() else queryset


@admin.register(Application)
class ApplicationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "partnership", "round", "state", "requested_amount", "submitted_at")
    list_filter = ("state", RoundFilter)
    search_fields = ("title", "partnership__name")
    list_select_related = ("partnership", "round__program")
    fields = (
        "round",
        "partnership",
        "title",
        "state",
        "requested_amount",
        "duration_months",
        "summary",
        "industry_assessment",
        "employer_engagement",
        "plan",
        "outcomes",
        "sustainability",
        "planning_waiver_reason",
        "submitted_at",
        "created_by",
    )
    inlines = (BudgetLineInline, AttachmentInline)


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ("criterion", "score", "comment")
    select = ("criterion",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyHistoryAdmin):
    list_display = ("application", "reviewer", "state", "submitted_at")
    list_filter = ("state",)
    search_fields = ("application__title", "application__partnership__name", "reviewer__username")
    list_select_related = (_PARTNERSHIP, "application__round__program", "reviewer")
    fields = ("application", "reviewer", "state", "submitted_at")
    inlines = (ScoreInline,)


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyHistoryAdmin):
    list_display = ("reviewer", "partnership", "created_at")
    search_fields = ("reviewer__username", "partnership__name")
    list_select_related = ("reviewer", "partnership")
    fields = ("reviewer", "partnership", "reason", "created_at")


class AwardFundingInline(ReadOnlyInline):
    model = AwardFunding
    fields = ("source", "amount", "paid", "requested", "released", "explanation")
    select = ("source",)
    verbose_name = "funding share"


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ("name", "due_on", "done_on")


class ReportDueInline(ReadOnlyInline):
    model = ReportDue
    fields = ("period_start", "period_end", "due_on")
    verbose_name = "progress report due"
    verbose_name_plural = "progress reports due"


class AmendmentInline(ReadOnlyInline):
    model = Amendment
    fields = ("created_at", "old_amount", "new_amount", "old_ends_on", "new_ends_on", "reason", "made_by")
    select = ("made_by",)


@admin.register(Award)
class AwardAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "state", "amount", "paid", "requested", "returned", "starts_on", "ends_on")
    list_filter = ("state",)
    search_fields = ("application__title", "application__partnership__name")
    list_select_related = (_PARTNERSHIP,)
    date_hierarchy = "starts_on"
    fields = (
        "application",
        "state",
        "amount",
        "paid",
        "requested",
        "returned",
        "starts_on",
        "ends_on",
        "closed_on",
        "conditions",
    )
    inlines = (AwardFundingInline, MilestoneInline, ReportDueInline, AmendmentInline)


class PaymentRequestLineInline(ReadOnlyInline):
    model = PaymentRequestLine
    fields = ("category", "description", "amount")


class PaymentRequestDrawInline(ReadOnlyInline):
    model = PaymentRequestDraw
    fields = ("funding", "amount")
    select = ("funding__source",)
    verbose_name = "share drawn from"


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "award", "state", "amount", "created_at", "decided_at")
    list_filter = ("state",)
    search_fields = ("award__application__partnership__name", "note")
    list_select_related = ("award__application__partnership",)
    date_hierarchy = "created_at"
    fields = (
        "award",
        "state",
        "amount",
        "period_start",
        "period_end",
        "note",
        "requested_by",
        "created_at",
        "decided_by",
        "decided_at",
        "decline_reason",
        "payment",
    )
    inlines = (PaymentRequestLineInline, PaymentRequestDrawInline)


class PaymentLineInline(ReadOnlyInline):
    model = PaymentLine
    fields = ("category", "amount")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "award", "amount", "paid_on", "recorded_by")
    search_fields = ("award__application__partnership__name", "note")
    list_select_related = ("award__application__partnership", "recorded_by")
    date_hierarchy = "paid_on"
    fields = ("award", "amount", "paid_on", "note", "recorded_by", "created_at")
    inlines = (PaymentLineInline,)
