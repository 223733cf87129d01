"""The reports' pages per persona: the public overview (anonymous), the portfolio (staff), the legislative
report and its downloads (staff and viewers), loading a district file (staff)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from sectorwise.partnerships.models import SectorPartnership
from sectorwise.reports.models import DistrictPlan
from tests.web.personas import Personas
from tests.web.reports.factories import SINCE, ReportWorld, report_world

pytestmark = pytest.mark.django_db


def _client(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(personas: Personas) -> ReportWorld:
    return report_world(user=personas.staff)


def test_the_public_overview_shows_awards_and_only_consented_testimonials(world: ReportWorld) -> None:
    response = _client(None).get(reverse("reports:public"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "I run the five-axis machine now." in page and "SECRET" not in page
    assert "$90,000" in page and "$50,000" in page  # the awards, nothing of payments
    assert "12,500" not in page
    overview = response.context["overview"]
    assert [award["amount"] for award in overview.awards] == sorted(
        [award.amount for award in world.awards], reverse=True
    )
    assert overview.map_spec is not None and 'data-vega-spec="county-map-spec"' in page
    assert "Alder Machining" in page and "Birch Health Careers" in page
    assert f'href="{reverse("grants:public_awards")}"' in page  # the grants app's own public page


def test_the_portfolio_is_for_state_staff(personas: Personas, world: ReportWorld) -> None:
    assert _client(personas.viewer).get(reverse("reports:portfolio")).status_code == 403
    response = _client(personas.staff).get(reverse("reports:portfolio"))
    assert response.status_code == 200
    money = response.context["portfolio"].tables["money"]
    row = next(row for row in money.rows if row[0] == "Workforce FY26")
    assert row[3:6] == (world.awards[0].funding.get().source.amount, 140000, 12500)
    maturity = dict(response.context["portfolio"].tables["maturity"].rows)
    assert maturity["Not assessed yet"] == SectorPartnership.objects.count()  # no self-assessment yet
    page = response.content.decode()
    assert "too few to show" in page  # Birch's outcomes
    assert 'id="capacity"' in page


def test_the_legislative_report_page_and_its_downloads(personas: Personas, world: ReportWorld) -> None:
    viewer = _client(personas.viewer)
    page = viewer.get(reverse("reports:legislative"), {"since": SINCE})
    assert page.status_code == 200
    assert page.context["report"].figure("Workers enrolled").value == 27
    body = page.content.decode()
    assert "sheet “Summary”" in body and "SECRET" not in body
    pdf = viewer.get(reverse("reports:legislative_download", kwargs={"fmt": "pdf"}), {"since": SINCE})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = viewer.get(reverse("reports:legislative_download", kwargs={"fmt": "xlsx"}), {"since": SINCE})
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Workers enrolled"] == 27
    assert viewer.get(reverse("reports:legislative_download", kwargs={"fmt": "doc"})).status_code == 404
    assert _client(personas.convener_a).get(reverse("reports:legislative")).status_code == 403


def test_staff_load_a_district_file_and_errors_keep_the_form(personas: Personas) -> None:
    staff = _client(personas.staff)
    url = reverse("reports:district_plans")
    bad = staff.post(
        url,
        {"name": "House 2022", "file": SimpleUploadedFile("house.csv", b"district,county_fips\n1,123\n")},
    )
    assert bad.status_code == 200
    assert "is not five digits" in bad.content.decode() and 'value="House 2022"' in bad.content.decode()
    assert not DistrictPlan.objects.exists()
    good = staff.post(
        url,
        {"name": "House 2022", "file": SimpleUploadedFile("house.csv", b"district,county_fips\n1,50007\n")},
    )
    assert good.status_code == 302
    plan = DistrictPlan.objects.get()
    assert (plan.name, plan.loaded_by, plan.counties.count()) == ("House 2022", personas.staff, 1)
    assert _client(personas.viewer).post(url, {"name": "x"}).status_code == 403
