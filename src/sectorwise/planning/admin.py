"""The planning records in the admin: READ-ONLY, and never deletable (``core.admin_readonly``).

A self-assessment's scores, its phases and its review move only through ``planning.services``: one score per
indicator, the phase computed from the scores, a submitted assessment locked, and the review (staff's
score beside the partnership's, a comment where they differ) recorded with who made it. Priorities are
ranked only by the partnership's employer members, an initiative's owners are among its members, and
sustainability funding is money. An edit here would skip those rules, so state staff view the records and
their history, and change them on the pages.

None is deletable, not even by a state administrator: self-assessments, their scores and employers'
rankings are scores and reviews (the grants app's eligibility reads the reviewed phase), funding raised is
a money record, and a priority carries its rankings and initiatives with it.
"""

from __future__ import annotations

from django.contrib import admin

from sectorwise.core.admin_readonly import ReadOnlyHistoryAdmin, ReadOnlyInline
from sectorwise.planning.models import (
    IndicatorScore,
    Initiative,
    Priority,
    PriorityRanking,
    SelfAssessment,
    SustainabilityFunding,
)


class IndicatorScoreInline(ReadOnlyInline):
    model = IndicatorScore
    fields = ("indicator", "self_score", "reviewed_score", "comment")


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("partnership", "assessed_on", "status", "self_phase", "phase")
    list_filter = ("status", "phase")
    search_fields = ("partnership__name",)
    list_select_related = ("partnership",)
    date_hierarchy = "assessed_on"
    fields = (
        "partnership",
        "assessed_on",
        "status",
        "notes",
        "self_phase",
        "phase",
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "review_comment",
    )
    inlines = (IndicatorScoreInline,)


class PriorityRankingInline(ReadOnlyInline):
    model = PriorityRanking
    fields = ("membership", "importance", "feasibility", "entered_by")
    select = ("membership__organization", "membership__partnership", "entered_by")
    verbose_name = "employer's ranking"


@admin.register(Priority)
class PriorityAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "partnership", "source", "source_code")
    list_filter = ("source",)
    search_fields = ("title", "partnership__name")
    list_select_related = ("partnership",)
    fields = ("partnership", "title", "description", "source", "source_code")
    inlines = (PriorityRankingInline,)


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "priority", "status", "starts_on", "due_on")
    list_filter = ("status",)
    search_fields = ("title", "priority__title", "priority__partnership__name")
    list_select_related = ("priority",)
    fields = ("priority", "title", "description", "owners", "starts_on", "due_on", "status")


@admin.register(SustainabilityFunding)
class SustainabilityFundingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("source_name", "partnership", "kind", "amount", "period_start", "period_end")
    list_filter = ("kind",)
    search_fields = ("source_name", "partnership__name")
    list_select_related = ("partnership",)
    date_hierarchy = "period_start"
    fields = ("partnership", "source_name", "kind", "amount", "period_start", "period_end", "notes")
