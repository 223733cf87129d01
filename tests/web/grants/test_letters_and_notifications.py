"""Decision letters (PDF) and e-mail notifications: at once, or one daily digest per user who prefers it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sectorwise.grants import notifications, services
from sectorwise.grants.models import Notification
from tests.web.background import run_worker
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


# Committed transactions, as in production: the worker closes a connection it finds inside a transaction.
@pytest.mark.django_db(transaction=True)
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
    # The submission only queued the e-mail; the background worker sends it.
    assert mail.outbox == []
    run_worker()
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
    run_worker()
    assert len(mail.outbox) == 1, "the convener prefers the digest: nothing at once"
    assert Notification.objects.filter(user=personas.convener_b, sent_at__isnull=True).count() == 1
    call_command("grants_send_digest")
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["b@example.org"]
    assert "Award:" in mail.outbox[1].body and "$90,000.00" in mail.outbox[1].body
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    call_command("grants_send_digest")
    assert len(mail.outbox) == 2, "nothing twice"


def test_a_notification_the_mail_server_refused_goes_with_the_next_digest(
    personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    personas.staff.email = "staff@example.org"
    personas.staff.save()
    world = grants_world()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        submitted_in_review(
            grant_round=world.round, partnership=personas.partnership_b, user=personas.convener_b
        )
    (notification,) = Notification.objects.filter(user=personas.staff)
    refused = OSError("mail server down")
    with patch("sectorwise.grants.notifications.send_mail", side_effect=refused), pytest.raises(OSError):
        notifications.notifications_send.call(notification_ids=[notification.pk])
    notification.refresh_from_db()
    assert notification.sent_at is None and mail.outbox == []
    call_command("grants_send_digest")
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]
    # Sent once: the queued job, run late, finds nothing left to send.
    assert notifications.notifications_send.call(notification_ids=[notification.pk]) == 0
    assert len(mail.outbox) == 1
