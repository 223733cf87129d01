"""The U.S. Cluster Mapping Project definitions, read from ../shared/data/clusters in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorwise.lmi.sources.clusters import (
    ClusterCatalog,
    ClusterFileError,
    UnknownClusterError,
    load_clusters,
    repair_mojibake,
)
from tests.conftest import shared_data_path


@pytest.fixture(scope="module")
def catalog() -> ClusterCatalog:
    return load_clusters(shared_data_path("clusters", "cmp_cluster_meta_2015.json"))


@pytest.mark.realdata
def test_the_benchmark_definitions_load_complete(catalog: ClusterCatalog) -> None:
    assert len(catalog) == 67
    assert sum(c.traded for c in catalog) == 51
    assert sum(not c.traded for c in catalog) == 16
    codes = [code for cluster in catalog for code in cluster.naics]
    assert len(codes) == len(set(codes)) == 978
    assert catalog.get("5").name == "Biopharmaceuticals"
    assert set(catalog.get("Biopharmaceuticals").naics) == {"325411", "325412", "325413", "325414"}


@pytest.mark.realdata
def test_damaged_titles_are_repaired(catalog: ClusterCatalog) -> None:
    titles = [t for c in catalog for t in (c.name, *c.naics.values(), *c.sub_clusters.values())]
    assert not [t for t in titles if "\ufffd" in t or "ï¿" in t]
    apparel = catalog.get("Apparel")
    assert apparel.naics["315220"] == "Men's and Boys' Cut and Sew Apparel Manufacturing"
    assert apparel.naics["315240"] == "Women's, Girls', and Infants' Cut and Sew Apparel Manufacturing"
    assert len(catalog.repairs) == 2


@pytest.mark.realdata
def test_related_clusters_and_qcew_aliases(catalog: ClusterCatalog) -> None:
    related = catalog.get("Biopharmaceuticals").related
    assert related[0].code == "10" and related[0].related_percentage == 99.0
    # QCEW writes 238111/238112 for NAICS 238110 (poured concrete contractors).
    mapping = catalog.qcew_naics_to_cluster()
    assert mapping["238111"] == mapping["238110"]
    assert mapping["325412"] == "5"


@pytest.mark.realdata
def test_an_unknown_cluster_gets_a_helpful_error(catalog: ClusterCatalog) -> None:
    with pytest.raises(UnknownClusterError, match=r"unknown cluster 'Biopharma'.*Biopharmaceuticals"):
        catalog.get("Biopharma")
    with pytest.raises(UnknownClusterError, match="unknown cluster '999'"):
        catalog.get("999")


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "clusters.json"
    path.write_text(content, encoding="utf-8")
    return path


MINIMAL = {"cluster_code_t": "5", "name_t": "Bio", "traded_b": True, "naics_2012": {"325412": "Pharma"}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"clusters": [\n{"cluster_code_t": "5",,}]}', r"line 2, column \d+: not valid JSON"),
        ('{"nothing": 1}', "expected a `clusters` array"),
        (json.dumps({"clusters": [{"name_t": "x"}]}), r"clusters\[0\]: missing field 'cluster_code_t'"),
        (
            json.dumps({"clusters": [{**MINIMAL, "naics_2012": {"3254": "x"}}]}),
            "'3254' is not a 6-digit NAICS code",
        ),
        (
            json.dumps({"clusters": [MINIMAL, {**MINIMAL, "cluster_code_t": "6"}]}),
            "NAICS 325412 is in cluster 5",
        ),
        (json.dumps({"clusters": [{**MINIMAL, "traded_b": "yes"}]}), "field traded_b"),
    ],
)
def test_bad_definition_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(ClusterFileError, match=message):
        load_clusters(_write(tmp_path, content))


def test_a_bare_array_also_reads(tmp_path: Path) -> None:
    catalog = load_clusters(_write(tmp_path, json.dumps([MINIMAL])))
    assert catalog.get("bio").code == "5" and catalog.get("5").kind == "traded"


LATIN_LETTERS = st.characters(min_codepoint=0xC0, max_codepoint=0xFF).filter(lambda c: c not in "×÷")


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40))
def test_clean_ascii_titles_are_left_alone(text: str) -> None:
    assert repair_mojibake(text) == text.strip()


@given(st.lists(st.one_of(LATIN_LETTERS, st.sampled_from("abc XYZ")), min_size=1, max_size=30).map("".join))
def test_utf8_read_as_latin1_is_undone(text: str) -> None:
    damaged = text.encode("utf-8").decode("latin-1")
    assert repair_mojibake(damaged) == text.strip()
