"""Who may reach which route: ONE entry per URL name (pages, API, admin), checked for every persona.

``tests/web/test_permission_matrix.py`` walks the URL resolver and every API operation: a route without an
entry here fails the test, and so does an entry whose route is gone. To add a page, add its URL name with one
or more ``Case``s: the URL's keyword arguments (built from the personas' records, so that other partnerships'
IDs are tried too), the method, and the personas ALLOWED. Everyone else is refused: 403 when signed in; the
login redirect (302) for anonymous visitors on pages, 401 on the API; the Django admin redirects everyone it
refuses to its login (302).

Personas: admin, staff (state program staff), convener_a (convenes partnership A), convener_b (convenes B),
reviewer, viewer, outsider (signed in, no role), anonymous. See ``tests/web/personas.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.web.factories import EmployerFactory, MembershipFactory
from tests.web.personas import PERSONA_NAMES, Personas

EVERYONE = frozenset(PERSONA_NAMES)
SIGNED_IN = EVERYONE - {"anonymous"}
WITH_ROLE = SIGNED_IN - {"outsider"}
STATE = frozenset({"admin", "staff"})
ADMIN_ONLY = frozenset({"admin"})
CAN_CHANGE_A = STATE | {"convener_a"}
CAN_CHANGE_B = STATE | {"convener_b"}
CONVENERS_AND_STATE = STATE | {"convener_a", "convener_b"}
NOBODY: frozenset[str] = frozenset()


def no_kwargs(_: Personas) -> dict[str, Any]:
    return {}


def partnership_a(p: Personas) -> dict[str, Any]:
    return {"pk": p.partnership_a.pk}


def partnership_b(p: Personas) -> dict[str, Any]:
    return {"pk": p.partnership_b.pk}


@dataclass(frozen=True)
class Case:
    allowed: frozenset[str]
    kwargs: Callable[[Personas], dict[str, Any]] = no_kwargs
    method: str = "get"
    data: Callable[[Personas], Mapping[str, Any]] | None = None
    """Form data (pages) or a JSON body (API) for methods that send one."""
    allowed_status: frozenset[int] = frozenset({200})
    """What an allowed persona gets (e.g. 302 after a successful POST)."""
    note: str = ""


def _stage_patch(_: Personas) -> dict[str, Any]:
    return {"stage": "implementation"}


_numbers = itertools.count(1)


def _new_organization(_: Personas) -> dict[str, Any]:
    """A new name for each request: organisation names are unique, and every allowed persona's POST must
    succeed."""
    name = f"Valley Machining {next(_numbers)}"
    return {"name": name, "type": "employer", "naics_code": "332710", "county_fips": "50007"}


def _new_member(_: Personas) -> dict[str, Any]:
    """A fresh employer for each request, so that every allowed persona's POST can succeed."""
    return {"organization_id": EmployerFactory().pk, "role": "employer_member"}


def _fresh_member_of(partnership: Callable[[Personas], Any]) -> Callable[[Personas], dict[str, Any]]:
    """URL arguments naming a member added for this request only, so that every allowed DELETE succeeds."""

    def kwargs(p: Personas) -> dict[str, Any]:
        membership = MembershipFactory(partnership=partnership(p))
        return {"partnership_id": membership.partnership_id, "organization_id": membership.organization_id}

    return kwargs


