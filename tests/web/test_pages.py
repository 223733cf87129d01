"""The registry's pages: what each shows, forms that validate, conveners limited to their partnerships."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sectorwise.directory.models import Organization
from sectorwise.partnerships.models import Membership, MembershipRole, SectorPartnership, Stage
from tests.web.directory.factories import EmployerFactory
from tests.web.partnerships.factories import PartnershipFactory, RegionFactory
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_dashboard_counts_and_map_spec(personas: Personas) -> None:
    response = client_for(personas.viewer).get(reverse("partnerships:dashboard"))
    assert response.status_code == 200
    assert response.context["totals"]["partnerships"] == 2
    stages = {stage: count for _, stage, count in response.context["by_stage"]}
    assert stages[Stage.PLANNING] == 2 and stages[Stage.SUSTAINING] == 0
    spec = response.context["map_spec"]
    assert spec["data"]["url"].endswith("us-atlas/counties-10m.json")
    assert b'id="county-map-spec"' in response.content
    assert b"vega-embed/vega-embed.min.js" in response.content


def test_dashboard_lists_a_conveners_own_partnerships(personas: Personas) -> None:
    response = client_for(personas.convener_a).get(reverse("partnerships:dashboard"))
    assert [p.pk for p in response.context["my_partnerships"]] == [personas.partnership_a.pk]


def test_the_public_list_hides_links_to_internal_pages(personas: Personas) -> None:
    response = Client().get(reverse("partnerships:partnership_list"))
    assert response.status_code == 200
    assert personas.partnership_a.name in response.content.decode()
    assert (
        reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk])
        not in response.content.decode()
    )
    assert "alice@lakeaero.example" not in response.content.decode()


def test_list_filters_and_search(personas: Personas) -> None:
    client = client_for(personas.staff)
    url = reverse("partnerships:partnership_list")
    assert list(client.get(url, {"industry": "62"}).context["page"].object_list) == [personas.partnership_b]
    assert list(client.get(url, {"q": "aerospace"}).context["page"].object_list) == [personas.partnership_a]
    assert client.get(url, {"stage": Stage.SUSTAINING}).context["page"].paginator.count == 0
    region = personas.partnership_b.region_id
    assert list(client.get(url, {"region": region}).context["page"].object_list) == [personas.partnership_b]
    # A bad filter value is ignored rather than failing the page.
    lenient = client.get(url, {"stage": "nonsense", "industry": "x"})
    assert lenient.context["page"].paginator.count == 2
    assert 'id="id_industry-error"' in lenient.content.decode()  # ...but the bad code is pointed out


def test_htmx_filter_requests_get_only_the_results(personas: Personas) -> None:
    response = client_for(personas.staff).get(
        reverse("partnerships:partnership_list"),
        {"q": "health"},
        headers={"HX-Request": "true", "HX-Target": "partnership-results"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="partnership-results"')
    assert "<html" not in body
    assert personas.partnership_b.name in body and personas.partnership_a.name not in body


def test_list_paginates(personas: Personas) -> None:
    region = RegionFactory()
    for number in range(30):
        PartnershipFactory(name=f"Zeta {number:02d}", region=region)
    response = client_for(personas.staff).get(
        reverse("partnerships:partnership_list"), {"q": "Zeta", "page": 2}
    )
    page = response.context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 5
    assert "Page 2 of 2" in response.content.decode()


def test_detail_shows_members_health_and_lmi_not_loaded(personas: Personas) -> None:
    response = client_for(personas.reviewer).get(
        reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk])
    )
    body = response.content.decode()
    assert "Lake Aero Parts" in body
    assert response.context["health"].has_employer_cochair
    assert response.context["profile"] is None
    assert "Labor-market data: not loaded" in body
    assert "Edit partnership" not in body  # a reviewer reads only


def test_convener_edits_its_own_partnership(personas: Personas) -> None:
    client = client_for(personas.convener_a)
    url = reverse("partnerships:partnership_edit", args=[personas.partnership_a.pk])
    form = client.get(url).context["form"]
    assert form.fields["convener"].disabled
    response = client.post(
        url,
        {
            "name": "Champlain Aerospace and Defense Partnership",
            "region": personas.partnership_a.region_id,
            "convener": personas.board_b.pk,  # ignored: conveners cannot hand the partnership over
            "target_naics": "3364, 3329",
            "stage": Stage.IMPLEMENTATION,
            "stage_since": "2026-03-01",
            "goals": "Train 40 machinists a year.",
        },
    )
    assert response.status_code == 302
    partnership = SectorPartnership.objects.get(pk=personas.partnership_a.pk)
    assert partnership.name == "Champlain Aerospace and Defense Partnership"
    assert partnership.convener == personas.board_a
    assert partnership.stage == Stage.IMPLEMENTATION
    assert partnership.implementation_since == dt.date(2026, 3, 1)
    assert partnership.target_naics_codes == ["3329", "3364"]
    assert (
        client.get(reverse("partnerships:partnership_edit", args=[personas.partnership_b.pk])).status_code
        == 403
    )


def test_partnership_form_reports_each_bad_field(personas: Personas) -> None:
    response = client_for(personas.staff).post(
        reverse("partnerships:partnership_create"),
        {
            "name": "",
            "region": "",
            "convener": personas.employer_a.pk,
            "target_naics": "33x",
            "stage": "later",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "region", "convener", "target_naics", "stage"}
    body = response.content.decode()
    assert (
        'aria-invalid="true"' in body
        and 'aria-describedby="id_target_naics-hint id_target_naics-error"' in body
    )


def test_staff_create_a_partnership_whose_convener_becomes_a_member(personas: Personas) -> None:
    response = client_for(personas.staff).post(
        reverse("partnerships:partnership_create"),
        {
            "name": "Lakeshore Logistics",
            "region": personas.partnership_a.region_id,
            "convener": personas.board_b.pk,
            "target_naics": "484",
            "stage": Stage.EXPLORING,
        },
    )
    partnership = SectorPartnership.objects.get(name="Lakeshore Logistics")
    assert response["Location"] == reverse("partnerships:partnership_detail", args=[partnership.pk])
    assert partnership.memberships.get().role == MembershipRole.CONVENER


def test_membership_add_search_and_remove(personas: Personas) -> None:
    client = client_for(personas.convener_a)
    EmployerFactory(name="Precision Castings")
    url = reverse("partnerships:membership_add", args=[personas.partnership_a.pk])
    search = client.get(url, {"q": "castings"}, headers={"HX-Request": "true"})
    assert [o.name for o in search.context["matches"]] == ["Precision Castings"]
    assert "<html" not in search.content.decode()
    # Existing members are not offered again.
    assert client.get(url, {"q": "Lake Aero"}).context["matches"] == []
    castings = Organization.objects.get(name="Precision Castings")
    response = client.post(url, {"organization": castings.pk, "role": MembershipRole.EMPLOYER_MEMBER})
    assert response.status_code == 302
    membership = Membership.objects.get(partnership=personas.partnership_a, organization=castings)
    # A community organisation cannot take an employer role: the service's rule shows on the form.
    community = Organization.objects.create(name="Neighbors United", type="community")
    refused = client.post(url, {"organization": community.pk, "role": MembershipRole.EMPLOYER_CHAMPION})
    assert "not an employer" in refused.content.decode()
    remove = reverse("partnerships:membership_remove", args=[personas.partnership_a.pk, membership.pk])
    assert client.post(remove).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # Another partnership's membership through this partnership's URL: not found.
    other = reverse(
        "partnerships:membership_remove", args=[personas.partnership_a.pk, personas.membership_b.pk]
    )
    assert client.post(other).status_code == 404


def test_the_convener_cannot_be_removed(personas: Personas) -> None:
    convener_membership = Membership.objects.get(
        partnership=personas.partnership_a, organization=personas.board_a
    )
    url = reverse("partnerships:membership_remove", args=[personas.partnership_a.pk, convener_membership.pk])
    response = client_for(personas.staff).post(url)
    assert response.status_code == 200
    assert "cannot leave" in response.content.decode()


def test_organization_pages(personas: Personas) -> None:
    client = client_for(personas.staff)
    listing = client.get(reverse("partnerships:organization_list"), {"q": "lake"})
    assert [o.name for o in listing.context["page"].object_list] == ["Lake Aero Parts"]
    detail = client.get(reverse("partnerships:organization_detail", args=[personas.employer_a.pk]))
    body = detail.content.decode()
    assert "Aircraft Manufacturing (336411)" in body
    assert "Alice Aldridge" in body and "alice@lakeaero.example" in body
    edit = reverse("partnerships:organization_edit", args=[personas.employer_a.pk])
    bad = client.post(
        edit, {"name": "Lake Aero Parts", "type": "employer", "county_fips": "5007", "email": "x"}
    )
    assert set(bad.context["form"].errors) == {"county_fips", "email"}
    good = client.post(edit, {"name": "Lake Aero Parts LLC", "type": "employer", "county_fips": "50007"})
    assert good.status_code == 302
    assert Organization.objects.get(pk=personas.employer_a.pk).name == "Lake Aero Parts LLC"


def test_conveners_add_organizations_but_do_not_edit_them(personas: Personas) -> None:
    client = client_for(personas.convener_a)
    response = client.post(
        reverse("partnerships:organization_create"),
        {"name": "Valley Tech Center", "type": "education_training"},
    )
    assert response.status_code == 302
    created = Organization.objects.get(name="Valley Tech Center")
    assert client.get(reverse("partnerships:organization_edit", args=[created.pk])).status_code == 403


def test_history_shows_who_changed_what(personas: Personas) -> None:
    client = client_for(personas.staff)
    client.post(
        reverse("partnerships:partnership_edit", args=[personas.partnership_b.pk]),
        {
            "name": personas.partnership_b.name,
            "region": personas.partnership_b.region_id,
            "convener": personas.board_b.pk,
            "target_naics": "62",
            "stage": Stage.SUSTAINING,
        },
    )
    response = client.get(reverse("partnerships:partnership_history", args=[personas.partnership_b.pk]))
    entries = response.context["entries"]
    changed = next(entry for entry in entries if entry.action == "Changed")
    assert changed.who == "staff"
    assert ("stage", "Planning", "Sustaining") in changed.changes
    assert any(entry.subject == "Member: Northern Clinic" for entry in entries)


def test_a_sector_filter_covers_every_code_of_the_sector(personas: Personas) -> None:
    plastics = PartnershipFactory(name="Plastics Works", target_naics=["3261"])
    url = reverse("partnerships:partnership_list")
    client = client_for(personas.staff)
    for code in ("31", "31-33", "32"):  # two digits of a range sector mean the whole sector
        shown = set(client.get(url, {"industry": code}).context["page"].object_list)
        assert shown == {plastics, personas.partnership_a}, code  # 3261 and 3364
    assert list(client.get(url, {"industry": "326"}).context["page"].object_list) == [plastics]
    # The dashboard's sector links use the sector code and land on the same partnerships.
    dashboard = client.get(reverse("partnerships:dashboard")).content.decode()
    assert "?industry=31-33" in dashboard
