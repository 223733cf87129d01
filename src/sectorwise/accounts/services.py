"""Writes on accounts: users with a role, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sectorwise.accounts.models import ApiToken, User, hash_token
from sectorwise.accounts.selectors import (
    api_token_may_revoke,
    user_assignable_roles,
    user_editable_fields,
    user_is_state_admin,
    user_may_set_password,
)
from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.partnerships.models import Organization

NEVER = "never"
"""``api_token_create(expires_at=NEVER)``: a token without an expiry, only when asked for explicitly."""


def user_create(
    *,
    username: str,
    password: str,
    role: Role | None,
    organization: Organization | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A user with ``role``; state roles get Django's ``is_staff`` (the admin's own login page needs it)."""
    if role is Role.CONVENER and organization is None:
        raise ValueError(f"user {username!r}: a convener must act for an organization")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role.value if role else "",
        organization=organization,
        is_staff=role in STATE_ROLES,
        password=make_password(password),
    )
    user.full_clean()
    user.save()
    return user


def user_check_changes(*, actor: Any, user: User | None, changes: Mapping[str, Any]) -> None:
    """Refuse (``PermissionDenied`` naming the field) any change ``actor`` may not make to ``user``.

    ``user`` is the stored user (None when one is being added); ``changes`` maps field names to new values.
    Values equal to the stored ones are not changes (an unchanged form field passes).
    """
    allowed = user_editable_fields(actor=actor, user=user)
    who = f"user {user.username!r}" if user is not None else "a new user"
    for field, value in changes.items():
        if user is not None and field not in ("password", "groups", "user_permissions"):
            current = getattr(user, f"{field}_id" if field == "organization" else field)
            new = value.pk if field == "organization" and value is not None else value
            if current == new:
                continue
        if user is None and field in ("is_superuser", "is_staff") and not value:
            continue  # a new user starts without them: leaving them off is no change
        if user is None and field == "role" and not value:
            continue
        if field not in allowed:
            raise PermissionDenied(f"{who}, field {field!r}: you may not change it")
        if field == "role" and value not in user_assignable_roles(actor=actor):
            raise PermissionDenied(f"{who}, field 'role': you may not give the role {value!r}")


@transaction.atomic
def user_update(*, actor: Any, user: User, changes: Mapping[str, Any], reason: str = "") -> User:
    """Change ``user``'s fields as ``actor`` (the admin and any other writer go through here).

    The rules are ``selectors.user_editable_fields``'s; the change is recorded in the user's history with
    ``actor`` as the one who made it. Passwords go through ``user_set_password``.
    """
    if "password" in changes:
        raise ValidationError({"password": "set passwords with user_set_password"})
    stored = User.objects.select_for_update().get(pk=user.pk)
    user_check_changes(actor=actor, user=stored, changes=changes)
    for field, value in changes.items():
        if field in ("groups", "user_permissions"):
            getattr(stored, field).set(value)
        else:
            setattr(stored, field, value)
    if "role" in changes and "is_staff" not in changes and user_is_state_admin(actor):
        # An administrator giving or taking a state role moves the admin flag with it (as user_create does).
        stored.is_staff = stored.role in STATE_ROLES or stored.is_superuser
    stored.full_clean(exclude=["password"])
    stored._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    stored._change_reason = reason or "changed"  # type: ignore[attr-defined]
    stored.save()
    return stored


def user_add(*, actor: Any, user: User) -> User:
    """Save a user ``actor`` is adding (the admin's add form): only with privileges ``actor`` may grant."""
    user_check_changes(
        actor=actor,
        user=None,
        changes={
            "is_superuser": user.is_superuser,
            "is_staff": user.is_staff,
            "role": user.role,
        },
    )
    user._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    user.save()
    return user


def user_set_password(*, actor: Any, user: User, password: str) -> None:
    """Set ``user``'s password as ``actor``: administrators for anyone, others only for themselves."""
    if not user_may_set_password(actor=actor, user=user):
        raise PermissionDenied(f"user {user.username!r}, field 'password': you may not set it")
    user.set_password(password)
    user.save(update_fields=["password"])


def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    if not api_token_may_revoke(actor=actor, token=token):
        raise PermissionDenied(f"API token {token.prefix}…: you may not revoke it")
    token._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    token.delete()


def api_token_default_expiry(*, now: datetime | None = None) -> datetime:
    """When a new token expires by default: ``SECTORWISE_API_TOKEN_DAYS`` (at least 1) from now."""
    days = max(1, int(settings.SECTORWISE_API_TOKEN_DAYS))
    return (now or timezone.now()) + dt.timedelta(days=days)


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | str | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key, which is shown once and never stored.

    Without ``expires_at`` the token expires after ``SECTORWISE_API_TOKEN_DAYS`` (default 90); a token that
    never expires needs ``expires_at=NEVER``, so forgetting the argument cannot make one.
    """
    expiry: datetime | None
    if expires_at == NEVER:
        expiry = None
    elif expires_at is None:
        expiry = api_token_default_expiry()
    elif isinstance(expires_at, datetime):
        expiry = expires_at
    else:
        raise ValueError(f"expires_at={expires_at!r}: a datetime, None (the default lifetime) or NEVER")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(key), prefix=key[:8], expires_at=expiry
    )
    return token, key


def api_token_authenticate(*, key: str) -> User | None:
    """The active user a token key belongs to, or None (unknown, expired, or the user is inactive)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first()
    if token is None or token.is_expired() or not token.user.is_active:
        return None
    now = timezone.now()
    # Recording every use would make each API read a write; once a minute is enough to see a stale token.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
