"""The registry pages' rows of the permission matrix (``PAGES`` in tests/web/permission_matrix.py takes them).

Kept in its own module so that the pages and the matrix's machinery change independently. Each URL is tried
with partnership A's and partnership B's records where it takes one, so that a convener is tried on another
convener's partnership; a membership of B through A's URL is not found for anyone.

The rows are built by a function, imported lazily, because they use the matrix module's names (``Case``,
the persona sets) while that module includes them.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from tests.web.personas import Personas

if TYPE_CHECKING:
    from tests.web.permission_matrix import Case


def _edit_form(partnership: Any) -> dict[str, Any]:
    return {
        "name": partnership.name,
        "region": partnership.region_id,
        "convener": partnership.convener_id,
        "target_naics": " ".join(partnership.target_naics_codes),
        "stage": "implementation",
    }


# Names are unique (case aside): each allowed persona's POST gets a new one, so that each can succeed.
_numbers = itertools.count(1)


def _new_partnership(p: Personas) -> dict[str, Any]:
    return {
        "name": f"Matrix Partnership {next(_numbers)}",
        "region": p.partnership_a.region_id,
        "convener": p.board_a.pk,
        "target_naics": "3364",
        "stage": "exploring",
    }


def _new_organization(_: Personas) -> dict[str, Any]:
    return {"name": f"Matrix Training Center {next(_numbers)}", "type": "education_training"}


def _employer_a(p: Personas) -> dict[str, Any]:
    return {"pk": p.employer_a.pk}


def _membership(partnership: str, membership: str) -> Any:
    def kwargs(p: Personas) -> dict[str, Any]:
        return {"pk": getattr(p, partnership).pk, "membership_pk": getattr(p, membership).pk}

    return kwargs


def _import_job_of_staff(p: Personas) -> dict[str, Any]:
    from sectorwise.partnerships.import_jobs import ImportJob

    job = ImportJob.objects.create(user=p.staff, kind="organizations", file_name="big.csv", content=b"")
    return {"job_id": job.pk}


def _export(kind: str, fmt: str) -> Any:
    return lambda _: {"kind": kind, "fmt": fmt}


def registry_pages() -> dict[str, list[Case]]:
    """URL name -> cases, for every page of ``sectorwise.partnerships.urls``."""
    from tests.web.permission_matrix import (
        CAN_CHANGE_A,
        CAN_CHANGE_B,
        CONVENERS_AND_STATE,
        EVERYONE,
        STATE,
        WITH_ROLE,
        Case,
        partnership_a,
        partnership_b,
    )

    redirected = frozenset({302})
    return {
        "partnerships:dashboard": [Case(allowed=WITH_ROLE)],
        "partnerships:partnership_list": [Case(allowed=EVERYONE, note="public: no contact details")],
        "partnerships:partnership_create": [
            Case(allowed=STATE),
            Case(allowed=STATE, method="post", data=_new_partnership, allowed_status=redirected),
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
                allowed_status=redirected,
            ),
            Case(
                allowed=CAN_CHANGE_B,
                kwargs=partnership_b,
                method="post",
                data=lambda p: _edit_form(p.partnership_b),
                allowed_status=redirected,
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
        "partnerships:organization_list": [Case(allowed=WITH_ROLE)],
        "partnerships:organization_create": [
            Case(allowed=CONVENERS_AND_STATE),
            Case(
                allowed=CONVENERS_AND_STATE, method="post", data=_new_organization, allowed_status=redirected
            ),
        ],
        "partnerships:organization_detail": [Case(allowed=WITH_ROLE, kwargs=_employer_a)],
        "partnerships:organization_edit": [
            Case(allowed=STATE, kwargs=_employer_a),
            Case(
                allowed=STATE,
                kwargs=_employer_a,
                method="post",
                data=lambda p: {"name": p.employer_a.name, "type": "employer", "naics_code": "336411"},
                allowed_status=redirected,
            ),
        ],
        "partnerships:organization_history": [Case(allowed=WITH_ROLE, kwargs=_employer_a)],
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
