"""The intelligence app's rows of the permission matrix: LMI is public data, open to everyone signed in (a
role or none); anonymous visitors only where the state opens it (``SECTORWISE_PUBLIC_LMI``, off in the
tests' settings; ``test_pages.py`` turns it on). The matrix runs without a warehouse: each page says the data
is not loaded, and the assessment, without a region, says to choose one.

A partnership's stored industry assessments (generate, download) are for state staff and its convener; without
a warehouse, generating one redirects back with the reason."""

from __future__ import annotations

from typing import Any

from tests.web.matrix_cases import CAN_CHANGE_A, REDIRECTED, SIGNED_IN, Case, Fragment, partnership_a
from tests.web.personas import Personas


def stored_assessment_of_a(p: Personas) -> dict[str, Any]:
    from sectorwise.intelligence.models import PartnershipAssessment

    stored = PartnershipAssessment.objects.create(
        partnership=p.partnership_a,
        region_name="Region A",
        level="naics4",
        period="2016 annual average",
        vintage="QCEW 2016 annual average",
        html=b"<!doctype html><title>a</title>",
        xlsx=b"PK",
        pdf=b"%PDF-1.7",
    )
    return {"pk": p.partnership_a.pk, "assessment_pk": stored.pk, "fmt": "html"}


ROUTES: Fragment = {
    "intelligence:explorer": [
        Case(allowed=SIGNED_IN),
        Case(allowed=SIGNED_IN, data=lambda _: {"counties": ["50007"], "level": "sector"}),
    ],
    "intelligence:ranking": [
        Case(allowed=SIGNED_IN),
        Case(allowed=SIGNED_IN, data=lambda _: {"counties": ["50007"], "w_size": "2"}),
    ],
    "intelligence:assessment": [Case(allowed=SIGNED_IN)],
    "intelligence:clusters": [
        Case(allowed=SIGNED_IN),
        Case(allowed=SIGNED_IN, data=lambda _: {"counties": ["50007"], "level": "sector"}),
    ],
    "intelligence:occupations": [
        Case(allowed=SIGNED_IN),
        Case(allowed=SIGNED_IN, data=lambda _: {"counties": ["50007"], "industries": "3118"}),
    ],
    "intelligence:commuting_zones": [
        Case(allowed=SIGNED_IN),
        Case(allowed=SIGNED_IN, data=lambda _: {"set_a": "zones", "set_b": "fowler2020", "states": "50"}),
    ],
    "intelligence:attach_assessment": [
        Case(allowed=CAN_CHANGE_A, kwargs=partnership_a, method="post", allowed_status=REDIRECTED)
    ],
    "intelligence:stored_assessment": [Case(allowed=CAN_CHANGE_A, kwargs=stored_assessment_of_a)],
}
