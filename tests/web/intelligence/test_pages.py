"""The intelligence pages on the synthetic demo warehouse (built once for the module, ~15 s): the region
explorer's profile against the library's own measures, the ranking moving with its weights, the assessment
download, and the notes when the warehouse is missing or unreadable."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rich.console import Console

from sectorwise.demo.lmi_demo import prepare_demo_lmi
from sectorwise.intelligence import selectors
from sectorwise.lmi import warehouse
from sectorwise.lmi.filled import analysis_table
from sectorwise.lmi.measures import annual_measures
from sectorwise.lmi.regions import Region as LmiRegion
from sectorwise.partnerships.models import Region, RegionCounty
from tests.web.personas import Personas

COUNTIES = ("91001", "91003")


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_demo_lmi(
        data_dir=tmp_path_factory.mktemp("intelligence-demo"), console=Console(quiet=True)
    )


@pytest.fixture
def lmi(demo_warehouse: Path) -> Iterator[Path]:
    selectors.clear_caches()
    with override_settings(SECTORWISE_WAREHOUSE=demo_warehouse):
        yield demo_warehouse
    selectors.clear_caches()


def _client(personas: Personas, persona: str = "outsider") -> Client:
    client = Client()
    user = personas.user(persona)
    if user is not None:
        client.force_login(user)
    return client


def _counties_query(level: str, **extra: str) -> dict[str, object]:
    return {"counties": list(COUNTIES), "level": level, **extra}


@pytest.mark.django_db
def test_the_profile_shows_the_library_figures_with_both_lqs(personas: Personas, lmi: Path) -> None:
    response = _client(personas).get(reverse("intelligence:explorer"), _counties_query("sector"))
    assert response.status_code == 200
    profile = response.context["profile"]
    assert isinstance(profile, selectors.RegionProfile)
    assert (profile.state, profile.nation) == ("91000", "US000")
    con = warehouse.connect(lmi, read_only=True)
    try:
        expected = (
            annual_measures(
                analysis_table(con, annual=True, estimate=True),
                year=profile.year,
                reference="91000",
                areas=[],
                ownerships=[5],
                regions=[LmiRegion(name="2 counties", counties=COUNTIES)],
            )
            .to_pyarrow()
            .to_pylist()
        )
    finally:
        con.disconnect()
    by_code = {row["industry_code"]: row for row in expected if row["agglvl_code"] == 74}
    assert {row.code for row in profile.rows} == set(by_code)
    for row in profile.rows:
        if row.employment is not None:
            assert row.employment == round(by_code[row.code]["annual_avg_emplvl"])
            assert row.lq_state == pytest.approx(by_code[row.code]["lq_annual_avg_emplvl"])
    assert [row.employment or 0 for row in profile.rows] == sorted(
        (row.employment or 0 for row in profile.rows), reverse=True
    )
    body = response.content.decode()
    assert "region-map-spec" in body and "region-bars-spec" in body
    assert "Esteban-Marquillas" in body and profile.shift_share
    # Classic components add up to the actual change.
    for share in profile.shift_share:
        if not share.incomplete:
            parts = share.national_growth + share.industry_mix + share.competitive_effect
            assert parts == pytest.approx(share.actual_change, abs=1e-6)


@pytest.mark.django_db
def test_a_withheld_cell_is_shown_as_withheld_never_as_zero(personas: Personas, lmi: Path) -> None:
    response = _client(personas).get(reverse("intelligence:explorer"), _counties_query("naics6"))
    profile = response.context["profile"]
    withheld = [row for row in profile.rows if row.employment is None]
    assert withheld, "the demo suppresses some six-digit cells"
    body = response.content.decode()
    assert body.count(">withheld<") >= len(withheld)


@pytest.mark.django_db
def test_a_registry_region_is_explored_like_its_counties(personas: Personas, lmi: Path) -> None:
    region = Region.objects.create(name="Alder test region")
    RegionCounty.objects.bulk_create(RegionCounty(region=region, county_fips=c) for c in COUNTIES)
    client = _client(personas, "viewer")
    by_region = client.get(reverse("intelligence:explorer"), {"region": f"registry:{region.pk}"})
    by_counties = client.get(reverse("intelligence:explorer"), _counties_query("sector"))
    assert by_region.context["region"].counties == COUNTIES
    assert [r.employment for r in by_region.context["profile"].rows] == [
        r.employment for r in by_counties.context["profile"].rows
    ]


@pytest.mark.django_db
def test_moving_a_weight_reranks_and_the_page_explains_each_score(personas: Personas, lmi: Path) -> None:
    client = _client(personas)
    url = reverse("intelligence:ranking")
    default = client.get(url, _counties_query("naics4"))
    assert default.status_code == 200
    ranked = default.context["ranked"]
    assert ranked and default.context["not_ranked"]
    assert all(row["reason"] for row in default.context["not_ranked"])
    # Each score is the sum of its indicators' contributions.
    for row in ranked:
        assert sum(part["contribution"] for part in row["explanation"]) == pytest.approx(row["score"])
    assert any("Cluster Mapping" in note for note in default.context["notes"])
    assert "cluster_strength" not in default.context["result"].indicators_used
    assert len(default.context["sensitivity"]) == 2 * len(default.context["result"].indicators_used)
    only_size = {f"w_{key}": "0" for key in ("lq", "growth", "competitive_effect", "wage_ratio")}
    moved = client.get(
        url,
        _counties_query("naics4", w_size="1", **only_size),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ranking-results",
    )
    assert moved.status_code == 200
    assert next(t.name for t in moved.templates) == "intelligence/_ranking_results.html"
    by_size = [row["code"] for row in moved.context["ranked"]]
    employment = {row["code"]: row["employment"] for row in moved.context["ranked"]}
    assert by_size != [row["code"] for row in ranked]
    assert employment[by_size[0]] == max(employment.values())


@pytest.mark.django_db
def test_all_weights_zero_is_refused_on_the_form(personas: Personas, lmi: Path) -> None:
    zero = {f"w_{key}": "0" for key in selectors.default_weights()}
    response = _client(personas).get(reverse("intelligence:ranking"), _counties_query("naics4", **zero))
    assert "Give at least one indicator a weight above zero." in response.content.decode()
    assert "ranked" not in response.context


@pytest.mark.django_db
def test_the_assessment_downloads_as_the_library_writes_it(personas: Personas, lmi: Path) -> None:
    client = _client(personas)
    url = reverse("intelligence:assessment")
    workbook = client.get(url, _counties_query("naics4", format="xlsx"))
    assert workbook.status_code == 200
    assert workbook["Content-Disposition"].startswith('attachment; filename="assessment-')
    sheets = openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert {"Ranking", "Explanation", "Sensitivity", "Not ranked", "Candidates"} <= set(sheets)
    page = client.get(url, _counties_query("naics4", format="html"))
    assert page["Content-Type"].startswith("text/html")
    assert page["Content-Disposition"].endswith('.html"')
    assert b"vegaEmbed" in page.content


@pytest.mark.django_db
def test_without_a_warehouse_each_page_says_so(personas: Personas) -> None:
    client = _client(personas)
    explorer = client.get(reverse("intelligence:explorer"), _counties_query("sector"))
    ranking = client.get(reverse("intelligence:ranking"), _counties_query("naics4"))
    assessment = client.get(reverse("intelligence:assessment"), _counties_query("naics4", format="xlsx"))
    for response in (explorer, ranking, assessment):
        assert response.status_code == 200
        assert "No labor-market data is loaded yet" in response.content.decode()


@pytest.mark.django_db
def test_an_unreadable_warehouse_gives_a_note_not_a_500(personas: Personas, tmp_path: Path) -> None:
    damaged = tmp_path / "warehouse.duckdb"
    damaged.write_bytes(b"not a duckdb file" * 100)
    selectors.clear_caches()
    with override_settings(SECTORWISE_WAREHOUSE=damaged):
        client = _client(personas)
        explorer = client.get(reverse("intelligence:explorer"), _counties_query("sector"))
        ranking = client.get(reverse("intelligence:ranking"), _counties_query("naics4"))
    for response in (explorer, ranking):
        assert response.status_code == 200
        assert "being updated or is not available" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_only_where_the_state_opens_lmi(personas: Personas) -> None:
    url = reverse("intelligence:explorer")
    assert Client().get(url).status_code == 302
    with override_settings(SECTORWISE_PUBLIC_LMI=True):
        response = Client().get(url)
        assert response.status_code == 200
        assert b'href="/intelligence/ranking/"' in response.content  # the menu shows the pages too


@pytest.mark.django_db
def test_a_link_naming_only_the_region_shows_the_default_weights(personas: Personas, lmi: Path) -> None:
    response = _client(personas).get(reverse("intelligence:ranking"), _counties_query("naics4"))
    form = response.context["form"]
    assert {field.name: field.value() for field in form.weight_fields()} == {
        f"w_{key}": f"{weight:g}" for key, weight in selectors.default_weights().items()
    }


@pytest.mark.django_db
def test_the_assessment_downloads_as_a_pdf_of_its_html(personas: Personas, lmi: Path) -> None:
    response = _client(personas).get(
        reverse("intelligence:assessment"), _counties_query("naics4", format="pdf")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('-naics4.pdf"')
    objects = _pdf_objects(response.content)
    # The PDF's title and its outline (the HTML's headings) are those of the HTML assessment.
    assert b"/Title (Industry assessment: 2 counties)" in objects
    assert b"/Title (Data sources and vintages)" in objects
    assert (
        objects.count(b"/Type /Page\n") + objects.count(b"/Type /Page/") + objects.count(b"/Type /Page>") >= 1
    )


def _pdf_objects(pdf: bytes) -> bytes:
    """A PDF's bytes with its compressed streams (object streams included) inflated."""
    import re
    import zlib

    assert pdf.startswith(b"%PDF")
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _partnership_in_demo_counties(personas: Personas) -> object:
    partnership = personas.partnership_a
    region = Region.objects.create(name="Alder partnership region")
    RegionCounty.objects.bulk_create(RegionCounty(region=region, county_fips=c) for c in COUNTIES)
    partnership.region = region
    partnership.save()
    partnership.target_industries.all().delete()
    partnership.target_industries.create(naics_code="3118")
    partnership.target_industries.create(naics_code="6221")
    return partnership


