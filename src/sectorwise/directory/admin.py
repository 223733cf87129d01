from typing import Any

from django.contrib import admin

from sectorwise.core.admin_site import ServiceWriteAdmin, StateStaffHistoryAdmin
from sectorwise.directory import services
from sectorwise.directory.models import Affiliation, Organization, Person


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["organization", "person"]


@admin.register(Organization)
class OrganizationAdmin(ServiceWriteAdmin, StateStaffHistoryAdmin):
    """Organisations are written through ``directory.services`` (names unique whatever the case, the
    model's rules such as "only employers have a size band"), as on the pages, the API and imports."""

    list_display = ["name", "type", "county_fips", "naics_code", "size_band"]
    list_filter = ["type", "size_band"]
    search_fields = ["name", "city"]
    inlines = [AffiliationInline]

    def service_validate(self, obj: Any) -> None:
        services.organization_validate(organization=obj)

    def service_save(self, obj: Any) -> None:
        services.organization_save(organization=obj)


# People and affiliations have no rule beyond their models' own (which the admin's forms run), so the
# admin saves them itself.
@admin.register(Person)
class PersonAdmin(StateStaffHistoryAdmin):
    list_display = ["last_name", "first_name", "email"]
    search_fields = ["last_name", "first_name", "email"]
    inlines = [AffiliationInline]
