"""Django settings for the test suite: the project's settings (sectorwise.web.settings, read from the same
environment) with what only tests want changed. pytest-django sets Django up from this module
(``DJANGO_SETTINGS_MODULE`` in pyproject's ``[tool.pytest.ini_options]``).

Tests of the settings themselves (production refusals, hasher order, lifetimes from the environment) import
``sectorwise.web.settings`` or start a fresh process, never this module.
"""

from __future__ import annotations

from sectorwise.web.settings import *  # noqa: F403  (the project's settings, overridden below)
from sectorwise.web.settings import PASSWORD_HASHERS as PROJECT_PASSWORD_HASHERS

# Argon2 is deliberately slow; the tests sign in hundreds of times and need no strong hashes. The project's
# hashers stay behind it so that a hash made with any of them still verifies.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PROJECT_PASSWORD_HASHERS]
