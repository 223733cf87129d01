"""The dashboard's figures (counts by stage, sector, region and county, and the map spec), cached briefly.

They are the registry's most expensive page (five aggregate queries over every partnership and membership
and a Vega-Lite spec) and change only when someone writes. Every write through the models (services, forms,
the admin) and the bulk imports drops the cached figures of the process that wrote, at once and again when
the transaction commits; other server processes keep theirs for at most
``SECTORWISE_DASHBOARD_CACHE_SECONDS`` (default 30 s; 0 turns the cache off). Django's default per-process
memory cache holds them: nothing to deploy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from sectorwise.directory.models import Organization
from sectorwise.partnerships.models import Membership, Region, RegionCounty, SectorPartnership, TargetIndustry

CACHE_KEY: Final = "sectorwise:partnerships:dashboard-figures"
COUNTED_MODELS: Final = (SectorPartnership, Organization, Membership, Region, RegionCounty, TargetIndustry)

T = TypeVar("T")


def dashboard_figures_cached(compute: Callable[[], T]) -> T:
    """The cached figures, or ``compute()``'s (then cached) when there are none or the cache is off."""
    seconds: int = getattr(settings, "SECTORWISE_DASHBOARD_CACHE_SECONDS", 30)
    if seconds <= 0:
        return compute()
    figures: T | None = cache.get(CACHE_KEY)
    if figures is None:
        figures = compute()
        cache.set(CACHE_KEY, figures, seconds)
    return figures


def dashboard_figures_changed() -> None:
    """Drop the cached figures now and when the current transaction commits (so that a request between
    the two cannot keep figures read before the commit)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _on_write(sender: Any, **kwargs: Any) -> None:
    dashboard_figures_changed()


def connect_signals() -> None:
    """Called once from the app's ``ready()``."""
    for model in COUNTED_MODELS:
        name = model.__name__
        post_save.connect(_on_write, sender=model, dispatch_uid=f"dashboard-figures-save-{name}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"dashboard-figures-delete-{name}")
