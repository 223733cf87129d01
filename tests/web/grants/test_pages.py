"""The grants pages: a draft saved from the form with fields missing, submission's errors by field, the
round's weighted scores, the award's split and the exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from sectorwise.grants.models import Application, ApplicationState
from tests.web.grants.permission_matrix import _world
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_convener_saves_a_half_written_draft_and_submission_names_what_is_missing(
    personas: Personas,
) -> None:
    pk = _world(personas)["draft"]
    url = reverse("grants:application_edit", kwargs={"pk": pk})
    client = _client(personas.convener_a)
    saved = client.post(
        url, {"title": "Aerospace planning", "budget": "personnel; 40000; 5000; Board", "save": ""}
    )
    assert saved.status_code == 302
    application = Application.objects.get(pk=pk)
    assert application.title == "Aerospace planning" and application.state == ApplicationState.DRAFT
    assert [(line.category, line.amount) for line in application.budget_lines.all()] == [("personnel", 40000)]
    refused = client.post(url, {"title": "Aerospace planning", "submit": ""})
    assert refused.status_code == 200
    assert "is closed to applications" in refused.content.decode()  # the matrix world's round is in review
    assert Application.objects.get(pk=pk).state == ApplicationState.DRAFT


def test_round_page_award_page_and_exports(personas: Personas) -> None:
    world = _world(personas)
    staff = _client(personas.staff)
    round_page = staff.get(reverse("grants:round_detail", kwargs={"pk": world["round"]})).content.decode()
    assert "Industry assessment (×2)" in round_page
    award_page = _client(personas.viewer).get(reverse("grants:award_detail", kwargs={"pk": world["award"]}))
    assert "Workforce FY26" in award_page.content.decode() and "$90,000.00" in award_page.content.decode()
    response = _client(personas.convener_a).get(reverse("grants:award_export", kwargs={"fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert len(rows) == 1, "convener A has no award: only the header"
    response = staff.get(reverse("grants:award_export", kwargs={"fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[1][2] == personas.partnership_b.name and rows[1][-1] == "Workforce FY26: 90000.00"
