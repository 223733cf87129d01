"""Reads of the capacity app. Lists take ``user=`` and return what the rule table lets that user see.

The reports app uses three of them (each simple, each documented with what it counts):
``ta_hours_by_partnership``, ``event_attendance_summary`` and ``learning_network_attendance``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sectorwise.capacity.models import (
    Event,
    EventKind,
    LearningNetwork,
    NetworkMember,
    Registration,
    RegistrationStatus,
    Resource,
    TaEngagement,
    TaFollowUp,
    TaRequest,
    TaRequestState,
)
from sectorwise.capacity.rules import CapacityAction
from sectorwise.capacity.topics import TOPIC_LABELS, TaTopic, topic_for_name
from sectorwise.core.rules import visible_to
from sectorwise.partnerships.models import SectorPartnership

# Loaders for the views' ``@allow(..., load=...)`` ---------------------------------------------------------


def partnership_for_url(**url_kwargs: Any) -> SectorPartnership:
    return get_object_or_404(SectorPartnership, pk=url_kwargs["pk"])


def request_for_url(**url_kwargs: Any) -> TaRequest:
    return get_object_or_404(TaRequest.objects.select_related("partnership"), pk=url_kwargs["pk"])


def engagement_for_url(**url_kwargs: Any) -> TaEngagement:
    return get_object_or_404(
        TaEngagement.objects.select_related("provider_user", "provider_organization"), pk=url_kwargs["pk"]
    )


def follow_up_for_url(**url_kwargs: Any) -> TaFollowUp:
    return get_object_or_404(TaFollowUp, pk=url_kwargs["pk"])


def event_for_url(**url_kwargs: Any) -> Event:
    return get_object_or_404(Event.objects.select_related("learning_network"), pk=url_kwargs["pk"])


def registration_for_url(**url_kwargs: Any) -> Registration:
    return get_object_or_404(Registration.objects.select_related("event"), pk=url_kwargs["pk"])


def network_for_url(**url_kwargs: Any) -> LearningNetwork:
    return get_object_or_404(LearningNetwork, pk=url_kwargs["pk"])


def resource_for_url(**url_kwargs: Any) -> Resource:
    return get_object_or_404(Resource, pk=url_kwargs["pk"])


# Technical assistance ------------------------------------------------------------------------------------


def ta_request_list(*, user: Any, open_only: bool = False) -> QuerySet[TaRequest]:
    requests = TaRequest.objects.select_related("partnership", "requested_by", "engagement")
    if open_only:
        requests = requests.filter(state=TaRequestState.OPEN)
    return visible_to(requests, user=user, action=CapacityAction.VIEW_TA)


def ta_engagement_list(*, user: Any) -> QuerySet[TaEngagement]:
    engagements = (
        TaEngagement.objects.select_related("provider_user", "provider_organization")
        .prefetch_related("partnerships", "follow_ups")
        .order_by("-starts_on", "-pk")
    )
    return visible_to(engagements, user=user, action=CapacityAction.VIEW_ENGAGEMENT).distinct()


@dataclass(frozen=True)
class PartnershipTaHours:
    partnership_id: int
    partnership: str
    engagements: int
    hours: Decimal


def ta_hours_by_partnership(*, since: dt.date) -> list[PartnershipTaHours]:
    """Technical assistance per partnership, over engagements that started on or after ``since``: how many
    engagements served it and their hours. An engagement serving several partnerships counts in full for
    each of them (so the rows' hours may add up to more than the state's total; ``ta_hours_total`` gives
    that). Partnerships without TA are left out. One query."""
    rows = (
        SectorPartnership.objects.filter(ta_engagements__starts_on__gte=since)
        .annotate(
            engagement_count=Count("ta_engagements", distinct=True),
            hour_sum=Sum("ta_engagements__hours"),
        )
        .order_by("name")
        .values_list("pk", "name", "engagement_count", "hour_sum")
    )
    return [
        PartnershipTaHours(
            partnership_id=pk, partnership=name, engagements=count, hours=hours or Decimal("0")
        )
        for pk, name, count, hours in rows
    ]


def ta_hours_total(*, since: dt.date) -> Decimal:
    """Hours of the engagements that started on or after ``since``, each counted once."""
    total = TaEngagement.objects.filter(starts_on__gte=since).aggregate(total=Sum("hours"))["total"]
    return total if total is not None else Decimal("0.00")


def suggested_ta_topics(*, partnership: SectorPartnership) -> list[TaTopic]:
    """TA topics the partnership's latest reviewed maturity self-assessment suggests for its weak indicators
    (``planning.selectors.partnership_maturity``; its plain topic names mapped onto ``TaTopic``), weakest
    first; empty without a reviewed assessment. Two queries."""
    from sectorwise.planning.selectors import partnership_maturity

    maturity = partnership_maturity(partnership=partnership)
    if maturity is None:
        return []
    topics = [topic_for_name(name) for name in maturity.suggested_topics]
    return list(dict.fromkeys(topic for topic in topics if topic is not None))


def follow_ups_due(*, today: dt.date) -> QuerySet[TaFollowUp]:
    """Follow-ups not done whose date has come."""
    return TaFollowUp.objects.filter(done_on__isnull=True, due_on__lte=today).select_related("engagement")


# Events --------------------------------------------------------------------------------------------------


def event_list(*, user: Any, upcoming_after: dt.datetime | None = None) -> QuerySet[Event]:
    events = Event.objects.select_related("learning_network").order_by("starts_at", "pk")
    if upcoming_after is not None:
        events = events.filter(ends_at__gte=upcoming_after)
    return visible_to(events, user=user, action=CapacityAction.VIEW_EVENTS)


def event_registrations(*, event: Event) -> QuerySet[Registration]:
    """The roster: registered first, then the waitlist in its order, then the cancelled."""
    order = {
        RegistrationStatus.REGISTERED: 0,
        RegistrationStatus.WAITLISTED: 1,
        RegistrationStatus.CANCELLED: 2,
    }
    from django.db.models import Case, IntegerField, Value, When

    return (
        Registration.objects.filter(event=event)
        .select_related("person", "partnership", "user")
        .annotate(
            rank=Case(
                *(When(status=status, then=Value(rank)) for status, rank in order.items()),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "queued_at", "pk")
    )


def registrations_of(*, user: Any) -> QuerySet[Registration]:
    """A signed-in user's own registrations, not cancelled."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return (
        Registration.objects.filter(user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at")
    )


