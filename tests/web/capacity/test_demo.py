"""The capacity demo records, through the demo loader: every kind of record, figures consistent with the
records, one full event with a waitlist, and a second run that changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from django.utils import timezone

from sectorwise.capacity import selectors
from sectorwise.capacity.models import (
    Event,
    EventKind,
    Registration,
    Resource,
    TaEngagement,
    TaFollowUp,
    TaRequest,
)
from sectorwise.demo import records

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_capacity_records_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only this app's seeder (the others are tested in their own apps).
    monkeypatch.setattr(records, "APP_SEEDERS", ("sectorwise.demo.capacity_records.seed_capacity",))
    loaded = records.load_demo_records(data_dir=tmp_path)
    (line,) = loaded.app_lines
    assert line.startswith("capacity: 10 TA engagements")
    assert TaEngagement.objects.count() == 10 and TaRequest.objects.filter(state="open").count() == 2
    assert TaFollowUp.objects.filter(done_on__isnull=False).exists()
    assert TaFollowUp.objects.filter(done_on__isnull=True).exists()
    # The TA selector's hours equal the records' (each engagement's hours for each partnership it served).
    by_hand: dict[str, Decimal] = {}
    for engagement in TaEngagement.objects.prefetch_related("partnerships"):
        for partnership in engagement.partnerships.all():
            by_hand[partnership.name] = by_hand.get(partnership.name, Decimal("0")) + engagement.hours
    since = TaEngagement.objects.order_by("starts_on").first().starts_on  # type: ignore[union-attr]  # seeded
    assert {row.partnership: row.hours for row in selectors.ta_hours_by_partnership(since=since)} == by_hand
    assert selectors.ta_hours_total(since=since) == TaEngagement.objects.aggregate(s=Sum("hours"))["s"]

    # Events: never over capacity; one full with a waitlist; attendance on past events only.
    for event in Event.objects.all():
        places = Registration.objects.filter(event=event, status="registered").count()
        assert places == event.registered_count <= event.capacity
    full = [e for e in Event.objects.all() if e.is_full]
    assert len(full) == 1
    assert Registration.objects.filter(event=full[0], status="waitlisted").count() == 3
    past = Event.objects.filter(starts_at__lte=timezone.now())
    assert Registration.objects.filter(event__in=past, attended=True).exists()
    assert not Registration.objects.exclude(event__in=past).exclude(attended__isnull=True).exists()
    assert {e.kind for e in Event.objects.all()} == {kind.value for kind in EventKind}

    # The learning network: five sessions held, one ahead; attendance rates between 0 and 1.
    rows = selectors.learning_network_attendance()
    assert rows and all(row.sessions_held == 5 for row in rows)
    assert all(row.rate is not None and 0 <= row.rate <= 1 for row in rows)
    assert any(row.rate and row.rate > 0 for row in rows)

    assert (
        Resource.objects.filter(is_public=True).exists() and Resource.objects.filter(is_public=False).exists()
    )
    # A second run leaves everything as it was.
    again = records.load_demo_records(data_dir=tmp_path)
    assert again.app_lines == ("capacity: records present, left as they were",)
    assert TaEngagement.objects.count() == 10
