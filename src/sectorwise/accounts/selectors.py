"""Reads on accounts: who may manage which user and token (the one place the admin and services ask).

The rules:
- only a state administrator (role ``state_admin`` or a superuser) grants or revokes ``is_superuser``,
  ``is_staff``, a state role, Django permissions or groups, and sets another user's password;
- state program staff manage users strictly below them (convener, reviewer, viewer, no role): their names,
  email, activity, organisation and a role below their own. They never edit a user at or above them, and of
  themselves only their names and email (never their own role or flags);
- an API token's user never changes; staff list and revoke the tokens of users below them (and their own).

Ranks come from what is stored (role, ``is_superuser``), not from ``effective_role``, which is None for an
inactive account: otherwise staff could reactivate a disabled administrator.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from sectorwise.accounts.models import ApiToken, User
from sectorwise.core.roles import Role

ADMIN_RANK = 3
STAFF_RANK = 2
_ROLE_RANK = {Role.STATE_ADMIN: ADMIN_RANK, Role.STATE_STAFF: STAFF_RANK}

PRIVILEGE_FIELDS = frozenset({"is_superuser", "is_staff", "role", "groups", "user_permissions"})
"""Fields that change what a user may do (``is_active`` and ``organization`` are below that bar)."""
ADMIN_ONLY_FIELDS = frozenset({"is_superuser", "is_staff", "groups", "user_permissions", "password"})
STAFF_MANAGED_FIELDS = frozenset(
    {"username", "first_name", "last_name", "email", "is_active", "role", "organization"}
)
"""What staff may change on a user below them."""
SELF_FIELDS = frozenset({"first_name", "last_name", "email"})
"""What staff may change on themselves."""


def user_rank(user: Any) -> int:
    """3 state administrator (or superuser), 2 program staff, 1 any other role, 0 none or anonymous."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return 0
    if user.is_superuser:
        return ADMIN_RANK
    if not user.role:
        return 0
    return _ROLE_RANK.get(Role(user.role), 1)


def actor_rank(actor: Any) -> int:
    """The rank an actor acts with: an inactive account acts with none."""
    if actor is None or not getattr(actor, "is_active", False):
        return 0
    return user_rank(actor)


def role_rank(role: str) -> int:
    return _ROLE_RANK.get(Role(role), 1) if role else 0


def user_is_state_admin(actor: Any) -> bool:
    return actor_rank(actor) >= ADMIN_RANK


def user_assignable_roles(*, actor: Any) -> list[str]:
    """The role values ``actor`` may give another user ("" = no role)."""
    rank = actor_rank(actor)
    if rank >= ADMIN_RANK:
        return ["", *Role.values]
    if rank >= STAFF_RANK:
        return ["", *(role.value for role in Role if role_rank(role.value) < rank)]
    return []


def user_editable_fields(*, actor: Any, user: User | None) -> frozenset[str]:
    """The fields ``actor`` may change on ``user`` (None: a user being added)."""
    rank = actor_rank(actor)
    if rank >= ADMIN_RANK:
        return frozenset({*STAFF_MANAGED_FIELDS, *ADMIN_ONLY_FIELDS})
    if rank < STAFF_RANK:
        return frozenset()
    if user is None:
        return STAFF_MANAGED_FIELDS
    if user.pk is not None and user.pk == actor.pk:
        return SELF_FIELDS
    if user_rank(user) >= rank:
        return frozenset()
    return STAFF_MANAGED_FIELDS


def user_may_change(*, actor: Any, user: User | None) -> bool:
    return bool(user_editable_fields(actor=actor, user=user))


def user_may_set_password(*, actor: Any, user: User) -> bool:
    """Administrators set anyone's password; everyone else only their own (knowing it, on their page)."""
    if user_is_state_admin(actor):
        return True
    return actor is not None and actor.is_active and user.pk == actor.pk


def api_tokens_scope(*, actor: Any) -> Q:
    """Administrators see every token; staff their own and those of users below them; others none."""
    rank = actor_rank(actor)
    if rank >= ADMIN_RANK:
        return Q()
    if rank < STAFF_RANK:
        return Q(pk__in=[])
    below = Q(user__is_superuser=False) & ~Q(user__role__in=[Role.STATE_ADMIN, Role.STATE_STAFF])
    return below | Q(user=actor)


