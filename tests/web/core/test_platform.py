"""The shared pieces every app uses (issue 10, item 4): navigation contributed by apps, history pages,
USWDS form rendering, the API's refusal shape and page size cap."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sectorwise.core import api as core_api
from sectorwise.core.api import CappedLimitOffsetPagination
from sectorwise.core.forms import UswdsForm
from sectorwise.core.history import history_entries, history_records
from sectorwise.core.navigation import NavItem, nav_items_for
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Organization
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


MenuEntry = str | tuple[str, list[str]]

_MENU_TOKEN = re.compile(
    r'<li class="usa-nav__primary-item"><a [^>]*><span>(?P<top>[^<]+)</span>'
    r'|<button type="button" class="usa-accordion__button[^>]*><span>(?P<group>[^<]+)</span>'
    r'|<li class="usa-nav__submenu-item"><a [^>]*><span>(?P<item>[^<]+)</span>'
)


def _menu(html: str) -> list[MenuEntry]:
    """The primary menu as shown: top-level labels, and (group, [its labels]) for each drop-down."""
    nav = html[html.index('<ul class="usa-nav__primary') : html.index("</nav>")]
    menu: list[MenuEntry] = []
    for token in _MENU_TOKEN.finditer(nav):
        if token["top"]:
            menu.append(token["top"])
        elif token["group"]:
            menu.append((token["group"], []))
        else:
            group = menu[-1]
            assert isinstance(group, tuple), f"{token['item']!r} outside a drop-down"
            group[1].append(token["item"])
    return menu


def test_each_persona_sees_the_menu_entries_of_what_it_may_do(personas: Personas) -> None:
    seen = {}
    for name in ("admin", "convener_a", "reviewer", "viewer", "anonymous"):
        client = Client()
        user = personas.user(name)
        if user is not None:
            client.force_login(user)
        seen[name] = _menu(client.get(reverse("partnerships:partnership_list")).content.decode())
    # Top-level entries in INSTALLED_APPS order, then the drop-downs in core.navigation.NAV_GROUPS order.
    registry = ["Dashboard", "Partnerships", "Organizations"]
    find = ("Find", ["Regions", "Target industries"])
    capacity = ["Events", "Technical assistance", "Learning networks", "Resources"]
    assert seen["admin"] == [
        *registry,
        "Import",
        find,
        ("Fund", ["Grants", "Programs", "Funding", "Awards"]),
        ("Build capacity", ["Self-assessments to review", *capacity]),
        ("Prove", ["Import outcomes", "Import wage records", "Outcomes portfolio", "Surveys"]),
        ("Reports", ["Portfolio", "Legislative report", "Public overview"]),
        "Admin",
    ]
    assert seen["convener_a"] == [
        *registry,
        find,
        ("Fund", ["Grants", "Awards"]),
        ("Build capacity", capacity),
        ("Prove", ["Surveys"]),
        ("Reports", ["Public overview"]),
    ]
    assert seen["reviewer"] == [
        *registry,
        find,
        ("Fund", ["Grants"]),
        ("Build capacity", capacity),
        ("Reports", ["Public overview"]),
    ]
    assert seen["viewer"] == [
        *registry,
        find,
        ("Fund", ["Awards"]),
        ("Build capacity", capacity),
        ("Prove", ["Outcomes portfolio", "Surveys"]),
        ("Reports", ["Legislative report", "Public overview"]),
    ]
    assert seen["anonymous"] == [
        "Partnerships",
        ("Build capacity", ["Events", "Resources"]),
        ("Reports", ["Public overview"]),
        "Sign in",
    ]


def test_the_current_page_is_marked_in_the_menu(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.staff)
    html = client.get(reverse("partnerships:organization_list")).content.decode()
    current = re.findall(r'usa-current" href="([^"]+)" aria-current="page"', html)
    assert current == [reverse("partnerships:organization_list")]
    # In a drop-down, the item and its group's button are both marked.
    html = client.get(reverse("grants:funding_source_list")).content.decode()
    assert re.findall(r'usa-current" href="([^"]+)" aria-current="page"', html) == [
        reverse("grants:funding_source_list")
    ]
    assert re.findall(r'usa-nav__link usa-current"[^>]*><span>([^<]+)</span>', html) == ["Fund"]


def test_an_app_adds_its_menu_entries_from_its_own_config(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new app declares ``nav_items`` on its AppConfig; nothing in core or the base template changes."""
    directory = apps.get_app_config("directory")
    monkeypatch.setattr(
        directory,
        "nav_items",
        (NavItem("People", "partnerships:organization_list", action="admin_site"),),
        raising=False,
    )
    staff = [entry.label for entry in nav_items_for(personas.staff, None)]
    viewer = [entry.label for entry in nav_items_for(personas.viewer, None)]
    assert staff[0] == "People"  # directory comes before partnerships in INSTALLED_APPS
    assert "People" not in viewer


