"""The roles a user can hold. Anonymous visitors (and logged-in users without a role) hold none."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    STATE_ADMIN = "state_admin", "State administrator"
    STATE_STAFF = "state_staff", "State program staff"
    CONVENER = "convener", "Convener"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


STATE_ROLES = frozenset({Role.STATE_ADMIN, Role.STATE_STAFF})
"""Roles that administer the whole state's registry (and reach the Django admin)."""

SIGNED_IN_ROLES = frozenset(Role)
"""Every role: all of them may read the internal (non-public) pages."""
