"""Django for the web tests only: the LMI tests never load it.

pytest-django would set Django up from DJANGO_SETTINGS_MODULE at start-up for the whole suite; the web tests
set it here instead, when pytest reaches tests/web, then let pytest-django finish its set-up (which blocks
database access in tests not marked ``django_db``).
"""

from __future__ import annotations

import os

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorwise.web.settings")
django.setup()

from django.conf import settings  # noqa: E402

# Argon2 is deliberately slow; the tests sign in hundreds of times and need no strong hashes. Production's
# hasher order is checked in tests/web/test_settings.py against the settings module itself.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]

from tests.web.personas import Personas, build_personas  # noqa: E402  (needs Django set up)


def pytest_configure(config: pytest.Config) -> None:
    from pytest_django.plugin import _setup_django

    _setup_django(config)


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
