"""Who may do what in the capacity app (registered in ``sectorwise.core.rules``).

- state administrators and program staff manage everything: TA requests and engagements, events, the
  roster and attendance, learning networks, the resource library;
- a convener requests TA for the partnerships its organisation convenes and reads their requests and
  engagements; registers itself for events and cancels its own registrations;
- viewers (and reviewers) read: TA engagements, events, learning networks, every resource;
- the public (anonymous, or signed in without a role) sees public events, registers for them by e-mail,
  downloads their calendar files, and sees the resources marked public.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import (
    acts_for_an_organization,
    always,
    check,
    has_a_role,
    has_role,
    register,
    user_role,
)


class CapacityAction(StrEnum):
    VIEW_TA = "view_ta"
    """The TA page: staff and viewers every engagement; a convener its own partnerships' requests and
    engagements."""
    REQUEST_TA = "request_ta"
    """About one partnership: its convener (and staff) ask for technical assistance."""
    MANAGE_TA = "manage_ta"
    """Open requests, engagements, hours and follow-ups."""
    VIEW_ENGAGEMENT = "view_engagement"
    """About one engagement: staff, viewers, the convener of a partnership it serves."""
    VIEW_EVENTS = "view_events"
    """The events page: everyone (the public sees public events)."""
    VIEW_EVENT = "view_event"
    """About one event: a public one anyone; any other one a user with a role."""
    REGISTER_SELF = "register_self"
    """About one event: a signed-in user with a role registers themself."""
    REGISTER_BY_EMAIL = "register_by_email"
    """About one event: anyone registers someone by name and e-mail for an event they may see."""
    CANCEL_REGISTRATION = "cancel_registration"
    """About one registration: staff, or the user it is for."""
    CERTIFICATE = "certificate"
    """About one registration: its certificate of attendance, for staff and the user it is for, once the
    registrant attended."""
    MANAGE_EVENTS = "manage_events"
    """Create events, register directory people, the roster and attendance, learning networks."""
    VIEW_NETWORKS = "view_networks"
    VIEW_RESOURCES = "view_resources"
    """The library: everyone (the public sees public resources; any role every one)."""
    VIEW_RESOURCE = "view_resource"
    """About one resource: a public one anyone, any other one a user with a role."""
    MANAGE_RESOURCES = "manage_resources"


is_state_staff = has_role(*STATE_ROLES)
is_convener = has_role(Role.CONVENER)
is_viewer = has_role(Role.VIEWER, Role.REVIEWER)


def _organization_id(user: Any) -> int | None:
    value: int | None = getattr(user, "organization_id", None)
    return value


@check
def convenes_partnership(user: Any, partnership: Any) -> bool:
    organization_id = _organization_id(user)
    return organization_id is not None and partnership.convener_id == organization_id


@check
def convenes_a_served_partnership(user: Any, engagement: Any) -> bool:
    organization_id = _organization_id(user)
    return (
        organization_id is not None and engagement.partnerships.filter(convener_id=organization_id).exists()
    )


@check
def is_public(user: Any, record: Any) -> bool:
    return bool(record.is_public)


@check
def own_registration(user: Any, registration: Any) -> bool:
    return getattr(user, "pk", None) is not None and registration.user_id == user.pk


@check
def attended(user: Any, registration: Any) -> bool:
    return registration.attended is True


def _engagements_of(user: Any) -> Q:
    if user_role(user) == Role.CONVENER:
        return Q(partnerships__convener_id=_organization_id(user))
    return Q()


def _requests_of(user: Any) -> Q:
    if user_role(user) == Role.CONVENER:
        return Q(partnership__convener_id=_organization_id(user))
    return Q()


def _public_unless_a_role(user: Any) -> Q:
    return Q() if user_role(user) is not None else Q(is_public=True)


register(
    CapacityAction.VIEW_TA,
    is_state_staff | is_viewer | (is_convener & acts_for_an_organization),
    scope=_requests_of,
)
register(
    CapacityAction.REQUEST_TA,
    is_state_staff | (is_convener & convenes_partnership),
    about_object=True,
    ever=is_state_staff | (is_convener & acts_for_an_organization),
)
register(CapacityAction.MANAGE_TA, is_state_staff)
register(
    CapacityAction.VIEW_ENGAGEMENT,
    is_state_staff | is_viewer | (is_convener & convenes_a_served_partnership),
    about_object=True,
    ever=is_state_staff | is_viewer | (is_convener & acts_for_an_organization),
    scope=_engagements_of,
)
register(CapacityAction.VIEW_EVENTS, always, scope=_public_unless_a_role)
register(
    CapacityAction.VIEW_EVENT,
    has_a_role | is_public,
    about_object=True,
    ever=always,
    missing=has_a_role,  # a visitor must not tell a missing event from one not public
    scope=_public_unless_a_role,
)
register(CapacityAction.REGISTER_SELF, has_a_role, about_object=True, ever=has_a_role)
register(
    CapacityAction.REGISTER_BY_EMAIL,
    has_a_role | is_public,
    about_object=True,
    ever=always,
    missing=has_a_role,
)
register(
    CapacityAction.CANCEL_REGISTRATION,
    is_state_staff | own_registration,
    about_object=True,
    ever=has_a_role,
    missing=is_state_staff,  # others' registrations exist or not alike
)
register(
    CapacityAction.CERTIFICATE,
    (is_state_staff | own_registration) & attended,
    about_object=True,
    ever=has_a_role,
    missing=is_state_staff,
)
register(CapacityAction.MANAGE_EVENTS, is_state_staff)
register(CapacityAction.VIEW_NETWORKS, has_a_role)
register(CapacityAction.VIEW_RESOURCES, always, scope=_public_unless_a_role)
register(
    CapacityAction.VIEW_RESOURCE,
    has_a_role | is_public,
    about_object=True,
    ever=always,
    missing=has_a_role,
    scope=_public_unless_a_role,
)
register(CapacityAction.MANAGE_RESOURCES, is_state_staff)
