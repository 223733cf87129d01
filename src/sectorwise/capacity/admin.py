"""The capacity records in the admin: READ-ONLY (``core.admin_readonly``).

Every capacity record is written by ``capacity.services`` under rules a form here would skip: an event's
``registered_count`` moves with its registrations under a row lock and a check constraint (never over
capacity), cancelling a place promotes the waitlist, a TA request becomes an engagement only through the
service, topics are checked against the topic list, and a resource's file type is told by its first bytes.
So state staff view these records and their history here, and change them on the pages.

Registrations hold people's names and e-mail addresses (personal data): read-only, the e-mail shown on a
registration's own page only (not in the list), and never deletable here (the event's count and waitlist
would no longer match; a place is cancelled on the event's page). Nothing else is deletable either, except
a library resource, which a state administrator may withdraw (no other record depends on it; no page
deletes one). A resource's file shows its name, type and size, never its bytes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from sectorwise.capacity.models import (
    Event,
    LearningNetwork,
    NetworkMember,
    Registration,
    Resource,
    TaEngagement,
    TaFollowUp,
    TaRequest,
)
from sectorwise.core.admin_readonly import ReadOnlyHistoryAdmin, ReadOnlyInline


@admin.register(TaRequest)
class TaRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ("partnership", "topic", "state", "created_at", "requested_by")
    list_filter = ("state", "topic")
    search_fields = ("partnership__name", "description")
    list_select_related = ("partnership", "requested_by")
    date_hierarchy = "created_at"
    fields = ("partnership", "topic", "state", "description", "requested_by", "created_at")


class TaFollowUpInline(ReadOnlyInline):
    model = TaFollowUp
    fields = ("description", "due_on", "done_on")


@admin.register(TaEngagement)
class TaEngagementAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "topic", "provider", "hours", "starts_on", "ends_on")
    list_filter = ("topic",)
    search_fields = ("title", "provider_organization__name", "provider_user__username")
    list_select_related = ("provider_user", "provider_organization")
    date_hierarchy = "starts_on"
    fields = (
        "title",
        "topic",
        "provider_user",
        "provider_organization",
        "partnerships",
        "hours",
        "starts_on",
        "ends_on",
        "notes",
        "request",
    )
    inlines = (TaFollowUpInline,)

    @admin.display(description="provider")
    def provider(self, engagement: TaEngagement) -> str:
        return engagement.provider_name


class NetworkMemberInline(ReadOnlyInline):
    model = NetworkMember
    fields = ("partnership", "role", "person")
    select = ("partnership", "person")


@admin.register(LearningNetwork)
class LearningNetworkAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "starts_on", "ends_on")
    search_fields = ("name",)
    fields = ("name", "description", "topics", "starts_on", "ends_on")
    inlines = (NetworkMemberInline,)


@admin.register(Event)
class EventAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "kind", "starts_at", "capacity", "registered_count", "is_public")
    list_filter = ("kind", "is_public")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    fields = (
        "kind",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "link",
        "capacity",
        "registered_count",
        "is_public",
        "learning_network",
        "topics",
    )


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "event", "status", "attended", "queued_at")
    list_filter = ("status", "attended")
    search_fields = ("name", "email", "event__title")
    list_select_related = ("event",)
    fields = ("event", "name", "email", "user", "person", "partnership", "status", "queued_at", "attended")


@admin.register(Resource)
class ResourceAdmin(ReadOnlyHistoryAdmin):
    deletable = True
    list_display = ("title", "kind", "audience", "is_public", "file_name", "link")
    list_filter = ("kind", "audience", "is_public")
    search_fields = ("title", "description")
    fields = (
        "title",
        "kind",
        "audience",
        "is_public",
        "description",
        "topics",
        "link",
        "file_name",
        "content_type",
        "file_size",
    )

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).defer("file_content")
