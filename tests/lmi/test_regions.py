"""Custom regions: the Region object, the TOML loader and its errors, aggregation and the incomplete flag."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sectorwise.lmi.measures import quarterly_measures, region_cells
from sectorwise.lmi.regions import Region, RegionFileError, load_regions, parse_region_counties
from tests.lmi.qcew_rows import Cell, quarterly_frame

GOOD_FILE = """\
# Regions of the demo state
[regions."Northwest Vermont"]
description = "Burlington and its neighbours"
counties = ["50007", "50011", "50013"]

[regions.Southern]
counties = ["50003", "50025"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regions.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_regions_file_is_read_into_regions(tmp_path: Path) -> None:
    regions = load_regions(write(tmp_path, GOOD_FILE))
    assert regions == {
        "Northwest Vermont": Region(
            "Northwest Vermont", ("50007", "50011", "50013"), "Burlington and its neighbours"
        ),
        "Southern": Region("Southern", ("50003", "50025")),
    }


def test_an_unknown_county_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_FILE)
    with pytest.raises(RegionFileError) as error:
        load_regions(path, known_counties={"50007", "50011", "50013", "50003"})
    assert str(error.value).startswith(f"{path}, line 7: region 'Southern'")
    assert "unknown county '50025'" in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[regions."A"]\ncounties = ["50007",, ]\n', "line 2: not valid TOML"),
        ("[regions.A]\ncounties = 50007\n", "line 1: region 'A' field `counties` must be a non-empty list"),
        ('[regions.A]\ncounties = ["5007"]\n', "line 2: region 'A' field `counties`: '5007' is not a county"),
        ('[regions.A]\ncounties = ["50000"]\n', "'50000' is not a county FIPS code"),
        ('[regions.A]\ncounties = ["50007", "50007"]\n', "lists a county twice"),
        ('[regions.A]\ncountys = ["50007"]\n', "line 2: region 'A' has an unknown field 'countys'"),
        ('[region.A]\ncounties = ["50007"]\n', "line 1: unexpected top-level entry 'region'"),
        ("", "no regions defined"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_message(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RegionFileError) as error:
        load_regions(path)
    assert str(error.value).startswith(str(path))
    assert expected in str(error.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RegionFileError, match=r"nope\.toml: cannot read"):
        load_regions(tmp_path / "nope.toml")


def test_a_region_on_the_command_line() -> None:
    assert parse_region_counties("North = 50007, 50011") == Region("North", ("50007", "50011"))
    with pytest.raises(ValueError, match="expected NAME=FIPS"):
        parse_region_counties("50007,50011")
    with pytest.raises(ValueError, match="not a county FIPS"):
        parse_region_counties("North=50007,abc")


def cells_for(counties: dict[str, int], *, suppressed: tuple[str, ...] = ()) -> list[Cell]:
    cells = []
    for county, employment in counties.items():
        cells.append(Cell(county, 0, "10", 2016, "2", employment * 3, wages=employment * 3 * 13_000))
        hidden = "N" if county in suppressed else None
        cells.append(
            Cell(county, 5, "62", 2016, "2", employment, wages=employment * 13_000, disclosure=hidden)
        )
    cells.append(Cell("50000", 0, "10", 2016, "2", 1_000_000, wages=13_000_000_000))
    cells.append(Cell("50000", 5, "62", 2016, "2", 200_000, wages=2_600_000_000))
    return cells


def test_a_suppressed_member_makes_the_region_incomplete_and_its_lq_empty() -> None:
    qcew = ibis.memtable(quarterly_frame(cells_for({"50001": 100, "50003": 200}, suppressed=("50003",))))
    region = Region("South", ("50001", "50003"))
    rows = {
        (r["area_fips"], r["industry_code"]): r
        for r in quarterly_measures(qcew, year=2016, qtr="2", reference="50000", areas=[], regions=[region])
        .to_pandas()
        .to_dict("records")
    }
    health = rows[("South", "62")]
    assert health["incomplete"]
    assert health["month3_emplvl"] == 100  # a lower bound, flagged, never passed off as the figure
    assert pd.isna(health["disclosure_code"])
    assert all(health[k] != health[k] for k in health if k.startswith(("lq_", "oty_")) and "chg" not in k)
    assert not rows[("South", "10")]["incomplete"]
    assert rows[("South", "10")]["lq_month3_emplvl"] == 1.0


def test_a_member_county_without_data_makes_the_region_incomplete() -> None:
    qcew = ibis.memtable(quarterly_frame(cells_for({"50001": 100})))
    region = Region("South", ("50001", "50003"))
    frame = region_cells(qcew, region, years=[2016], qtr="2").to_pandas()
    assert frame.incomplete.all()


def test_a_region_whose_every_member_is_suppressed_is_marked_n() -> None:
    qcew = ibis.memtable(quarterly_frame(cells_for({"50001": 1, "50003": 2}, suppressed=("50001", "50003"))))
    frame = region_cells(qcew, Region("South", ("50001", "50003")), years=[2016], qtr="2").to_pandas()
    health = frame[frame.industry_code == "62"].iloc[0]
    assert health.disclosure_code == "N"
    assert health.incomplete


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(employment=st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=8))
def test_a_region_is_the_sum_of_its_members(employment: list[int]) -> None:
    counties = {f"50{2 * index + 1:03d}": value for index, value in enumerate(employment)}
    qcew = ibis.memtable(quarterly_frame(cells_for(counties)))
    frame = region_cells(qcew, Region("All", tuple(counties)), years=[2016], qtr="2").to_pandas()
    health = frame[frame.industry_code == "62"].iloc[0]
    assert health.month3_emplvl == sum(employment)
    assert health.total_qtrly_wages == sum(employment) * 13_000
    assert health.qtrly_estabs == len(employment)
    assert not health.incomplete


toml_fragments = st.sampled_from(
    [
        "[regions.A]\n",
        '[regions."B c"]\n',
        'counties = ["50007", "50011"]\n',
        'counties = ["5000"]\n',
        "counties = []\n",
        "counties = 50007\n",
        'description = "x"\n',
        "description = 3\n",
        "[other]\n",
        "x = 1\n",
        "[[regions]]\n",
        '"\n',
        "= =\n",
        "\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(toml_fragments | st.text(st.characters(exclude_categories=("Cs",)), max_size=20), max_size=8))
def test_any_file_either_loads_valid_regions_or_is_refused_with_its_name(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "regions.toml"
    path.write_text("".join(parts), encoding="utf-8")
    try:
        regions = load_regions(path)
    except RegionFileError as error:
        assert str(error).startswith(str(path))
        return
    assert regions
    for name, region in regions.items():
        assert region.name == name and region.counties
