"""The partnerships app's rows of the permission matrix: the registry's pages and API routes.

Each URL is tried with partnership A's and partnership B's records where it takes one, so that a convener is
tried on another convener's partnership; a membership of B through A's URL is not found for anyone.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.web.directory.factories import EmployerFactory
from tests.web.matrix_cases import (
    CAN_CHANGE_A,
    CAN_CHANGE_B,
    CONVENERS_AND_STATE,
    EVERYONE,
    NOBODY,
    REDIRECTED,
    STATE,
    WITH_ROLE,
    Case,
    Fragment,
    partnership_a,
    partnership_b,
)
from tests.web.partnerships.factories import MembershipFactory
from tests.web.personas import Personas

# Names are unique (case aside): each allowed persona's POST gets a new one, so that each can succeed.
_numbers = itertools.count(1)


def _edit_form(partnership: Any) -> dict[str, Any]:
    return {
        "name": partnership.name,
        "region": partnership.region_id,
        "convener": partnership.convener_id,
        "target_naics": " ".join(partnership.target_naics_codes),
        "stage": "implementation",
    }


def _new_partnership(p: Personas) -> dict[str, Any]:
    return {
        "name": f"Matrix Partnership {next(_numbers)}",
        "region": p.partnership_a.region_id,
        "convener": p.board_a.pk,
        "target_naics": "3364",
        "stage": "exploring",
    }


def _membership(partnership: str, membership: str) -> Callable[[Personas], dict[str, Any]]:
    def kwargs(p: Personas) -> dict[str, Any]:
        return {"pk": getattr(p, partnership).pk, "membership_pk": getattr(p, membership).pk}

    return kwargs


def _import_job_of_staff(p: Personas) -> dict[str, Any]:
    from sectorwise.partnerships.import_jobs import ImportJob

    job = ImportJob.objects.create(user=p.staff, kind="organizations", file_name="big.csv", content=b"")
    return {"job_id": job.pk}


def _export(kind: str, fmt: str) -> Callable[[Personas], dict[str, Any]]:
    return lambda _: {"kind": kind, "fmt": fmt}


def _stage_patch(_: Personas) -> dict[str, Any]:
    return {"stage": "implementation"}


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


PAGES: Fragment = {
    "partnerships:dashboard": [Case(allowed=WITH_ROLE)],
    "partnerships:partnership_list": [Case(allowed=EVERYONE, note="public: no contact details")],
    "partnerships:partnership_create": [
        Case(allowed=STATE),
        Case(allowed=STATE, method="post", data=_new_partnership, allowed_status=REDIRECTED),
    ],
    "partnerships:partnership_detail": [
        Case(allowed=WITH_ROLE, kwargs=partnership_a),
        Case(allowed=WITH_ROLE, kwargs=partnership_b),
    ],
    "partnerships:partnership_edit": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        Case(allowed=CAN_CHANGE_B, kwargs=partnership_b),
        Case(
            allowed=CAN_CHANGE_A,
            kwargs=partnership_a,
            method="post",
            data=lambda p: _edit_form(p.partnership_a),
            allowed_status=REDIRECTED,
        ),
        Case(
            allowed=CAN_CHANGE_B,
            kwargs=partnership_b,
            method="post",
            data=lambda p: _edit_form(p.partnership_b),
            allowed_status=REDIRECTED,
        ),
    ],
    "partnerships:partnership_history": [
        Case(allowed=WITH_ROLE, kwargs=partnership_a),
        Case(allowed=WITH_ROLE, kwargs=partnership_b),
    ],
    "partnerships:membership_add": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a),
        Case(allowed=CAN_CHANGE_B, kwargs=partnership_b),
        Case(
            allowed=CAN_CHANGE_B,
            kwargs=partnership_b,
            method="post",
            data=lambda p: {"organization": p.employer_a.pk, "role": "employer_member"},
            # The first allowed persona adds the member; the others are told it is one already (200).
            allowed_status=frozenset({200, 302}),
        ),
    ],
    "partnerships:membership_remove": [
        Case(allowed=CAN_CHANGE_A, kwargs=_membership("partnership_a", "membership_a")),
        Case(allowed=CAN_CHANGE_B, kwargs=_membership("partnership_b", "membership_b")),
        Case(
            allowed=CONVENERS_AND_STATE,
            kwargs=_membership("partnership_a", "membership_b"),
            allowed_status=frozenset({404}),
            note="B's membership through A's URL: not found for those who may manage some members; "
            "the others are refused before anything is looked up (no hint of which ids exist)",
        ),
    ],
    "partnerships:import": [Case(allowed=STATE)],
    "partnerships:import_job": [
        Case(allowed=STATE, kwargs=_import_job_of_staff, note="staff's job: the owner and state staff")
    ],
    "partnerships:export": [
        Case(allowed=WITH_ROLE, kwargs=_export("partnerships", "csv")),
        Case(allowed=WITH_ROLE, kwargs=_export("organizations", "xlsx")),
        Case(allowed=WITH_ROLE, kwargs=_export("memberships", "csv")),
    ],
}

API: Fragment = {
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

ROUTES: Fragment = {**PAGES, **API}

ADMIN_ROUTE_ALLOWED = {
    # A member leaves through the pages or the API (the convener cannot): nobody deletes one in the admin.
    "admin:partnerships_membership_delete": NOBODY,
}
