"""The reports app's demo records: a synthetic legislative district plan for the demo state, so that the
legislative report shows its figures by district. Real states load their own district-to-county (or block)
equivalence file; nothing real is bundled. Loaded through ``reports.services.district_plan_load`` (the same
checks as an upload), only while no plan is held, in one transaction."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Final

from django.db import transaction

from sectorwise.partnerships.models import RegionCounty
from sectorwise.reports.models import DistrictPlan
from sectorwise.reports.services import district_plan_load

PLAN_NAME: Final = "Demo state Senate districts (synthetic)"
COUNTIES_PER_DISTRICT: Final = 3


def seed_reports(*, rng: random.Random, today: dt.date) -> str:
    if DistrictPlan.objects.exists():
        return "reports: already held a district plan; left as it was"
    counties = sorted(set(RegionCounty.objects.values_list("county_fips", flat=True)))
    if not counties:
        return "reports: no counties in the registry; no district plan"
    lines = ["district,county_fips,share"]
    districts = 0
    for start in range(0, len(counties), COUNTIES_PER_DISTRICT):
        districts += 1
        for fips in counties[start : start + COUNTIES_PER_DISTRICT]:
            lines.append(f"{districts},{fips},1")
    # One county split between its district and the next (a city on a district line), by a drawn share.
    if districts > 1:
        split = counties[COUNTIES_PER_DISTRICT - 1]
        share = Decimal(rng.randint(40, 70)) / 100
        lines = [line for line in lines if not line.endswith(f",{split},1")]
        lines += [f"1,{split},{share}", f"2,{split},{1 - share}"]
    with transaction.atomic():
        plan = district_plan_load(
            name=PLAN_NAME,
            filename="demo-senate-districts.csv",
            content=("\n".join(lines) + "\n").encode(),
            notes=f"Synthetic: {COUNTIES_PER_DISTRICT} counties a district, one split. Seeded {today}.",
        )
    return f"reports: district plan '{plan.name}' ({districts} districts over {len(counties)} counties)"
