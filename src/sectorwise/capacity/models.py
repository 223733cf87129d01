"""Records of the capacity app: technical assistance (requests, engagements, follow-ups), events with their
registrations and attendance, learning networks, and the resource library. Each carries simple-history.

Never over capacity, in the database: ``Event.registered_count`` is a denormalised column with the check
constraint ``registered_count <= capacity``; ``services.event_register`` locks the event row
(``select_for_update``) before counting and moves the column with ``F()`` in the same transaction, so a
writer that skipped the lock still meets the constraint.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from sectorwise.capacity.topics import TOPIC_LABELS, TaTopic, topics_from_text
from sectorwise.core.models import TimeStampedModel, name_not_blank_constraint, refuse_blank_name
from sectorwise.core.validators import MULTI_LINE, SINGLE_LINE
from sectorwise.directory.models import Organization, Person
from sectorwise.partnerships.models import SectorPartnership

ZERO_HOURS: Final = Decimal("0.00")


class _Tagged(models.Model):
    topics = models.CharField(
        max_length=400, blank=True, default="", help_text="Topic tags as stored: |value|value| (topics.py)."
    )

    class Meta:
        abstract = True

    @property
    def topic_list(self) -> list[str]:
        return topics_from_text(self.topics)

    @property
    def topic_labels(self) -> list[str]:
        return [TOPIC_LABELS.get(topic, topic) for topic in self.topic_list]


# Technical assistance ------------------------------------------------------------------------------------


class TaRequestState(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Turned into an engagement"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TaRequest(TimeStampedModel):
    """A convener's request for technical assistance, from its partnership's page; staff turn it into an
    engagement (or decline it)."""

    partnership = models.ForeignKey(SectorPartnership, on_delete=models.CASCADE, related_name="ta_requests")
    topic = models.CharField(max_length=32, choices=TaTopic.choices)
    description = models.TextField(validators=MULTI_LINE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=12, choices=TaRequestState.choices, default=TaRequestState.OPEN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.get_topic_display()} ({self.get_state_display()})"


class TaEngagement(TimeStampedModel):
    """Technical assistance given: who provided it (a staff user or a contractor organisation), to which
    partnerships, on what topic, how many hours over which dates."""

    title = models.CharField(max_length=200, validators=SINGLE_LINE)
    topic = models.CharField(max_length=32, choices=TaTopic.choices)
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ta_engagements",
        help_text="A member of state staff who provides the assistance.",
    )
    provider_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ta_engagements",
        help_text="A contractor organisation that provides the assistance.",
    )
    partnerships = models.ManyToManyField(SectorPartnership, related_name="ta_engagements")
    hours = models.DecimalField(max_digits=7, decimal_places=2, default=ZERO_HOURS)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, validators=MULTI_LINE)
    request = models.OneToOneField(
        TaRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="engagement"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(provider_user__isnull=False) & Q(provider_organization__isnull=True))
                | (Q(provider_user__isnull=True) & Q(provider_organization__isnull=False)),
                name="ta_engagement_one_provider",
                violation_error_message="An engagement has one provider: a staff member or an organisation.",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="ta_engagement_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="ta_engagement_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provider_name(self) -> str:
        if self.provider_organization is not None:
            return self.provider_organization.name
        user = self.provider_user
        return (user.get_full_name() or user.get_username()) if user is not None else ""


class TaFollowUp(TimeStampedModel):
    engagement = models.ForeignKey(TaEngagement, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.CharField(max_length=300, validators=SINGLE_LINE)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.description} (due {self.due_on})"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


# Learning networks ---------------------------------------------------------------------------------------


class LearningNetwork(_Tagged, TimeStampedModel):
    """A cohort of conveners (and employer champions) meeting over a period; its sessions are events of
    kind learning-network session linked to it."""

    name = models.CharField(max_length=200, unique=True, validators=SINGLE_LINE)
    description = models.TextField(blank=True, validators=MULTI_LINE)
    starts_on = models.DateField()
    ends_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            name_not_blank_constraint("learning_network"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="learning_network_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        refuse_blank_name(self.name)


class NetworkRole(models.TextChoices):
    CONVENER = "convener", "Convener"
    EMPLOYER_CHAMPION = "employer_champion", "Employer champion"


class NetworkMember(TimeStampedModel):
    """A partnership in a learning network, represented by a convener or an employer champion."""

    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="members")
    partnership = models.ForeignKey(
        SectorPartnership, on_delete=models.CASCADE, related_name="learning_networks"
    )
    role = models.CharField(max_length=24, choices=NetworkRole.choices, default=NetworkRole.CONVENER)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership__name", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "partnership", "role", "person"], name="network_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} in {self.network} ({self.get_role_display()})"


# Events --------------------------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    SUMMIT = "summit", "Statewide summit"
    WORKSHOP = "workshop", "Workshop"
    NETWORK_SESSION = "network_session", "Learning-network session"
    WEBINAR = "webinar", "Webinar"


class Event(_Tagged, TimeStampedModel):
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=200, validators=SINGLE_LINE)
    description = models.TextField(blank=True, validators=MULTI_LINE)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True, validators=SINGLE_LINE)
    link = models.URLField(blank=True, help_text="For an online event: where to join.")
    capacity = models.PositiveIntegerField()
    registered_count = models.PositiveIntegerField(default=0, editable=False)
    is_public = models.BooleanField(
        default=False, help_text="Listed on the public events page, where anyone may register by e-mail."
    )
    learning_network = models.ForeignKey(
        LearningNetwork, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(registered_count__lte=F("capacity")),
                name="event_registered_within_capacity",
                violation_error_message="The event is full.",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_times_ordered"),
            models.CheckConstraint(condition=Q(place__gt="") | Q(link__gt=""), name="event_place_or_link"),
            models.CheckConstraint(
                condition=Q(learning_network__isnull=True) | Q(kind=EventKind.NETWORK_SESSION),
                name="event_network_only_for_sessions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.registered_count, 0)

    @property
    def is_full(self) -> bool:
        return self.registered_count >= self.capacity


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


_ACTIVE = ~Q(status=RegistrationStatus.CANCELLED)


class Registration(TimeStampedModel):
    """One person's place at an event: a signed-in user, a person of the directory (registered by staff), or
    someone known only by name and e-mail (the public form). Waitlisted registrations are promoted in the
    order they came (``queued_at``, then id) when a place frees."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    partnership = models.ForeignKey(
        SectorPartnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partnership the registrant comes for (learning networks' attendance by partnership).",
    )
    name = models.CharField(max_length=200, validators=SINGLE_LINE)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    queued_at = models.DateTimeField()
    attended = models.BooleanField(null=True, blank=True, help_text="Taken on the day; empty until then.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(person__isnull=False) | Q(email__gt=""),
                name="registration_names_someone",
            ),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(status=RegistrationStatus.REGISTERED),
                name="registration_attendance_only_registered",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=_ACTIVE & Q(user__isnull=False),
                name="registration_user_once",
            ),
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=_ACTIVE & Q(person__isnull=False),
                name="registration_person_once",
            ),
            models.UniqueConstraint(
                fields=["event", "email"], condition=_ACTIVE & Q(email__gt=""), name="registration_email_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.event} ({self.get_status_display()})"


# Resource library ----------------------------------------------------------------------------------------


class ResourceKind(models.TextChoices):
    TOOLKIT = "toolkit", "Toolkit module"
    TEMPLATE = "template", "Template"
    LESSONS = "lessons", "Lessons learned"


class Audience(models.TextChoices):
    CONVENERS = "conveners", "Conveners"
    EMPLOYERS = "employers", "Employers"
    PARTNERS = "partners", "Education, labor and community partners"
    EVERYONE = "everyone", "Everyone"


class Resource(_Tagged, TimeStampedModel):
    """A toolkit module, template or lesson learned: an uploaded file (kept in the database, type checked by
    its first bytes, size-limited) or a link."""

    title = models.CharField(max_length=200, validators=SINGLE_LINE)
    description = models.TextField(blank=True, validators=MULTI_LINE)
    kind = models.CharField(max_length=12, choices=ResourceKind.choices)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.CONVENERS)
    is_public = models.BooleanField(default=False, help_text="Shown to anyone, signed in or not.")
    link = models.URLField(blank=True)
    file_content = models.BinaryField(null=True, blank=True, editable=False)
    file_name = models.CharField(max_length=200, blank=True, validators=SINGLE_LINE)
    content_type = models.CharField(max_length=120, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    # The file's bytes stay out of the history (a copy per change); its name, type and size are kept.
    history = HistoricalRecords(excluded_fields=["file_content"])

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(link__gt="") & Q(file_size=0)) | (Q(link="") & Q(file_size__gt=0)),
                name="resource_file_or_link",
                violation_error_message="A resource is a file or a link, one of the two.",
            ),
        ]

    def __str__(self) -> str:
        return self.title
