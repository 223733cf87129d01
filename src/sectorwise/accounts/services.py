"""Writes on accounts: users with a role, API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sectorwise.accounts.models import ApiToken, User, hash_token
from sectorwise.core.roles import STATE_ROLES, Role
from sectorwise.partnerships.models import Organization


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


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key, which is shown once and never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(key), prefix=key[:8], expires_at=expires_at
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
