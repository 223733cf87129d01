"""The legislative report: its figures equal the records' (computed here, independently), suppressed cells
never appear in any output, only consented testimonials and verified systems changes, districts from a
loaded equivalence file, the PDF renders with its county map, and the command line writes all three formats
with the same numbers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from openpyxl import load_workbook
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from sectorwise.cli import app as cli_app
from sectorwise.demo.lmi_demo import store_demo_shapes
from sectorwise.grants.models import AwardFunding
from sectorwise.lmi import warehouse
from sectorwise.partnerships.models import EMPLOYER_ROLES, Membership, SectorPartnership, Stage
from sectorwise.reports.districts import DistrictFileError, read_district_file
from sectorwise.reports.legislative import SUPPRESSED, LegislativeReport, legislative_report
from sectorwise.reports.render import report_html, report_pdf, report_xlsx
from sectorwise.reports.services import district_plan_load
from tests.web.accounts.factories import UserFactory
from tests.web.reports.factories import SINCE, ReportWorld, report_world

pytestmark = pytest.mark.django_db

DISTRICTS_CSV = b"district,county_fips,share\n1,91001,1\n1,91003,0.5\n2,91003,0.5\n2,91005,1\n"


@pytest.fixture
def world() -> ReportWorld:
    return report_world(user=UserFactory(username="reporter", role="state_staff"))


@pytest.fixture
def report(world: ReportWorld) -> LegislativeReport:
    return legislative_report(since=SINCE)


def _rows(report: LegislativeReport, sheet: str) -> dict[str, tuple[object, ...]]:
    table = report.table(sheet)
    return {str(row[0]): row[1:] for row in table.rows}


def _value(report: LegislativeReport, sheet: str, key: str, column: str) -> object:
    table = report.table(sheet)
    row = next(row for row in table.rows if row[0] == key)
    return row[table.columns.index(column)]


def test_headline_figures_equal_the_records(report: LegislativeReport) -> None:
    starts = []
    for partnership in SectorPartnership.objects.all():
        dates = [getattr(partnership, f"{stage.value}_since") for stage in Stage]
        starts.append(min(date for date in dates if date is not None))
    employers = (
        Membership.objects.filter(role__in=list(EMPLOYER_ROLES)).values("organization_id").distinct().count()
    )
    money = AwardFunding.objects.filter(award__starts_on__gte=dt.date(SINCE, 1, 1)).aggregate(
        committed=Sum("amount"), paid=Sum("paid")
    )
    assert report.figure("Partnerships").value == SectorPartnership.objects.count() == 2
    assert report.figure(f"Partnerships started since {SINCE}").value == sum(
        1 for start in starts if start.year >= SINCE
    )
    assert report.figure("Employers engaged").value == employers == 4
    # Submitted reports from 2022 on, the amendment (22, 16, 11, 9) instead of its original, and 2023 Q2;
    # not 2021 Q4, not the draft.
    assert report.figure("Workers enrolled").value == 22 + 5
    assert report.figure("Workers completed").value == 16 + 5
    assert report.figure("Workers credentialed").value == 11 + 5
    assert report.figure("Workers placed in jobs").value == 9 + 4
    assert report.figure("Dollars committed").value == money["committed"] == Decimal("140000.00")
    assert report.figure("Dollars paid").value == money["paid"] == Decimal("12500.00")
    assert report.figure("Awards").value == 2
    # Every headline figure is a row of the Summary sheet naming a sheet that exists.
    summary = report.table("Summary")
    sheets = {table.sheet for table in report.tables()}
    for label, value, _unit, sheet in summary.rows:
        assert report.figure(str(label)).value == value
        assert sheet in sheets


def test_by_region_industry_and_county(world: ReportWorld, report: LegislativeReport) -> None:
    regions = _rows(report, "By region")
    # region: partnerships, started_since, employers, workers_enrolled, workers_placed, awarded, paid
    assert regions["Alder zone"] == (1, 0, 3, 27, 13, Decimal("90000.00"), Decimal("12500.00"))
    assert regions["Birch zone"] == (1, 1, 2, 0, 0, Decimal("50000.00"), Decimal("0.00"))
    industries = _rows(report, "By industry")
    assert set(industries) == {"31-33 Manufacturing", "62 Health Care and Social Assistance"}
    assert industries["31-33 Manufacturing"][0] == 1  # 3327 and 3364 are one sector: counted once
    assert _rows(report, "By county") == {"91001": (1,), "91003": (2,), "91005": (1,)}


def test_outcomes_with_intervals_and_suppressed_cells(world: ReportWorld, report: LegislativeReport) -> None:
    table = report.table("Outcomes")
    # Pooled: Alder's 12 (employed 4 -> 9) and Birch's 4 (0 -> 4): 16 people, 4 -> 13.
    pooled = next(row for row in table.rows if row[0] == "All partnerships" and row[1] == "Employed")
    low, high = proportion_confint(4, 16, method="wilson")
    after_low, after_high = proportion_confint(13, 16, method="wilson")
    assert pooled[2:10] == (
        16,
        round(4 / 16 * 100, 1),
        round(low * 100, 1),
        round(high * 100, 1),
        round(13 / 16 * 100, 1),
        round(after_low * 100, 1),
        round(after_high * 100, 1),
        round(9 / 16 * 100, 1),
    )
    # Birch (4 people) is under the minimum; Alder is hidden with it, or Birch's figures would follow from
    # the pooled ones minus Alder's (complementary suppression).
    for name in ("Birch Health Careers", "Alder Machining"):
        rows = [row for row in table.rows if row[0] == name]
        assert len(rows) == 4 and all(cell == SUPPRESSED for row in rows for cell in row[2:])
    earnings = _rows(report, "Earnings")
    assert earnings["Birch Health Careers"] == (SUPPRESSED,) * 6
    # Earnings at both times: only Alder's four employed throughout, too few even pooled.
    assert earnings["All partnerships"] == (SUPPRESSED,) * 6


def test_suppressed_cells_never_reach_any_output(world: ReportWorld, report: LegislativeReport) -> None:
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    rows = [row for row in book["Outcomes"].iter_rows(values_only=True) if row[0] == "Birch Health Careers"]
    assert rows and all(cell == SUPPRESSED for row in rows for cell in row[2:])
    html = report_html(report)
    # Birch's 4 people appear nowhere: each of its rows shows only "too few to show".
    outcomes = html[html.index('id="section-outcomes"') : html.index('id="section-wioa"')]
    birch_rows = [row for row in outcomes.split("<tr>") if row.startswith("<td>Birch Health Careers</td>")]
    assert len(birch_rows) == 4 + 1  # four measures and the earnings
    for row in birch_rows:
        cells = row.split("</tr>")[0]
        assert cells.count(SUPPRESSED) == 1 and ('colspan="11"' in cells or 'colspan="6"' in cells)
        assert ">4<" not in cells and "100.0" not in cells and "sw-number" not in cells


def test_only_verified_systems_changes_and_consented_testimonials(report: LegislativeReport) -> None:
    assert [row[2] for row in report.table("Systems changes").rows] == ["A CNC certificate at Alder College."]
    assert report.figure("Verified systems changes").value == 1
    assert [row[1] for row in report.table("Testimonials").rows] == ["I run the five-axis machine now."]
    html = report_html(report)
    assert "five-axis" in html and "SECRET" not in html and "UNVERIFIED" not in html
    workbook = report_xlsx(report)
    book = load_workbook(io.BytesIO(workbook))
    texts = {str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row}
    assert not any("SECRET" in text or "UNVERIFIED" in text for text in texts)


def test_every_table_is_a_sheet_and_the_html_cites_it(report: LegislativeReport) -> None:
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    html = report_html(report)
    for table in report.tables():
        sheet = book[table.sheet]
        assert [cell.value for cell in sheet[1]] == list(table.columns)
        assert sheet.max_row - 1 == len(table.rows), table.sheet
        assert f"sheet “{table.sheet}”" in html
    assert book.sheetnames[-1] == "README"
    readme = {row[0]: row[1] for row in book["README"].iter_rows(values_only=True)}
    assert readme["Progress reports through"] == "2023 Q2"
    assert readme["Legislative districts"] == "no equivalence file loaded"
    # Money cells are Decimal-exact in the workbook.
    assert _value(report, "Money by source", "Workforce FY26", "committed") == Decimal("140000.00")


def test_sections_without_records_say_so_and_add_no_zero_figures(report: LegislativeReport) -> None:
    html = report_html(report)
    for key in ("surveys", "capacity", "sustainability"):  # the world has none of their records
        section = report.section(key)
        assert section.status == "no records yet"
        assert f'id="status-{key}"' in html
        for table in section.tables:
            assert f"sheet “{table.sheet}”, empty" in html
    labels = {figure.label for figure in report.headline}
    assert "Technical assistance hours" not in labels and "Employer surveys" not in labels
    assert "Workers enrolled" in labels


def test_districts_from_a_loaded_equivalence_file(world: ReportWorld) -> None:
    plan = district_plan_load(name="Senate 2022", filename="senate.csv", content=DISTRICTS_CSV)
    report = legislative_report(since=SINCE)  # the latest plan by default
    assert report.table("By district").title == "By legislative district (Senate 2022)"
    districts = _rows(report, "By district")
    # district: counties, partnerships serving, employers located (share-weighted), enrolled, awarded
    assert districts["1"] == ("91001, 91003 (0.5)", 2, Decimal("1.5"), 27, Decimal("140000.00"))
    assert districts["2"] == ("91003 (0.5), 91005", 2, Decimal("1.5"), 27, Decimal("140000.00"))
    assert plan.counties.count() == 4


def test_a_bad_district_file_reports_every_row_and_stores_nothing() -> None:
    content = b"district,county_fips,share\n1,9100,1\n,91003,1\n2,91003,0.7\n3,91003,0.6\n"
    with pytest.raises(DistrictFileError) as refused:
        read_district_file(filename="d.csv", content=content)
    assert refused.value.errors == [
        "row 2: county_fips '9100' is not five digits",
        "row 3: the district is blank",
        "county 91003: its shares add up to 1.300000, more than 1",
    ]


def test_block_equivalence_gives_county_shares_by_blocks() -> None:
    content = b"district,block\n1,910010001001000\n1,910030001001000\n2,910030001001001\n"
    rows = read_district_file(filename="blocks.csv", content=content)
    assert {(row.district, row.county_fips, row.share) for row in rows} == {
        ("1", "91001", Decimal("1.000000")),
        ("1", "91003", Decimal("0.500000")),
        ("2", "91003", Decimal("0.500000")),
    }


def test_the_pdf_renders_with_its_county_map(world: ReportWorld) -> None:
    assert store_demo_shapes(warehouse.default_warehouse_path())  # the demo state's 91xxx shapes
    report = legislative_report(since=SINCE)
    chart = report.section("map").charts[0]
    assert chart.spec is not None and "values" in chart.spec["data"]  # stored shapes, inline
    html = report_html(report)
    assert '<figure class="sw-chart-figure" id="chart-map">' in html
    assert html.count("data:image/svg+xml;base64,") >= 3  # the map, regions, industries, money
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 20_000


def test_without_county_shapes_the_map_section_says_so(world: ReportWorld, settings: object) -> None:
    settings.NODE_MODULES = Path("/nonexistent")  # type: ignore[attr-defined]  # pytest-django's settings
    report = legislative_report(since=SINCE)
    chart = report.section("map").charts[0]
    assert chart.spec is None and "cannot be drawn" in chart.note
    assert "cannot be drawn" in report_html(report)


def test_the_command_line_writes_all_three_formats_with_the_same_numbers(
    world: ReportWorld, tmp_path: Path
) -> None:
    runner = CliRunner()
    districts = tmp_path / "house.csv"
    districts.write_bytes(DISTRICTS_CSV)
    for fmt in ("xlsx", "html", "pdf"):
        out = tmp_path / f"report.{fmt}"
        args = ["report", "legislative", "--since", str(SINCE), "--format", fmt, "-o", str(out)]
        if fmt == "xlsx":
            args += ["--districts", str(districts)]
        result = runner.invoke(cli_app, args)
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    book = load_workbook(tmp_path / "report.xlsx")
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Workers enrolled"] == 27 and summary["Dollars committed"] == 140000
    assert [row[0] for row in book["By district"].iter_rows(min_row=2, values_only=True)] == ["1", "2"]
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (
        "Sector partnerships since 2022" in html and "house" in html
    )  # the plan the xlsx run loaded is the latest
    bad = runner.invoke(
        cli_app, ["report", "legislative", "--since", "2022", "--format", "doc", "-o", "x.doc"]
    )
    assert bad.exit_code == 1 and "pdf, html or xlsx" in bad.output


def test_the_report_s_queries_do_not_grow_with_the_partnerships(world: ReportWorld) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.web.partnerships.factories import MembershipFactory, PartnershipFactory

    with CaptureQueriesContext(connection) as before:
        legislative_report(since=SINCE)
    for _ in range(3):
        partnership = PartnershipFactory()
        MembershipFactory(partnership=partnership)
    with CaptureQueriesContext(connection) as after:
        report = legislative_report(since=SINCE)
    assert report.figure("Partnerships").value == 5
    assert len(after.captured_queries) == len(before.captured_queries)


def test_wioa_indicators_from_wage_records(world: ReportWorld) -> None:
    from sectorwise.outcomes.models import Participant, WageRecord

    # Alder's 12 exited in 2023 Q2: the 2nd quarter after exit is 2023 Q4, the 4th is 2024 Q2. Ten earn in
    # 2023 Q4, eight of them with the same employer in 2024 Q2.
    keys = list(
        Participant.objects.filter(partnership=world.alder)
        .order_by("id")
        .values_list("person_key", flat=True)
    )
    records = [
        WageRecord(person_key=key, year=2023, quarter=4, employer_id="E1", wages=Decimal(5000 + 100 * i))
        for i, key in enumerate(keys[:10])
    ]
    records += [
        WageRecord(person_key=key, year=2024, quarter=2, employer_id="E1", wages=Decimal("6000"))
        for key in keys[:8]
    ]
    WageRecord.objects.bulk_create(records)
    report = legislative_report(since=SINCE)
    table = report.table("WIOA indicators")
    row = dict(zip(table.columns, next(r for r in table.rows if r[0] == "Alder Machining"), strict=True))
    assert row["exiters"] == 12
    q2_low, q2_high = proportion_confint(10, 12, method="wilson")
    assert (row["employment_q2_people"], row["employment_q2_pct"]) == (12, round(10 / 12 * 100, 1))
    assert (row["employment_q2_low"], row["employment_q2_high"]) == (
        round(q2_low * 100, 1),
        round(q2_high * 100, 1),
    )
    assert (row["employment_q4_people"], row["employment_q4_pct"]) == (12, round(8 / 12 * 100, 1))
    assert (row["retention_people"], row["retention_pct"]) == (10, 80.0)
    assert row["median_earnings_q2"] == Decimal("5450.00")  # the median of 5,000 ... 5,900
    birch = next(r for r in table.rows if r[0] == "Birch Health Careers")
    assert all(cell == SUPPRESSED for cell in birch[1:])  # four exiters: nothing shown
