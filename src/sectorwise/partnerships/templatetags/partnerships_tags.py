"""Template filters of the registry's pages."""

from __future__ import annotations

from functools import cache

from django import template
from django.urls import get_script_prefix, reverse

from sectorwise.partnerships.naics_titles import naics_title as _naics_title

register = template.Library()


@register.filter
def naics_title(code: str) -> str:
    return _naics_title(str(code)) if code else ""


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """0.4167 -> '42%'; None -> 'unknown'."""
    if value is None:
        return "unknown"
    return f"{value * 100:.{int(digits)}f}%"


# Links in long tables: `{% url %}` resolves the pattern on every row (a large share of a 50-row page's time),
# so the detail URLs are reversed once per script prefix and filled in with the id.
_SENTINEL = 2_147_483_647


@cache
def _detail_url_parts(name: str, script_prefix: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_SENTINEL]).partition(str(_SENTINEL))
    return head, tail


def _detail_url(name: str, pk: int) -> str:
    head, tail = _detail_url_parts(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


@register.filter
def partnership_url(pk: int) -> str:
    """``{{ pk|partnership_url }}``: the partnership's detail URL."""
    return _detail_url("partnerships:partnership_detail", pk)


@register.filter
def organization_url(pk: int) -> str:
    """``{{ pk|organization_url }}``: the organisation's detail URL."""
    return _detail_url("partnerships:organization_detail", pk)
