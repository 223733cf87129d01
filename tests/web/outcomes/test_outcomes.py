"""Outcomes: progress-report rules and locking, participant and observation imports (hashed identifiers),
logged participant reads, suppressed aggregates, consented testimonials."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from sectorwise.evaluation.identifiers import identifier_hash
from sectorwise.outcomes import services
from sectorwise.outcomes.importing import OutcomeImportKind, outcomes_import
from sectorwise.outcomes.models import (
    OutcomeObservation,
    Participant,
    ParticipantAccessLog,
    ProgressReport,
    ReportStatus,
)
from sectorwise.outcomes.models import (
    Testimonial as TestimonialRecord,  # renamed: pytest would try to collect a class named Test*
)
from sectorwise.outcomes.pii import pii_key
from sectorwise.outcomes.selectors import outcome_summary
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

# Valid-looking SSNs (no never-issued area, group or serial) that are nobody's: test data only.
SSNS = [f"{123 + i:03d}-{45 + i % 50:02d}-{6789 + i:04d}" for i in range(40)]


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Progress reports ---------------------------------------------------------------------------------


def test_a_report_whose_counts_do_not_nest_is_refused_with_each_field_named(personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.progress_report_create(
            partnership=personas.partnership_a,
            year=2025,
            quarter=1,
            values={
                "workers_enrolled": 10,
                "workers_completed": 12,
                "workers_credentialed": 0,
                "workers_placed": 0,
                "wages_at_placement": Decimal("20.00"),
            },
        )
    errors = refused.value.message_dict
    assert errors["workers_completed"] == ["Workers completed (12) cannot exceed workers enrolled (10)."]
    assert errors["wages_at_placement"] == ["A wage at placement needs at least one worker placed."]
    assert not ProgressReport.objects.exists()


def test_the_database_refuses_what_the_rule_refuses(personas: Personas) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(
            partnership=personas.partnership_a, year=2025, quarter=1, workers_completed=5, workers_placed=6
        )


def test_the_report_form_shows_the_rule_message(personas: Personas) -> None:
    response = _client(personas.convener_a).post(
        reverse("outcomes:report_create", kwargs={"pk": personas.partnership_a.pk}),
        {
            "year": 2025,
            "quarter": 2,
            "employers_engaged": 4,
            "workers_enrolled": 10,
            "workers_completed": 8,
            "workers_credentialed": 3,
            "workers_placed": 9,
        },
    )
    assert response.status_code == 200
    assert "Workers placed (9) cannot exceed workers completed (8)." in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_submitted_report_is_locked_and_corrected_by_an_amendment(personas: Personas) -> None:
    report = services.progress_report_create(
        partnership=personas.partnership_a,
        year=2025,
        quarter=3,
        values={"workers_enrolled": 10, "workers_completed": 5},
    )
    services.progress_report_submit(report=report, user=personas.convener_a)
    with pytest.raises(ValidationError, match="locked"):
        services.progress_report_update(report=report, values={"workers_completed": 6})
    amendment = services.progress_report_amend(report=report, values={"workers_completed": 6})
    assert (amendment.revision, amendment.amends, amendment.status) == (1, report, ReportStatus.DRAFT)
    report.refresh_from_db()
    assert report.workers_completed == 5  # the submitted one stays as it was
    with pytest.raises(ValidationError, match="already has a report"):
        services.progress_report_create(partnership=personas.partnership_a, year=2025, quarter=3, values={})


# --- Imports ------------------------------------------------------------------------------------------


def _participants_csv(partnership_id: int, ssns: list[str], **extra: str) -> bytes:
    header = "partnership_id,person_id,enrolled_on,exited_on,demographics_consent,sex,low_income_at_entry"
    rows = [
        f"{partnership_id},{ssn},2024-01-15,2024-06-30,yes,{'female' if i % 2 else 'male'},"
        f"{'yes' if i % 3 else 'no'}"
        for i, ssn in enumerate(ssns)
    ]
    return ("\n".join([header, *rows]) + "\n").encode()


def test_participants_import_stores_only_the_keyed_hash(personas: Personas) -> None:
    result = outcomes_import(
        kind=OutcomeImportKind.PARTICIPANTS,
        filename="p.csv",
        content=_participants_csv(personas.partnership_a.pk, [SSNS[0], SSNS[1].replace("-", "")]),
        user=personas.staff,
    )
    assert result.ok, result.errors
    keys = set(Participant.objects.values_list("person_key", flat=True))
    assert keys == {identifier_hash(SSNS[0], pii_key()), identifier_hash(SSNS[1], pii_key())}
    # With or without dashes, the same person: a second import updates rather than duplicates.
    again = outcomes_import(
        kind=OutcomeImportKind.PARTICIPANTS,
        filename="p.csv",
        content=_participants_csv(personas.partnership_a.pk, [SSNS[0].replace("-", "")]),
        user=personas.staff,
    )
    assert (again.created, again.updated) == (0, 1)
    assert Participant.history.count() == 3


def test_every_bad_row_is_reported_and_nothing_is_written(personas: Personas) -> None:
    content = (
        "partnership_id,person_id,enrolled_on,exited_on\n"
        f"{personas.partnership_a.pk},{SSNS[0]},2024-01-15,\n"
        f"{personas.partnership_a.pk},123-00-4567,2024-01-15,\n"  # group 00: never issued
        f"999999,{SSNS[2]},2024-01-15,\n"
        f"{personas.partnership_a.pk},{SSNS[3]},2024-05-01,2024-01-01\n"
        f"{personas.partnership_a.pk},{SSNS[0].replace('-', '')},2024-01-15,\n"
    ).encode()
    result = outcomes_import(
        kind=OutcomeImportKind.PARTICIPANTS, filename="p.csv", content=content, user=personas.staff
    )
    found = {(error.row, error.field) for error in result.errors}
    assert found == {(3, "person_id"), (4, "partnership_id"), (5, "exited_on"), (6, "person_id")}
    reasons = " ".join(error.reason for error in result.errors)
    assert "middle two digits are 00" in reasons
    assert "123-00-4567" not in reasons and "123004567" not in reasons
    assert "first on row 2" in reasons
    assert not Participant.objects.exists()


def test_observations_import_derives_poverty_status_from_the_guideline(personas: Personas) -> None:
    assert outcomes_import(
        kind=OutcomeImportKind.PARTICIPANTS,
        filename="p.csv",
        content=_participants_csv(personas.partnership_a.pk, SSNS[:2]),
        user=personas.staff,
    ).ok
    # Vermont (the region's counties are 50xxx), 2024: the guideline for one person is $15,060.
    content = (
        "partnership_id,person_id,timing,observed_on,employed,quarterly_earnings,household_size,household_income\n"
        f"{personas.partnership_a.pk},{SSNS[0]},baseline,2024-01-15,no,,1,15000\n"
        f"{personas.partnership_a.pk},{SSNS[1]},baseline,2024-01-15,yes,4000,1,16000\n"
        f"{personas.partnership_a.pk},{SSNS[2]},baseline,2024-01-15,yes,4000,1,16000\n"
    ).encode()
    refused = outcomes_import(
        kind=OutcomeImportKind.OBSERVATIONS, filename="o.csv", content=content, user=personas.staff
    )
    assert [(error.row, error.field) for error in refused.errors] == [(4, "person_id")]
    result = outcomes_import(
        kind=OutcomeImportKind.OBSERVATIONS,
        filename="o.csv",
        content=b"\n".join(content.splitlines()[:3]) + b"\n",
        user=personas.staff,
    )
    assert result.ok, result.errors
    statuses = dict(OutcomeObservation.objects.values_list("participant__person_key", "in_poverty"))
    assert statuses == {identifier_hash(SSNS[0], pii_key()): True, identifier_hash(SSNS[1], pii_key()): False}


def test_import_page_is_for_state_staff_and_reports_rows(personas: Personas) -> None:
    url = reverse("outcomes:import")
    content = f"partnership_id,person_id,enrolled_on\n{personas.partnership_a.pk},000-12-3456,2024-01-01\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _client(personas.staff).post(
        url, {"kind": "participants", "file": SimpleUploadedFile("p.csv", content.encode())}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "first three digits are 000" in page and "000-12-3456" not in page


# --- Reads --------------------------------------------------------------------------------------------


def test_every_participant_list_read_is_logged(personas: Personas) -> None:
    before = ParticipantAccessLog.objects.count()
    url = reverse("outcomes:participant_list", kwargs={"pk": personas.partnership_a.pk})
    assert _client(personas.convener_a).get(url).status_code == 200
    assert _client(personas.convener_b).get(url).status_code == 403
    assert _client(personas.viewer).get(url).status_code == 403
    logs = list(ParticipantAccessLog.objects.order_by("-id")[: ParticipantAccessLog.objects.count() - before])
    assert [(log.username, log.partnership_id) for log in logs] == [("convener_a", personas.partnership_a.pk)]


def _participant_with(partnership: object, index: int, before: bool, after: bool) -> None:
    participant = Participant.objects.create(
        partnership=partnership,
        person_key=identifier_hash(SSNS[index], pii_key()),
        enrolled_on=dt.date(2024, 1, 1),
        exited_on=dt.date(2024, 6, 1),
    )
    for timing, employed in (("baseline", before), ("6_months", after)):
        OutcomeObservation.objects.create(
            participant=participant,
            timing=timing,
            observed_on=dt.date(2024, 1, 1),
            employed=employed,
            quarterly_earnings=Decimal("3000") if employed else None,
        )


def test_aggregates_are_shown_from_ten_people_and_suppressed_below(personas: Personas) -> None:
    for index in range(12):
        _participant_with(personas.partnership_a, index, before=index < 4, after=index < 9)
    for index in range(12, 21):
        _participant_with(personas.partnership_b, index, before=False, after=True)
    shown = outcome_summary(partnership=personas.partnership_a)
    employed = shown.measures[0].result
    assert (employed.n, employed.before.successes, employed.after.successes) == (12, 4, 9)
    assert employed.difference == pytest.approx(5 / 12)
    assert shown.chart is not None
    hidden = outcome_summary(partnership=personas.partnership_b)
    assert hidden.measures[0].result.suppressed and hidden.measures[0].result.before.estimate is None
    page = Client().get(reverse("outcomes:partnership_outcomes", kwargs={"pk": personas.partnership_b.pk}))
    assert page.status_code == 200
    assert "too few to show" in page.content.decode()
    public = Client().get(reverse("outcomes:partnership_outcomes", kwargs={"pk": personas.partnership_a.pk}))
    assert "outcome-chart-spec" in public.content.decode()


def test_only_consented_testimonials_are_public(personas: Personas) -> None:
    services.testimonial_save(
        testimonial=TestimonialRecord(
            partnership=personas.partnership_a,
            quote="I have a career now.",
            attributed_to="A machinist",
            consent_to_publish=True,
            consent_on=dt.date(2025, 1, 2),
        )
    )
    services.testimonial_save(
        testimonial=TestimonialRecord(
            partnership=personas.partnership_a, quote="Not for print.", attributed_to="B"
        )
    )
    with pytest.raises(ValidationError, match="date the person consented"):
        services.testimonial_save(
            testimonial=TestimonialRecord(
                partnership=personas.partnership_a, quote="x", attributed_to="C", consent_to_publish=True
            )
        )
    page = Client().get(reverse("outcomes:partnership_outcomes", kwargs={"pk": personas.partnership_a.pk}))
    text = page.content.decode()
    assert "I have a career now." in text and "Not for print." not in text