@pytest.mark.django_db
def test_a_convener_attaches_the_assessment_and_downloads_it_with_its_vintage(
    personas: Personas, lmi: Path
) -> None:
    from sectorwise.intelligence.models import PartnershipAssessment

    partnership = _partnership_in_demo_counties(personas)
    convener = _client(personas, "convener_a")
    page = reverse("partnerships:partnership_detail", args=[personas.partnership_a.pk])
    assert "No industry assessment is stored" in convener.get(page).content.decode()
    response = convener.post(reverse("intelligence:attach_assessment", args=[personas.partnership_a.pk]))
    assert response.status_code == 302
    stored = PartnershipAssessment.objects.get(partnership=partnership)
    assert stored.level == "naics4" and stored.target_industries == ["3118", "6221"]
    assert list(stored.counties) == list(COUNTIES)
    assert stored.vintage.startswith("QCEW ") and "warehouse loaded" in stored.vintage
    assert stored.created_by == personas.user("convener_a")
    listed = convener.get(page).content.decode()
    assert stored.vintage in listed and stored.created_at.strftime("%Y-%m-%d") in listed
    for fmt, magic in (("html", b"<!doctype html>"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        download = convener.get(
            reverse("intelligence:stored_assessment", args=[personas.partnership_a.pk, stored.pk, fmt])
        )
        assert download.status_code == 200 and download.content.startswith(magic)
        assert download.content == stored.file(fmt)
    # The targets' ranks are in the notes (3118 is a demo industry; 6221 has no demo employment).
    html = stored.file("html").decode()
    assert "The partnership&#x27;s target industries: 3118 " in html or "target industries: 3118 " in html
    # Another partnership's convener, a reviewer and a viewer neither see the panel nor download.
    for persona in ("convener_b", "reviewer", "viewer"):
        other = _client(personas, persona)
        assert "Industry assessments" not in other.get(page).content.decode()
        url = reverse("intelligence:stored_assessment", args=[personas.partnership_a.pk, stored.pk, "pdf"])
        assert other.get(url).status_code == 403
    # State staff see it too.
    assert stored.vintage in _client(personas, "staff").get(page).content.decode()


@pytest.mark.django_db
def test_attaching_without_data_says_why_and_stores_nothing(personas: Personas) -> None:
    from sectorwise.intelligence.models import PartnershipAssessment

    _partnership_in_demo_counties(personas)
    client = _client(personas, "staff")
    response = client.post(
        reverse("intelligence:attach_assessment", args=[personas.partnership_a.pk]), follow=True
    )
    assert response.status_code == 200
    assert "could not be generated" in response.content.decode()
    assert not PartnershipAssessment.objects.exists()


@pytest.mark.django_db
def test_the_clusters_page_gives_the_strong_cluster_test(personas: Personas, lmi: Path) -> None:
    from tests.conftest import shared_data_path

    client = _client(personas)
    url = reverse("intelligence:clusters")
    without = client.get(url, _counties_query("sector"))
    assert "Clusters need the U.S. Cluster Mapping Project definitions" in without.content.decode()
    catalog = shared_data_path("clusters", "cmp_cluster_meta_2015.json")
    with override_settings(SECTORWISE_CLUSTERS=catalog):
        response = client.get(url, _counties_query("sector"))
    profile = response.context["clusters"]
    assert isinstance(profile, selectors.ClusterProfile)
    rows = profile.rows
    assert rows and all(row["establishments"] > 0 for row in rows)
    # strong <=> all four criteria; strong clusters first, then by employment.
    assert all(row["strong"] == (row["criteria_met"] == 4) for row in rows)
    keys = [(not row["strong"], -row["employment"]) for row in rows]
    assert keys == sorted(keys)
    # The peers are the state's loaded counties; the region's cluster jobs are within its private total.
    con = warehouse.connect(lmi, read_only=True)
    try:
        counties = con.con.execute(
            "SELECT count(DISTINCT area_fips) FROM qcew_annual WHERE area_fips LIKE '91%' "
            "AND area_fips NOT IN ('91000', '91999') AND year = ?",
            [profile.year],
        ).fetchone()
        private = con.con.execute(
            "SELECT sum(annual_avg_emplvl) FROM qcew_annual WHERE area_fips IN ('91001', '91003') "
            "AND own_code = 5 AND industry_code = '10' AND year = ?",
            [profile.year],
        ).fetchone()
    finally:
        con.disconnect()
    assert counties is not None and profile.peers == counties[0] + 1
    assert private is not None and sum(row["employment"] for row in rows) <= private[0]


@pytest.mark.django_db
def test_the_occupations_page_applies_national_staffing_to_the_regions_industries(
    personas: Personas, lmi: Path
) -> None:
    from tests.conftest import shared_data_path

    client = _client(personas)
    url = reverse("intelligence:occupations")
    without = client.get(url, _counties_query("sector", industries="3118"))
    assert "Occupations need BLS&#x27;s OEWS files" in without.content.decode()
    with override_settings(SECTORWISE_OEWS=shared_data_path("oews")):
        response = client.get(url, _counties_query("sector", industries="3118"))
        unknown = client.get(url, _counties_query("sector", industries="9999"))
        default = client.get(url, _counties_query("sector"))
    profile = response.context["occupations"]
    assert isinstance(profile, selectors.OccupationProfile), getattr(profile, "note", "")
    assert profile.industries == ("3118",)
    shares = [row["share_of_targets"] for row in profile.rows]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1 + 1e-9
    # Bakeries employ bakers first; the demo state (FIPS 91) has no OEWS wages of its own: national ones.
    assert "Bakers" in profile.rows[0]["occupation_title"]
    assert profile.wage_area == "national"
    assert profile.notes[0].startswith("Data mix: occupations and their wages are OEWS May 2025")
    assert "has no private employment" in unknown.content.decode()
    assert len(default.context["occupations"].industries) == 3
