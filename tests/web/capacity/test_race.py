"""Concurrent registrations never exceed an event's capacity; concurrent cancellations promote the waitlist
without losing or doubling a place.

Run on PostgreSQL (each thread its own connection; ``event_register`` locks the event's row with SELECT ...
FOR UPDATE). On SQLite the test database is an in-memory database shared between threads and writers are
serialised (BEGIN IMMEDIATE), so the race cannot happen there: skipped with that reason
(``test_services.test_stale_copies_of_the_event_never_let_in_more_than_capacity`` is its logical twin).
"""

from __future__ import annotations

from sectorwise.capacity import services
from sectorwise.capacity.models import Event, Registration, RegistrationStatus
from tests.web.capacity.factories import make_event
from tests.web.race import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY

THREADS = 8


def _statuses(event: Event) -> dict[str, int]:
    counts = {status.value: 0 for status in RegistrationStatus}
    for status in Registration.objects.filter(event=event).values_list("status", flat=True):
        counts[status] += 1
    return counts


def test_concurrent_registrations_never_exceed_capacity() -> None:
    event = make_event(capacity=3)
    work = [
        (lambda n=n: services.event_register(event=event, name=f"Racer {n}", email=f"racer{n}@example.org"))
        for n in range(THREADS)
    ]
    results, errors = race(work)
    assert not errors, errors
    assert len(results) == THREADS
    event.refresh_from_db()
    assert _statuses(event) == {"registered": 3, "waitlisted": THREADS - 3, "cancelled": 0}
    assert event.registered_count == 3


def test_concurrent_cancellations_and_registrations_keep_the_count_true() -> None:
    event = make_event(capacity=4)
    first = [
        services.event_register(event=event, name=f"Early {n}", email=f"early{n}@example.org")
        for n in range(6)
    ]  # 4 registered, 2 waitlisted
    cancel = [(lambda r=r: services.registration_cancel(registration=r)) for r in first[:3]]
    register = [
        (lambda n=n: services.event_register(event=event, name=f"Late {n}", email=f"late{n}@example.org"))
        for n in range(5)
    ]
    _, errors = race(cancel + register)
    assert not errors, errors
    event.refresh_from_db()
    counts = _statuses(event)
    # 11 people, 3 cancelled: the 4 places are taken (3 freed places went to the waitlist or to the late
    # ones, in whatever order the locks gave), the other 4 wait.
    assert counts == {"registered": 4, "waitlisted": 4, "cancelled": 3}
    assert event.registered_count == 4
    # The two who were waiting first got places before anyone who came later could jump them: a late
    # registrant got a place only if it found one free, never while someone was waiting.
    early_waiting = Registration.objects.filter(pk__in=[first[4].pk, first[5].pk])
    assert set(early_waiting.values_list("status", flat=True)) == {"registered"}
