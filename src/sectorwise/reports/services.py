"""Writes of the reports app: loading a district equivalence file as a plan (all or nothing)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sectorwise.core.services import refuse_duplicate_name
from sectorwise.core.tabular.reader import TableReadError
from sectorwise.reports.districts import DistrictFileError, read_district_file
from sectorwise.reports.models import DistrictCounty, DistrictPlan


@transaction.atomic
def district_plan_load(
    *, name: str, filename: str, content: bytes, user: Any = None, notes: str = ""
) -> DistrictPlan:
    """Store a district-to-county (or block) equivalence file as a new plan; every bad row is reported in
    one ``ValidationError`` on ``file`` and nothing is stored."""
    try:
        rows = read_district_file(filename=filename, content=content)
    except DistrictFileError as error:
        raise ValidationError({"file": error.errors}) from None
    except TableReadError as error:
        raise ValidationError({"file": str(error)}) from None
    plan = DistrictPlan(
        name=name.strip(),
        source_file=filename[:255],
        notes=notes,
        loaded_by=user if getattr(user, "pk", None) else None,
    )
    refuse_duplicate_name(plan, "a district plan")
    plan.full_clean()
    plan.save()
    DistrictCounty.objects.bulk_create(
        DistrictCounty(plan=plan, district=row.district, county_fips=row.county_fips, share=row.share)
        for row in rows
    )
    return plan
