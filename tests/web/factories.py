"""Kept for imports written before the factories moved to one module per app (tests/web/<app>/factories.py);
new tests import from the app's module."""

from __future__ import annotations

from tests.web.accounts.factories import TEST_PASSWORD, TEST_PASSWORD_HASH, UserFactory
from tests.web.directory.factories import (
    EmployerFactory,
    OrganizationFactory,
    PersonFactory,
    WorkforceBoardFactory,
)
from tests.web.partnerships.factories import MembershipFactory, PartnershipFactory, RegionFactory

__all__ = [
    "TEST_PASSWORD",
    "TEST_PASSWORD_HASH",
    "EmployerFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "PartnershipFactory",
    "PersonFactory",
    "RegionFactory",
    "UserFactory",
    "WorkforceBoardFactory",
]
