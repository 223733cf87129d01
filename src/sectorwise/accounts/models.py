"""Users with one role and the organisation they act for; API tokens."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from sectorwise.core.roles import STATE_ROLES, Role


class User(AbstractUser):
    """A person who signs in. ``role`` decides what they may do; a blank role may only see public pages."""

    role = models.CharField(max_length=20, choices=Role.choices, blank=True, default="")
    organization = models.ForeignKey(
        "partnerships.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        help_text="The organisation this user acts for (a convener edits the partnerships it convenes).",
    )

    @property
    def effective_role(self) -> Role | None:
        """The role that decides access; a superuser counts as a state administrator."""
        if not self.is_active:
            return None
        if self.is_superuser:
            return Role.STATE_ADMIN
        return Role(self.role) if self.role else None

    @property
    def is_state_user(self) -> bool:
        return self.effective_role in STATE_ROLES


def hash_token(key: str) -> str:
    """Tokens are stored hashed: a leaked database does not leak working credentials."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API (``Authorization: Bearer <key>``), acting with its user's rights."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'nightly export'.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text="The first characters, to recognise it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, *, now: timezone.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
