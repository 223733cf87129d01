"""CSV/XLSX import of organisations and memberships: every bad row reported, nothing written on any error."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from sectorwise.core.tabular.engine import RowError
from sectorwise.core.tabular.reader import read_table
from sectorwise.core.tabular.writer import table_to_csv, table_to_xlsx
from sectorwise.directory.models import Organization
from sectorwise.partnerships.importing import (
    memberships_import,
    organizations_export_rows,
    organizations_import,
)
from sectorwise.partnerships.models import Membership, MembershipRole
from tests.web.background import run_worker
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def csv_bytes(text: str) -> bytes:
    return text.strip().encode("utf-8") + b"\n"


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ORGANIZATIONS = """
name,type,city,state,county_fips,naics_code,size_band,email
Granite Machining,employer,Barre,vt,50023,332710,5,hr@granite.example
Vermont Tech,College,Randolph,VT,50017,,,
"""


def test_good_organizations_are_created_with_history(personas: Personas) -> None:
    result = organizations_import(
        filename="orgs.csv", content=csv_bytes(GOOD_ORGANIZATIONS), user=personas.staff
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    granite = Organization.objects.get(name="Granite Machining")
    assert (granite.type, granite.state, granite.size_band) == ("employer", "VT", "5")
    assert Organization.objects.get(name="Vermont Tech").type == "college"  # the label works too
    assert granite.history.get().history_user == personas.staff


def test_every_bad_row_is_reported_and_nothing_is_written(personas: Personas) -> None:
    before = Organization.objects.count()
    content = csv_bytes(
        """
name,type,county_fips,email,size_band,id
Good One,employer,50007,,,
,employer,50007,,,
Bad Type,factory,50007,,,
Bad County,community,5000x,not-an-email,,
Champlain Valley Workforce Board,workforce_board,,,,
Good One,community,,,,
Sized,community,,,4,
Ghost,community,,,,999999
"""
    )
    result = organizations_import(filename="orgs.csv", content=content, user=personas.staff)
    assert not result.ok
    problems = {(error.row, error.field) for error in result.errors}
    assert problems == {
        (3, "name"),  # blank
        (4, "type"),
        (5, "county_fips"),
        (5, "email"),
        (6, "name"),  # already in the registry
        (7, "name"),  # twice in the file
        (8, "size_band"),  # only employers have a size band
        (9, "id"),
    }
    assert Organization.objects.count() == before
    assert not Organization.objects.filter(name="Good One").exists()


def test_an_organization_is_updated_by_id(personas: Personas) -> None:
    content = csv_bytes(f"id,name,type,phone\n{personas.employer_a.pk},Lake Aero Parts,employer,802-555-0123")
    result = organizations_import(filename="update.csv", content=content, user=personas.staff)
    assert result.ok and result.updated == 1
    personas.employer_a.refresh_from_db()
    assert personas.employer_a.phone == "802-555-0123"
    assert personas.employer_a.naics_code == "336411"  # columns not in the file are left alone


def test_header_problems_are_reported_on_row_1(personas: Personas) -> None:
    result = organizations_import(filename="x.csv", content=csv_bytes("name,kind\nA,employer"), user=None)
    assert {(e.row, e.field) for e in result.errors} == {(1, "kind"), (1, "type")}
    for filename, content in [
        ("x.txt", b"name"),
        ("x.csv", b"\xff\xfe\x00bad"),
        ("x.xlsx", b"not a zip"),
        ("x.csv", b""),
    ]:
        result = organizations_import(filename=filename, content=content, user=None)
        assert [error.row for error in result.errors] == [1], (filename, result.errors)
        assert result.errors[0].field == "file"


def test_xlsx_numbers_keep_their_leading_zeros(personas: Personas) -> None:
    content = xlsx_bytes([["name", "type", "county_fips"], ["Autauga Works", "employer", 1001]])
    result = organizations_import(filename="orgs.xlsx", content=content, user=personas.staff)
    assert result.ok, result.errors
    assert Organization.objects.get(name="Autauga Works").county_fips == "01001"


def test_memberships_by_name_or_id_and_role_updates(personas: Personas) -> None:
    content = csv_bytes(
        f"""
