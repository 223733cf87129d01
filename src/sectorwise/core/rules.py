"""The one rule table: "may this user do this (to this record)?", answered the same for pages, the API, the
admin and querysets.

Each app registers the rules of its own actions in its ``rules.py`` (``sectorwise.directory.rules``,
``sectorwise.partnerships.rules``, ...), imported once by ``CoreConfig.ready`` (the way the admin discovers
``admin.py``), so ``core`` knows no app's records. A rule is a ``Check``: a predicate of ``(user, obj)``
built from small checks joined with ``&``, ``|`` and ``~``::

    register(PartnershipAction.CHANGE_PARTNERSHIP,
             has_role(*STATE_ROLES) | (has_role(Role.CONVENER) & is_convener_of),
             about_object=True,
             ever=has_role(*STATE_ROLES) | (has_role(Role.CONVENER) & acts_for_an_organization))

``ever`` (rules about one record) answers "may this user do it to at least one record?", asked before a
record is loaded so that someone who may never act is refused alike for ids that exist and ids that do not.
``scope`` (optional) turns the rule into a queryset filter for the selectors that list records
(``visible_to``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet

from sectorwise.core.roles import Role

Predicate = Callable[[Any, Any], bool]
M = TypeVar("M", bound=Model)


class UnknownAction(LookupError):
    """An action no app registered a rule for (a typo, or an app whose ``rules.py`` was not loaded)."""


class PermissionObjectMissing(TypeError):
    """An action that is about one record was asked without the record."""


def user_role(user: Any) -> Role | None:
    """The role that decides ``user``'s access, None for anonymous visitors and users without a role."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    role: Role | None = user.effective_role
    return role


class Check:
    """A predicate of ``(user, obj)``; ``a & b``, ``a | b`` and ``~a`` make new checks."""

    def __init__(self, test: Predicate, name: str) -> None:
        self.test = test
        self.name = name

    def __call__(self, user: Any, obj: Any = None) -> bool:
        return bool(self.test(user, obj))

    def __and__(self, other: Check) -> Check:
        return Check(lambda user, obj: self(user, obj) and other(user, obj), f"({self.name} & {other.name})")

    def __or__(self, other: Check) -> Check:
        return Check(lambda user, obj: self(user, obj) or other(user, obj), f"({self.name} | {other.name})")

    def __invert__(self) -> Check:
        return Check(lambda user, obj: not self(user, obj), f"~{self.name}")

    def __repr__(self) -> str:
        return f"Check({self.name})"


def check(test: Predicate) -> Check:
    """A function of ``(user, obj)`` as a ``Check`` named after it (decorator)."""
    return Check(test, getattr(test, "__name__", "check"))


always = Check(lambda user, obj: True, "always")
has_a_role = Check(lambda user, obj: user_role(user) is not None, "has_a_role")


def has_role(*roles: Role) -> Check:
    wanted = frozenset(roles)
    return Check(lambda user, obj: user_role(user) in wanted, f"has_role({', '.join(sorted(wanted))})")


@check
def acts_for_an_organization(user: Any, obj: Any) -> bool:
    return getattr(user, "organization_id", None) is not None


@dataclass(frozen=True)
class Rule:
    action: str
    check: Check
    about_object: bool = False
    ever: Check | None = None
    scope: Callable[[Any], Q] | None = None
    missing: Check | None = None
    """Who is told that a missing record is missing (404); others are refused as for an existing record
    they may not touch. None: whoever may ever do the action (right when ``ever`` users may act on every
    record of the kind, wrong where some of them may act only on some: public events, own registrations)."""


_RULES: dict[str, Rule] = {}


def register(
    action: str,
    rule: Check,
    *,
    about_object: bool = False,
    ever: Check | None = None,
    scope: Callable[[Any], Q] | None = None,
    missing: Check | None = None,
) -> Rule:
    """Add ``action``'s rule to the table; an action has one rule, so registering it twice is an error."""
    if action in _RULES:
        raise ValueError(f"{action!r} already has a rule ({_RULES[action].check!r})")
    if about_object and ever is None:
        raise ValueError(f"{action!r} is about one record: say who may ever do it (ever=...)")
    _RULES[action] = entry = Rule(
        action=str(action), check=rule, about_object=about_object, ever=ever, scope=scope, missing=missing
    )
    return entry


def rule_for(action: str) -> Rule:
    try:
        return _RULES[action]
    except KeyError:
        raise UnknownAction(f"no rule for {action!r}; registered: {sorted(_RULES)}") from None


def registered_actions() -> list[str]:
    return sorted(_RULES)


def user_can(*, user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` (to ``obj`` for the actions about one record)."""
    rule = rule_for(action)
    if rule.about_object and obj is None:
        raise PermissionObjectMissing(f"{action} needs the record it is about")
    return rule.check(user, obj)


def user_may_ever(*, user: Any, action: str) -> bool:
    """Whether ``user`` may do ``action`` to at least one record (for actions about no record: whether they
    may do it)."""
    rule = rule_for(action)
    if rule.ever is not None:
        return rule.ever(user, None)
    return rule.check(user, None)


def user_told_missing(*, user: Any, action: str) -> bool:
    """Whether ``user``, asking for a record of ``action`` that does not exist, may learn so (a 404) rather
    than be refused as for one they may not touch (so that ids are not probed)."""
    rule = rule_for(action)
    if rule.missing is not None:
        return rule.missing(user, None)
    return user_may_ever(user=user, action=action)


def visible_to(queryset: QuerySet[M], *, user: Any, action: str) -> QuerySet[M]:
    """The records of ``queryset`` that ``user`` may ``action``: the rule's ``scope`` as a filter, or all
    or none for a rule about no record."""
    rule = rule_for(action)
    if not user_may_ever(user=user, action=action):
        return queryset.none()
    if rule.scope is not None:
        return queryset.filter(rule.scope(user))
    if rule.about_object:
        raise TypeError(f"{action} is about one record and has no scope: it cannot filter a list")
    return queryset
