"""Pages of the capacity app. Thin: parse input, ask one selector or service, render."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from sectorwise.capacity import documents, selectors, services
from sectorwise.capacity.forms import (
    EmailRegistrationForm,
    EventForm,
    FollowUpForm,
    LearningNetworkForm,
    NetworkMemberForm,
    PersonRegistrationForm,
    ResourceForm,
    ResourceSearchForm,
    SelfRegistrationForm,
    TaEngagementForm,
    TaEngagementUpdateForm,
    TaRequestForm,
)
from sectorwise.capacity.models import (
    Event,
    LearningNetwork,
    Registration,
    RegistrationStatus,
    Resource,
    TaEngagement,
    TaFollowUp,
    TaRequest,
    TaRequestState,
)
from sectorwise.capacity.rules import CapacityAction
from sectorwise.core.access import allow
from sectorwise.core.forms import add_service_errors
from sectorwise.core.rules import user_can
from sectorwise.core.throttling import PublicFormThrottle
from sectorwise.partnerships.models import SectorPartnership


def _post_only(request: HttpRequest) -> HttpResponse | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


# Technical assistance ------------------------------------------------------------------------------------


@allow(CapacityAction.VIEW_TA)
def ta_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "capacity/ta_list.html",
        {
            "requests": selectors.ta_request_list(user=request.user, open_only=True),
            "handled": selectors.ta_request_list(user=request.user).exclude(state=TaRequestState.OPEN)[:20],
            "engagements": selectors.ta_engagement_list(user=request.user),
            "can_manage": user_can(user=request.user, action=CapacityAction.MANAGE_TA),
        },
    )


@allow(CapacityAction.REQUEST_TA, load=selectors.partnership_for_url)
def ta_request_create(request: HttpRequest, partnership: SectorPartnership, pk: int) -> HttpResponse:
    suggested = selectors.suggested_ta_topics(partnership=partnership)
    form = TaRequestForm(request.POST or None, initial={"topic": suggested[0]} if suggested else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ta_request_create(partnership=partnership, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Request sent: state staff will be in touch.")
            return redirect("partnerships:partnership_detail", pk=partnership.pk)
    return render(
        request,
        "capacity/ta_request_form.html",
        {"form": form, "partnership": partnership, "suggested": [topic.label for topic in suggested]},
    )


@allow(CapacityAction.MANAGE_TA, load=selectors.request_for_url)
def ta_request_decline(request: HttpRequest, ta_request: TaRequest, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        services.ta_request_decline(request=ta_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Request declined.")
    return redirect("capacity:ta_list")


@allow(CapacityAction.MANAGE_TA)
def ta_engagement_create(request: HttpRequest) -> HttpResponse:
    ta_request = None
    if request_id := request.GET.get("request", ""):
        ta_request = (
            TaRequest.objects.select_related("partnership")
            .filter(pk=int(request_id) if request_id.isdigit() else 0, state=TaRequestState.OPEN)
            .first()
        )
        if ta_request is None:
            raise Http404("no open request with that id")
    initial = (
        {"topic": ta_request.topic, "title": f"{ta_request.get_topic_display()}: {ta_request.partnership}"}
        if ta_request
        else {}
    )
    form = TaEngagementForm(request.POST or None, initial={"starts_on": timezone.localdate(), **initial})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            engagement = services.ta_engagement_create(
                title=data["title"],
                topic=data["topic"],
                partnerships=list(data["partnerships"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                hours=data["hours"],
                provider_user=data["provider_user"],
                provider_organization=data["provider_organization"],
                notes=data["notes"],
                request=ta_request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Engagement recorded.")
            return redirect("capacity:ta_engagement_detail", pk=engagement.pk)
    return render(request, "capacity/ta_engagement_form.html", {"form": form, "ta_request": ta_request})


def _engagement_page(
    request: HttpRequest, engagement: TaEngagement, *, can_manage: bool, status: int = 200, **forms_: Any
) -> HttpResponse:
    """The engagement page; a manager sees the update and follow-up forms, blank unless given in ``forms_``
    (a refused form shown again)."""
    update_form = forms_.get("update_form")
    follow_up_form = forms_.get("follow_up_form")
    if can_manage:
        if update_form is None:
            update_form = TaEngagementUpdateForm(
                initial={"hours": engagement.hours, "ends_on": engagement.ends_on, "notes": engagement.notes}
            )
        if follow_up_form is None:
            follow_up_form = FollowUpForm()
    return render(
        request,
        "capacity/ta_engagement_detail.html",
        {
            "engagement": engagement,
            "partnerships": engagement.partnerships.order_by("name"),
            "follow_ups": engagement.follow_ups.all(),
            "can_manage": can_manage,
            "update_form": update_form,
            "follow_up_form": follow_up_form,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _engagement_change(
    request: HttpRequest,
    engagement: TaEngagement,
    form: forms.Form,
    form_key: str,
    change: Callable[..., object],
    done: str,
) -> HttpResponse:
    """One flow for the manager's forms on the engagement page: ``change`` (a service taking the engagement
    and the form's data) refuses onto the form, which the page shows again (400) under ``form_key``; a change
    goes back to the engagement with the message ``done``."""
    if form.is_valid():
        try:
            change(engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("capacity:ta_engagement_detail", pk=engagement.pk)
    return _engagement_page(request, engagement, can_manage=True, status=400, **{form_key: form})


@allow(CapacityAction.VIEW_ENGAGEMENT, load=selectors.engagement_for_url)
def ta_engagement_detail(request: HttpRequest, engagement: TaEngagement, pk: int) -> HttpResponse:
    can_manage = user_can(user=request.user, action=CapacityAction.MANAGE_TA)
    return _engagement_page(request, engagement, can_manage=can_manage)


@allow(CapacityAction.MANAGE_TA, load=selectors.engagement_for_url)
def ta_engagement_update(request: HttpRequest, engagement: TaEngagement, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    form = TaEngagementUpdateForm(request.POST)
    return _engagement_change(
        request, engagement, form, "update_form", services.ta_engagement_update, "Engagement updated."
    )


@allow(CapacityAction.MANAGE_TA, load=selectors.engagement_for_url)
def ta_follow_up_add(request: HttpRequest, engagement: TaEngagement, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    form = FollowUpForm(request.POST)
    return _engagement_change(
        request, engagement, form, "follow_up_form", services.ta_follow_up_add, "Follow-up added."
    )


@allow(CapacityAction.MANAGE_TA, load=selectors.follow_up_for_url)
def ta_follow_up_done(request: HttpRequest, follow_up: TaFollowUp, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        services.ta_follow_up_done(follow_up=follow_up, done_on=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Follow-up marked done.")
    return redirect("capacity:ta_engagement_detail", pk=follow_up.engagement_id)


# Events --------------------------------------------------------------------------------------------------


@allow(CapacityAction.VIEW_EVENTS)
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = list(selectors.event_list(user=request.user))
    return render(
        request,
        "capacity/event_list.html",
        {
            "upcoming": [event for event in events if event.ends_at >= now],
            "past": [event for event in events if event.ends_at < now][::-1][:20],
            "mine": selectors.registrations_of(user=request.user),
            "can_manage": user_can(user=request.user, action=CapacityAction.MANAGE_EVENTS),
        },
    )


def _event_page(request: HttpRequest, event: Event, *, status: int = 200, **forms_: Any) -> HttpResponse:
    user = request.user
    can_self = user_can(user=user, action=CapacityAction.REGISTER_SELF, obj=event)
    can_manage = user_can(user=user, action=CapacityAction.MANAGE_EVENTS)
    own = registrations = None
    if user.is_authenticated:
        own = (
            Registration.objects.filter(event=event, user=user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
    if can_manage:
        registrations = selectors.event_registrations(event=event)
    convened = SectorPartnership.objects.filter(convener_id=getattr(user, "organization_id", None) or 0)
    context = {
        "event": event,
        "own": own,
        "is_over": event.ends_at <= timezone.now(),
        "can_manage": can_manage,
        "registrations": registrations,
        "self_form": forms_.get("self_form")
        or (SelfRegistrationForm(partnerships=convened) if can_self else None),
        "email_form": forms_.get("email_form") or EmailRegistrationForm(),
        "person_form": forms_.get("person_form") or (PersonRegistrationForm() if can_manage else None),
    }
    return render(request, "capacity/event_detail.html", context, status=status)


@allow(CapacityAction.VIEW_EVENT, load=selectors.event_for_url)
def event_detail(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    return _event_page(request, event)


@allow(CapacityAction.MANAGE_EVENTS)
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Event created.")
            return redirect("capacity:event_detail", pk=event.pk)
    return render(request, "capacity/event_form.html", {"form": form})


@allow(CapacityAction.MANAGE_EVENTS, load=selectors.event_for_url)
def event_edit(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    initial = {
        name: getattr(event, name)
        for name in ("kind", "title", "description", "place", "link", "capacity", "is_public")
    } | {
        "topics": event.topic_list,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "learning_network": event.learning_network_id,
    }
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            promoted = services.event_update(event=event, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            names = ", ".join(registration.name for registration in promoted)
            messages.success(
                request, f"Event saved.{f' Moved up from the waitlist: {names}.' if names else ''}"
            )
            return redirect("capacity:event_detail", pk=event.pk)
    return render(request, "capacity/event_form.html", {"form": form, "event": event})


def _registered_message(request: HttpRequest, registration: Registration) -> None:
    if registration.status == RegistrationStatus.REGISTERED:
        messages.success(request, f"{registration.name} is registered.")
    else:
        messages.info(request, f"The event is full: {registration.name} is on the waitlist.")


def _register(
    request: HttpRequest, event: Event, form: forms.Form, form_key: str, **who: Any
) -> HttpResponse:
    """One registration flow for the three forms: the service's refusals land on the form, which the event
    page shows again (400) under ``form_key``; a registration goes back to the event with its message."""
    if form.is_valid():
        try:
            registration = services.event_register(event=event, **who, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _registered_message(request, registration)
            return redirect("capacity:event_detail", pk=event.pk)
    return _event_page(request, event, status=400, **{form_key: form})


@allow(CapacityAction.REGISTER_SELF, load=selectors.event_for_url)
def event_register_self(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    convened = SectorPartnership.objects.filter(
        convener_id=getattr(request.user, "organization_id", None) or 0
    )
    form = SelfRegistrationForm(request.POST, partnerships=convened)
    return _register(request, event, form, "self_form", user=request.user)


_PUBLIC_REGISTRATIONS = PublicFormThrottle(
    scope="event_registration", rate_setting="SECTORWISE_PUBLIC_REGISTRATION_RATE"
)


@allow(CapacityAction.REGISTER_BY_EMAIL, load=selectors.event_for_url)
def event_register_email(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    form = EmailRegistrationForm(request.POST)
    if not _PUBLIC_REGISTRATIONS.allow_request(request):
        wait = math.ceil((_PUBLIC_REGISTRATIONS.wait() or 60) / 60)
        form.is_valid()  # the fields as entered stay on the page
        form.add_error(None, f"Too many registrations from your address: try again in {wait} minutes.")
        return _event_page(request, event, status=429, email_form=form)
    return _register(request, event, form, "email_form")


@allow(CapacityAction.MANAGE_EVENTS, load=selectors.event_for_url)
def event_register_person(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    return _register(request, event, PersonRegistrationForm(request.POST), "person_form")


@allow(CapacityAction.CANCEL_REGISTRATION, load=selectors.registration_for_url)
def registration_cancel(request: HttpRequest, registration: Registration, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        promoted = services.registration_cancel(registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        note = f" {promoted.name} moves up from the waitlist." if promoted else ""
        messages.success(request, f"Registration cancelled.{note}")
    return redirect("capacity:event_detail", pk=registration.event_id)


@allow(CapacityAction.MANAGE_EVENTS, load=selectors.event_for_url)
def event_roster(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    """The roster, and attendance taken on the day: one checkbox per registered person."""
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("attended") if value.isdigit()]
        try:
            attended, absent = services.attendance_record(event=event, attended_ids=ids)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Attendance saved: {attended} attended, {absent} absent.")
            return redirect("capacity:event_roster", pk=event.pk)
    return render(
        request,
        "capacity/event_roster.html",
        {
            "event": event,
            "registrations": selectors.event_registrations(event=event),
            "can_take": timezone.localtime(event.starts_at).date() <= timezone.localdate(),
        },
    )


@allow(CapacityAction.VIEW_EVENT, load=selectors.event_for_url)
def event_ics(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    response = HttpResponse(
        documents.event_ics(event=event, domain=request.get_host().split(":")[0] or "sectorwise"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@allow(CapacityAction.CERTIFICATE, load=selectors.registration_for_url)
def registration_certificate(request: HttpRequest, registration: Registration, pk: int) -> HttpResponse:
    response = HttpResponse(
        documents.certificate_pdf(registration=registration, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{registration.event_id}-{registration.pk}.pdf"'
    )
    return response


# Learning networks ---------------------------------------------------------------------------------------


@allow(CapacityAction.VIEW_NETWORKS)
def network_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "capacity/network_list.html",
        {
            "networks": selectors.network_list(),
            "can_manage": user_can(user=request.user, action=CapacityAction.MANAGE_EVENTS),
        },
    )


def _network_page(
    request: HttpRequest, network: LearningNetwork, *, member_form: Any = None, status: int = 200
) -> HttpResponse:
    can_manage = user_can(user=request.user, action=CapacityAction.MANAGE_EVENTS)
    return render(
        request,
        "capacity/network_detail.html",
        {
            "network": network,
            "members": network.members.select_related("partnership", "person"),
            "sessions": network.sessions.order_by("starts_at"),
            "attendance": selectors.learning_network_attendance(network=network),
            "member_form": member_form or (NetworkMemberForm() if can_manage else None),
        },
        status=status,
    )


@allow(CapacityAction.VIEW_NETWORKS, load=selectors.network_for_url)
def network_detail(request: HttpRequest, network: LearningNetwork, pk: int) -> HttpResponse:
    return _network_page(request, network)


@allow(CapacityAction.MANAGE_EVENTS)
def network_create(request: HttpRequest) -> HttpResponse:
    form = LearningNetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            network = services.learning_network_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Learning network created: add its members, then its sessions (events)."
            )
            return redirect("capacity:network_detail", pk=network.pk)
    return render(request, "capacity/network_form.html", {"form": form})


@allow(CapacityAction.MANAGE_EVENTS, load=selectors.network_for_url)
def network_member_add(request: HttpRequest, network: LearningNetwork, pk: int) -> HttpResponse:
    if (refused := _post_only(request)) is not None:
        return refused
    form = NetworkMemberForm(request.POST)
    if form.is_valid():
        try:
            services.network_member_add(network=network, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['partnership']} joined the network.")
            return redirect("capacity:network_detail", pk=network.pk)
    return _network_page(request, network, member_form=form, status=400)


# Resources -----------------------------------------------------------------------------------------------


@allow(CapacityAction.VIEW_RESOURCES)
def resource_list(request: HttpRequest) -> HttpResponse:
    form = ResourceSearchForm(request.GET or None)
    return render(
        request,
        "capacity/resource_list.html",
        {
            "form": form,
            "resources": selectors.resource_search(user=request.user, **form.filters()),
            "can_manage": user_can(user=request.user, action=CapacityAction.MANAGE_RESOURCES),
        },
    )


@allow(CapacityAction.MANAGE_RESOURCES)
def resource_create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            if upload is not None and upload.size > services.MAX_RESOURCE_BYTES:
                raise ValidationError({"file": "The file is too large."})
            resource = services.resource_create(
                **data,
                file_name=upload.name if upload is not None else "",
                content=upload.read() if upload is not None else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{resource.title} added to the library.")
            return redirect("capacity:resource_list")
    return render(request, "capacity/resource_form.html", {"form": form})


@allow(CapacityAction.VIEW_RESOURCE, load=selectors.resource_for_url)
def resource_download(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    if resource.link:
        return redirect(resource.link)
    response = HttpResponse(bytes(resource.file_content or b""), content_type=resource.content_type)
    response["Content-Disposition"] = content_disposition_header(True, resource.file_name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
