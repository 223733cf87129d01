"""Capacity records built through the services (what the pages would make)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sectorwise.capacity import services
from sectorwise.capacity.models import Event, EventKind, LearningNetwork


def at(days: float, *, hour: int = 9) -> dt.datetime:
    """A local time ``days`` from today at ``hour``:00."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_event(
    *,
    capacity: int = 10,
    days: float = 7,
    kind: str = EventKind.WORKSHOP,
    title: str = "Employer engagement workshop",
    is_public: bool = True,
    learning_network: LearningNetwork | None = None,
    **kwargs: Any,
) -> Event:
    options: dict[str, Any] = {"place": "State Library, Room 2", "topics": ["employer_engagement"]} | kwargs
    return services.event_create(
        kind=kind,
        title=title,
        starts_at=at(days),
        ends_at=at(days, hour=12),
        capacity=capacity,
        is_public=is_public,
        learning_network=learning_network,
        **options,
    )


def move_back(event: Event, *, days_ago: int = 3) -> Event:
    """Move an event (with its registrations, made while it was upcoming) to ``days_ago`` days back."""
    shift = timezone.localtime(event.starts_at).date() - timezone.localdate() + dt.timedelta(days=days_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=event.starts_at - shift, ends_at=event.ends_at - shift)
    event.refresh_from_db()
    return event