def test_history_entries_show_field_changes_with_choice_labels(personas: Personas) -> None:
    organization = personas.employer_a
    directory_services.organization_update(organization=organization, size_band="9", city="Rutland Test")
    entries = history_entries(history_records(Organization, id=organization.pk), subject="Organization")
    newest = entries[0]
    assert newest.action == "Changed" and newest.subject == "Organization"
    labels = {label for label, _, _ in newest.changes}
    assert "city" in labels
    size = next(change for change in newest.changes if change[0] == "size band")
    assert size[2] == dict(Organization._meta.get_field("size_band").flatchoices)["9"]


def test_a_history_page_renders_the_core_template(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.viewer)
    response = client.get(reverse("partnerships:organization_history", args=[personas.board_a.pk]))
    assert response.status_code == 200
    assert next(template.name for template in response.templates) == "core/history.html"
    assert f"History of {personas.board_a}" in response.content.decode()


class _SampleForm(UswdsForm, forms.Form):
    name = forms.CharField(label="Name", help_text="As people know it.")
    city = forms.CharField(label="City", required=False)


def test_a_whole_form_renders_uswds_groups_through_the_project_renderer() -> None:
    """``{{ form }}`` alone gives labels, hints, errors and ARIA: no app copies a field template."""
    form = _SampleForm(data={"name": "", "city": "Barre"})
    assert not form.is_valid()
    html = str(form)
    assert '<label class="usa-label usa-label--error" for="id_name">Name <abbr title="required"' in html
    assert '<div class="usa-hint" id="id_name-hint">As people know it.</div>' in html
    assert 'class="usa-error-message" id="id_name-error" role="alert">This field is required.</span>' in html
    assert re.search(r'<input[^>]*aria-describedby="id_name-hint id_name-error"', html)
    assert re.search(r'<input[^>]*class="usa-input usa-input--error"', html)
    assert '<label class="usa-label" for="id_city">City</label>' in html  # optional: no asterisk


def test_any_apps_router_gets_the_refusal_shape_and_the_page_size_cap(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A new app's router, mounted on an API with ``core.api.install``, refuses as the registry's does."""
    from ninja import NinjaAPI, Router
    from ninja.pagination import paginate
    from ninja.testing import TestClient

    monkeypatch.setenv("NINJA_SKIP_REGISTRY", "1")
    router = Router()

    @router.post("/grants")
    def grant_create(request: Any, amount: int) -> None:
        raise ValidationError({"amount": ["More than the program's budget."]})

    @router.get("/grants", response=list[int])
    @paginate(CappedLimitOffsetPagination)
    def grant_list(request: Any) -> list[int]:
        return list(range(3))

    api = NinjaAPI(urls_namespace="platform-test")
    api.add_router("", router)
    core_api.install(api, field_aliases={"amount": "amount_usd"})
    client = TestClient(api)
    refused = client.post("/grants?amount=5")
    assert refused.status_code == 422
    assert refused.json() == {
        "message": "amount_usd: More than the program's budget.",
        "fields": {"amount_usd": ["More than the program's budget."]},
    }
    malformed = client.post("/grants?amount=lots")
    assert malformed.status_code == 422 and list(malformed.json()["fields"]) == ["amount"]
    too_many = client.get(f"/grants?limit={settings.SECTORWISE_API_PAGE_SIZE_MAX + 1}")
    assert too_many.status_code == 422 and list(too_many.json()["fields"]) == ["limit"]
    assert client.get("/grants?limit=2").json() == {"items": [0, 1], "count": 3}
