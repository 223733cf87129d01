"""Writes on accounts: users with a role, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

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
from sectorwise.directory.models import Organization

if TYPE_CHECKING:
    from django.db.models import CharField

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
    stored._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]  # read by simple-history
    stored._change_reason = reason or "changed"  # type: ignore[attr-defined]  # read by simple-history
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
    user._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]  # read by simple-history
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
    token._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]  # read by simple-history
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


# --- Two-factor sign-in (TOTP, django-otp) -------------------------------------------------------


def totp_device_start(*, user: User) -> Any:
    """The user's TOTP device waiting to be confirmed (a new secret unless one is already waiting).

    It is not used at sign-in until ``totp_device_confirm`` has seen a code from it.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError({"token": "two-factor sign-in is already on: turn it off first"})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, token: str) -> Any:
    """Turn two-factor sign-in on once the app shows a code the waiting device accepts; None if not."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def totp_device_disable(*, user: User, token: str) -> bool:
    """Turn two-factor sign-in off, proven by a current code (a stolen session alone cannot)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
    if device is None or not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True


def totp_verify(*, device: Any, token: str) -> bool:
    """A sign-in code: django-otp refuses a code already used (``last_t``) and throttles failures."""
    verified: bool = device.verify_token(token.strip())
    return verified


# --- Single sign-on -------------------------------------------------------------------------------


def _sso_username(claims: Mapping[str, Any]) -> str:
    import hashlib

    wanted = str(claims.get("preferred_username") or "").strip()[:150]
    if wanted and not User.objects.filter(username__iexact=wanted).exists():
        return wanted
    return "sso-" + hashlib.sha256(str(claims["sub"]).encode()).hexdigest()[:16]


@transaction.atomic
def user_sync_from_sso(*, user: User | None, claims: Mapping[str, Any]) -> User:
    """Create or update the user a provider's claims describe: ``sub`` linked, names and email, and the
    role and organisation the claims map to (``selectors.sso_*``), recorded in the user's history.

    The provider is the authority for a linked user's role: a claim that no longer maps takes the role
    away. ``is_staff`` follows the role; ``is_superuser`` is never granted. A convener without a known
    organisation gets no role (a convener always acts for one, as ``user_create`` insists).
    """
    from sectorwise.accounts.selectors import sso_organization_from_claims, sso_role_from_claims

    claim_dict = dict(claims)
    role = sso_role_from_claims(claims=claim_dict)
    organization = sso_organization_from_claims(claims=claim_dict)
    if role == Role.CONVENER and organization is None:
        role = ""
    fields = ("oidc_subject", "email", "first_name", "last_name", "role", "organization_id", "is_staff")
    before = tuple(getattr(user, field) for field in fields) if user is not None else None
    if user is None:
        user = User(username=_sso_username(claims))
        user.set_unusable_password()
    user.oidc_subject = str(claims["sub"])
    for field, claim in (("email", "email"), ("first_name", "given_name"), ("last_name", "family_name")):
        if claims.get(claim):
            # The name and e-mail fields are CharFields: the cast only tells the stubs so.
            max_length = cast("CharField[Any, Any]", User._meta.get_field(field)).max_length
            setattr(user, field, str(claims[claim])[:max_length])
    user.role = role
    user.organization = organization
    user.is_staff = role in STATE_ROLES or user.is_superuser
    if before == tuple(getattr(user, field) for field in fields):
        return user  # a sign-in that changes nothing adds no history record
    user.full_clean(exclude=["password"])
    user._history_user = None  # type: ignore[attr-defined]  # read by simple-history
    user._change_reason = "single sign-on claims"  # type: ignore[attr-defined]  # read by simple-history
    user.save()
    return user
