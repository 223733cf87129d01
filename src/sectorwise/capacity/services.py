"""Writes of the capacity app: ``<entity>_<action>``, keyword-only, each owning its transaction.

Registrations never exceed an event's capacity: ``event_register`` and ``registration_cancel`` lock the
event's row (``select_for_update``; on SQLite ``BEGIN IMMEDIATE`` already serialises writers), count from
the locked row and move ``Event.registered_count`` with ``F()``; the check constraint
``registered_count <= capacity`` refuses anything that slipped past (answered as "The event is full.").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sectorwise.capacity.models import (
    Event,
    LearningNetwork,
    NetworkMember,
    NetworkRole,
    Registration,
    RegistrationStatus,
    Resource,
    TaEngagement,
    TaFollowUp,
    TaRequest,
    TaRequestState,
)
from sectorwise.capacity.topics import TaTopic, topics_to_text
from sectorwise.core.roles import STATE_ROLES
from sectorwise.core.services import refuse_nulls
from sectorwise.directory.models import Organization, Person
from sectorwise.partnerships.models import SectorPartnership

MAX_RESOURCE_BYTES: Final = 10 * 1024 * 1024
"""The largest file the resource library keeps (it lives in the database)."""

# What an uploaded file may be, told by its first bytes (never by the name or the browser's word).
_SIGNATURES: Final[tuple[tuple[bytes, str, tuple[str, ...]], ...]] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"PK\x03\x04", "", (".docx", ".xlsx", ".pptx")),
)
_OOXML: Final = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED_EXTENSIONS: Final = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".pptx")


def _save(instance: Any) -> None:
    refuse_nulls(instance)
    instance.full_clean(validate_unique=True)
    instance.save()


def _topics(topics: Iterable[str], field: str = "topics") -> str:
    try:
        return topics_to_text(tuple(topics))
    except ValueError:
        unknown = sorted(set(topics) - set(TaTopic.values))
        raise ValidationError({field: f"Unknown topic: {', '.join(unknown)}."}) from None


def _topic(topic: str) -> str:
    if topic not in TaTopic.values:
        raise ValidationError({"topic": f"Unknown topic: {topic}."})
    return topic


# Technical assistance ------------------------------------------------------------------------------------


@transaction.atomic
def ta_request_create(
    *, partnership: SectorPartnership, topic: str, description: str, user: Any
) -> TaRequest:
    """A convener asks the state for technical assistance to ``partnership``."""
    if not description.strip():
        raise ValidationError({"description": "Say what you need help with."})
    request = TaRequest(
        partnership=partnership,
        topic=_topic(topic),
        description=description.strip(),
        requested_by=user if getattr(user, "pk", None) else None,
    )
    _save(request)
    return request


def _lock_open_request(request: TaRequest) -> TaRequest:
    locked = TaRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != TaRequestState.OPEN:
        raise ValidationError({"request": f"This request is already {locked.get_state_display().lower()}."})
    return locked


@transaction.atomic
def ta_request_decline(*, request: TaRequest) -> TaRequest:
    locked = _lock_open_request(request)
    locked.state = TaRequestState.DECLINED
    locked.save()
    return locked


@transaction.atomic
def ta_engagement_create(
    *,
    title: str,
    topic: str,
    partnerships: Sequence[SectorPartnership],
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    hours: Decimal = Decimal("0"),
    provider_user: Any = None,
    provider_organization: Organization | None = None,
    notes: str = "",
    request: TaRequest | None = None,
) -> TaEngagement:
    """An engagement, from an open request (which it accepts) or on staff's own initiative. The provider is a
    member of state staff or a contractor organisation, one of the two."""
    if (provider_user is None) == (provider_organization is None):
        raise ValidationError(
            {"provider_user": "Name one provider: a member of state staff or a contractor organisation."}
        )
    if provider_user is not None and provider_user.effective_role not in STATE_ROLES:
        raise ValidationError({"provider_user": "A provider who is a user must be state staff."})
    if request is not None:
        request = _lock_open_request(request)
        partnerships = [*partnerships, request.partnership]
    if not partnerships:
        raise ValidationError({"partnerships": "An engagement serves at least one partnership."})
    if hours < 0:
        raise ValidationError({"hours": "Hours cannot be negative."})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "An engagement ends on or after the day it starts."})
    engagement = TaEngagement(
        title=title.strip(),
        topic=_topic(topic),
        provider_user=provider_user,
        provider_organization=provider_organization,
        hours=hours,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=notes.strip(),
        request=request,
    )
    _save(engagement)
    engagement.partnerships.set({p.pk for p in partnerships})
    if request is not None:
        request.state = TaRequestState.ACCEPTED
        request.save()
    return engagement


@transaction.atomic
def ta_engagement_update(
    *, engagement: TaEngagement, hours: Decimal, ends_on: dt.date | None, notes: str
) -> TaEngagement:
    """Hours delivered so far, the end date and notes."""
    if hours < 0:
        raise ValidationError({"hours": "Hours cannot be negative."})
    locked = TaEngagement.objects.select_for_update().get(pk=engagement.pk)
    locked.hours, locked.ends_on, locked.notes = hours, ends_on, notes.strip()
    if ends_on is not None and ends_on < locked.starts_on:
        raise ValidationError({"ends_on": "An engagement ends on or after the day it starts."})
    _save(locked)
    return locked


@transaction.atomic
def ta_follow_up_add(*, engagement: TaEngagement, description: str, due_on: dt.date) -> TaFollowUp:
    follow_up = TaFollowUp(engagement=engagement, description=description.strip(), due_on=due_on)
    _save(follow_up)
    return follow_up


@transaction.atomic
def ta_follow_up_done(*, follow_up: TaFollowUp, done_on: dt.date) -> TaFollowUp:
    locked = TaFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.done_on is not None:
        raise ValidationError({"done_on": f"Already done on {locked.done_on}."})
    locked.done_on = done_on
    _save(locked)
    return locked


# Events and registrations --------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    place: str = "",
    link: str = "",
    description: str = "",
    topics: Iterable[str] = (),
    is_public: bool = False,
    learning_network: LearningNetwork | None = None,
) -> Event:
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = "An event ends after it starts."
    if not place.strip() and not link.strip():
        errors["place"] = "Give a place or a link to join."
    if capacity is None or capacity < 1:
        errors["capacity"] = "Capacity is at least 1."
    if errors:
        raise ValidationError(errors)
    event = Event(
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        place=place.strip(),
        link=link.strip(),
        description=description.strip(),
        topics=_topics(topics),
        is_public=is_public,
        learning_network=learning_network,
    )
    _save(event)
    return event


@transaction.atomic
def event_update(
    *,
    event: Event,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    place: str = "",
    link: str = "",
    description: str = "",
    topics: Iterable[str] = (),
    is_public: bool = False,
    learning_network: LearningNetwork | None = None,
) -> list[Registration]:
    """Change an event. Capacity never drops below the places taken; raised, it promotes the waitlist in
    order. Returns the registrations promoted."""
    locked = _lock_event(event)
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = "An event ends after it starts."
    if not place.strip() and not link.strip():
        errors["place"] = "Give a place or a link to join."
    if capacity is None or capacity < max(locked.registered_count, 1):
        errors["capacity"] = (
            f"{locked.registered_count} people hold places: capacity is at least that (cancel registrations "
            "first to lower it)."
            if locked.registered_count
            else "Capacity is at least 1."
        )
    if errors:
        raise ValidationError(errors)
    locked.kind, locked.title, locked.starts_at, locked.ends_at = kind, title.strip(), starts_at, ends_at
    locked.capacity, locked.place, locked.link = capacity, place.strip(), link.strip()
    locked.description, locked.topics, locked.is_public = description.strip(), _topics(topics), is_public
    locked.learning_network = learning_network
    _save(locked)
    waiting = Registration.objects.filter(event=locked, status=RegistrationStatus.WAITLISTED).order_by(
        "queued_at", "pk"
    )
    promoted = list(waiting[: max(capacity - locked.registered_count, 0)])
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.save()
    if promoted:
        _count(locked, len(promoted))
    return promoted


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _full_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


@transaction.atomic
def event_register(
    *,
    event: Event,
    user: Any = None,
    person: Person | None = None,
    name: str = "",
    email: str = "",
    partnership: SectorPartnership | None = None,
    now: dt.datetime | None = None,
) -> Registration:
    """Register someone: a signed-in ``user`` (themself), a directory ``person`` (staff), or ``name`` and
    ``email`` (the public form). A place if one is left, else the waitlist. The event's row is locked first,
    so concurrent registrations count one after the other."""
    now = now or timezone.now()
    email = email.strip().lower()
    if user is not None:
        name, email = name.strip() or _full_name(user), email or str(user.email or "").lower()
    elif person is not None:
        name, email = name.strip() or str(person), email or person.email.lower()
    elif not email:
        raise ValidationError({"email": "Give an e-mail address."})
    if not name.strip():
        raise ValidationError({"name": "Give a name."})
    locked = _lock_event(event)
    if locked.ends_at <= now:
        raise ValidationError({"event": "This event is over; registration is closed."})
    active = Registration.objects.filter(event=locked).exclude(status=RegistrationStatus.CANCELLED)
    if user is not None and active.filter(user=user).exists():
        raise ValidationError({"event": "You are already registered (or on the waitlist)."})
    if person is not None and active.filter(person=person).exists():
        raise ValidationError({"person": f"{person} is already registered (or on the waitlist)."})
    if email and active.filter(email=email).exists():  # whoever registered it (one place per address)
        raise ValidationError({"email": "This e-mail address is already registered (or on the waitlist)."})
    has_place = locked.registered_count < locked.capacity
    registration = Registration(
        event=locked,
        user=user,
        person=person,
        partnership=partnership,
        name=name.strip(),
        email=email,
        status=RegistrationStatus.REGISTERED if has_place else RegistrationStatus.WAITLISTED,
        queued_at=now,
    )
    try:
        with transaction.atomic():
            _save(registration)
    except IntegrityError:  # the partial unique constraints, should a check above have been skipped
        raise ValidationError({"event": "Already registered (or on the waitlist)."}) from None
    if has_place:
        _count(locked, +1)
    event.registered_count = Event.objects.values_list("registered_count", flat=True).get(pk=event.pk)
    return registration


def _count(event: Event, step: int) -> None:
    try:
        with transaction.atomic():
            Event.objects.filter(pk=event.pk).update(registered_count=F("registered_count") + step)
    except IntegrityError:
        raise ValidationError({"event": "The event is full."}) from None


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration | None:
    """Cancel a registration (or a place on the waitlist). A freed place goes to the first on the waitlist;
    returns that promoted registration, if any."""
    locked_event = _lock_event(registration.event)
    current = Registration.objects.get(pk=registration.pk)
    if current.status == RegistrationStatus.CANCELLED:
        raise ValidationError({"registration": "Already cancelled."})
    if current.attended is not None:
        raise ValidationError({"registration": "Attendance is taken: the registration stays."})
    was_registered = current.status == RegistrationStatus.REGISTERED
    current.status = RegistrationStatus.CANCELLED
    current.save()
    registration.status = current.status
    if not was_registered:
        return None
    _count(locked_event, -1)
    first = (
        Registration.objects.filter(event=locked_event, status=RegistrationStatus.WAITLISTED)
        .order_by("queued_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = RegistrationStatus.REGISTERED
    first.save()
    _count(locked_event, +1)
    return first


@transaction.atomic
def attendance_record(
    *, event: Event, attended_ids: Iterable[int], today: dt.date | None = None
) -> tuple[int, int]:
    """Take attendance on the day (or after): registrations named in ``attended_ids`` attended, the other
    registered ones did not. Returns (attended, absent)."""
    today = today or timezone.localdate()
    if timezone.localtime(event.starts_at).date() > today:
        raise ValidationError({"event": "Attendance is taken on the day of the event, not before."})
    wanted = set(attended_ids)
    registered = Registration.objects.select_for_update().filter(
        event=event, status=RegistrationStatus.REGISTERED
    )
    unknown = wanted - set(registered.values_list("pk", flat=True))
    if unknown:
        raise ValidationError({"attended": "Only registered people attend (not the waitlist)."})
    attended = registered.filter(pk__in=wanted).update(attended=True)
    absent = registered.exclude(pk__in=wanted).update(attended=False)
    return attended, absent


# Learning networks ---------------------------------------------------------------------------------------


@transaction.atomic
def learning_network_create(
    *, name: str, starts_on: dt.date, ends_on: dt.date, description: str = "", topics: Iterable[str] = ()
) -> LearningNetwork:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "A network ends on or after the day it starts."})
    network = LearningNetwork(
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        description=description.strip(),
        topics=_topics(topics),
    )
    if LearningNetwork.objects.filter(name__iexact=network.name).exists():
        raise ValidationError({"name": f"There is already a learning network called {network.name!r}."})
    _save(network)
    return network


@transaction.atomic
def network_member_add(
    *,
    network: LearningNetwork,
    partnership: SectorPartnership,
    role: str = NetworkRole.CONVENER,
    person: Person | None = None,
) -> NetworkMember:
    if NetworkMember.objects.filter(
        network=network, partnership=partnership, role=role, person=person
    ).exists():
        raise ValidationError({"partnership": f"{partnership} is already a member in that role."})
    member = NetworkMember(network=network, partnership=partnership, role=role, person=person)
    _save(member)
    return member


# Resource library ----------------------------------------------------------------------------------------


def resource_file_type(*, file_name: str, content: bytes) -> str:
    """The content type of an upload, told by its first bytes and agreeing with its extension; refuses
    anything else (and files over ``MAX_RESOURCE_BYTES``)."""
    if not content:
        raise ValidationError({"file": "The file is empty."})
    if len(content) > MAX_RESOURCE_BYTES:
        raise ValidationError({"file": f"A file may be at most {MAX_RESOURCE_BYTES // (1024 * 1024)} MB."})
    extension = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    for signature, content_type, extensions in _SIGNATURES:
        if content.startswith(signature):
            if extension not in extensions:
                break
            return content_type or _OOXML[extension]
    raise ValidationError(
        {
            "file": "Upload a PDF, PNG, JPEG, Word, Excel or PowerPoint file "
            f"({', '.join(ALLOWED_EXTENSIONS)}) whose content matches its name."
        }
    )


@transaction.atomic
def resource_create(
    *,
    title: str,
    kind: str,
    audience: str,
    description: str = "",
    topics: Iterable[str] = (),
    is_public: bool = False,
    link: str = "",
    file_name: str = "",
    content: bytes | None = None,
) -> Resource:
    """A resource holding a file (checked by ``resource_file_type``) or a link, one of the two."""
    if bool(link.strip()) == (content is not None):
        raise ValidationError({"link": "Give a file or a link, one of the two."})
    resource = Resource(
        title=title.strip(),
        kind=kind,
        audience=audience,
        description=description.strip(),
        topics=_topics(topics),
        is_public=is_public,
        link=link.strip(),
    )
    if content is not None:
        resource.content_type = resource_file_type(file_name=file_name, content=content)
        resource.file_name = file_name.replace("/", "_").replace("\\", "_")[-200:]
        resource.file_content = content
        resource.file_size = len(content)
    _save(resource)
    return resource
