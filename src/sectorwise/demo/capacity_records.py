"""The capacity app's demo records: TA engagements with hours and follow-ups (and two open requests), a
learning network of conveners and employer champions with sessions and attendance, events with
registrations and attendance (one upcoming workshop full, with a waitlist), and a resource library (some
public). Written through the capacity services, so capacity and the waitlist hold; seeded only while the app
holds no records, in one transaction. Dates lie around the demo's "today"."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from sectorwise.accounts.models import User
from sectorwise.capacity import services
from sectorwise.capacity.models import (
    Event,
    EventKind,
    LearningNetwork,
    NetworkRole,
    Registration,
    Resource,
    TaEngagement,
    TaRequest,
)
from sectorwise.capacity.topics import TaTopic
from sectorwise.directory.models import Organization, OrganizationType, Person
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership

TA_WORK: Final = (
    (TaTopic.EMPLOYER_ENGAGEMENT, "Recruiting employer members beyond the founding three"),
    (TaTopic.MEETING_DESIGN, "Designing an employer-led first convening"),
    (TaTopic.STRATEGIC_PLANNING, "Turning ranked problems into an action plan"),
    (TaTopic.EVALUATION, "Setting up outcome tracking with the college"),
    (TaTopic.DATA_USE, "Reading the region's labor-market profile"),
    (TaTopic.SUSTAINABILITY_FUNDING, "A dues model and a foundation ask"),
    (TaTopic.STAFFING, "Writing the coordinator's job description"),
)
# A tiny, valid one-page PDF (the library keeps files in the database).
_PDF: Final = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
RESOURCES: Final = (
    ("Employer engagement toolkit", "toolkit", "conveners", ["employer_engagement"], True, "file"),
    ("First convening agenda template", "template", "conveners", ["meeting_design"], True, "file"),
    ("Action plan template", "template", "conveners", ["strategic_planning"], False, "file"),
    ("Outcome tracking guide", "toolkit", "partners", ["evaluation", "data_use"], False, "link"),
    ("Lessons learned: sustaining a partnership after the grant", "lessons", "everyone",
     ["sustainability_funding"], True, "link"),
    ("Lessons learned: keeping employers at the table", "lessons", "employers", ["employer_engagement"],
     False, "link"),
)  # fmt: skip


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _convener_person(partnership: SectorPartnership) -> Person | None:
    return partnership.convener.people.order_by("pk").first()


def _champion(partnership: SectorPartnership) -> Membership | None:
    return (
        Membership.objects.filter(
            partnership=partnership, role=MembershipRole.EMPLOYER_CHAMPION, representative__isnull=False
        )
        .select_related("representative")
        .first()
    )


def _event(
    *, kind: str, title: str, day: dt.date, hours: tuple[int, int], capacity: int, **options: Any
) -> Event:
    return services.event_create(
        kind=kind,
        title=title,
        starts_at=_at(day, hours[0]),
        ends_at=_at(day, hours[1]),
        capacity=capacity,
        **options,
    )


def _register_people(
    event: Event, people: Sequence[tuple[Person, SectorPartnership | None]], *, before: dt.date
) -> list[Registration]:
    now = _at(before, 8)
    return [
        services.event_register(event=event, person=person, partnership=p, now=now) for person, p in people
    ]


def _attend(event: Event, registrations: list[Registration], *, rng: random.Random, share: float) -> int:
    came = [r.pk for r in registrations if r.status == "registered" and rng.random() < share]
    services.attendance_record(
        event=event, attended_ids=came, today=timezone.localtime(event.starts_at).date()
    )
    return len(came)


@transaction.atomic
def seed_capacity(*, rng: random.Random, today: dt.date) -> str:
    if (
        TaEngagement.objects.exists()
        or TaRequest.objects.exists()
        or Event.objects.exists()
        or LearningNetwork.objects.exists()
        or Resource.objects.exists()
    ):
        return "capacity: records present, left as they were"
    partnerships = list(SectorPartnership.objects.select_related("convener").order_by("name"))
    if not partnerships:
        return "capacity: no partnerships, nothing seeded"
    staff = User.objects.filter(username="staff").first()
    contractor = (
        Organization.objects.filter(type=OrganizationType.COMMUNITY).order_by("name").first()
        or Organization.objects.exclude(type=OrganizationType.EMPLOYER).order_by("name").first()
    )

    # Technical assistance: engagements over the last year, hours and follow-ups; two open requests.
    engagements = 0
    hours_total = Decimal("0")
    for number, partnership in enumerate(partnerships[:10]):
        topic, title = TA_WORK[number % len(TA_WORK)]
        starts_on = today - dt.timedelta(days=rng.randint(20, 330))
        served = [partnership] + (
            [partnerships[number + 10]] if number < 2 and len(partnerships) > 12 else []
        )
        hours = Decimal(rng.randint(4, 60)) / 2
        by_staff = staff is not None and (number % 3 != 2 or contractor is None)
        engagement = services.ta_engagement_create(
            title=title,
            topic=topic,
            partnerships=served,
            starts_on=starts_on,
            ends_on=min(starts_on + dt.timedelta(days=rng.randint(14, 90)), today) if number % 2 else None,
            hours=hours,
            provider_user=staff if by_staff else None,
            provider_organization=None if by_staff else contractor,
            notes="Coaching calls with the convener and a working session with the employer members.",
        )
        engagements += 1
        hours_total += hours
        follow_up = services.ta_follow_up_add(
            engagement=engagement,
            description="Check in on the agreed next steps",
            due_on=starts_on + dt.timedelta(days=45),
        )
        if follow_up.due_on < today and rng.random() < 0.6:
            services.ta_follow_up_done(follow_up=follow_up, done_on=follow_up.due_on + dt.timedelta(days=2))
    convener_user = User.objects.filter(username="convener").select_related("organization").first()
    own = [
        p
        for p in partnerships
        if convener_user is not None and p.convener_id == convener_user.organization_id
    ]
    for partnership, (topic, what) in zip(
        (own or partnerships)[:1] + partnerships[-1:],
        ((TaTopic.EVALUATION, "We need help choosing outcome measures for our first cohort."),
         (TaTopic.SUSTAINABILITY_FUNDING, "Our planning grant ends in the fall: how do others fund staff?")),
        strict=False,
    ):  # fmt: skip
        services.ta_request_create(partnership=partnership, topic=topic, description=what, user=convener_user)

    # A learning network and the events lie around the real day the demo is loaded (not the demo's "today"),
    # so that its upcoming events are open for registration and the full workshop's waitlist can be tried.
    now_day = timezone.localdate()
    network = services.learning_network_create(
        name=f"Conveners' learning network {now_day.year}",
        starts_on=now_day - dt.timedelta(days=180),
        ends_on=now_day + dt.timedelta(days=180),
        description="Conveners (and their employer champions) compare notes monthly: what works in "
        "engaging employers and keeping them at the table.",
        topics=[TaTopic.EMPLOYER_ENGAGEMENT, TaTopic.MEETING_DESIGN],
    )
    cohort = partnerships[::3][:6]
    people: list[tuple[Person, SectorPartnership]] = []
    for partnership in cohort:
        person = _convener_person(partnership)
        services.network_member_add(network=network, partnership=partnership, person=person)
        if person is not None and all(person != known for known, _ in people):
            people.append((person, partnership))
        champion = _champion(partnership)
        if (
            champion is not None
            and champion.representative is not None
            and all(champion.representative != known for known, _ in people)
            and rng.random() < 0.5
        ):
            services.network_member_add(
                network=network, partnership=partnership, role=NetworkRole.EMPLOYER_CHAMPION,
                person=champion.representative,
            )  # fmt: skip
            people.append((champion.representative, partnership))
    sessions_held = 0
    for number, offset in enumerate((-150, -120, -90, -60, -30, 30), start=1):
        day = now_day + dt.timedelta(days=offset)
        session = _event(
            kind=EventKind.NETWORK_SESSION,
            title=f"Learning network: session {number}",
            day=day,
            hours=(13, 15),
            capacity=40,
            link="https://meet.demo.example/learning-network",
            learning_network=network,
            topics=[TaTopic.EMPLOYER_ENGAGEMENT],
        )
        registrations = _register_people(session, people, before=min(day, now_day) - dt.timedelta(days=3))
        if day < now_day:
            _attend(session, registrations, rng=rng, share=0.75)
            sessions_held += 1

    # Events: a statewide summit and workshops with attendance; upcoming ones; one full with a waitlist.
    everyone = list(Person.objects.order_by("pk")[:400])
    partnership_of = {
        m.representative_id: m.partnership
        for m in Membership.objects.filter(representative__isnull=False).select_related("partnership")
    }
    attendees = registered = 0
    plans: tuple[tuple[str, str, int, int, int, bool, str], ...] = (
        (
            EventKind.SUMMIT,
            f"Statewide sector partnership summit {now_day.year}",
            -75,
            150,
            90,
            True,
            "place",
        ),
        (EventKind.WORKSHOP, "Employer engagement workshop", -40, 30, 26, True, "place"),
        (EventKind.WEBINAR, "Using labor-market data in your partnership", -20, 200, 45, True, "link"),
        (EventKind.WORKSHOP, "Designing meetings employers want to attend", 21, 12, 15, True, "place"),
        (
            EventKind.WEBINAR,
            "Sustainability funding: dues, foundations, public money",
            35,
            100,
            20,
            True,
            "link",
        ),
        (EventKind.WORKSHOP, "Evaluation basics for conveners", 50, 25, 8, False, "place"),
    )
    full_event = ""
    for kind, title, offset, capacity, wanted, public, where in plans:
        day = now_day + dt.timedelta(days=offset)
        event = _event(
            kind=kind,
            title=title,
            day=day,
            hours=(9, 16) if kind == EventKind.SUMMIT else (10, 12),
            capacity=capacity,
            is_public=public,
            topics=[TaTopic.EMPLOYER_ENGAGEMENT] if "mploy" in title else [TaTopic.DATA_USE],
            description=f"{title}: for conveners, employer champions and partners.",
            **({"place": "State Conference Center, Capital City"} if where == "place" else {}),
            **({"link": "https://meet.demo.example/webinar"} if where == "link" else {}),
        )
        chosen = rng.sample(everyone, min(wanted, len(everyone)))
        registrations = _register_people(
            event,
            [(person, partnership_of.get(person.pk)) for person in chosen],
            before=min(day, now_day) - dt.timedelta(days=5),
        )
        registered += sum(r.status == "registered" for r in registrations)
        if day < now_day:
            attendees += _attend(event, registrations, rng=rng, share=0.8)
        if event.capacity < wanted:
            full_event = f"{title} full, {wanted - capacity} waitlisted"

    # The resource library.
    for title, kind, audience, topics, public, form in RESOURCES:
        slug = title.lower().replace(" ", "-").replace(":", "")
        services.resource_create(
            title=title,
            kind=kind,
            audience=audience,
            topics=topics,
            is_public=public,
            description=f"{title}, from the state's sector partnership program.",
            link="" if form == "file" else f"https://resources.demo.example/{slug}",
            file_name=f"{slug[:60]}.pdf" if form == "file" else "",
            content=_PDF if form == "file" else None,
        )
    return (
        f"capacity: {engagements} TA engagements ({hours_total} hours), 2 open requests; a learning "
        f"network of {len(cohort)} partnerships, {sessions_held} sessions held; {len(plans)} events, "
        f"{registered} places taken, {attendees} attended; {full_event}; {len(RESOURCES)} resources"
    )
