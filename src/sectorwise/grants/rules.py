"""Who may do what in the grants app (registered in ``sectorwise.core.rules``).

- state administrators and program staff manage funding sources, programs, rounds, reviews, awards and
  payments, and read every application;
- a convener creates its own partnerships' applications and edits them while they are drafts; it reads its
  own applications and awards;
- a reviewer reads and scores only the applications assigned to it, never one it is conflicted on (declared,
  or its organisation is a member of the applying partnership);
- a viewer reads awards (the portfolio), not applications; anonymous visitors nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q

from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.core.rules import acts_for_an_organization, check, has_role, register, user_role


class GrantsAction(StrEnum):
    MANAGE_FUNDING = "manage_funding"
    """Funding sources, programs, rounds, assignments, awards and payments; every application read."""
    VIEW_ROUNDS = "view_rounds"
    """The list of rounds (open ones to apply to, the reviewer's assignments)."""
    CREATE_APPLICATION = "create_application"
    EDIT_APPLICATION = "edit_application"
    """About one application: its convener, while it is a draft."""
    VIEW_APPLICATION = "view_application"
    """About one application: staff, its convener, a reviewer assigned to it and not conflicted."""
    SCORE_APPLICATION = "score_application"
    """About one application: a reviewer assigned to it, not recused, not conflicted."""
    WITHDRAW_APPLICATION = "withdraw_application"
    """About one application: its convener (or staff), before a decision."""
    REQUEST_PAYMENT = "request_payment"
    """About one award: the awarded partnership's convener (a reimbursement request), or staff."""
    VIEW_AWARDS = "view_awards"
    VIEW_AWARD = "view_award"
    """About one award: staff, viewers (the portfolio), the convener of the awarded partnership."""


is_state_staff = has_role(*STATE_ROLES)
is_convener = has_role(Role.CONVENER)
is_reviewer = has_role(Role.REVIEWER)
is_viewer = has_role(Role.VIEWER)


def _organization_id(user: Any) -> int | None:
    value: int | None = getattr(user, "organization_id", None)
    return value


@check
def convenes_applicant(user: Any, application: Any) -> bool:
    organization_id = _organization_id(user)
    return organization_id is not None and application.partnership.convener_id == organization_id


@check
def is_draft(user: Any, application: Any) -> bool:
    return bool(application.is_draft)


def reviewer_conflicted(*, reviewer: Any, partnership_id: int) -> bool:
    """Declared, or automatic: the reviewer's organisation convenes or is a member of the partnership."""
    from sectorwise.grants.models import ConflictOfInterest
    from sectorwise.partnerships.models import Membership, SectorPartnership

    if ConflictOfInterest.objects.filter(reviewer_id=reviewer.pk, partnership_id=partnership_id).exists():
        return True
    organization_id = _organization_id(reviewer)
    if organization_id is None:
        return False
    return (
        Membership.objects.filter(partnership_id=partnership_id, organization_id=organization_id).exists()
        or SectorPartnership.objects.filter(pk=partnership_id, convener_id=organization_id).exists()
    )


@check
def assigned_and_free(user: Any, application: Any) -> bool:
    from sectorwise.grants.models import Review, ReviewState

    assigned = Review.objects.filter(
        application_id=application.pk,
        reviewer_id=user.pk,
        state__in=(ReviewState.ASSIGNED, ReviewState.SUBMITTED),
    ).exists()
    return assigned and not reviewer_conflicted(reviewer=user, partnership_id=application.partnership_id)


@check
def assigned_unsubmitted(user: Any, application: Any) -> bool:
    from sectorwise.grants.models import Review, ReviewState

    return Review.objects.filter(
        application_id=application.pk, reviewer_id=user.pk, state=ReviewState.ASSIGNED
    ).exists()


@check
def convenes_awardee(user: Any, award: Any) -> bool:
    organization_id = _organization_id(user)
    return organization_id is not None and award.application.partnership.convener_id == organization_id


def _applications_of(user: Any) -> Q:
    from sectorwise.grants.models import ConflictOfInterest, Review, ReviewState

    role = user_role(user)
    if role in STATE_ROLES:
        return Q()
    if role == Role.CONVENER:
        return Q(partnership__convener_id=_organization_id(user))
    if role == Role.REVIEWER:
        assigned = Review.objects.filter(
            application_id=OuterRef("pk"),
            reviewer_id=user.pk,
            state__in=(ReviewState.ASSIGNED, ReviewState.SUBMITTED),
        )
        declared = ConflictOfInterest.objects.filter(
            reviewer_id=user.pk, partnership_id=OuterRef("partnership")
        )
        scope = Exists(assigned) & ~Exists(declared)
        organization_id = _organization_id(user)
        if organization_id is not None:
            scope &= ~Q(partnership__memberships__organization_id=organization_id) & ~Q(
                partnership__convener_id=organization_id
            )
        return scope
    return Q(pk__in=[])


def _awards_of(user: Any) -> Q:
    if user_role(user) == Role.CONVENER:
        return Q(application__partnership__convener_id=_organization_id(user))
    return Q()


register(GrantsAction.MANAGE_FUNDING, is_state_staff)
register(GrantsAction.VIEW_ROUNDS, is_state_staff | is_convener | is_reviewer)
register(GrantsAction.CREATE_APPLICATION, is_convener & acts_for_an_organization)
register(
    GrantsAction.EDIT_APPLICATION,
    is_convener & convenes_applicant & is_draft,
    about_object=True,
    ever=is_convener & acts_for_an_organization,
)
register(
    GrantsAction.VIEW_APPLICATION,
    is_state_staff | (is_convener & convenes_applicant) | (is_reviewer & assigned_and_free),
    about_object=True,
    ever=is_state_staff | (is_convener & acts_for_an_organization) | is_reviewer,
    scope=_applications_of,
    # Conveners and reviewers see only some applications: they must not learn which other ids exist.
    missing=is_state_staff,
)
register(
    GrantsAction.SCORE_APPLICATION,
    is_reviewer & assigned_unsubmitted & assigned_and_free,
    about_object=True,
    ever=is_reviewer,
)
register(
    GrantsAction.WITHDRAW_APPLICATION,
    is_state_staff | (is_convener & convenes_applicant),
    about_object=True,
    ever=is_state_staff | (is_convener & acts_for_an_organization),
)
register(
    GrantsAction.REQUEST_PAYMENT,
    is_state_staff | (is_convener & convenes_awardee),
    about_object=True,
    ever=is_state_staff | (is_convener & acts_for_an_organization),
)
register(
    GrantsAction.VIEW_AWARDS,
    is_state_staff | is_viewer | (is_convener & acts_for_an_organization),
    scope=_awards_of,
)
register(
    GrantsAction.VIEW_AWARD,
    is_state_staff | is_viewer | (is_convener & convenes_awardee),
    about_object=True,
    ever=is_state_staff | is_viewer | (is_convener & acts_for_an_organization),
    scope=_awards_of,
)
