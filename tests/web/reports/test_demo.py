"""The reports demo records, through the demo loader: a synthetic district plan over the registry's counties,
seeded once; the legislative report of the demo renders with its districts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sectorwise.demo import records
from sectorwise.partnerships.models import RegionCounty
from sectorwise.reports.legislative import legislative_report
from sectorwise.reports.models import DistrictCounty, DistrictPlan
from sectorwise.reports.render import report_xlsx

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_district_plan_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "APP_SEEDERS", ("sectorwise.demo.reports_records.seed_reports",))
    (line,) = records.load_demo_records(data_dir=tmp_path).app_lines
    assert line.startswith("reports: district plan")
    plan = DistrictPlan.objects.get()
    counties = set(RegionCounty.objects.values_list("county_fips", flat=True))
    assert set(plan.counties.values_list("county_fips", flat=True)) == counties
    for fips in counties:  # every county wholly assigned (the split one's shares add up to 1)
        shares = DistrictCounty.objects.filter(plan=plan, county_fips=fips).values_list("share", flat=True)
        assert sum(shares) == 1
    assert (
        DistrictCounty.objects.filter(plan=plan).values("county_fips").distinct().count()
        < plan.counties.count()
    )
    (again,) = records.load_demo_records(data_dir=tmp_path).app_lines
    assert again.startswith("reports: already held") and DistrictPlan.objects.count() == 1
    report = legislative_report(since=2020)
    assert report.table("By district").rows and report_xlsx(report).startswith(b"PK")
