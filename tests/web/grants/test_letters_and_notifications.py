"""Decision letters (PDF) and e-mail notifications: at once, or one daily digest per user who prefers it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sectorwise.grants import services
from sectorwise.grants.models import Notification
from tests.web.grants.factories import grants_world, submitted_in_review
from tests.web.grants.permission_matrix import _world
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_decision_letter_is_a_pdf_naming_the_award(personas: Personas) -> None:
    world = _world(personas)
    client = Client()
    client.force_login(personas.convener_b)
    response = client.get(reverse("grants:decision_letter", kwargs={"pk": world["submitted"]}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    undecided = Client()
    undecided.force_login(personas.convener_a)
    assert undecided.get(reverse("grants:decision_letter", kwargs={"pk": world["draft"]})).status_code == 404


def test_submissions_and_awards_are_told_at_once_or_in_the_daily_digest(
    personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    personas.staff.email, personas.convener_b.email = "staff@example.org", "b@example.org"
    personas.staff.save()
    personas.convener_b.save()
    services.notification_preference_set(user=personas.convener_b, daily_digest=True)
    world = grants_world()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        application = submitted_in_review(
            grant_round=world.round, partnership=personas.partnership_b, user=personas.convener_b
        )
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]
    assert mail.outbox[0].subject.startswith("Application submitted")
    services.round_close(grant_round=world.round)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.award_create(
            application=application,
            amount=Decimal("90000.00"),
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 9, 30),
        )
    assert len(mail.outbox) == 1, "the convener prefers the digest: nothing at once"
    assert Notification.objects.filter(user=personas.convener_b, sent_at__isnull=True).count() == 1
    call_command("grants_send_digest")
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["b@example.org"]
    assert "Award:" in mail.outbox[1].body and "$90,000.00" in mail.outbox[1].body
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    call_command("grants_send_digest")
    assert len(mail.outbox) == 2, "nothing twice"
