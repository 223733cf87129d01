"""The outcomes API: public aggregates equal to the page's (suppressed as null), progress reports for who
may see them, POST by the convener with a 422 naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from statsmodels.stats.proportion import proportion_confint

from sectorwise.outcomes.models import CustomIndicator, ProgressReport, ReportStatus
from tests.web.outcomes.outcome_data import cohort
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_summary_gives_the_pages_figures_and_nulls_where_suppressed(personas: Personas) -> None:
    # A: 12 pairs, 3 employed before, 9 after. B: 4 pairs (under the minimum of 10).
    cohort(personas.partnership_a, employed=[(i < 3, i < 9) for i in range(12)])
    cohort(personas.partnership_b, employed=[(False, True)] * 4)
    client = _client(personas.viewer)
    body = client.get(f"/api/outcomes/partnerships/{personas.partnership_a.pk}/summary").json()
    employed = next(m for m in body["measures"] if m["key"] == "employed")
    low, high = proportion_confint(9, 12, method="wilson")
    assert employed["n"] == 12
    assert employed["baseline"]["estimate"] == pytest.approx(3 / 12)
    assert employed["follow_up"]["estimate"] == pytest.approx(0.75)
    assert employed["follow_up"]["low"] == pytest.approx(low)
    assert employed["follow_up"]["high"] == pytest.approx(high)
    assert employed["change"]["estimate"] == pytest.approx(0.5)
    assert body["participants"] == 12 and body["exited"] == 12
    # Earnings: 9 people employed both times? No: only the 3 employed before and after have both.
    assert body["earnings"]["suppressed"] is True and body["earnings"]["n"] is None
    small = client.get(f"/api/outcomes/partnerships/{personas.partnership_b.pk}/summary").json()
    assert small["participants_suppressed"] is True and small["participants"] is None
    assert all(m["suppressed"] and m["n"] is None and m["baseline"] is None for m in small["measures"])
    assert Client().get(f"/api/outcomes/partnerships/{personas.partnership_a.pk}/summary").status_code == 401


def test_a_convener_posts_a_report_and_a_rule_violation_names_the_field(personas: Personas) -> None:
    indicator = CustomIndicator.objects.create(
        partnership=personas.partnership_a, name="Apprentices", target=40
    )
    url = f"/api/outcomes/partnerships/{personas.partnership_a.pk}/progress-reports"
    convener = _client(personas.convener_a)
    refused = _post(
        convener, url, {"year": 2025, "quarter": 1, "workers_enrolled": 10, "workers_completed": 12}
    )
    assert refused.status_code == 422
    assert refused.json()["fields"] == {
        "workers_completed": ["Workers completed (12) cannot exceed workers enrolled (10)."]
    }
    bad_quarter = _post(convener, url, {"year": 2025, "quarter": 5})
    assert bad_quarter.status_code == 422 and "quarter" in bad_quarter.json()["fields"]
    unknown = _post(convener, url, {"year": 2025, "quarter": 1, "indicator_values": {"999999": "3"}})
    assert unknown.status_code == 422 and "indicator_values" in unknown.json()["fields"]
    assert not ProgressReport.objects.exists()  # nothing half-written
    created = _post(
        convener,
        url,
        {
            "year": 2025,
            "quarter": 1,
            "workers_enrolled": 10,
            "workers_completed": 8,
            "workers_placed": 5,
            "wages_at_placement": "21.50",
            "indicator_values": {str(indicator.pk): "6"},
            "submit": True,
        },
    )
    assert created.status_code == 201, created.content
    out = created.json()
    assert out["status"] == "submitted" and out["due_on"] == "2025-04-30"
    assert out["indicator_values"] == [
        {"indicator_id": indicator.pk, "name": "Apprentices", "unit": "", "value": "6.00"}
    ]
    report = ProgressReport.objects.get()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == personas.convener_a
    again = _post(convener, url, {"year": 2025, "quarter": 1})
    assert again.status_code == 422 and "quarter" in again.json()["fields"]
    assert _post(_client(personas.convener_b), url, {"year": 2025, "quarter": 2}).status_code == 403
    assert _post(_client(personas.viewer), url, {"year": 2025, "quarter": 2}).status_code == 403


def test_progress_reports_are_listed_for_who_may_see_them(personas: Personas) -> None:
    ours = ProgressReport.objects.create(partnership=personas.partnership_a, year=2025, quarter=1)
    ProgressReport.objects.create(partnership=personas.partnership_a, year=2025, quarter=2)
    url = f"/api/outcomes/partnerships/{personas.partnership_a.pk}/progress-reports"
    listed = _client(personas.convener_a).get(url).json()
    assert listed["count"] == 2
    assert [(item["year"], item["quarter"]) for item in listed["items"]] == [(2025, 2), (2025, 1)]
    assert _client(personas.viewer).get(url).status_code == 200
    assert _client(personas.convener_b).get(url).status_code == 403
    detail = f"/api/outcomes/progress-reports/{ours.pk}"
    assert _client(personas.staff).get(detail).json()["id"] == ours.pk
    assert _client(personas.convener_b).get(detail).status_code == 403
    assert _client(personas.staff).get("/api/outcomes/progress-reports/999999").status_code == 404
