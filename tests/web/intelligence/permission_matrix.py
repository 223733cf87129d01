"""The intelligence app's rows of the permission matrix: LMI is public data, open to everyone signed in (a
role or none); anonymous visitors only where the state opens it (``SECTORWISE_PUBLIC_LMI``, off in the
tests' settings; ``test_pages.py`` turns it on). The matrix runs without a warehouse: each page says the data
is not loaded, and the assessment, without a region, says to choose one."""

from __future__ import annotations

from tests.web.matrix_cases import SIGNED_IN, Case, Fragment

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
}
