"""The site's navigation, contributed by each app: a new app adds its menu entries in its own folder.

An app's ``AppConfig`` declares ``nav_items = (NavItem("Grants", "grants:grant_list", action="view"), ...)``
and, for its templates, ``template_permissions = {"can_award": "award_grant"}``; the context processors in
``core.context_processors`` show each item to users the permission table (``core.permissions.user_can``)
lets do its action, in the order of ``INSTALLED_APPS``. The admin and sign-in/out entries are the base
template's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.apps import apps
from django.urls import reverse

# ``user_can`` is imported where it is asked: AppConfig modules import ``NavItem`` before the app registry
# is ready, and the permission table imports models.


NAV_GROUPS: Final = ("Find", "Fund", "Build capacity", "Prove", "Reports")
"""The menu's drop-downs in the order of the state's work (find the industries, fund and build the
partnerships, prove the results, report them); an app files its entries under one with ``NavItem.group``.
A group no app fills is not shown; a group name not listed here follows them, in the apps' order."""


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    """Reversed without arguments (``"partnerships:dashboard"``)."""
    action: str | None = None
    """Shown to users who may do this action; None: to everyone."""
    group: str = ""
    """The drop-down it belongs to (one of ``NAV_GROUPS``); empty: a top-level entry."""


@dataclass(frozen=True)
class ShownNavItem:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class ShownNavGroup:
    label: str
    items: tuple[ShownNavItem, ...]

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)


def nav_items_for(user: Any, view_name: str | None) -> list[ShownNavItem | ShownNavGroup]:
    """The entries ``user`` may follow: top-level items in ``INSTALLED_APPS`` order, then the groups in
    ``NAV_GROUPS`` order (each with its items in the apps' order); ``current`` marks the page's entry."""
    from sectorwise.core.permissions import user_can

    top: list[ShownNavItem | ShownNavGroup] = []
    grouped: dict[str, list[ShownNavItem]] = {name: [] for name in NAV_GROUPS}
    for config in apps.get_app_configs():
        for item in getattr(config, "nav_items", ()):
            if item.action is not None and not user_can(user=user, action=item.action):
                continue
            shown = ShownNavItem(item.label, reverse(item.url_name), current=item.url_name == view_name)
            if item.group:
                grouped.setdefault(item.group, []).append(shown)
            else:
                top.append(shown)
    return top + [ShownNavGroup(name, tuple(items)) for name, items in grouped.items() if items]


def template_permissions_for(user: Any) -> dict[str, bool]:
    """Each app's ``template_permissions`` (template variable -> action) answered for ``user``."""
    from sectorwise.core.permissions import user_can

    flags = {}
    for config in apps.get_app_configs():
        for name, action in getattr(config, "template_permissions", {}).items():
            flags[name] = user_can(user=user, action=action)
    return flags


@dataclass(frozen=True)
class PartnershipPanel:
    """A section another app adds to a partnership's page (its applications, surveys, plans, ...)."""

    title: str
    template: str
    """Rendered with ``panel`` (this object) and the page's own context."""
    context: dict[str, Any]


def partnership_panels_for(request: Any, partnership: Any) -> list[PartnershipPanel]:
    """The sections each app adds to ``partnership``'s page, in ``INSTALLED_APPS`` order.

    An app's ``AppConfig`` names its providers as dotted paths, ``partnership_panels =
    ("sectorwise.surveys.panels.demand_panel",)``: functions ``(request, partnership) -> PartnershipPanel |
    None`` that check their own permission rules and return None to show nothing. The registry (a lower
    layer) so never imports the apps above it.
    """
    from django.utils.module_loading import import_string

    panels = []
    for config in apps.get_app_configs():
        for dotted_path in getattr(config, "partnership_panels", ()):
            panel = import_string(dotted_path)(request, partnership)
            if panel is not None:
                panels.append(panel)
    return panels
