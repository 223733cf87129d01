"""Files made from capacity records: an event's calendar file (``.ics``, icalendar) and a certificate of
attendance (PDF, WeasyPrint from the template ``capacity/certificate.html``)."""

from __future__ import annotations

import datetime as dt

import icalendar
from django.template.loader import render_to_string
from django.utils import timezone

from sectorwise.capacity.models import Event, Registration

PRODUCT_ID = "-//Sectorwise//Capacity building//EN"


def event_ics(*, event: Event, domain: str) -> bytes:
    """One VEVENT in a VCALENDAR: summary, start and end in UTC, location (the place, else the link), the
    description with the link, a UID stable across downloads (``event-<id>@<domain>``)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.pk}@{domain}")
    entry.add("dtstamp", timezone.now().astimezone(dt.UTC))
    entry.add("dtstart", event.starts_at.astimezone(dt.UTC))
    entry.add("dtend", event.ends_at.astimezone(dt.UTC))
    entry.add("summary", event.title)
    entry.add("location", event.place or event.link)
    description = event.description
    if event.link:
        description = f"{description}\n\nJoin: {event.link}".strip()
    if description:
        entry.add("description", description)
    if event.link:
        entry.add("url", event.link)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())


def certificate_pdf(*, registration: Registration, base_url: str = "") -> bytes:
    """The certificate of attendance of one registrant who attended (the caller checks the rule)."""
    from weasyprint import HTML  # imported here: loading pango costs a few hundred ms

    event = registration.event
    html = render_to_string(
        "capacity/certificate.html",
        {
            "registration": registration,
            "event": event,
            "starts": timezone.localtime(event.starts_at),
            "hours": round((event.ends_at - event.starts_at).total_seconds() / 3600, 1),
            "issued_on": timezone.localdate(),
        },
    )
    pdf: bytes = HTML(string=html, base_url=base_url or None).write_pdf()
    return pdf
