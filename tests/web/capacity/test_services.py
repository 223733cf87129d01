"""Capacity services and selectors: registration, waitlist and capacity, attendance, calendar files and
certificates, TA, learning-network attendance, the resource library; figures computed by hand."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from decimal import Decimal

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from pytest_django import DjangoAssertNumQueries

from sectorwise.capacity import documents, selectors, services
from sectorwise.capacity.models import (
    Event,
    EventKind,
    NetworkRole,
    Registration,
    RegistrationStatus,
    TaRequestState,
)
from sectorwise.capacity.topics import TA_TOPICS, TaTopic
from tests.web.capacity.factories import at, make_event, move_back
from tests.web.factories import PartnershipFactory, PersonFactory, UserFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db
D = Decimal


def _email(event: Event, n: int) -> Registration:
    return services.event_register(event=event, name=f"Guest {n}", email=f"guest{n}@example.org")


# Registration, capacity, waitlist ------------------------------------------------------------------------


def test_registrations_fill_the_event_then_the_waitlist_in_order() -> None:
    event = make_event(capacity=2)
    first, second, third, fourth = (_email(event, n) for n in range(4))
    assert [r.status for r in (first, second, third, fourth)] == [
        "registered",
        "registered",
        "waitlisted",
        "waitlisted",
    ]
    event.refresh_from_db()
    assert event.registered_count == 2 and event.is_full
    # A registered person cancels: the first on the waitlist (third) moves up, not the fourth.
    promoted = services.registration_cancel(registration=first)
    assert promoted is not None and promoted.pk == third.pk
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: RegistrationStatus.CANCELLED,
        second.pk: RegistrationStatus.REGISTERED,
        third.pk: RegistrationStatus.REGISTERED,
        fourth.pk: RegistrationStatus.WAITLISTED,
    }
    event.refresh_from_db()
    assert event.registered_count == 2
    # Cancelling from the waitlist frees no place and promotes nobody.
    assert services.registration_cancel(registration=fourth) is None
    event.refresh_from_db()
    assert (
        event.registered_count == Registration.objects.filter(event=event, status="registered").count() == 2
    )


def test_raising_capacity_promotes_the_waitlist_in_order_and_lowering_stops_at_the_places_taken() -> None:
    event = make_event(capacity=2)
    regs = [_email(event, n) for n in range(5)]  # 2 registered, 3 waiting

    def update(capacity: int) -> list[Registration]:
        return services.event_update(
            event=event, kind=event.kind, title=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
            capacity=capacity, place=event.place, topics=event.topic_list, is_public=event.is_public,
        )  # fmt: skip

    with pytest.raises(ValidationError, match="2 people hold places"):
        update(1)
    assert [r.pk for r in update(4)] == [regs[2].pk, regs[3].pk]
    event.refresh_from_db()
    assert event.registered_count == 4 and event.capacity == 4
    assert Registration.objects.get(pk=regs[4].pk).status == RegistrationStatus.WAITLISTED
    assert update(4) == []


def test_the_count_follows_the_rows_through_cancellations_without_a_waitlist() -> None:
    event = make_event(capacity=3)
    registrations = [_email(event, n) for n in range(3)]
    services.registration_cancel(registration=registrations[1])
    event.refresh_from_db()
    assert event.registered_count == 2 and event.seats_left == 1
    assert _email(event, 9).status == RegistrationStatus.REGISTERED


def test_the_same_person_twice_is_refused_and_after_cancelling_may_come_back() -> None:
    event = make_event(capacity=5)
    user = UserFactory(email="pat@example.org", first_name="Pat", last_name="Lee")
    mine = services.event_register(event=event, user=user)
    assert mine.name == "Pat Lee" and mine.email == "pat@example.org"
    with pytest.raises(ValidationError, match="already registered"):
        services.event_register(event=event, user=user)
    _email(event, 1)
    with pytest.raises(ValidationError, match="already registered"):
        services.event_register(event=event, name="Guest one", email="GUEST1@example.org")
    person = PersonFactory(email="kim@example.org")
    services.event_register(event=event, person=person)
    with pytest.raises(ValidationError, match="already registered"):
        services.event_register(event=event, person=person)
    # One place per e-mail address, whoever registered it: a user's own, a person's, a visitor's.
    with pytest.raises(ValidationError, match="already registered"):
        services.event_register(event=event, name="Someone", email="pat@example.org")
    with pytest.raises(ValidationError, match="already registered"):
        services.event_register(event=event, person=PersonFactory(email="guest1@example.org"))
    services.registration_cancel(registration=mine)
    assert services.event_register(event=event, user=user).status == RegistrationStatus.REGISTERED


def test_registration_closes_when_the_event_is_over() -> None:
    event = move_back(make_event(), days_ago=2)
    with pytest.raises(ValidationError, match="over"):
        _email(event, 1)


def test_a_writer_that_skips_the_lock_meets_the_database_constraint() -> None:
    event = make_event(capacity=1)
    _email(event, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(registered_count=F("registered_count") + 1)


def test_stale_copies_of_the_event_never_let_in_more_than_capacity() -> None:
    """The logical race on SQLite: each request holds its own copy of the event, loaded before anyone
    registered (both see a free place). The service counts from the row it locks, not from the copy."""
    event = make_event(capacity=1)
    copies = [Event.objects.get(pk=event.pk) for _ in range(3)]
    assert all(copy.registered_count == 0 for copy in copies)
    results = [
        services.event_register(event=copy, name=f"Racer {n}", email=f"r{n}@example.org")
        for n, copy in enumerate(copies)
    ]
    assert [r.status for r in results] == ["registered", "waitlisted", "waitlisted"]
    assert Event.objects.get(pk=event.pk).registered_count == 1


# Attendance, certificates, calendar files ----------------------------------------------------------------


def test_attendance_is_taken_on_the_day_and_only_for_registered_people() -> None:
    event = make_event(capacity=2)
    a, b, waiting = (_email(event, n) for n in range(3))
    with pytest.raises(ValidationError, match="on the day"):
        services.attendance_record(event=event, attended_ids=[a.pk])
    event = move_back(event, days_ago=0)
    with pytest.raises(ValidationError, match="Only registered"):
        services.attendance_record(event=event, attended_ids=[a.pk, waiting.pk])
    assert services.attendance_record(event=event, attended_ids=[a.pk]) == (1, 1)
    assert dict(Registration.objects.filter(event=event).values_list("pk", "attended")) == {
        a.pk: True,
        b.pk: False,
        waiting.pk: None,
    }
    with pytest.raises(ValidationError, match="Attendance is taken"):
        services.registration_cancel(registration=a)


def test_the_calendar_file_parses_back_with_the_event() -> None:
    event = make_event(
        title="Statewide sector summit", kind=EventKind.SUMMIT, place="Capitol Plaza, Montpelier"
    )
    parsed = icalendar.Calendar.from_ical(documents.event_ics(event=event, domain="sectorwise.example"))
    (entry,) = parsed.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Statewide sector summit"
    assert str(entry["LOCATION"]) == "Capitol Plaza, Montpelier"
    assert entry.decoded("DTSTART") == event.starts_at  # aware datetimes compare across zones
    assert entry.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert entry.decoded("DTEND") == at(7, hour=12)
    assert str(entry["UID"]) == f"event-{event.pk}@sectorwise.example"


def test_an_online_event_puts_its_link_in_the_location() -> None:
    event = make_event(place="", link="https://meet.example.org/webinar", kind=EventKind.WEBINAR)
    (entry,) = icalendar.Calendar.from_ical(documents.event_ics(event=event, domain="x")).walk("VEVENT")
    assert str(entry["LOCATION"]) == "https://meet.example.org/webinar"
    assert "https://meet.example.org/webinar" in str(entry["DESCRIPTION"])


def test_the_certificate_renders_with_the_attendees_name() -> None:
    event = make_event(title="Meeting design workshop")
    registration = services.event_register(event=event, name="Zora Quintero-Blake", email="zora@example.org")
    registration.refresh_from_db()
    pdf = documents.certificate_pdf(registration=registration)
    assert pdf.startswith(b"%PDF")
    if importlib.util.find_spec("pypdf") is None:
        pytest.skip("pypdf is not installed: the PDF's text is not checked")
    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Zora Quintero-Blake" in text and "Meeting design workshop" in text


# Technical assistance ------------------------------------------------------------------------------------


def test_a_request_becomes_an_engagement_once(personas: Personas) -> None:
    request = services.ta_request_create(
        partnership=personas.partnership_a,
        topic=TaTopic.EVALUATION,
        description="Help us measure wages.",
        user=personas.convener_a,
    )
    engagement = services.ta_engagement_create(
        title="Evaluation coaching",
        topic=TaTopic.EVALUATION,
        partnerships=[personas.partnership_b],
        starts_on=dt.date(2025, 3, 1),
        hours=D("6.50"),
        provider_user=personas.staff,
        request=request,
    )
    request.refresh_from_db()
    assert request.state == TaRequestState.ACCEPTED
    assert set(engagement.partnerships.all()) == {personas.partnership_a, personas.partnership_b}
    with pytest.raises(ValidationError, match="already"):
        services.ta_engagement_create(
            title="Again",
            topic=TaTopic.EVALUATION,
            partnerships=[],
            starts_on=dt.date(2025, 3, 1),
            provider_user=personas.staff,
            request=request,
        )


def test_an_engagement_has_exactly_one_provider_who_is_staff_or_an_organisation(personas: Personas) -> None:
    common = {
        "title": "T",
        "topic": TaTopic.DATA_USE,
        "partnerships": [personas.partnership_a],
        "starts_on": dt.date(2025, 1, 1),
    }
    with pytest.raises(ValidationError, match="one provider"):
        services.ta_engagement_create(**common)
    with pytest.raises(ValidationError, match="one provider"):
        services.ta_engagement_create(
            **common, provider_user=personas.staff, provider_organization=personas.board_b
        )
    with pytest.raises(ValidationError, match="state staff"):
        services.ta_engagement_create(**common, provider_user=personas.viewer)
    with pytest.raises(ValidationError, match="Unknown topic"):
        services.ta_engagement_create(**common | {"topic": "astrology"}, provider_user=personas.staff)
    assert (
        services.ta_engagement_create(**common, provider_organization=personas.board_b).provider_name
        == personas.board_b.name
    )


def test_ta_hours_by_partnership_equal_the_records(personas: Personas) -> None:
    a, b = personas.partnership_a, personas.partnership_b
    c = PartnershipFactory(name="Zeta Logistics")
    staff = personas.staff

    def engagement(hours: str, starts_on: dt.date, *partnerships: object) -> None:
        services.ta_engagement_create(
            title=f"TA {hours}",
            topic=TaTopic.STRATEGIC_PLANNING,
            partnerships=list(partnerships),
            starts_on=starts_on,
            hours=D(hours),
            provider_user=staff,
        )

    engagement("10.00", dt.date(2025, 1, 10), a)
    engagement("4.50", dt.date(2025, 2, 1), a, b)  # counts in full for A and for B
    engagement("3.25", dt.date(2025, 5, 1), b)
    engagement("99.00", dt.date(2024, 12, 31), a, c)  # before `since`: left out
    rows = selectors.ta_hours_by_partnership(since=dt.date(2025, 1, 1))
    # By hand: A 10.00 + 4.50 = 14.50 over 2 engagements; B 4.50 + 3.25 = 7.75 over 2; C none since.
    assert [(r.partnership, r.engagements, r.hours) for r in rows] == [
        (a.name, 2, D("14.50")),
        (b.name, 2, D("7.75")),
    ]
    assert selectors.ta_hours_total(since=dt.date(2025, 1, 1)) == D("17.75")


def test_follow_ups_due_and_done(personas: Personas) -> None:
    engagement = services.ta_engagement_create(
        title="T",
        topic=TaTopic.MEETING_DESIGN,
        partnerships=[personas.partnership_a],
        starts_on=dt.date(2025, 1, 1),
        provider_user=personas.staff,
    )
    late = services.ta_follow_up_add(
        engagement=engagement, description="Send the agenda template", due_on=dt.date(2025, 2, 1)
    )
    services.ta_follow_up_add(engagement=engagement, description="Check in", due_on=dt.date(2025, 6, 1))
    assert list(selectors.follow_ups_due(today=dt.date(2025, 3, 1))) == [late]
    services.ta_follow_up_done(follow_up=late, done_on=dt.date(2025, 3, 2))
    assert not selectors.follow_ups_due(today=dt.date(2025, 3, 3)).exists()
    with pytest.raises(ValidationError, match="Already done"):
        services.ta_follow_up_done(follow_up=late, done_on=dt.date(2025, 3, 4))


def test_the_topic_vocabulary_is_a_constant() -> None:
    assert ("employer_engagement", "Employer engagement") in TA_TOPICS
    assert {value for value, _ in TA_TOPICS} >= {
        "employer_engagement",
        "meeting_design",
        "strategic_planning",
        "evaluation",
        "data_use",
        "sustainability_funding",
    }


# Summaries for the reports -------------------------------------------------------------------------------


def test_event_attendance_summary_by_kind() -> None:
    workshop = make_event(capacity=3, kind=EventKind.WORKSHOP)
    regs = [_email(workshop, n) for n in range(4)]  # 3 registered, 1 waitlisted
    services.registration_cancel(registration=regs[0])  # the waitlisted one moves up: still 3 registered
    webinar = make_event(capacity=5, kind=EventKind.WEBINAR, place="", link="https://w.example.org")
    web_regs = [_email(webinar, n) for n in range(2)]
    make_event(kind=EventKind.SUMMIT)  # no registrations
    move_back(workshop, days_ago=1)
    move_back(webinar, days_ago=1)
    services.attendance_record(event=workshop, attended_ids=[regs[1].pk, regs[3].pk])
    services.attendance_record(event=webinar, attended_ids=[web_regs[0].pk])
    rows = {row.kind: row for row in selectors.event_attendance_summary(since=dt.date(2000, 1, 1))}
    assert (rows["workshop"].events, rows["workshop"].registrations, rows["workshop"].attendees) == (1, 3, 2)
    assert (rows["webinar"].events, rows["webinar"].registrations, rows["webinar"].attendees) == (1, 2, 1)
    assert (rows["summit"].events, rows["summit"].registrations, rows["summit"].attendees) == (1, 0, 0)
    assert (rows["network_session"].events, rows["network_session"].attendees) == (0, 0)
    later = selectors.event_attendance_summary(since=dt.date.today() + dt.timedelta(days=1))
    assert sum(row.events for row in later) == 1  # only the summit, a week ahead


def test_learning_network_attendance_rate_per_partnership(personas: Personas) -> None:
    a, b = personas.partnership_a, personas.partnership_b
    c = PartnershipFactory(name="Zeta Logistics")
    network = services.learning_network_create(
        name="Conveners' circle 2025", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    for partnership in (a, b, c):
        services.network_member_add(network=network, partnership=partnership)
    services.network_member_add(
        network=network, partnership=a, role=NetworkRole.EMPLOYER_CHAMPION, person=personas.contact_a
    )
    sessions = [
        make_event(
            kind=EventKind.NETWORK_SESSION, learning_network=network, title=f"Session {n}", is_public=False
        )
        for n in range(4)
    ]
    came = {0: [a, b], 1: [a], 2: [a, a, c]}  # session 3 stays in the future
    for index, partnerships in came.items():
        regs = [
            services.event_register(
                event=sessions[index], name=f"P{i}", email=f"p{index}-{i}@example.org", partnership=p
            )
            for i, p in enumerate(partnerships)
        ]
        no_show = services.event_register(
            event=sessions[index], name="No show", email=f"n{index}@example.org", partnership=b
        )
        move_back(sessions[index], days_ago=10 - index)
        services.attendance_record(event=sessions[index], attended_ids=[r.pk for r in regs])
        assert no_show.pk not in {r.pk for r in regs}
    rows = {row.partnership: row for row in selectors.learning_network_attendance(network=network)}
    # By hand, 3 sessions held: A came to 0, 1, 2 -> 3/3; B to 0 (its other registrations no-shows) -> 1/3;
    # C to 2 -> 1/3. A's two memberships (convener, employer champion) give one row.
    assert len(rows) == 3
    assert (rows[a.name].sessions_attended, rows[a.name].sessions_held, rows[a.name].rate) == (3, 3, 1.0)
    assert (rows[b.name].sessions_attended, rows[b.name].rate) == (1, pytest.approx(1 / 3))
    assert (rows[c.name].sessions_attended, rows[c.name].rate) == (1, pytest.approx(1 / 3))
    assert selectors.learning_network_attendance(network=network, as_of=at(-30))[0].rate is None


def test_only_sessions_belong_to_a_network() -> None:
    network = services.learning_network_create(
        name="N", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 2, 1)
    )
    with pytest.raises(ValidationError):
        make_event(kind=EventKind.WORKSHOP, learning_network=network)


# Resource library ----------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_uploads_are_typed_by_their_bytes_and_size_limited() -> None:
    assert services.resource_file_type(file_name="Toolkit.PDF", content=PDF) == "application/pdf"
    assert services.resource_file_type(file_name="plan.docx", content=b"PK\x03\x04rest").endswith(
        "wordprocessingml.document"
    )
    with pytest.raises(ValidationError, match="matches its name"):
        services.resource_file_type(file_name="toolkit.pdf", content=b"MZ\x90\x00 an executable")
    with pytest.raises(ValidationError, match="matches its name"):
        services.resource_file_type(file_name="toolkit.exe", content=PDF)
    with pytest.raises(ValidationError, match="matches its name"):
        services.resource_file_type(file_name="page.html", content=b"<script>alert(1)</script>")
    with pytest.raises(ValidationError, match="at most"):
        services.resource_file_type(file_name="big.pdf", content=PDF + b"0" * services.MAX_RESOURCE_BYTES)


def test_a_resource_is_a_file_or_a_link_and_search_finds_titles_descriptions_and_tags(
    personas: Personas,
) -> None:
    with pytest.raises(ValidationError, match="one of the two"):
        services.resource_create(title="x", kind="toolkit", audience="conveners")
    with pytest.raises(ValidationError, match="one of the two"):
        services.resource_create(
            title="x",
            kind="toolkit",
            audience="conveners",
            link="https://a.example",
            content=PDF,
            file_name="a.pdf",
        )
    toolkit = services.resource_create(
        title="Employer engagement toolkit",
        kind="toolkit",
        audience="conveners",
        topics=["employer_engagement"],
        file_name="toolkit.pdf",
        content=PDF,
        is_public=True,
    )
    template = services.resource_create(
        title="Agenda template",
        kind="template",
        audience="conveners",
        description="A first meeting's agenda",
        topics=["meeting_design"],
        link="https://example.org/agenda",
    )
    lessons = services.resource_create(
        title="What we learned",
        kind="lessons",
        audience="everyone",
        topics=["evaluation", "data_use"],
        link="https://example.org/lessons",
        is_public=True,
    )
    assert toolkit.file_size == len(PDF) and toolkit.content_type == "application/pdf"

    def found(user: object, **search: str) -> list[str]:
        return [r.title for r in selectors.resource_search(user=user, **search)]

    assert found(personas.convener_a) == ["Agenda template", "Employer engagement toolkit", "What we learned"]
    assert found(None) == ["Employer engagement toolkit", "What we learned"]  # the public: public ones
    assert found(personas.outsider) == found(None)
    assert found(personas.viewer, query="agenda") == ["Agenda template"]  # title
    assert found(personas.viewer, query="first meeting") == ["Agenda template"]  # description
    assert found(personas.viewer, query="data use") == ["What we learned"]  # a topic's label
    assert found(personas.viewer, topic="meeting_design") == ["Agenda template"]
    assert found(None, query="agenda") == []
    assert template.pk and lessons.pk


def test_the_report_selectors_run_in_a_fixed_number_of_queries(
    personas: Personas, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    network = services.learning_network_create(
        name="N", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 1)
    )
    for partnership in (personas.partnership_a, personas.partnership_b, PartnershipFactory()):
        services.network_member_add(network=network, partnership=partnership)
        services.ta_engagement_create(
            title="T",
            topic=TaTopic.EVALUATION,
            partnerships=[partnership],
            starts_on=dt.date(2025, 2, 1),
            hours=D("2"),
            provider_user=personas.staff,
        )
    for n in range(3):
        event = make_event(kind=EventKind.NETWORK_SESSION, learning_network=network, title=f"S{n}")
        _email(event, n)
    with django_assert_num_queries(1):
        assert len(selectors.ta_hours_by_partnership(since=dt.date(2025, 1, 1))) == 3
    with django_assert_num_queries(2):
        selectors.event_attendance_summary(since=dt.date(2000, 1, 1))
    with django_assert_num_queries(3):
        assert len(selectors.learning_network_attendance(as_of=at(30))) == 3


def test_the_latest_reviewed_self_assessment_suggests_ta_topics(personas: Personas) -> None:
    from sectorwise.capacity.topics import topic_for_name
    from sectorwise.planning import services as planning
    from sectorwise.planning.rubric import TA_TOPICS as PLANNING_TOPICS
    from sectorwise.planning.rubric import Indicator

    # Every name the planning rubric suggests is a topic of the vocabulary.
    assert all(topic_for_name(name) is not None for names in PLANNING_TOPICS.values() for name in names)
    partnership = personas.partnership_a
    assert selectors.suggested_ta_topics(partnership=partnership) == []
    scores = {indicator: 3 for indicator in Indicator} | {
        Indicator.EMPLOYER_LEADERSHIP: 1,
        Indicator.DATA_USE: 1,
    }
    assessment = planning.assessment_create(
        partnership=partnership, assessed_on=dt.date(2025, 3, 1), scores=scores
    )
    planning.assessment_submit(assessment=assessment, user=personas.convener_a)
    assert selectors.suggested_ta_topics(partnership=partnership) == []  # not reviewed yet
    planning.assessment_review(assessment=assessment, user=personas.staff, scores=scores)
    # By hand: phase planning (4 indicators at 2+, none below 1); weak: employer leadership and data use
    # (at exploring) -> employer engagement; data use, evaluation.
    assert selectors.suggested_ta_topics(partnership=partnership) == [
        TaTopic.EMPLOYER_ENGAGEMENT,
        TaTopic.DATA_USE,
        TaTopic.EVALUATION,
    ]