def api_tokens_visible_to(*, user: Any) -> QuerySet[ApiToken]:
    """The API tokens ``user`` may list (``accounts.rules``: ``VIEW_TOKENS``)."""
    from sectorwise.accounts.rules import AccountAction
    from sectorwise.core.rules import visible_to

    return visible_to(ApiToken.objects.select_related("user"), user=user, action=AccountAction.VIEW_TOKENS)


def users_visible_to(*, user: Any) -> QuerySet[User]:
    """The users ``user`` may list: every user for state staff (changing one is ``CHANGE_USER``'s rule)."""
    from sectorwise.accounts.rules import AccountAction
    from sectorwise.core.rules import visible_to

    return visible_to(User.objects.all(), user=user, action=AccountAction.VIEW_USERS)


def api_token_may_revoke(*, actor: Any, token: ApiToken) -> bool:
    rank = actor_rank(actor)
    if rank >= ADMIN_RANK:
        return True
    return rank >= STAFF_RANK and (token.user_id == actor.pk or user_rank(token.user) < rank)


def totp_device_confirmed(*, user: Any) -> Any:
    """The user's confirmed TOTP device, or None (two-factor sign-in is off for them)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user is None or not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


SSO_BACKEND = "sectorwise.accounts.oidc.SectorwiseOIDCBackend"


def session_needs_second_factor(request: Any) -> bool:
    """Whether ``SECTORWISE_REQUIRE_2FA_FOR_STAFF`` holds this session back until it is TOTP-verified.

    It applies to state administrators and staff who signed in with a password; a single sign-on session
    relies on the provider's own second factor.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY

    if not settings.SECTORWISE_REQUIRE_2FA_FOR_STAFF:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or actor_rank(user) < STAFF_RANK:
        return False
    if request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


# --- Single sign-on: roles and organisation from the provider's claims ----------------------------


def sso_role_from_claims(*, claims: dict[str, Any]) -> str:
    """The Sectorwise role ``SECTORWISE_OIDC_ROLE_MAP`` gives the claim's values ("" if none maps).

    The claim may hold one value or a list; several mapped values give the highest role. Only the map can
    produce a role, so ``state_admin`` needs an explicit entry, and nothing here can make a superuser.
    """
    from django.conf import settings

    raw = claims.get(settings.SECTORWISE_OIDC_ROLE_CLAIM)
    values = raw if isinstance(raw, list) else [raw] if raw is not None else []
    mapped = [settings.SECTORWISE_OIDC_ROLE_MAP.get(str(value)) for value in values]
    roles = [role for role in mapped if role in Role.values]
    return max(roles, key=role_rank, default="")


def sso_organization_from_claims(*, claims: dict[str, Any]) -> Any:
    """The organisation ``SECTORWISE_OIDC_ORG_CLAIM`` names, by id or exact name; None if unknown."""
    from django.conf import settings

    from sectorwise.directory.models import Organization

    if not settings.SECTORWISE_OIDC_ORG_CLAIM:
        return None
    value = claims.get(settings.SECTORWISE_OIDC_ORG_CLAIM)
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        return Organization.objects.filter(pk=int(text)).first()
    matches = list(Organization.objects.filter(name=text)[:2])
    return matches[0] if len(matches) == 1 else None


def sso_users_for_claims(*, claims: dict[str, Any]) -> QuerySet[User]:
    """The user the provider's ``sub`` belongs to; else, only with ``SECTORWISE_OIDC_MATCH_EMAIL``, the one
    not yet linked user with the claims' verified email (never a superuser or state administrator: a
    provider account with that email must not take over the most powerful accounts)."""
    from django.conf import settings

    subject = str(claims.get("sub") or "")
    if not subject:
        return User.objects.none()
    linked = User.objects.filter(oidc_subject=subject)
    if linked.exists() or not settings.SECTORWISE_OIDC_MATCH_EMAIL:
        return linked
    email = claims.get("email")
    if not email or claims.get("email_verified") is not True:
        return User.objects.none()
    return User.objects.filter(email__iexact=email, oidc_subject__isnull=True, is_superuser=False).exclude(
        role=Role.STATE_ADMIN
    )