def _member_of(partnership: str, membership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        return {
            "partnership_id": getattr(p, partnership).pk,
            "organization_id": getattr(p, membership).organization_id,
        }

    return kwargs


PAGES: dict[str, list[Case]] = {
    # Signed-in users are sent on from the login page (redirect_authenticated_user).
    "accounts:login": [
        Case(allowed=EVERYONE, allowed_status=frozenset({200, 302})),
        Case(
            allowed=EVERYONE,
            method="post",
            data=lambda _: {"username": "nobody", "password": "wrong"},
            allowed_status=frozenset({200, 302}),
        ),
    ],
    "accounts:logout": [Case(allowed=EVERYONE, method="post", allowed_status=frozenset({302}))],
    # The second sign-in step sends anyone without a pending password check back to the login page.
    "accounts:login_code": [Case(allowed=EVERYONE, allowed_status=frozenset({302}))],
    "accounts:two_factor": [Case(allowed=SIGNED_IN)],
    # Single sign-on is not configured in the tests' settings: 404 for everyone (see security/test_sso.py).
    "accounts:oidc_start": [Case(allowed=EVERYONE, allowed_status=frozenset({404}))],
    "accounts:oidc_callback": [Case(allowed=EVERYONE, allowed_status=frozenset({404}))],
}

API: dict[str, list[Case]] = {
    "api:api-root": [Case(allowed=EVERYONE, allowed_status=frozenset({404}), note="ninja's empty root")],
    "api:openapi-json": [Case(allowed=EVERYONE)],
    "api:openapi-view": [Case(allowed=EVERYONE)],
    "api:partnership_list": [Case(allowed=WITH_ROLE)],
    "api:partnership_detail": [
        Case(allowed=WITH_ROLE, kwargs=lambda p: {"partnership_id": p.partnership_a.pk}),
        Case(allowed=WITH_ROLE, kwargs=lambda p: {"partnership_id": p.partnership_b.pk}),
    ],
    "api:partnership_patch": [
        Case(
            allowed=CAN_CHANGE_A,
            method="patch",
            kwargs=lambda p: {"partnership_id": p.partnership_a.pk},
            data=_stage_patch,
        ),
        Case(
            allowed=CAN_CHANGE_B,
            method="patch",
            kwargs=lambda p: {"partnership_id": p.partnership_b.pk},
            data=_stage_patch,
        ),
    ],
    "api:organization_list": [Case(allowed=WITH_ROLE)],
    "api:organization_detail": [
        Case(allowed=WITH_ROLE, kwargs=lambda p: {"organization_id": p.employer_a.pk}),
    ],
    "api:organization_create": [
        Case(
            allowed=CONVENERS_AND_STATE,
            method="post",
            data=_new_organization,
            allowed_status=frozenset({201}),
        ),
    ],
    "api:organization_patch": [
        Case(
            allowed=STATE,
            method="patch",
            kwargs=lambda p: {"organization_id": p.employer_a.pk},
            data=lambda _: {"city": "Winooski"},
        ),
    ],
    "api:member_create": [
        Case(
            allowed=CAN_CHANGE_A,
            method="post",
            kwargs=lambda p: {"partnership_id": p.partnership_a.pk},
            data=_new_member,
            allowed_status=frozenset({201}),
        ),
        Case(
            allowed=CAN_CHANGE_B,
            method="post",
            kwargs=lambda p: {"partnership_id": p.partnership_b.pk},
            data=_new_member,
            allowed_status=frozenset({201}),
        ),
    ],
    "api:member_patch": [
        Case(
            allowed=CAN_CHANGE_A,
            method="patch",
            kwargs=_member_of("partnership_a", "membership_a"),
            data=lambda _: {"role": "employer_member"},
        ),
        Case(
            allowed=CAN_CHANGE_B,
            method="patch",
            kwargs=_member_of("partnership_b", "membership_b"),
            data=lambda _: {"joined_on": "2026-01-15"},
        ),
    ],
    "api:member_delete": [
        Case(
            allowed=CAN_CHANGE_A,
            method="delete",
            kwargs=_fresh_member_of(lambda p: p.partnership_a),
            allowed_status=frozenset({204}),
        ),
        Case(
            allowed=CAN_CHANGE_B,
            method="delete",
            kwargs=_fresh_member_of(lambda p: p.partnership_b),
            allowed_status=frozenset({204}),
        ),
    ],
}
"""API URL names, one per operation (django-ninja names each; a test checks every method is covered)."""

ADMIN_ALLOWED = STATE
"""The Django admin: every admin URL is walked (index, app lists, each model's list, add, change, history,
delete pages for a real record); state staff reach it, everyone else is sent to its login. Deleting is for the
state administrator only (``ADMIN_DELETE_ALLOWED``)."""
ADMIN_DELETE_ALLOWED = ADMIN_ONLY

ADMIN_ROUTE_ALLOWED = {
    # Another user's password (the viewer's): administrators only (accounts.selectors.user_may_set_password).
    "admin:auth_user_password_change": ADMIN_ONLY,
    # Staff revoke their own tokens and those of users below them; the record walked is staff's own token.
    "admin:accounts_apitoken_delete": STATE,
}
"""Admin routes whose allowed personas differ from ``ADMIN_ALLOWED``/``ADMIN_DELETE_ALLOWED``."""

ADMIN_PUBLIC = {
    "admin:login": Case(allowed=EVERYONE, allowed_status=frozenset({200, 302})),
    "admin:logout": Case(allowed=EVERYONE, method="post", allowed_status=frozenset({200, 302})),
}
"""Admin routes any visitor may reach: its own login and logout."""

# The registry's pages (sectorwise.partnerships.urls): their rows live beside the pages' tests.
from tests.web.permission_matrix_pages import registry_pages  # noqa: E402  (its rows use the names above)

PAGES.update(registry_pages())

MATRIX: dict[str, list[Case]] = {**PAGES, **API}
