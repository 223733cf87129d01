"""The OEWS oe.data reader and lookup files, on the real May 2025 release in ../shared/data/oews."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sectorwise.lmi.sources.oews import (
    OewsFileError,
    SeriesId,
    load_oews,
    read_oews_data,
    read_oews_lookup,
)
from tests.conftest import shared_data_path

HEADER = "series_id\tyear\tperiod\tvalue\tfootnote_codes\n"
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
GOOD_ROW = "OEUN000000000000000000001\t2025\tA01\t155495730\t\n"


@pytest.fixture(scope="module")
def oews_dir() -> Path:
    return shared_data_path("oews")


def _value(table, series: str) -> float | None:  # type: ignore[no-untyped-def]
    hit = table.filter(pc.equal(table["series_id"], series))
    assert hit.num_rows == 1, series
    return hit["value"][0].as_py()  # type: ignore[no-any-return]


@pytest.mark.realdata
def test_national_totals_match_the_published_figures(oews_dir: Path) -> None:
    data = read_oews_data(oews_dir / "oe.data.2025A01.national_industry.dt01-02-04-13.tsv.gz")
    assert data.num_rows == 537_908
    assert _value(data, "OEUN000000000000000000001") == 155_495_730
    # Aerospace product and parts manufacturing (NAICS 3364), all occupations.
    assert _value(data, "OEUN000000033640000000001") == 563_460


@pytest.mark.realdata
def test_unreleased_cells_read_as_null_not_zero(oews_dir: Path) -> None:
    data = read_oews_data(oews_dir / "oe.data.2025A01.national_industry.dt01-02-04-13.tsv.gz")
    withheld = data.filter(pc.invert(data["released"]))
    assert withheld.num_rows == 620 + 42 + 19_776
    assert withheld["value"].null_count == withheld.num_rows
    assert set(withheld["value_text"].to_pylist()) == {"-"}
    assert set(withheld["footnote_codes"].to_pylist()) == {"4", "5", "8"}


@pytest.mark.realdata
def test_series_ids_are_split_into_their_dimensions(oews_dir: Path) -> None:
    oews = load_oews(oews_dir)
    first = oews.data.filter(pc.equal(oews.data["series_id"], "OEUS500000000000000000001"))
    row = first.to_pylist()[0]
    assert (row["areatype"], row["area_code"], row["industry_code"]) == ("S", "5000000", "000000")
    assert (row["occupation_code"], row["datatype_code"]) == ("000000", "01")
    assert oews.area_name("5000000") == "Vermont"
    assert oews.vintage == "May 2025 (2025A01)"
    assert oews.industries.num_rows == 444 and oews.occupations.num_rows == 1_104


def test_series_id_round_trips() -> None:
    series = SeriesId.parse("OEUM001018000000000000004")
    assert series == SeriesId("M", "0010180", "000000", "000000", "04")
    assert str(series) == "OEUM001018000000000000004"
    with pytest.raises(ValueError, match="25 characters"):
        SeriesId.parse("OEUM0010180")


def test_bls_space_padding_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "oe.data.0.Current"
    path.write_text(HEADER + "OEUN000000000000000000001     \t2025\tA01\t    155495730\t\n")
    table = read_oews_data(path)
    assert table["value"][0].as_py() == 155_495_730
    assert table["area_code"][0].as_py() == "0000000"


def test_gzip_files_read(tmp_path: Path) -> None:
    path = tmp_path / "oe.data.x.gz"
    path.write_bytes(gzip.compress((HEADER + GOOD_ROW).encode()))
    assert read_oews_data(path).num_rows == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        (HEADER, "no data rows"),
        ("a\tb\n1\t2\n", "line 1: not an OEWS oe.data file: missing column"),
        (HEADER + GOOD_ROW + "OEUX123\t2025\tA01\t1\t\n", "line 3, field series_id"),
        (HEADER + GOOD_ROW + GOOD_ROW.replace("2025", "20x5"), "line 3, field year"),
        (HEADER + GOOD_ROW.replace("155495730", "12,3"), "line 2, field value"),
    ],
)
def test_bad_files_are_refused_naming_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "oe.data.bad"
    path.write_text(content)
    with pytest.raises(OewsFileError, match=message) as caught:
        read_oews_data(path)
    assert str(path) in str(caught.value)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    good=st.integers(min_value=0, max_value=20),
    junk=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=12).filter(
        lambda s: s.strip() not in ("-", "*", "**", "#", "~") and not NUMBER.fullmatch(s.strip())
    ),
)
def test_any_non_numeric_value_is_refused_at_its_line(tmp_path: Path, good: int, junk: str) -> None:
    path = tmp_path / "oe.data.prop"
    bad_row = GOOD_ROW.replace("155495730", junk.replace("\t", " ").replace("\n", " "))
    path.write_text(HEADER + GOOD_ROW * good + bad_row, encoding="utf-8")
    with pytest.raises(OewsFileError, match=f"line {good + 2}, field value"):
        read_oews_data(path)


def test_lookup_needs_its_code_and_name_columns(tmp_path: Path) -> None:
    path = tmp_path / "oe.industry"
    path.write_text("code\tname\n000000\tAll\n")
    with pytest.raises(OewsFileError, match="missing column 'industry_code'"):
        read_oews_lookup(path, "industry_code", "industry_name")


def test_a_directory_without_data_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OewsFileError, match=r"no oe\.data\.\* file"):
        load_oews(tmp_path)
