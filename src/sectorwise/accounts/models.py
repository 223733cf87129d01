"""Users with one role and the organisation they act for; API tokens."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sectorwise.core.roles import STATE_ROLES, Role


class User(AbstractUser):
    """A person who signs in. ``role`` decides what they may do; a blank role may only see public pages."""

    role = models.CharField(max_length=20, choices=Role.choices, blank=True, default="")
    organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        help_text="The organisation this user acts for (a convener edits the partnerships it convenes).",
    )
    oidc_subject = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The single sign-on provider's `sub` for this person (set on their first SSO sign-in).",
    )
    # Who changed a role, the superuser/staff flags, activity or organisation, and when. Never the password
    # hash (a history table would keep every old hash) nor the sign-in time (a row per sign-in).
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

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
    # The hash is the credential: a history of it would keep revoked keys' hashes around.
    history = HistoricalRecords(excluded_fields=["key_hash"])

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A token acts as its user: moving it to another user would hand that user's rights to whoever
        # holds the key. Refused here, below every form, service and admin page.
        loaded = getattr(self, "_loaded_user_id", None)
        if not self._state.adding and loaded is not None and loaded != self.user_id:
            raise ValidationError({"user": "an API token's user cannot be changed; revoke it and create one"})
        super().save(*args, **kwargs)
        self._loaded_user_id = self.user_id

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> ApiToken:
        token: ApiToken = super().from_db(db, field_names, values)
        token._loaded_user_id = token.user_id
        return token

    def is_expired(self, *, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
