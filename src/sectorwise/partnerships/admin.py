from typing import Any

from django.contrib import admin

from sectorwise.core.admin_site import StateStaffHistoryAdmin
from sectorwise.partnerships.models import Membership, Region, RegionCounty, SectorPartnership, TargetIndustry


class ChildCodesInHistoryAdmin(StateStaffHistoryAdmin):
    """For records whose history carries their child rows' codes (target industries, counties): the admin
    saves inlines after the record, so the record is saved once more when they changed, and its history
    shows the new codes."""

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(f.has_changed() for f in formsets if f.model in (TargetIndustry, RegionCounty)):
            form.instance.save()


class RegionCountyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RegionCounty
    extra = 0


class TargetIndustryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TargetIndustry
    extra = 0


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ["organization", "representative"]


@admin.register(Region)
class RegionAdmin(ChildCodesInHistoryAdmin):
    list_display = ["name", "source", "source_detail"]
    list_filter = ["source"]
    search_fields = ["name"]
    inlines = [RegionCountyInline]


@admin.register(SectorPartnership)
class SectorPartnershipAdmin(ChildCodesInHistoryAdmin):
    list_display = ["name", "stage", "region", "convener"]
    list_filter = ["stage", "region"]
    search_fields = ["name", "cluster", "convener__name"]
    list_select_related = ["region", "convener"]
    autocomplete_fields = ["region", "convener"]
    inlines = [TargetIndustryInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(StateStaffHistoryAdmin):
    list_display = ["organization", "partnership", "role"]
    list_filter = ["role"]
    search_fields = ["organization__name", "partnership__name"]
    list_select_related = ["organization", "partnership"]
    autocomplete_fields = ["organization", "partnership", "representative"]
