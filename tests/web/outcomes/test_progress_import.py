"""Progress-report imports (CSV/XLSX on core.tabular): all or nothing, the form's rules row by row, drafts
updated, submitted quarters refused, a partnership's page importing only its own rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from sectorwise.core.tabular.engine import ImportResult, importer_for
from sectorwise.outcomes import services
from sectorwise.outcomes.models import CustomIndicator, IndicatorValue, ProgressReport
from sectorwise.outcomes.progress_import import PROGRESS_KIND, progress_import
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

HEADER = (
    "partnership_id,year,quarter,employers_engaged,workers_enrolled,workers_completed,"
    "workers_credentialed,workers_placed,wages_at_placement,narrative\n"
)


def _run(personas: Personas, text: str, **kwargs: int) -> ImportResult:
    return progress_import(filename="progress.csv", content=text.encode(), user=personas.staff, **kwargs)


def test_a_file_creates_draft_reports_with_due_dates_and_history(personas: Personas) -> None:
    a, b = personas.partnership_a.pk, personas.partnership_b.pk
    result = _run(
        personas,
        HEADER
        + f"{a},2025,1,4,20,15,12,10,$21.50,First cohort\n"
        + f"{a},2025,2,5,22,18,15,14,22.75,\n"
        + f"{b},2025,1,2,8,8,0,6,19.00,Nurses\n",
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 0)
    q1 = ProgressReport.objects.get(partnership_id=a, year=2025, quarter=1)
    assert (q1.workers_enrolled, q1.workers_completed, q1.workers_placed) == (20, 15, 10)
    assert q1.wages_at_placement == Decimal("21.50")
    assert q1.narrative == "First cohort"
    assert q1.due_on == dt.date(2025, 4, 30)
    assert q1.status == "draft" and q1.revision == 0
    assert q1.history.get().history_user == personas.staff  # simple-history


def test_one_bad_row_imports_nothing_and_every_problem_is_named(personas: Personas) -> None:
    a = personas.partnership_a.pk
    result = _run(
        personas,
        HEADER
        + f"{a},2025,1,4,20,15,12,10,21.50,\n"  # row 2: fine
        + f"{a},2025,2,4,10,12,0,0,,\n"  # row 3: completed > enrolled
        + f"{a},2025,3,4,10,8,9,0,,\n"  # row 4: credentialed > completed
        + f"{a},2025,4,4,10,8,0,0,20.00,\n"  # row 5: a wage without placements
        + f"{a},2025,5,1,1,1,1,1,,\n"  # row 6: quarter 5
        + f"{a},2025,1,1,1,1,1,1,,\n"  # row 7: 2025 Q1 again
        + "999999,2025,1,1,1,1,1,1,,\n",  # row 8: no such partnership
    )
    assert not ProgressReport.objects.exists()
    found = {(error.row, error.field) for error in result.errors}
    assert found == {
        (3, "workers_completed"),
        (4, "workers_credentialed"),
        (5, "wages_at_placement"),
        (6, "quarter"),
        (7, "quarter"),
        (8, "partnership_id"),
    }
    messages = {error.row: error.reason for error in result.errors}
    assert messages[3] == "Workers completed (12) cannot exceed workers enrolled (10)."  # the form's message
    assert "first on row 2" in messages[7]


def test_a_draft_is_updated_and_a_submitted_quarter_is_refused(personas: Personas) -> None:
    a = personas.partnership_a.pk
    draft = services.progress_report_create(
        partnership=personas.partnership_a, year=2025, quarter=1, values={"workers_enrolled": 3}
    )
    submitted = services.progress_report_create(
        partnership=personas.partnership_a, year=2024, quarter=4, values={"workers_enrolled": 3}
    )
    services.progress_report_submit(report=submitted, user=personas.convener_a)
    refused = _run(
        personas, "partnership_id,year,quarter,workers_enrolled\n" + f"{a},2024,4,9\n{a},2025,1,9\n"
    )
    assert [(e.row, e.field) for e in refused.errors] == [(2, "quarter")]
    assert "submitted and is locked" in refused.errors[0].reason
    updated = _run(personas, "partnership_id,year,quarter,workers_enrolled\n" + f"{a},2025,1,9\n")
    assert (updated.created, updated.updated) == (0, 1)
    draft.refresh_from_db()
    assert draft.workers_enrolled == 9
    assert draft.due_on == dt.date(2025, 4, 30)  # kept
    # The updated draft's nesting is checked against the counts it keeps: completed 0 ≤ 9.
    bad = _run(personas, "partnership_id,year,quarter,workers_completed\n" + f"{a},2025,1,10\n")
    assert [(e.row, e.field) for e in bad.errors] == [(2, "workers_completed")]


def test_the_partnership_page_imports_its_own_rows_only_and_reads_xlsx(personas: Personas) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["year", "quarter", "workers_enrolled", "workers_completed"])
    sheet.append([2025, 1, 12, 7])
    sheet.append([2025, 2, 14, 9])
    buffer = io.BytesIO()
    book.save(buffer)
    url = reverse("outcomes:progress_import", args=[personas.partnership_a.pk])
    convener = Client()
    convener.force_login(personas.convener_a)
    upload = SimpleUploadedFile("q.xlsx", buffer.getvalue())
    response = convener.post(url, {"file": upload})
    assert response.status_code == 302
    reports = ProgressReport.objects.filter(partnership=personas.partnership_a).order_by("quarter")
    assert [(r.quarter, r.workers_enrolled, r.workers_completed) for r in reports] == [(1, 12, 7), (2, 14, 9)]
    # Naming another partnership on the page is refused, and nothing is written.
    other = f"partnership_id,year,quarter\n{personas.partnership_b.pk},2025,3\n"
    refused = convener.post(url, {"file": SimpleUploadedFile("q.csv", other.encode())})
    assert refused.status_code == 400
    assert "imports partnership" in refused.content.decode()
    assert not ProgressReport.objects.filter(partnership=personas.partnership_b).exists()


def test_the_importer_is_registered_for_the_command_line() -> None:
    assert importer_for(PROGRESS_KIND).kind == "progress_reports"


def test_the_partnership_page_takes_its_indicators_values(personas: Personas) -> None:
    hired = CustomIndicator.objects.create(
        partnership=personas.partnership_a, name="Apprentices hired", target=40
    )
    text = "year,quarter,workers_enrolled,Indicator: Apprentices hired\n2025,1,10,6\n2025,2,12,4\n"
    result = progress_import(
        filename="q.csv",
        content=text.encode(),
        user=personas.convener_a,
        partnership_id=personas.partnership_a.pk,
    )
    assert result.ok, result.errors
    values = IndicatorValue.objects.filter(indicator=hired).order_by("report__quarter")
    assert [(v.report.quarter, v.value) for v in values] == [(1, Decimal("6")), (2, Decimal("4"))]
    # Again, Q1 corrected and Q2's value cleared (the drafts are updated).
    again = "year,quarter,indicator: apprentices hired\n2025,1,7\n2025,2,\n"
    assert progress_import(
        filename="q.csv",
        content=again.encode(),
        user=personas.convener_a,
        partnership_id=personas.partnership_a.pk,
    ).ok
    assert [(v.report.quarter, v.value) for v in IndicatorValue.objects.filter(indicator=hired)] == [
        (1, Decimal("7"))
    ]
    # A bad value is reported on its column and nothing changes; the generic importer knows no such column.
    bad = "year,quarter,indicator: apprentices hired\n2025,1,seven\n"
    refused = progress_import(
        filename="q.csv",
        content=bad.encode(),
        user=personas.convener_a,
        partnership_id=personas.partnership_a.pk,
    )
    assert [(e.row, e.field) for e in refused.errors] == [(2, "indicator: apprentices hired")]
    assert IndicatorValue.objects.get(indicator=hired).value == Decimal("7")
    generic = f"partnership_id,{bad}".replace("\n2025", f"\n{personas.partnership_a.pk},2025")
    assert not progress_import(filename="q.csv", content=generic.encode(), user=personas.staff).ok
