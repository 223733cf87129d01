"""The manager's two forms on an engagement's page: a change goes back to the engagement; a refusal (by the
form or by the service) shows the page again (400) with that form's errors and the other form as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sectorwise.capacity import services
from sectorwise.capacity.models import TaEngagement
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _engagement(personas: Personas) -> TaEngagement:
    return services.ta_engagement_create(
        title="Evaluation help",
        topic="evaluation",
        partnerships=[personas.partnership_a],
        starts_on=dt.date(2025, 3, 1),
        hours=Decimal("4"),
        provider_organization=personas.board_b,
    )


def _staff(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.staff)
    return client


def test_an_update_saves_or_shows_the_services_refusal_on_the_form(personas: Personas) -> None:
    engagement = _engagement(personas)
    url = reverse("capacity:ta_engagement_update", args=[engagement.pk])
    detail = reverse("capacity:ta_engagement_detail", args=[engagement.pk])
    client = _staff(personas)

    refused = client.post(url, {"hours": "6", "ends_on": "2025-02-01", "notes": ""})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "An engagement ends on or after the day it starts." in page
    assert 'name="description"' in page  # the follow-up form, blank, still there
    engagement.refresh_from_db()
    assert engagement.hours == Decimal("4") and engagement.ends_on is None

    saved = client.post(url, {"hours": "6", "ends_on": "2025-04-01", "notes": "Done"}, follow=True)
    assert saved.redirect_chain == [(detail, 302)]
    assert "Engagement updated." in saved.content.decode()
    engagement.refresh_from_db()
    assert engagement.hours == Decimal("6") and engagement.ends_on == dt.date(2025, 4, 1)
    assert client.get(url).status_code == 405


def test_a_follow_up_is_added_or_its_form_shown_again(personas: Personas) -> None:
    engagement = _engagement(personas)
    url = reverse("capacity:ta_follow_up_add", args=[engagement.pk])
    detail = reverse("capacity:ta_engagement_detail", args=[engagement.pk])
    client = _staff(personas)

    refused = client.post(url, {"description": "Check in", "due_on": "not a date"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'value="Check in"' in page  # the refused form keeps what was typed
    assert 'name="hours" value="4' in page  # the update form, filled from the engagement
    assert not engagement.follow_ups.exists()

    added = client.post(url, {"description": "Check in", "due_on": "2025-05-01"}, follow=True)
    assert added.redirect_chain == [(detail, 302)]
    assert "Follow-up added." in added.content.decode()
    assert list(engagement.follow_ups.values_list("description", flat=True)) == ["Check in"]
