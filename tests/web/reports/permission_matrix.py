"""The reports app's rows of the permission matrix."""

from __future__ import annotations

from typing import Any

from tests.web.matrix_cases import EVERYONE, NOBODY, STATE, Case, Fragment

REPORT_READERS = STATE | {"viewer"}


def _fmt(fmt: str) -> Any:
    return lambda p: {"fmt": fmt}


ROUTES: Fragment = {
    "reports:public": [Case(allowed=EVERYONE)],
    "reports:portfolio": [Case(allowed=STATE)],
    "reports:legislative": [Case(allowed=REPORT_READERS)],
    "reports:legislative_download": [
        Case(allowed=REPORT_READERS, kwargs=_fmt("xlsx")),
        Case(allowed=REPORT_READERS, kwargs=_fmt("html")),
    ],
    "reports:district_plans": [Case(allowed=STATE)],
}

# The admin (reports.admin): a district plan is loaded from its file, never added or edited there (the state
# administrator may delete one).
ADMIN_ROUTE_ALLOWED = {"admin:reports_districtplan_add": NOBODY}
