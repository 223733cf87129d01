"""The named cast of the web tests (as healthchecks' alice/bob/charlie): who they are and what they act on.

- ``admin``: state administrator; ``staff``: state program staff;
- ``convener_a`` acts for the workforce board that convenes partnership A; ``convener_b`` for B's convener;
- ``reviewer`` and ``viewer``: read-only; ``outsider``: signed in, no role; ``anonymous``: not signed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sectorwise.accounts.models import User
from sectorwise.accounts.services import api_token_create
from sectorwise.core.roles import Role
from sectorwise.directory.models import Organization, Person
from sectorwise.outcomes.models import ParticipantAccessLog
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership
from tests.web.factories import (
    EmployerFactory,
    MembershipFactory,
    PartnershipFactory,
    PersonFactory,
    UserFactory,
    WorkforceBoardFactory,
)

PERSONA_NAMES = ("admin", "staff", "convener_a", "convener_b", "reviewer", "viewer", "outsider", "anonymous")


@dataclass
class Personas:
    admin: User
    staff: User
    convener_a: User
    convener_b: User
    reviewer: User
    viewer: User
    outsider: User
    partnership_a: SectorPartnership
    partnership_b: SectorPartnership
    board_a: Organization
    board_b: Organization
    employer_a: Organization
    membership_a: Membership
    membership_b: Membership
    contact_a: Person
    staff_token: str
    """An API token key of ``staff``."""

    def user(self, name: str) -> User | None:
        """The persona called ``name``; None for ``anonymous``."""
        if name not in PERSONA_NAMES:
            raise KeyError(f"no persona {name!r}; the cast is {PERSONA_NAMES}")
        return None if name == "anonymous" else getattr(self, name)


def build_personas() -> Personas:
    board_a = WorkforceBoardFactory(name="Champlain Valley Workforce Board")
    board_b = WorkforceBoardFactory(name="Green Mountain Workforce Board")
    partnership_a = PartnershipFactory(name="Champlain Aerospace Partnership", convener=board_a)
    partnership_b = PartnershipFactory(
        name="Green Mountain Health Careers", convener=board_b, target_naics=["62"]
    )
    employer_a = EmployerFactory(name="Lake Aero Parts")
    contact_a = PersonFactory(first_name="Alice", last_name="Aldridge", email="alice@lakeaero.example")
    contact_a.affiliations.create(organization=employer_a, title="HR director")
    membership_a = MembershipFactory(
        partnership=partnership_a,
        organization=employer_a,
        role=MembershipRole.EMPLOYER_CHAMPION,
        representative=contact_a,
    )
    membership_b = MembershipFactory(
        partnership=partnership_b,
        organization=EmployerFactory(name="Northern Clinic", naics_code="6211"),
        role=MembershipRole.EMPLOYER_MEMBER,
    )
    staff = UserFactory(username="staff", role=Role.STATE_STAFF, is_staff=True)
    _, staff_token = api_token_create(user=staff, name="tests")
    # One read of participant-level data, so that the access log's admin pages have a record to show.
    ParticipantAccessLog.objects.create(
        user=staff, username="staff", what="participant list (persona set-up)"
    )
    return Personas(
        admin=UserFactory(username="admin", role=Role.STATE_ADMIN, is_staff=True),
        staff=staff,
        convener_a=UserFactory(username="convener_a", role=Role.CONVENER, organization=board_a),
        convener_b=UserFactory(username="convener_b", role=Role.CONVENER, organization=board_b),
        reviewer=UserFactory(username="reviewer", role=Role.REVIEWER),
        viewer=UserFactory(username="viewer", role=Role.VIEWER),
        outsider=UserFactory(username="outsider", role=""),
        partnership_a=partnership_a,
        partnership_b=partnership_b,
        board_a=board_a,
        board_b=board_b,
        employer_a=employer_a,
        membership_a=membership_a,
        membership_b=membership_b,
        contact_a=contact_a,
        staff_token=staff_token,
    )