partnership,organization_id,organization,role,joined_on
Champlain Aerospace Partnership,,Northern Clinic,employer member,2025-09-01
{personas.partnership_b.pk},{personas.employer_a.pk},,employer_champion,
"""
    )
    result = memberships_import(filename="members.csv", content=content, user=personas.staff)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    again = memberships_import(
        filename="members.csv",
        content=csv_bytes(
            f"partnership_id,organization_id,role\n{personas.partnership_a.pk},{personas.employer_a.pk},employer_member"
        ),
        user=personas.staff,
    )
    assert again.ok and again.updated == 1
    assert Membership.objects.get(pk=personas.membership_a.pk).role == MembershipRole.EMPLOYER_MEMBER


def test_bad_membership_rows_write_nothing(personas: Personas) -> None:
    before = Membership.objects.count()
    content = csv_bytes(
        """
partnership,organization,role,joined_on
Champlain Aerospace Partnership,Northern Clinic,employer_member,
Nowhere Partnership,Northern Clinic,employer_member,
Champlain Aerospace Partnership,Nobody Inc,employer_member,
Champlain Aerospace Partnership,Northern Clinic,boss,
Champlain Aerospace Partnership,Northern Clinic,employer_member,yesterday
Champlain Aerospace Partnership,Northern Clinic,employer_member,
"""
    )
    result = memberships_import(filename="members.csv", content=content, user=personas.staff)
    assert {(e.row, e.field) for e in result.errors} == {
        (3, "partnership"),
        (4, "organization"),
        (5, "role"),
        (6, "joined_on"),
        (7, "organization"),  # the same organisation twice in one partnership
    }
    assert Membership.objects.count() == before


def test_export_round_trips_through_import(personas: Personas) -> None:
    columns, rows = organizations_export_rows(organizations=Organization.objects.all(), include_contacts=True)
    content = "".join(table_to_csv(columns, rows)).encode("utf-8")
    result = organizations_import(filename="export.csv", content=content, user=personas.staff)
    assert result.ok, result.errors
    assert result.updated == Organization.objects.count() and result.created == 0


def test_exports_defuse_spreadsheet_formulas() -> None:
    columns = ["name"]
    csv_text = "".join(table_to_csv(columns, [['=HYPERLINK("x")']]))
    assert csv_text.splitlines()[1].startswith("\"'=HYPERLINK")
    workbook = load_workbook(io.BytesIO(table_to_xlsx(columns, [["=1+1"]], sheet="x")))
    cell = workbook.active.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value == "'=1+1"
    records = read_table(filename="back.csv", content=csv_text.encode()).records
    assert records[0][1]["name"] == '=HYPERLINK("x")'


def test_the_import_page_shows_the_row_report(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.staff)
    upload = SimpleUploadedFile("orgs.csv", csv_bytes("name,type\nOK,employer\nBad,factory"), "text/csv")
    response = client.post(reverse("partnerships:import"), {"kind": "organizations", "file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body and "factory" in body
    assert response.context["result"].errors == [
        RowError(3, "type", response.context["result"].errors[0].reason)
    ]
    assert not Organization.objects.filter(name="OK").exists()
    good = SimpleUploadedFile("orgs.csv", csv_bytes("name,type\nOK,employer"), "text/csv")
    response = client.post(reverse("partnerships:import"), {"kind": "organizations", "file": good})
    assert response.status_code == 302
    assert Organization.objects.filter(name="OK").exists()


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=30
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(names, st.sampled_from(["employer", "college", "", "factory"])), max_size=8))
def test_an_import_writes_everything_or_nothing(db: None, rows: list[tuple[str, str]]) -> None:
    """Whatever the rows, either all of them land or the registry is unchanged and each failure has a row."""
    before = set(Organization.objects.values_list("id", flat=True))
    content = "".join(table_to_csv(["name", "type"], rows)).encode("utf-8")
    result = organizations_import(filename="any.csv", content=content, user=None)
    after = set(Organization.objects.values_list("id", flat=True))
    if result.ok:
        assert len(after - before) == result.created == sum(1 for name, kind in rows if name.strip() or kind)
    else:
        assert after == before
        assert all(2 <= error.row <= len(rows) + 1 for error in result.errors)
    Organization.objects.exclude(id__in=before).delete()


# Large files: a background job (django-tasks, database backend) -----------------------------------------


def big_organizations_csv(rows: int) -> bytes:
    return csv_bytes("name,type\n" + "\n".join(f"Bulk Org {number},employer" for number in range(rows)))


# Committed transactions, as in production: the worker closes a connection it finds inside a transaction
# (close_old_connections), which on PostgreSQL would close a test's own transaction under it.
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_imported_by_the_worker_with_progress(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from sectorwise.partnerships.import_jobs import IN_REQUEST_MAX_ROWS, ImportJob

    client = Client()
    client.force_login(personas.staff)
    upload = SimpleUploadedFile("big.csv", big_organizations_csv(IN_REQUEST_MAX_ROWS + 1), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partnerships:import"), {"kind": "organizations", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/jobs/{job.pk}/"
    assert (job.status, job.user, job.rows_done) == ("queued", personas.staff, 0)
    assert not Organization.objects.filter(name__startswith="Bulk Org").exists()  # nothing in the request
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    page = client.get(f"/import/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in page.content.decode()  # polled while it waits

    run_worker()
    job.refresh_from_db()
    assert job.status == "succeeded", job.errors
    assert (job.created, job.rows_done, job.rows_total) == (
        IN_REQUEST_MAX_ROWS + 1,
        job.rows_total,
        job.rows_total,
    )
    assert job.content == b""  # the upload is not kept once imported
    assert Organization.objects.filter(name__startswith="Bulk Org").count() == IN_REQUEST_MAX_ROWS + 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    page = client.get(f"/import/jobs/{job.pk}/")
    assert "every 1s" not in page.content.decode() and "2001 created" in page.content.decode()


def test_a_failing_job_keeps_its_row_report(personas: Personas) -> None:
    from sectorwise.partnerships.import_jobs import ImportJob, import_job_run

    content = big_organizations_csv(10) + b"Broken,factory\n"
    job = ImportJob.objects.create(
        user=personas.staff, kind="organizations", file_name="b.csv", content=content
    )
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.errors == [[12, "type", job.errors[0][2]]]
    assert not Organization.objects.filter(name__startswith="Bulk Org").exists()
    client = Client()
    client.force_login(personas.staff)
    assert "factory" in client.get(f"/import/jobs/{job.pk}/").content.decode()


def test_progress_is_reported_as_rows_are_checked(personas: Personas) -> None:
    seen: list[tuple[int, int]] = []
    result = organizations_import(
        filename="p.csv",
        content=big_organizations_csv(2_500),
        user=None,
        progress=lambda *step: seen.append(step),
    )
    assert result.ok
    assert seen == [(1_000, 5_000), (2_000, 5_000), (5_000, 5_000)]


def test_a_job_is_shown_to_its_owner_and_state_staff_only(personas: Personas) -> None:
    from django.http import Http404

    from sectorwise.partnerships.import_jobs import ImportJob, import_job_for

    job = ImportJob.objects.create(user=personas.staff, kind="organizations", file_name="x.csv", content=b"")
    assert import_job_for(user=personas.staff, job_id=job.pk) == job
    assert import_job_for(user=personas.admin, job_id=job.pk) == job
    for other in (personas.convener_a, personas.viewer):
        with pytest.raises(Http404):
            import_job_for(user=other, job_id=job.pk)


def test_the_fast_checks_agree_with_the_services_rules(personas: Personas) -> None:
    """The importer applies ``services.organization_validate``'s rules in bulk; both must refuse the same."""
    from django.core.exceptions import ValidationError

    from sectorwise.directory import services
    from sectorwise.partnerships.importing import _FieldChecks, _organization_rule_errors

    cases = [
        Organization(name="Fine", type="employer", size_band="3", website="https://x.example"),
        Organization(name="x" * 201, type="employer"),
        Organization(name="Bad Mail", type="college", email="not-an-email"),
        Organization(name="Bad Web", type="college", website="javascript:alert(1)"),
        Organization(name="Banded College", type="college", size_band="2"),
        Organization(name="Bad County", type="employer", county_fips="5000x"),
        Organization(name="Bad NAICS", type="employer", naics_code="12"),
        Organization(name="Long State", type="employer", state="VTX"),
        Organization(name="Wrong Type", type="factory"),
    ]
    checks = _FieldChecks(Organization)
    for organization in cases:
        try:
            services.organization_validate(organization=organization)
            by_service: set[str] = set()
        except ValidationError as error:
            by_service = set(error.message_dict)
        by_import = {error.field for error in _organization_rule_errors(2, organization, checks)}
        assert by_import == by_service, organization.name
