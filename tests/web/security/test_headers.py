"""Every response carries the Content-Security-Policy (pages, the API, the admin) with no 'unsafe-inline' or
'unsafe-eval', and no template holds what that policy would refuse: an inline script without the nonce, an
inline event handler or style attribute, a <style> element."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.web.personas import Personas

SRC = Path(__file__).resolve().parents[3] / "src" / "sectorwise"

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}


def _directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/partnerships/", "/accounts/login/", "/api/partnerships", "/api/docs", "/admin/", "/admin/login/"],
)
def test_every_kind_of_response_carries_the_policy(personas: Personas, path: str) -> None:
    client = Client()
    client.force_login(personas.admin)
    response = client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    policy = response.headers["Content-Security-Policy"]
    directives = _directives(policy)
    for name, value in EXPECTED_DIRECTIVES.items():
        assert directives[name] == value, (path, name, directives.get(name))
    for name in ("script-src", "style-src"):
        assert directives[name].split()[0] == "'self'"
        assert all(source == "'self'" or source.startswith("'nonce-") for source in directives[name].split())
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_an_anonymous_api_refusal_carries_the_policy(personas: Personas) -> None:
    response = Client().get("/api/partnerships")
    assert response.status_code == 401
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted(SRC.glob("*/templates/**/*.html"))


def test_templates_hold_nothing_the_policy_refuses() -> None:
    problems: list[str] = []
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{template.relative_to(SRC)}:{number}"
            for attributes in _SCRIPT_TAG.findall(line):
                inline = "src=" not in attributes and "application/json" not in attributes
                if inline and "{{ request.csp_nonce }}" not in attributes:
                    problems.append(f"{where}: inline <script> without nonce")
            if _EVENT_HANDLER.search(line):
                problems.append(f"{where}: inline event handler")
            if _STYLE_ATTRIBUTE.search(line):
                problems.append(f"{where}: style attribute")
            if re.search(r"<style\b", line, re.IGNORECASE) and "{{ request.csp_nonce }}" not in line:
                problems.append(f"{where}: <style> without nonce")
            if "hx-on" in line:
                problems.append(f"{where}: hx-on (htmx evaluates it as script)")
    assert _templates(), "no templates found"
    assert not problems, problems


def test_htmx_is_told_not_to_inject_its_indicator_style() -> None:
    base = (SRC / "core" / "templates" / "core" / "base.html").read_text(encoding="utf-8")
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in base
    css = (SRC / "core" / "static" / "core" / "sectorwise.css").read_text(encoding="utf-8")
    assert ".htmx-indicator" in css
