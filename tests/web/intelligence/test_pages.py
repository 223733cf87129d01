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
