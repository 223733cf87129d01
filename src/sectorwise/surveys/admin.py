"""Employer surveys in the admin: READ-ONLY, and never deletable (``core.admin_readonly``).

Surveys open, close and send their one-use links only through ``surveys.services`` (a link's expiry follows
the survey's closing day, a new link replaces the old one, a response is tied to exactly one invitation),
so state staff view them here and act on the pages.

One-use links: an invitation keeps only the SHA-256 of its token; the admin never shows even that.

Answers stay apart from who gave them, as on the pages (managers see who was invited and whether they
answered, and the answers without the contact's identity): a response's page does not name its invitation,
an invitation's page says "answered" yes or no but not when, neither has a history page (its times would
pair them: the invitation is marked used the moment the response is saved), and neither list accepts a
filter across that link (``?invitation=`` on responses, ``?response=`` on invitations: refused).
Responses are employers' answers: never deletable; invitations neither (a response points to its
invitation); a survey neither (its invitations and questions would go with it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sectorwise.core.admin_readonly import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyInline
from sectorwise.surveys.models import (
    CustomAnswer,
    HardToFillOccupation,
    Invitation,
    Response,
    SkillGap,
    Survey,
    SurveyQuestion,
)


class SurveyQuestionInline(ReadOnlyInline):
    model = SurveyQuestion
    fields = ("position", "text", "kind", "choices", "required")


@admin.register(Survey)
class SurveyAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "partnership", "status", "opens_on", "closes_on")
    list_filter = ("status",)
    search_fields = ("title", "partnership__name")
    list_select_related = ("partnership",)
    date_hierarchy = "opens_on"
    fields = (
        "partnership",
        "title",
        "period",
        "status",
        "opens_on",
        "closes_on",
        "introduction",
        "created_by",
    )
    inlines = (SurveyQuestionInline,)


def _crosses(lookup: str, relation: str) -> bool:
    return lookup == relation or lookup.startswith(f"{relation}__") or lookup.startswith(f"{relation}_id")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("person", "organization", "survey", "sent_at", "answered")
    list_filter = ("survey__status",)
    search_fields = (
        "person__last_name",
        "person__first_name",
        "organization__name",
        "email",
        "survey__title",
    )
    list_select_related = ("person", "organization", "survey__partnership")
    # No token_hash and no used_at (a time would pair it with its response): ``answered`` says yes or no.
    fields = ("survey", "person", "organization", "email", "sent_at", "expires_at", "answered")

    @admin.display(boolean=True, description="answered")
    def answered(self, invitation: Invitation) -> bool:
        return invitation.used_at is not None

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return not _crosses(lookup, "response") and super().lookup_allowed(lookup, value, request)


class HardToFillInline(ReadOnlyInline):
    model = HardToFillOccupation
    fields = ("soc_code",)
    verbose_name = "hard-to-fill occupation"


class SkillGapInline(ReadOnlyInline):
    model = SkillGap
    fields = ("skill",)


class CustomAnswerInline(ReadOnlyInline):
    model = CustomAnswer
    fields = ("question", "text", "number")
    select = ("question",)


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "survey", "submitted_on")
    search_fields = ("survey__title", "survey__partnership__name")
    list_select_related = ("survey__partnership",)
    ordering = ("survey", "pk")
    # No invitation (it names the person and the employer) and the day only, as the export gives it.
    fields = (
        "survey",
        "submitted_on",
        "turnover",
        "rework",
        "complaints",
        "quality_of_hires",
        "productivity",
        "collaboration_value",
        "time_to_fill_days",
        "planned_hires",
        "other_skill_gaps",
    )
    inlines = (HardToFillInline, SkillGapInline, CustomAnswerInline)

    @admin.display(description="submitted on")
    def submitted_on(self, response: Response) -> Any:
        return response.submitted_at.date()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return not _crosses(lookup, "invitation") and super().lookup_allowed(lookup, value, request)
