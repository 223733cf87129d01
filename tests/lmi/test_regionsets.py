"""Region sets: published delineations, the adjusted Rand index, files, the warehouse, named regions."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorwise.lmi.regions import Region
from sectorwise.lmi.regionsets import (
    RegionSet,
    UnknownCountyError,
    UnknownRegionError,
    UnknownRegionSetError,
    adjusted_rand_index,
    compare,
    county_titles,
    load_region_set,
    read_region_set_file,
    states_region_set,
    store_region_set,
    stored_region,
    stored_region_sets,
)
from sectorwise.lmi.sources.delineations import PUBLISHED_KINDS, DelineationFileError, load_published
from sectorwise.lmi.warehouse import ensure_schema, open_duckdb
from tests.conftest import shared_data_path


def _ari_by_pair_counting(a: list[int], b: list[int]) -> float:
    """The textbook definition, pair by pair: an oracle for the contingency-table computation."""
    together_a = [a[i] == a[j] for i, j in itertools.combinations(range(len(a)), 2)]
    together_b = [b[i] == b[j] for i, j in itertools.combinations(range(len(b)), 2)]
    both = sum(x and y for x, y in zip(together_a, together_b, strict=True))
    n_a, n_b, total = sum(together_a), sum(together_b), len(together_a)
    expected = n_a * n_b / total
    maximum = (n_a + n_b) / 2
    return 1.0 if maximum == expected else (both - expected) / (maximum - expected)


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=2, max_size=30))
def test_ari_matches_pair_counting(pairs: list[tuple[int, int]]) -> None:
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    assert adjusted_rand_index(a, b) == pytest.approx(_ari_by_pair_counting(a, b))
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_index(b, a))


def test_ari_known_values() -> None:
    assert adjusted_rand_index([1, 1, 2, 2], ["x", "x", "y", "y"]) == 1.0
    # Hubert & Arabie's index for a worked split: 0.0 expected agreement when independent.
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.24242424)
    with pytest.raises(ValueError, match="same items"):
        adjusted_rand_index([1], [1, 2])


def test_compare_over_common_counties_and_states() -> None:
    a = RegionSet("a", {"50001": "r1", "50003": "r1", "33001": "r2", "33003": "r2", "09001": "r3"})
    b = RegionSet("b", {"50001": "x", "50003": "x", "33001": "y", "33003": "y", "25001": "z"})
    agreement = compare(a, b)
    assert (agreement.ari, agreement.common_counties, agreement.only_in_a, agreement.only_in_b) == (
        1.0,
        4,
        1,
        1,
    )
    assert compare(a, states_region_set(a.counties)).ari == 1.0
    assert agreement.table().column("adjusted_rand_index").to_pylist() == [1.0]
    with pytest.raises(ValueError, match="no county in common"):
        compare(a, RegionSet("c", {"01001": "q"}))


def test_regions_for_the_measures() -> None:
    zones = RegionSet(
        "cz", {"50007": "CZ50007", "50011": "CZ50007", "50005": "CZ50005"}, {"CZ50007": "Burlington"}
    )
    region = zones.to_region("CZ50007")
    # A named region goes by its name, not SET:REGION_ID; an unnamed one keeps SET:REGION_ID.
    assert region == Region(
        name="Burlington", counties=("50007", "50011"), description="Burlington (CZ50007) in cz"
    )
    assert zones.to_region("CZ50005").name == "cz:CZ50005"
    assert zones.region_for_county("50005", name="Northeast Kingdom").counties == ("50005",)
    with pytest.raises(UnknownCountyError, match="unknown county '50099'"):
        zones.region_for_county("50099")
    with pytest.raises(UnknownRegionError, match="no region 'CZ1'"):
        zones.to_region("CZ1")
    with pytest.raises(ValueError, match="not a five-digit county FIPS"):
        RegionSet("bad", {"5007": "x"})


def test_region_set_files(tmp_path: Path) -> None:
    csv_path = tmp_path / "zones.csv"
    csv_path.write_text("county_fips,region_id,resident_workers\n50007,CZ50007,1\n5011,CZ50007,2\n")
    from_csv = read_region_set_file(csv_path)
    assert from_csv.name == "zones"
    assert from_csv.assignments == {"50007": "CZ50007", "05011": "CZ50007"}
    json_path = tmp_path / "zones.json"
    json_path.write_text(
        json.dumps([{"county_fips": "50007", "region_id": "A", "region_name": "Burlington"}])
    )
    assert read_region_set_file(json_path).region_names == {"A": "Burlington"}
    bad = tmp_path / "bad.csv"
    bad.write_text("fips,zone\n50007,1\n")
    with pytest.raises(ValueError, match=r"bad\.csv, line 1: expected the columns county_fips and region_id"):
        read_region_set_file(bad)
    bad.write_text("county_fips,region_id\n50007,1\nabc,2\n")
    with pytest.raises(ValueError, match=r"line 3, column 'county_fips'"):
        read_region_set_file(bad)
    bad.write_text("county_fips,region_id\n50007,1\n50007,2\n")
    with pytest.raises(ValueError, match="already in region 1"):
        read_region_set_file(bad)


def test_warehouse_round_trip(tmp_path: Path) -> None:
    zones = RegionSet(
        "vt", {"50007": "A", "50011": "A", "50005": "B"}, {"A": "Burlington"}, kind="delineation"
    )
    con = open_duckdb(tmp_path / "w.duckdb")
    assert stored_region_sets(con).num_rows == 0
    with pytest.raises(UnknownRegionSetError, match="none stored yet"):
        load_region_set(con, "vt")
    store_region_set(con, zones)
    store_region_set(con, zones)  # storing again replaces, never duplicates
    loaded = load_region_set(con, "vt")
    assert loaded.assignments == zones.assignments
    assert loaded.region_names == {"A": "Burlington"}
    assert stored_region_sets(con).to_pylist()[0]["counties"] == 3
    with pytest.raises(UnknownRegionSetError, match=r"stored: vt"):
        load_region_set(con, "nh")
    con.close()


def test_foreign_published_files_are_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("GEOID,CZ10\n01001,1\n")
    with pytest.raises(DelineationFileError, match=r"wrong\.csv, line 1: not a fowler2020 file.*'CZ20'"):
        load_published("fowler2020", wrong)
    wrong.write_text('"GEOID","CZ20"\n"01001",3\n"ab",4\n')
    with pytest.raises(DelineationFileError, match=r"line 3, column 'GEOID'"):
        load_published("fowler2020", wrong)
    with pytest.raises(DelineationFileError, match="no header row starting with 'CBSA Code'"):
        load_published("cbsa2023", wrong)
    with pytest.raises(ValueError, match="unknown region-set kind 'cz1980'"):
        load_published("cz1980", wrong)
    with pytest.raises(ValueError, match="needs no file"):
        load_published("states", wrong)
    with pytest.raises(DelineationFileError, match="no such file"):
        load_published("psu2010", tmp_path / "absent.csv")


REAL_FILES = {
    "ers1990": (("commuting", "ers", "czlma903.csv"), 3141, 741),
    "ers2000": (("commuting", "ers", "cz00_eqv_v1.csv"), 3141, 709),
    "psu2010": (("commuting", "psu_cz2010", "counties10-zqvz0r.csv"), 3143, 625),
    "fowler2020": (("commuting", "fowler_cz2020", "county20.csv"), 3222, 593),
    "cbsa2023": (("cbsa", "list1_2023.xlsx"), 1915, 935),
    "csa2023": (("cbsa", "list1_2023.xlsx"), 1341, 184),
}


@pytest.mark.realdata
@pytest.mark.parametrize("kind", sorted(REAL_FILES))
def test_real_published_delineations(kind: str) -> None:
    parts, counties, regions = REAL_FILES[kind]
    region_set = load_published(kind, shared_data_path(*parts))
    assert (len(region_set), len(region_set.region_ids)) == (counties, regions)
    assert region_set.kind == kind
    assert all(len(c) == 5 and c.isdigit() for c in region_set.counties)
    assert kind in PUBLISHED_KINDS


@pytest.mark.realdata
def test_real_published_spot_checks() -> None:
    psu = load_published("psu2010", shared_data_path("commuting", "psu_cz2010", "counties10-zqvz0r.csv"))
    assert psu.region_of("01001") == "1"  # written 1001 in the file: the leading zero is restored
    cbsa = load_published("cbsa2023", shared_data_path("cbsa", "list1_2023.xlsx"))
    assert cbsa.region_of("46013") == "10100"
    assert cbsa.region_title("10100") == "Aberdeen, SD"
    ers = load_published("ers1990", shared_data_path("commuting", "ers", "czlma903.csv"))
    assert ers.region_of("01001") == "11101"


@pytest.mark.realdata
@pytest.mark.parametrize("kind", ["ers1990", "ers2000"])
def test_real_ers_workbooks_equal_their_csv_copies(kind: str) -> None:
    parts = REAL_FILES[kind][0]
    from_csv = load_published(kind, shared_data_path(*parts))
    from_xls = load_published(kind, shared_data_path(*parts[:-1], parts[-1].replace(".csv", ".xls")))
    assert from_xls.assignments == from_csv.assignments


def test_stored_regions_by_name(tmp_path: Path) -> None:
    con = open_duckdb(tmp_path / "w.duckdb")
    store_region_set(con, RegionSet("vt", {"50007": "A", "50011": "A", "50005": "B"}, kind="delineation"))
    assert stored_region(con, "vt:A").counties == ("50007", "50011")
    assert stored_region(con, "vt@50005", name="NEK") == Region(
        name="NEK", counties=("50005",), description="B in vt"
    )
    with pytest.raises(UnknownCountyError):
        stored_region(con, "vt@50001")
    with pytest.raises(ValueError, match="expected SET:REGION_ID or SET@COUNTY_FIPS"):
        stored_region(con, "vt")
    con.close()


def test_a_stored_region_goes_by_its_name(tmp_path: Path) -> None:
    """`SET@COUNTY` of a named set gives the region its name ("Chittenden County, VT area"), which reports
    then show instead of the spec; an explicit name still wins."""
    con = open_duckdb(tmp_path / "w.duckdb")
    named = {"A": "Chittenden County, VT area"}
    store_region_set(con, RegionSet("vt", {"50007": "A", "50011": "A", "50005": "B"}, named))
    assert stored_region(con, "vt@50011").name == "Chittenden County, VT area"
    assert stored_region(con, "vt:A").name == "Chittenden County, VT area"
    assert stored_region(con, "vt@50005").name == "vt@50005"  # no name stored for B
    assert stored_region(con, "vt@50007", name="Mine").name == "Mine"
    con.close()


def test_county_titles_from_the_warehouse(tmp_path: Path) -> None:
    con = open_duckdb(tmp_path / "w.duckdb")
    assert county_titles(con, ["50007"]) == {}  # no area_titles table yet
    ensure_schema(con)
    con.execute("INSERT INTO area_titles VALUES ('50007', 'Chittenden County, Vermont'), ('50005', ' ')")
    assert county_titles(con, ["50007", "50005", "50001"]) == {"50007": "Chittenden County, Vermont"}
    con.close()


def test_differing_counties_and_the_adjusted_rand_index_by_hand() -> None:
    from sectorwise.lmi.regionsets import RegionSet, compare, differing_counties, within_states

    a = RegionSet(
        "mine", {"50001": "x", "50003": "x", "50005": "x", "50007": "y", "50009": "y", "50011": "y"}
    )
    b = RegionSet(
        "published", {"50001": "p", "50003": "p", "50005": "p", "50007": "p", "50009": "q", "50011": "q"}
    )
    # Contingency x&p 3, y&p 1, y&q 2: index 3+0+1 = 4; rows 3+3 = 6; columns 6+1 = 7; pairs 15;
    # expected 6*7/15 = 2.8; maximum 6.5; ARI = 1.2 / 3.7.
    assert compare(a, b).ari == pytest.approx(1.2 / 3.7)
    differing = differing_counties(a, b)
    assert [(d.county_fips, d.region_a, d.region_b, d.matched_b) for d in differing] == [
        ("50007", "y", "p", "q")
    ]
    assert differing_counties(a, a) == []
    renamed = RegionSet("renamed", {c: r.upper() for c, r in a.assignments.items()})
    assert differing_counties(a, renamed) == [] and compare(a, renamed).ari == pytest.approx(1.0)
    assert within_states(RegionSet("two", {"50001": "a", "33001": "b"}), ["33"]).assignments == {"33001": "b"}
