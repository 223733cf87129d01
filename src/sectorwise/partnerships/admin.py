"""The registry's records in the admin.

Partnerships and their memberships are workflow records: a stage change dates the stage, a new convener
becomes a member with the role convener (the old one stays as a partner), the convener cannot leave, and a
partnership names target industries or a cluster. Those rules span records and live in
``partnerships.services``, which the pages and the API call; here partnerships, their target industries and
memberships are READ-ONLY (history included), so the admin cannot give the role convener to another member
or remove the convener. State administrators may still delete a partnership (its memberships go with it).

Regions are drawn here (no page makes them): the model's rules apply through the form, and the county inline
refuses a region without counties with the services' message.
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from sectorwise.core.admin_site import StateStaffHistoryAdmin
from sectorwise.partnerships.models import Membership, Region, RegionCounty, SectorPartnership, TargetIndustry
from sectorwise.partnerships.services import REGION_NEEDS_A_COUNTY


class ChildCodesInHistoryAdmin(StateStaffHistoryAdmin):
    """For records whose history carries their child rows' codes (target industries, counties): the admin
    saves inlines after the record, so the record is saved once more when they changed, and its history
    shows the new codes."""

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(f.has_changed() for f in formsets if f.model in (TargetIndustry, RegionCounty)):
            form.instance.save()


class ReadOnlyAdmin:
    """View (and, for administrators, delete) only: the records change through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RegionCountyFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("county_fips")
        ]
        if not kept:
            raise ValidationError(REGION_NEEDS_A_COUNTY)


class RegionCountyInline(admin.TabularInline):
    model = RegionCounty
    formset = RegionCountyFormSet
    extra = 0


class TargetIndustryInline(ReadOnlyAdmin, admin.TabularInline):
    model = TargetIndustry
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(ReadOnlyAdmin, admin.TabularInline):
    model = Membership
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ChildCodesInHistoryAdmin):
    list_display = ["name", "source", "source_detail"]
    list_filter = ["source"]
    search_fields = ["name"]
    inlines = [RegionCountyInline]


@admin.register(SectorPartnership)
class SectorPartnershipAdmin(ReadOnlyAdmin, StateStaffHistoryAdmin):
    list_display = ["name", "stage", "region", "convener"]
    list_filter = ["stage", "region"]
    search_fields = ["name", "cluster", "convener__name"]
    list_select_related = ["region", "convener"]
    inlines = [TargetIndustryInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin, StateStaffHistoryAdmin):
    list_display = ["organization", "partnership", "role"]
    list_filter = ["role"]
    search_fields = ["organization__name", "partnership__name"]
    list_select_related = ["organization", "partnership"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a member leaves through membership_remove (the convener cannot)
