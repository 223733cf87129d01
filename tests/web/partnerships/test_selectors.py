"""Reads: filters, fixed query counts, health, dashboard counts, and employment from a warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sectorwise.directory.models import OrganizationType, SizeBand
from sectorwise.lmi import warehouse
from sectorwise.partnerships import selectors
from sectorwise.partnerships.models import MembershipRole, Stage
from tests.web.directory.factories import EmployerFactory, OrganizationFactory
from tests.web.partnerships.factories import MembershipFactory, PartnershipFactory, RegionFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _queries_listing(count: int) -> int:
    for _ in range(count):
        PartnershipFactory(target_naics=["3364", "3327"])
    with CaptureQueriesContext(connection) as captured:
        rows = list(selectors.partnership_list(user=None))
        for row in rows:
            _ = (row.region.name, row.convener.name, row.target_naics_codes)
    return len(captured)


def test_the_list_query_count_does_not_grow_with_the_rows() -> None:
    few = _queries_listing(2)
    many = _queries_listing(20)
    assert few == many


def test_filters(personas: Personas) -> None:
    a, b = personas.partnership_a, personas.partnership_b
    assert list(selectors.partnership_list(user=None, naics="33")) == [a]
    assert list(selectors.partnership_list(user=None, naics="6")) == [b]
    assert list(selectors.partnership_list(user=None, search="health")) == [b]
    assert list(selectors.partnership_list(user=None, search="champlain valley")) == [
        a
    ]  # the convener's name
    assert list(selectors.partnership_list(user=None, region_id=b.region_id)) == [b]
    assert set(selectors.partnership_list(user=None, stage=Stage.PLANNING)) == {a, b}
    assert list(selectors.partnership_list(user=None, stage=Stage.SUSTAINING)) == []
    assert set(selectors.partnership_list(user=None, convener_type=OrganizationType.WORKFORCE_BOARD)) == {
        a,
        b,
    }
    assert list(selectors.partnership_list(user=None, convener_id=personas.board_b.pk)) == [b]


def test_health_of_an_employer_led_partnership(personas: Personas) -> None:
    partnership = personas.partnership_a  # convener + employer champion
    MembershipFactory(partnership=partnership, organization=EmployerFactory(naics_code="332710"))
    MembershipFactory(
        partnership=partnership, organization=OrganizationFactory(), role=MembershipRole.EDUCATION_PARTNER
    )
    health = selectors.partnership_health(partnership=partnership)
    assert (health.member_count, health.employer_count) == (4, 2)
    assert health.employer_share == 0.5
    assert health.has_employer_cochair and health.employer_led
    assert health.stakeholders_present == ("Employers", "Education and training")
    assert health.stakeholders_missing == ("Labor", "Community", "Public")


def test_without_a_cochair_a_partnership_is_not_employer_led(personas: Personas) -> None:
    health = selectors.partnership_health(partnership=personas.partnership_b)
    assert health.employer_share == 0.5 and not health.has_employer_cochair and not health.employer_led


def test_coverage_is_unknown_without_a_warehouse(personas: Personas, tmp_path: Path) -> None:
    health = selectors.partnership_health(
        partnership=personas.partnership_a, warehouse_path=tmp_path / "none"
    )
    assert not health.coverage.known and health.coverage.share is None
    assert "No labor-market data" in health.coverage.reason
    # Lake Aero Parts (336411, 100-249 employees) is in the target 3364: estimated at the band's midpoint.
    assert health.coverage.member_employment_estimate == 175


def _warehouse_with(tmp_path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = warehouse.open_duckdb(path)
    for area, industry, disclosure, employment in rows:
        con.execute(
            "INSERT INTO qcew_annual (area_fips, own_code, industry_code, agglvl_code, size_code, year, qtr, "
            "disclosure_code, annual_avg_emplvl) VALUES (?, 5, ?, 76, 0, 2024, 'A', ?, ?)",
            [area, industry, disclosure, employment],
        )
    con.close()
    return path


def test_coverage_from_the_warehouse(personas: Personas, tmp_path: Path) -> None:
    path = _warehouse_with(
        tmp_path, [("50007", "3364", "", 1000), ("50011", "3364", "", 750), ("50007", "6211", "", 99)]
    )
    health = selectors.partnership_health(partnership=personas.partnership_a, warehouse_path=path)
    coverage = health.coverage
    assert coverage.known and coverage.year == 2024
    assert coverage.region_employment == 1750
    assert coverage.share == pytest.approx(175 / 1750)
    assert not coverage.region_figure_incomplete


def test_a_suppressed_county_marks_coverage_incomplete(personas: Personas, tmp_path: Path) -> None:
    path = _warehouse_with(tmp_path, [("50007", "3364", "", 1000), ("50011", "3364", "N", 0)])
    coverage = selectors.partnership_health(partnership=personas.partnership_a, warehouse_path=path).coverage
    assert coverage.known and coverage.region_employment == 1000 and coverage.region_figure_incomplete


def test_sector_targets_match_bls_range_codes(tmp_path: Path) -> None:
    partnership = PartnershipFactory(target_naics=["31", "336"])
    path = _warehouse_with(tmp_path, [("50007", "31-33", "", 5000), ("50007", "336", "", 4000)])
    coverage = selectors.partnership_health(partnership=partnership, warehouse_path=path).coverage
    # 336 lies inside 31-33: counted once.
    assert coverage.region_employment == 5000


def test_dashboard_counts(personas: Personas) -> None:
    PartnershipFactory(
        stage=Stage.SUSTAINING, target_naics=["484", "3364"], region=RegionFactory(counties=["50021"])
    )
    assert selectors.partnership_counts_by_stage() == {
        "exploring": 0, "planning": 2, "implementation": 0, "sustaining": 1,
    }  # fmt: skip
    assert selectors.partnership_counts_by_sector() == {"31-33": 2, "48-49": 1, "62": 1}
    assert selectors.partnership_counts_by_county() == {"50007": 2, "50011": 2, "50021": 1}
    assert [n for _, n in selectors.partnership_counts_by_region()] == [1, 1, 1]


def test_estimated_employment_comes_from_the_size_band() -> None:
    assert EmployerFactory(size_band=SizeBand.FROM_1000).estimated_employment == 1500
    assert EmployerFactory(size_band="").estimated_employment is None
