"""Legislative district plans in the admin: READ-ONLY (``core.admin_readonly``).

A plan is loaded from its equivalence file by ``reports.services.district_plan_load``, which checks every
row (county codes, shares over 0 and at most 1, a split county's shares adding up to at most 1) and is
replaced, never edited: load the new file as a new plan. So state staff view plans and their counties
here (a plan's page counts its districts and county rows rather than listing them: a file may hold
thousands). A state administrator may delete a plan no longer wanted: nothing else points to it (reports are
drawn from it on request, not stored), and the file can be loaded again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from sectorwise.core.admin_readonly import ReadOnlyHistoryAdmin
from sectorwise.reports.models import DistrictPlan


@admin.register(DistrictPlan)
class DistrictPlanAdmin(ReadOnlyHistoryAdmin):
    deletable = True
    list_display = ("name", "source_file", "loaded_by", "created_at")
    search_fields = ("name", "source_file")
    list_select_related = ("loaded_by",)
    fields = ("name", "source_file", "notes", "loaded_by", "created_at", "districts", "county_rows")

    @admin.display(description="districts")
    def districts(self, plan: DistrictPlan) -> int:
        return int(plan.counties.aggregate(n=Count("district", distinct=True))["n"])

    @admin.display(description="county rows")
    def county_rows(self, plan: DistrictPlan) -> int:
        return plan.counties.count()

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The confirmation page names each plan and counts its county rows (Django would collect and list
        every row). Nothing protects a plan from deletion and its rows have no admin of their own, so there
        is no protected record and no further permission to ask for."""
        plans = list(objs)
        rows = {plan.pk: plan.counties.count() for plan in plans}
        summary = [f"{plan}, with its {rows[plan.pk]} county rows" for plan in plans]
        counts = {"district plans": len(plans), "county rows": sum(rows.values())}
        return summary, counts, set(), []
