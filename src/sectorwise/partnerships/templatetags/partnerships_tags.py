"""Template filters of the registry's pages."""

from __future__ import annotations

from django import template

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
