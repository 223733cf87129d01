from django.contrib import admin

from sectorwise.core.admin_site import StateStaffHistoryAdmin
from sectorwise.directory.models import Affiliation, Organization, Person


class AffiliationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Affiliation
    extra = 0
    autocomplete_fields = ["organization", "person"]


@admin.register(Organization)
class OrganizationAdmin(StateStaffHistoryAdmin):
    list_display = ["name", "type", "county_fips", "naics_code", "size_band"]
    list_filter = ["type", "size_band"]
    search_fields = ["name", "city"]
    inlines = [AffiliationInline]


@admin.register(Person)
class PersonAdmin(StateStaffHistoryAdmin):
    list_display = ["last_name", "first_name", "email"]
    search_fields = ["last_name", "first_name", "email"]
    inlines = [AffiliationInline]
