"""The capacity pages end to end with Django's test client: the partnership panel and a TA request turned
into an engagement; public registration by e-mail and the waitlist; attendance, certificate and calendar
downloads; the resource library's upload check and public downloads."""

from __future__ import annotations

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from sectorwise.capacity.models import Registration, Resource, TaEngagement, TaRequest, TaRequestState
from tests.web.capacity.factories import make_event, move_back
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user: object | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]  # a User
    return client


def test_a_convener_requests_ta_from_its_partnership_page_and_staff_turn_it_into_an_engagement(
    personas: Personas,
) -> None:
    partnership_url = reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk])
    request_url = reverse("capacity:ta_request_create", args=[personas.partnership_a.pk])
    panel = 'heading">Technical assistance</h2>'
    page = _client(personas.convener_a).get(partnership_url).content.decode()
    assert panel in page and request_url in page
    assert panel not in _client(personas.convener_b).get(partnership_url).content.decode()
    viewer_page = _client(personas.viewer).get(partnership_url).content.decode()
    assert panel in viewer_page and request_url not in viewer_page

    # Nothing typed is lost when the form is refused.
    refused = _client(personas.convener_a).post(
        request_url, {"topic": "astrology", "description": "Help us."}
    )
    assert refused.status_code == 200 and "Help us." in refused.content.decode()
    response = _client(personas.convener_a).post(
        request_url, {"topic": "employer_engagement", "description": "Recruit two more employers."}
    )
    assert response.status_code == 302
    ta_request = TaRequest.objects.get()
    assert (ta_request.partnership, ta_request.requested_by) == (personas.partnership_a, personas.convener_a)

    staff = _client(personas.staff)
    assert "Recruit two more employers." in staff.get(reverse("capacity:ta_list")).content.decode()
    create_url = reverse("capacity:ta_engagement_create") + f"?request={ta_request.pk}"
    response = staff.post(
        create_url,
        {
            "title": "Employer recruitment coaching",
            "topic": "employer_engagement",
            "provider_user": personas.staff.pk,
            "hours": "3.5",
            "starts_on": "2025-06-02",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    engagement = TaEngagement.objects.get()
    assert list(engagement.partnerships.all()) == [personas.partnership_a]
    assert str(engagement.hours) == "3.50"
    ta_request.refresh_from_db()
    assert ta_request.state == TaRequestState.ACCEPTED
    # The request is no longer open: the same link now finds nothing.
    assert staff.get(create_url).status_code == 404


def test_the_public_registers_by_email_and_joins_the_waitlist_when_full(personas: Personas) -> None:
    event = make_event(capacity=1, title="Open house")
    internal = make_event(title="Internal", is_public=False)
    anonymous = _client()
    assert "Open house" in anonymous.get(reverse("capacity:event_list")).content.decode()
    assert "Internal" not in anonymous.get(reverse("capacity:event_list")).content.decode()
    assert anonymous.get(reverse("capacity:event_detail", args=[internal.pk])).status_code == 302
    url = reverse("capacity:event_register_email", args=[event.pk])
    bad = anonymous.post(url, {"name": "Rosa Diaz", "email": "not-an-address"})
    assert bad.status_code == 400 and "Rosa Diaz" in bad.content.decode()
    assert anonymous.post(url, {"name": "Rosa Diaz", "email": "rosa@example.org"}).status_code == 302
    second = anonymous.post(url, {"name": "Sam Oh", "email": "sam@example.org"}, follow=True)
    assert "waitlist" in second.content.decode()
    assert list(Registration.objects.order_by("pk").values_list("email", "status")) == [
        ("rosa@example.org", "registered"),
        ("sam@example.org", "waitlisted"),
    ]
    again = anonymous.post(url, {"name": "Rosa D", "email": "ROSA@example.org"})
    assert again.status_code == 400 and "already registered" in again.content.decode()


def test_attendance_then_the_certificate_and_the_calendar_file(personas: Personas) -> None:
    event = make_event(title="Data use workshop", place="Room 4")
    convener = _client(personas.convener_a)
    register = reverse("capacity:event_register_self", args=[event.pk])
    assert convener.post(register, {"partnership": personas.partnership_a.pk}).status_code == 302
    mine = Registration.objects.get(user=personas.convener_a)
    assert mine.partnership == personas.partnership_a
    other = make_event(title="x")  # a registration by e-mail on the same event, absent on the day
    absent = Registration.objects.create(
        event=event, name="Absent", email="a@example.org", status="registered", queued_at=mine.queued_at
    )
    assert other.pk
    staff = _client(personas.staff)
    roster = reverse("capacity:event_roster", args=[event.pk])
    assert "on the day" in staff.get(roster).content.decode()  # not yet
    move_back(event, days_ago=0)
    assert staff.post(roster, {"attended": [str(mine.pk)]}).status_code == 302
    assert dict(Registration.objects.filter(event=event).values_list("pk", "attended")) == {
        mine.pk: True,
        absent.pk: False,
    }
    certificate = convener.get(reverse("capacity:registration_certificate", args=[mine.pk]))
    assert certificate.status_code == 200 and certificate["Content-Type"] == "application/pdf"
    assert certificate.content.startswith(b"%PDF")
    assert staff.get(reverse("capacity:registration_certificate", args=[absent.pk])).status_code == 403
    ics = _client().get(reverse("capacity:event_ics", args=[event.pk]))
    (entry,) = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert (str(entry["SUMMARY"]), str(entry["LOCATION"])) == ("Data use workshop", "Room 4")
    assert entry.decoded("DTSTART") == event.starts_at


def test_the_library_refuses_a_disguised_file_and_serves_public_files_to_anyone(personas: Personas) -> None:
    staff = _client(personas.staff)
    url = reverse("capacity:resource_create")
    fields = {
        "title": "Sustainability toolkit",
        "kind": "toolkit",
        "audience": "conveners",
        "is_public": "on",
    }
    disguised = SimpleUploadedFile("toolkit.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = staff.post(url, {**fields, "file": disguised})
    assert refused.status_code == 200 and "matches its name" in refused.content.decode()
    assert "Sustainability toolkit" in refused.content.decode()  # what was typed stays
    assert not Resource.objects.exists()
    upload = SimpleUploadedFile("toolkit.pdf", PDF, content_type="text/html")  # the browser's word is ignored
    assert (
        staff.post(url, {**fields, "file": upload, "topics": ["sustainability_funding"]}).status_code == 302
    )
    resource = Resource.objects.get()
    assert (resource.content_type, resource.file_size) == ("application/pdf", len(PDF))
    download = _client().get(reverse("capacity:resource_download", args=[resource.pk]))
    assert download.content == PDF and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    listing = _client().get(reverse("capacity:resource_list"), {"q": "sustainability"}).content.decode()
    assert "Sustainability toolkit" in listing


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_do_not_grow_their_queries_with_the_rows(personas: Personas) -> None:
    import datetime as dt
    from decimal import Decimal

    from sectorwise.capacity import services

    staff = _client(personas.staff)

    def add(count: int) -> None:
        for n in range(count):
            event = make_event(title=f"E{n}")
            services.event_register(event=event, name="N", email=f"n{n}@example.org")
            engagement = services.ta_engagement_create(
                title=f"T{n}",
                topic="evaluation",
                partnerships=[personas.partnership_a, personas.partnership_b],
                starts_on=dt.date(2025, 1, 1),
                hours=Decimal("1"),
                provider_organization=personas.board_b,
            )
            services.ta_follow_up_add(engagement=engagement, description="x", due_on=dt.date(2025, 2, 1))
            services.ta_request_create(
                partnership=personas.partnership_a,
                topic="evaluation",
                description="d",
                user=personas.convener_a,
            )
            services.resource_create(
                title=f"R{n}", kind="toolkit", audience="conveners", link="https://x.example"
            )

    for name in ("capacity:event_list", "capacity:ta_list", "capacity:resource_list"):
        add(2)
        small = _queries(staff, reverse(name))
        add(10)
        assert _queries(staff, reverse(name)) == small, name


def test_staff_create_a_network_and_add_members_on_its_page(personas: Personas) -> None:
    from sectorwise.capacity.models import LearningNetwork, NetworkMember

    staff = _client(personas.staff)
    response = staff.post(
        reverse("capacity:network_create"),
        {
            "name": "Health conveners",
            "starts_on": "2025-01-01",
            "ends_on": "2024-12-01",
            "topics": ["evaluation"],
        },
    )
    assert response.status_code == 200 and "Health conveners" in response.content.decode()  # refused, kept
    response = staff.post(
        reverse("capacity:network_create"),
        {
            "name": "Health conveners",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-01",
            "topics": ["evaluation"],
        },
    )
    network = LearningNetwork.objects.get()
    assert response.status_code == 302 and network.topic_list == ["evaluation"]
    add = reverse("capacity:network_member_add", args=[network.pk])
    assert staff.post(add, {"partnership": personas.partnership_b.pk, "role": "convener"}).status_code == 302
    again = staff.post(add, {"partnership": personas.partnership_b.pk, "role": "convener"})
    assert again.status_code == 400 and "already a member" in again.content.decode()
    assert list(NetworkMember.objects.values_list("partnership", flat=True)) == [personas.partnership_b.pk]
    page = (
        _client(personas.viewer).get(reverse("capacity:network_detail", args=[network.pk])).content.decode()
    )
    assert personas.partnership_b.name in page and "Add a member" not in page


def test_staff_raise_an_events_capacity_on_its_edit_page(personas: Personas) -> None:
    event = make_event(capacity=1, title="Summit")
    from sectorwise.capacity import services

    services.event_register(event=event, name="A", email="a@example.org")
    services.event_register(event=event, name="B", email="b@example.org")
    staff = _client(personas.staff)
    url = reverse("capacity:event_edit", args=[event.pk])
    form = staff.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data |= {
        "starts_at": f"{form.initial['starts_at']:%Y-%m-%d %H:%M}",
        "ends_at": f"{form.initial['ends_at']:%Y-%m-%d %H:%M}",
    }
    refused = staff.post(url, data | {"capacity": "0"})
    assert refused.status_code == 200 and "Summit" in refused.content.decode()
    saved = staff.post(url, data | {"capacity": "3"}, follow=True)
    assert "Moved up from the waitlist: B." in saved.content.decode()
    event.refresh_from_db()
    assert (event.capacity, event.registered_count) == (3, 2)


@override_settings(SECTORWISE_PUBLIC_REGISTRATION_RATE="3/hour")
def test_anonymous_registrations_are_limited_per_address(personas: Personas) -> None:
    event = make_event(capacity=50, title="Open house")
    url = reverse("capacity:event_register_email", args=[event.pk])
    visitor = _client()
    fields = [{"name": f"Visitor {n}", "email": f"v{n}@example.org"} for n in range(4)]
    statuses = [visitor.post(url, fields[n]).status_code for n in range(3)]
    assert statuses == [302, 302, 302]
    refused = visitor.post(url, fields[3])
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many registrations from your address: try again in 60 minutes." in page
    assert 'value="v3@example.org"' in page  # what the visitor typed stays on the form
    assert Registration.objects.filter(event=event).count() == 3
    # Another address is counted apart; a signed-in user is not counted at all.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert elsewhere.post(url, {"name": "Other", "email": "o@example.org"}).status_code == 302
    convener = _client(personas.convener_a)
    for n in range(4):
        response = convener.post(url, {"name": f"Colleague {n}", "email": f"c{n}@example.org"})
        assert response.status_code == 302
    assert Registration.objects.filter(event=event).count() == 8
