"""Who may manage which user and API token, in the shared table (``sectorwise.core.rules``).

The rank rules themselves (administrators above program staff above everyone else; ranks from the stored
role) are ``accounts.selectors``'; the services enforce them on every write and the admin asks this table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q

from sectorwise.accounts.selectors import (
    ADMIN_RANK,
    STAFF_RANK,
    actor_rank,
    api_token_may_revoke,
    api_tokens_scope,
    user_may_change,
    user_may_set_password,
)
from sectorwise.core.rules import Check, register


class AccountAction(StrEnum):
    VIEW_USERS = "view_users"
    CHANGE_USER = "change_user"
    """About one user (None: a user being added)."""
    SET_PASSWORD = "set_password"
    """About one user: set their password without knowing it."""
    VIEW_TOKENS = "view_tokens"
    CHANGE_TOKEN = "change_token"
    """About one API token: its name and expiry (never its user)."""
    REVOKE_TOKEN = "revoke_token"
    """About one API token."""


manages_users = Check(lambda actor, _: actor_rank(actor) >= STAFF_RANK, "manages_users")


def _everyone(_: Any) -> Q:
    return Q()


register(AccountAction.VIEW_USERS, manages_users, scope=_everyone)
register(
    AccountAction.CHANGE_USER,
    Check(lambda actor, user: user_may_change(actor=actor, user=user), "user_may_change"),
    about_object=True,
    ever=manages_users,
)
register(
    AccountAction.SET_PASSWORD,
    Check(lambda actor, user: user_may_set_password(actor=actor, user=user), "user_may_set_password"),
    about_object=True,
    ever=manages_users,
)
register(AccountAction.VIEW_TOKENS, manages_users, scope=lambda actor: api_tokens_scope(actor=actor))
register(
    AccountAction.CHANGE_TOKEN,
    # Administrators edit any token's name and expiry; staff only their own (they may revoke more).
    Check(
        lambda actor, token: (
            actor_rank(actor) >= ADMIN_RANK or (actor_rank(actor) >= STAFF_RANK and token.user_id == actor.pk)
        ),
        "admin_or_own_token",
    ),
    about_object=True,
    ever=manages_users,
)
register(
    AccountAction.REVOKE_TOKEN,
    Check(lambda actor, token: api_token_may_revoke(actor=actor, token=token), "api_token_may_revoke"),
    about_object=True,
    ever=manages_users,
)
