"""Who may reach which route: ONE entry per URL name (pages, API, admin), checked for every persona.

Assembled from one fragment per app (``tests/web/<app>/permission_matrix.py``: ``ROUTES``, and optionally
``ADMIN_ROUTE_ALLOWED``); a new app adds its fragment to ``FRAGMENTS``. The test
(``tests/web/test_permission_matrix.py``) walks the URL resolver and every API operation: a route without
an entry fails it, and so does an entry whose route is gone, or a route two fragments both claim. An entry
is one or more ``Case``s (``tests/web/matrix_cases.py``): the URL's keyword arguments (built from the
personas' records, so that other partnerships' IDs are tried too), the method, and the personas ALLOWED.
Everyone else is refused: 403 when signed in; the login redirect (302) for anonymous visitors on pages, 401
on the API; the Django admin redirects everyone it refuses to its login (302).
"""

from __future__ import annotations

from types import ModuleType

from tests.web.accounts import permission_matrix as accounts_matrix
from tests.web.capacity import permission_matrix as capacity_matrix
from tests.web.directory import permission_matrix as directory_matrix
from tests.web.grants import permission_matrix as grants_matrix
from tests.web.intelligence import permission_matrix as intelligence_matrix
from tests.web.matrix_cases import (
    ADMIN_ONLY,
    CAN_CHANGE_A,
    CAN_CHANGE_B,
    CONVENERS_AND_STATE,
    EVERYONE,
    NOBODY,
    SIGNED_IN,
    STATE,
    WITH_ROLE,
    Case,
    Fragment,
)
from tests.web.outcomes import permission_matrix as outcomes_matrix
from tests.web.partnerships import permission_matrix as partnerships_matrix
from tests.web.planning import permission_matrix as planning_matrix
from tests.web.reports import permission_matrix as reports_matrix
from tests.web.surveys import permission_matrix as surveys_matrix

__all__ = [
    "ADMIN_ALLOWED",
    "ADMIN_DELETE_ALLOWED",
    "ADMIN_PUBLIC",
    "ADMIN_ROUTE_ALLOWED",
    "CAN_CHANGE_A",
    "CAN_CHANGE_B",
    "CONVENERS_AND_STATE",
    "MATRIX",
    "NOBODY",
    "SIGNED_IN",
    "WITH_ROLE",
    "Case",
]

FRAGMENTS: tuple[ModuleType, ...] = (
    accounts_matrix,
    directory_matrix,
    partnerships_matrix,
    planning_matrix,
    outcomes_matrix,
    surveys_matrix,
    grants_matrix,
    capacity_matrix,
    intelligence_matrix,
    reports_matrix,
)
"""Each app's rows; their URL names must not overlap."""

WEB: Fragment = {
    # The project's own routes (sectorwise.web.api): django-ninja's root and the OpenAPI document.
    "api:api-root": [Case(allowed=EVERYONE, allowed_status=frozenset({404}), note="ninja's empty root")],
    "api:openapi-json": [Case(allowed=EVERYONE)],
    "api:openapi-view": [Case(allowed=EVERYONE)],
}

ADMIN_ALLOWED = STATE
"""The Django admin: every admin URL is walked (index, app lists, each model's list, add, change, history,
delete pages for a real record); state staff reach it, everyone else is sent to its login. Deleting is for the
state administrator only (``ADMIN_DELETE_ALLOWED``)."""
ADMIN_DELETE_ALLOWED = ADMIN_ONLY

ADMIN_PUBLIC = {
    "admin:login": Case(allowed=EVERYONE, allowed_status=frozenset({200, 302})),
    "admin:logout": Case(allowed=EVERYONE, method="post", allowed_status=frozenset({200, 302})),
}
"""Admin routes any visitor may reach: its own login and logout."""


def _merge(fragments: tuple[Fragment, ...]) -> Fragment:
    merged: Fragment = {}
    for fragment in fragments:
        claimed_twice = sorted(merged.keys() & fragment.keys())
        assert not claimed_twice, f"routes in two permission-matrix fragments: {claimed_twice}"
        merged |= fragment
    return merged


MATRIX: Fragment = _merge((WEB, *(module.ROUTES for module in FRAGMENTS)))

ADMIN_ROUTE_ALLOWED: dict[str, frozenset[str]] = {
    name: allowed
    for module in FRAGMENTS
    for name, allowed in getattr(module, "ADMIN_ROUTE_ALLOWED", {}).items()
}
"""Admin routes whose allowed personas differ from ``ADMIN_ALLOWED``/``ADMIN_DELETE_ALLOWED``."""
