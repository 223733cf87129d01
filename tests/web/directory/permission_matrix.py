"""The rows of the permission matrix about people and organisations: the organisation pages and API routes
(served under the registry's URLs, ``partnerships:organization_*`` and ``api:organization_*``)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.web.matrix_cases import (
    CONVENERS_AND_STATE,
    REDIRECTED,
    STATE,
    WITH_ROLE,
    Case,
    Fragment,
)
from tests.web.personas import Personas

# Names are unique (case aside): each allowed persona's POST gets a new one, so that each can succeed.
_numbers = itertools.count(1)


def _employer_a(p: Personas) -> dict[str, Any]:
    return {"pk": p.employer_a.pk}


def _new_organization_form(_: Personas) -> dict[str, Any]:
    return {"name": f"Matrix Training Center {next(_numbers)}", "type": "education_training"}


def _new_organization_json(_: Personas) -> dict[str, Any]:
    name = f"Valley Machining {next(_numbers)}"
    return {"name": name, "type": "employer", "naics_code": "332710", "county_fips": "50007"}


ROUTES: Fragment = {
    "partnerships:organization_list": [Case(allowed=WITH_ROLE)],
    "partnerships:organization_create": [
        Case(allowed=CONVENERS_AND_STATE),
        Case(
            allowed=CONVENERS_AND_STATE,
            method="post",
            data=_new_organization_form,
            allowed_status=REDIRECTED,
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
            allowed_status=REDIRECTED,
        ),
    ],
    "partnerships:organization_history": [Case(allowed=WITH_ROLE, kwargs=_employer_a)],
    "api:organization_list": [Case(allowed=WITH_ROLE)],
    "api:organization_detail": [
        Case(allowed=WITH_ROLE, kwargs=lambda p: {"organization_id": p.employer_a.pk}),
    ],
    "api:organization_create": [
        Case(
            allowed=CONVENERS_AND_STATE,
            method="post",
            data=_new_organization_json,
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
}
