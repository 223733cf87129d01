"""View decorators that apply the rule table (``sectorwise.core.rules``). Every view carries exactly one, so
every URL has a rule.

``permission_rule_of(view)`` reads the rule back; the permission matrix test refuses views without one.

Usage::

    @allow(Action.VIEW_PUBLIC)
    def partnership_list(request): ...

    @allow(PartnershipAction.CHANGE_PARTNERSHIP, load=partnership_for_url)  # load(**url_kwargs) -> object
    def partnership_edit(request, obj, pk): ...  # the loaded object (or Http404) comes second
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from sectorwise.core.rules import user_can, user_may_ever, user_told_missing

RULE_ATTRIBUTE = "sectorwise_permission_rule"


@dataclass(frozen=True)
class PermissionRule:
    action: str
    load: Callable[..., Any] | None


def allow(
    action: str, *, load: Callable[..., Any] | None = None
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Let a request through only when its user may do ``action`` (on the object ``load`` returns).

    Refusals: an anonymous visitor is sent to the login page; a signed-in user gets 403. A user who may not
    do ``action`` to any object is refused before ``load`` runs, so that existing and missing ids answer
    alike (a 404 only for users who could act on such an object: the rule's ``missing``, by default whoever
    may ever act).
    """

    def refuse(request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied

    # HttpResponseBase: class-based views' as_view() and streaming downloads are guarded too.
    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not user_may_ever(user=request.user, action=action):
                return refuse(request)
            try:
                obj = load(**kwargs) if load is not None else None
            except Http404:
                if not user_told_missing(user=request.user, action=action):
                    return refuse(request)
                raise
            if not user_can(user=request.user, action=action, obj=obj):
                return refuse(request)
            if load is not None:
                return view(request, obj, *args, **kwargs)
            return view(request, *args, **kwargs)

        setattr(guarded, RULE_ATTRIBUTE, PermissionRule(action=action, load=load))
        return guarded

    return decorate


def permission_rule_of(view: Callable[..., Any]) -> PermissionRule | None:
    rule: PermissionRule | None = getattr(view, RULE_ATTRIBUTE, None)
    return rule
