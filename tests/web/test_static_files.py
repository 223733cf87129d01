"""Every static file a template names is found (in the npm packages or an app), and only built files are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

import sectorwise

TEMPLATE_STATIC = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


def _referenced() -> set[str]:
    package = Path(sectorwise.__file__).parent
    found = {
        match
        for template in package.glob("*/templates/**/*.html")
        for match in TEMPLATE_STATIC.findall(template.read_text(encoding="utf-8"))
    }
    return found | {"us-atlas/counties-10m.json"}  # the dashboard map's geometry, named in Python


def _require_node_modules() -> None:
    if not Path(settings.NODE_MODULES, "@uswds").exists():
        pytest.skip(f"{settings.NODE_MODULES} missing: run `make install`")


@pytest.mark.parametrize("path", sorted(_referenced()))
def test_every_referenced_static_file_exists(path: str) -> None:
    _require_node_modules()
    assert finders.find(path) is not None, f"{path} is not served: see SECTORWISE_STATIC_INCLUDE in settings"


def test_package_sources_and_unused_icons_are_not_served() -> None:
    _require_node_modules()
    assert finders.find("uswds/img/material-icons/add.svg") is None
    assert finders.find("vega-lite/index.d.ts") is None
    assert finders.find("uswds/img/usa-icons/close.svg") is not None
