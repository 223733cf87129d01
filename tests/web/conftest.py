"""Fixtures for the web tests. Django itself is set up by pytest-django from tests/settings.py (the project's
settings with the test overrides); it blocks database access in tests not marked ``django_db``, so the LMI
tests, which never ask for it, cannot touch a database.
"""

from __future__ import annotations

import pytest

from tests.web.personas import Personas, build_personas


@pytest.fixture
def personas(db: None) -> Personas:
    """The named cast: state admin, program staff, the conveners of partnerships A and B, a reviewer,
    a viewer, an outsider (signed in, no role) and the anonymous visitor, with the records they act on."""
    return build_personas()


@pytest.fixture(autouse=True)
def _no_cached_dashboard_figures() -> None:
    """Each test starts with an empty cache: no dashboard figures cached by an earlier test (whose rows were
    rolled back, which sends no signal), no API requests counted against the rate limits."""
    from django.core.cache import cache

    cache.clear()