@dataclass(frozen=True)
class KindAttendance:
    kind: str
    label: str
    events: int
    registrations: int
    """Places taken (registered; not the waitlist, not the cancelled)."""
    attendees: int
    """Registrations marked attended."""


def event_attendance_summary(*, since: dt.date) -> list[KindAttendance]:
    """Per kind of event, over events starting on or after ``since`` (local date): the number of events,
    registrations holding a place and attendees. Every kind is listed, zeros included. Two queries."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    events = Event.objects.filter(starts_at__gte=start)
    per_kind = dict(events.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    counts = (
        Registration.objects.filter(event__in=events, status=RegistrationStatus.REGISTERED)
        .values("event__kind")
        .annotate(registered=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
    )
    by_kind = {row["event__kind"]: (row["registered"], row["attended"]) for row in counts}
    return [
        KindAttendance(
            kind=kind.value,
            label=kind.label,
            events=per_kind.get(kind.value, 0),
            registrations=by_kind.get(kind.value, (0, 0))[0],
            attendees=by_kind.get(kind.value, (0, 0))[1],
        )
        for kind in EventKind
    ]


# Learning networks ---------------------------------------------------------------------------------------


def network_list() -> QuerySet[LearningNetwork]:
    return LearningNetwork.objects.annotate(
        member_count=Count("members__partnership", distinct=True),
        session_count=Count("sessions", distinct=True),
    ).order_by("-starts_on", "name")


@dataclass(frozen=True)
class NetworkAttendance:
    network_id: int
    network: str
    partnership_id: int
    partnership: str
    sessions_held: int
    sessions_attended: int

    @property
    def rate(self) -> float | None:
        """Share of the sessions held at which someone came for the partnership (None: none held yet)."""
        return self.sessions_attended / self.sessions_held if self.sessions_held else None


def learning_network_attendance(
    *, network: LearningNetwork | None = None, as_of: dt.datetime | None = None
) -> list[NetworkAttendance]:
    """Attendance rate per member partnership of each learning network (or of ``network``): of the network's
    sessions held by ``as_of`` (default now: started), at how many at least one registrant who came for the
    partnership (``Registration.partnership``) was marked attended. Three queries."""
    as_of = as_of or timezone.now()
    networks = (
        LearningNetwork.objects.all() if network is None else LearningNetwork.objects.filter(pk=network.pk)
    )
    members = (
        NetworkMember.objects.filter(network__in=networks)
        .values_list("network_id", "network__name", "partnership_id", "partnership__name")
        .distinct()
        .order_by("network__name", "partnership__name")
    )
    held: dict[int, set[int]] = defaultdict(set)
    for network_id, event_id in Event.objects.filter(
        learning_network__in=networks, starts_at__lte=as_of
    ).values_list("learning_network_id", "pk"):
        held[network_id].add(event_id)
    came: dict[tuple[int, int], set[int]] = defaultdict(set)
    for network_id, partnership_id, event_id in (
        Registration.objects.filter(
            event__learning_network__in=networks, event__starts_at__lte=as_of, attended=True
        )
        .exclude(partnership__isnull=True)
        .values_list("event__learning_network_id", "partnership_id", "event_id")
    ):
        came[(network_id, partnership_id)].add(event_id)
    return [
        NetworkAttendance(
            network_id=network_id,
            network=network_name,
            partnership_id=partnership_id,
            partnership=partnership_name,
            sessions_held=len(held[network_id]),
            sessions_attended=len(came[(network_id, partnership_id)] & held[network_id]),
        )
        for network_id, network_name, partnership_id, partnership_name in members
    ]


# Resources -----------------------------------------------------------------------------------------------


def resource_search(
    *, user: Any, query: str = "", topic: str = "", kind: str = "", audience: str = ""
) -> QuerySet[Resource]:
    """The library as ``user`` may see it, searched in titles, descriptions and topic tags (a query naming a
    topic's label finds the resources tagged with it)."""
    resources = visible_to(
        Resource.objects.defer("file_content"), user=user, action=CapacityAction.VIEW_RESOURCES
    )
    query = query.strip()
    if query:
        matched = Q(title__icontains=query) | Q(description__icontains=query)
        for value, label in TOPIC_LABELS.items():
            if query.lower() in label.lower() or query.lower() == value:
                matched |= Q(topics__contains=f"|{value}|")
        resources = resources.filter(matched)
    if topic:
        resources = resources.filter(topics__contains=f"|{topic}|")
    if kind:
        resources = resources.filter(kind=kind)
    if audience:
        resources = resources.filter(audience=audience)
    return resources.order_by("title", "pk")
