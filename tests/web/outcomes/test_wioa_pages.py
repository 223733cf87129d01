"""The WIOA page (public aggregates, "too few to show"), the PIRL export (logged, hashes only, CSV and XLSX)
and the wage-record import page (in memory; errors by row; history as the signed-in user)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sectorwise.evaluation.identifiers import identifier_hash
from sectorwise.outcomes.models import Participant, ParticipantAccessLog, WageRecord
from sectorwise.outcomes.pii import pii_key
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

SSNS = [f"{301 + i:03d}-{21 + i:02d}-{2001 + i:04d}" for i in range(12)]
HEADER = "person_id,year,quarter,employer_id,wages\n"


def _client(user: object | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _exiters(personas: Personas, ssns: list[str], exited: dt.date) -> None:
    for ssn in ssns:
        Participant.objects.create(
            partnership=personas.partnership_a,
            person_key=identifier_hash(ssn, pii_key()),
            enrolled_on=dt.date(2022, 3, 1),
            exited_on=exited,
        )


def _upload(client: Client, text: str) -> Any:
    return client.post(
        reverse("outcomes:wages_import"), {"file": SimpleUploadedFile("wages.csv", text.encode())}
    )


def test_the_wage_import_page_imports_as_the_user_and_lists_bad_rows(personas: Personas) -> None:
    client = _client(personas.staff)
    refused = _upload(client, HEADER + f"{SSNS[0]},2023,3,A,100\n{SSNS[1]},2023,0,A,100\n")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert '<th scope="row">3</th><td>quarter</td>' in page
    assert SSNS[1] not in page and not WageRecord.objects.exists()
    done = _upload(client, HEADER + "".join(f"{ssn},2023,3,A,100\n" for ssn in SSNS))
    assert done.status_code == 302
    assert WageRecord.objects.count() == 12
    assert set(WageRecord.history.values_list("history_user_id", flat=True)) == {personas.staff.pk}


def test_the_wioa_page_shows_figures_to_anyone_and_hides_small_cohorts(personas: Personas) -> None:
    _exiters(personas, SSNS[:10], dt.date(2023, 1, 20))  # cohort 2023 Q1: 10 people
    _exiters(personas, SSNS[10:], dt.date(2023, 4, 20))  # cohort 2023 Q2: 2 people
    lines = [f"{ssn},2023,3,A,{1000 + 100 * i}" for i, ssn in enumerate(SSNS[:8])]  # 8 of 10 in Q2 after
    lines.append(f"{SSNS[0]},2024,2,A,1")  # covers through 2024 Q2
    assert _upload(_client(personas.staff), HEADER + "\n".join(lines) + "\n").status_code == 302
    response = _client().get(reverse("outcomes:partnership_wioa", kwargs={"pk": personas.partnership_a.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "held through 2024 Q2" in page
    # The cohort of 2 is hidden, and so is the cohort of 10 (its 8 of 10 would give the hidden cohort's
    # figures from the total's): only all exits show, 8 employed of 12 in the 2nd quarter after exit.
    assert "80&nbsp;%" not in page
    # 5 figures in each cohort row; in all exits, retention and the median rest on the 8 employed: hidden.
    assert page.count('<td class="sw-suppressed">too few to show</td>') == 2 * 5 + 2
    assert "67&nbsp;% (39–86) [12]" in page
    assert "pirl.csv" not in page  # anonymous: no export link
    assert not ParticipantAccessLog.objects.filter(what__startswith="PIRL").exists()


def test_the_pirl_export_is_logged_and_holds_hashes_only(personas: Personas) -> None:
    _exiters(personas, SSNS[:3], dt.date(2023, 1, 20))
    assert (
        _upload(
            _client(personas.staff), HEADER + f"{SSNS[0]},2023,3,A,1234.5\n{SSNS[0]},2024,1,A,9\n"
        ).status_code
        == 302
    )
    convener = _client(personas.convener_a)
    response = convener.get(
        reverse("outcomes:pirl_export", kwargs={"pk": personas.partnership_a.pk, "file_format": "csv"})
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    text = response.content.decode()
    header, *rows = text.strip().splitlines()
    assert header.startswith("100 Unique individual identifier (keyed hash),900 Date of program entry,901")
    assert len(rows) == 3
    first = next(row for row in rows if row.startswith(identifier_hash(SSNS[0], pii_key())))
    assert first.split(",")[1:] == ["2022-03-01", "2023-01-20", "", "1", "1", "1234.50", "1"]
    for ssn in SSNS:
        assert ssn not in text and ssn.replace("-", "") not in text
    log = ParticipantAccessLog.objects.get(what__startswith="PIRL export (CSV)")
    assert (log.user, log.records, log.partnership) == (personas.convener_a, 3, personas.partnership_a)
    xlsx = convener.get(
        reverse("outcomes:pirl_export", kwargs={"pk": personas.partnership_a.pk, "file_format": "xlsx"})
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 4
    assert ParticipantAccessLog.objects.filter(what__startswith="PIRL export (XLSX)").count() == 1
    other = _client(personas.convener_b).get(
        reverse("outcomes:pirl_export", kwargs={"pk": personas.partnership_a.pk, "file_format": "csv"})
    )
    assert other.status_code == 403
