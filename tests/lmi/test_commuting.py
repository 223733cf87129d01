"""Reading commuting flows: ACS county-to-county tables and LODES origin-destination files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sectorwise.lmi.sources.commuting import (
    ABROAD,
    FlowFileError,
    read_acs_flows,
    read_flows,
    read_lodes_od,
)
from tests.conftest import shared_data_path

ACS_HEADER = (
    "Home State FIPS CODE,HOME COUNTY FIPS CODE,WORK STATE FIPS CODE,WORK COUNTY FIPS CODE,"
    "Workers in Commuting Flow,Margin of Error\n"
)
ACS_NOTES = (
    ",,,,,\n"
    '"Source: U.S. Census Bureau, 2009-2013 American Community Survey.",,,,,\n'
    '"A margin of error is a measure of an estimate\x92s variability.",,,,,\n'
)


def _write(path: Path, text: str, *, gz: bool = False) -> Path:
    data = text.encode("latin-1")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _flow(flows: object, home: str, work: str) -> tuple[float, float]:
    from sectorwise.lmi.sources.commuting import CommutingFlows

    assert isinstance(flows, CommutingFlows)
    hit = np.flatnonzero((flows.home == home) & (flows.work == work))
    assert len(hit) == 1, f"expected one flow {home}->{work}"
    return float(flows.workers[hit[0]]), float(flows.moe[hit[0]])


def test_census_layout_with_separators_abroad_and_notes(tmp_path: Path) -> None:
    text = (
        ACS_HEADER + '1,1,1,1,"8,635",597\n'
        "1,1,1,7,16,23\n"
        "1,1,301,,9,14\n"
        "1,1,,,3,5\n"
        '50,7,50,7,"61,002","1,204"\n' + ACS_NOTES
    )
    for gz in (False, True):
        flows = read_acs_flows(_write(tmp_path / f"flows{gz}.csv", text, gz=gz))
        assert _flow(flows, "01001", "01001") == (8635.0, 597.0)
        assert _flow(flows, "50007", "50007") == (61002.0, 1204.0)
        # Two abroad rows of one county merge; their margins combine as the root of the sum of squares.
        workers, moe = _flow(flows, "01001", ABROAD)
        assert workers == 12.0
        assert moe == pytest.approx((14**2 + 5**2) ** 0.5)
        assert flows.has_moe
        assert len(flows.domestic()) == 3
        assert flows.areas() == ("01001", "01007", "50007")


def test_simple_layout(tmp_path: Path) -> None:
    path = _write(tmp_path / "mine.csv", 'home_fips,work_fips,workers\n50007,50007,100\n5001,50007,"1,000"\n')
    flows = read_acs_flows(path)
    assert _flow(flows, "05001", "50007")[0] == 1000.0
    assert not flows.has_moe


def test_foreign_layout_names_file_and_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "qcew.csv", "area_fips,own_code,industry_code\n50007,0,10\n")
    with pytest.raises(
        FlowFileError, match=r"qcew\.csv, line 1: not an ACS commuting-flow table.*'area_fips'"
    ):
        read_acs_flows(path)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("1,1,1,1,eight,5", "Workers in Commuting Flow"),
        ("1,1,1,1,8,-5", "Margin of Error"),
        ("1,x,1,1,8,5", "HOME COUNTY FIPS CODE"),
        ("1,1,1,1234,8,5", "WORK COUNTY FIPS CODE"),
    ],
)
def test_bad_cell_names_line_and_column(tmp_path: Path, row: str, column: str) -> None:
    path = _write(tmp_path / "bad.csv", ACS_HEADER + "1,1,1,1,5,3\n" + row + "\n")
    with pytest.raises(FlowFileError) as caught:
        read_acs_flows(path)
    assert caught.value.line == 3
    assert caught.value.column == column
    assert "bad.csv" in str(caught.value)


def test_data_after_notes_empty_and_missing_files(tmp_path: Path) -> None:
    concatenated = _write(tmp_path / "twice.csv", ACS_HEADER + "1,1,1,1,5,3\n" + ACS_NOTES + "1,3,1,3,5,3\n")
    with pytest.raises(FlowFileError, match="line 6: data after the trailing notes"):
        read_acs_flows(concatenated)
    with pytest.raises(FlowFileError, match="empty"):
        read_acs_flows(_write(tmp_path / "empty.csv", ""))
    with pytest.raises(FlowFileError, match="no flows"):
        read_acs_flows(_write(tmp_path / "header.csv", ACS_HEADER))
    with pytest.raises(FlowFileError, match="no such file"):
        read_acs_flows(tmp_path / "absent.csv")
    truncated = tmp_path / "cut.csv.gz"
    rows = "".join(f"1,{k % 999 + 1},1,{k * 7 % 999 + 1},{k},3\n" for k in range(1, 5000))
    whole = gzip.compress((ACS_HEADER + rows).encode())
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(FlowFileError, match="truncated or corrupt"):
        read_acs_flows(truncated)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cell=st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters='",\r\n'), max_size=6
    )
    .map(str.strip)
    .filter(lambda s: s != "" and not s.replace(",", "").replace(".", "", 1).isdigit())
)
def test_any_non_numeric_count_is_refused(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes((ACS_HEADER + f"1,1,1,1,{cell},3\n").encode("latin-1", errors="replace"))
    with pytest.raises(FlowFileError, match=r"line 2, column 'Workers in Commuting Flow'"):
        read_acs_flows(path)


@pytest.mark.realdata
def test_real_acs_2009_2013_table() -> None:
    path = shared_data_path("commuting", "mobz_foote_kutzbach_vilhuber", "jtw2009_2013.csv.gz")
    flows = read_acs_flows(path)
    assert flows.total_workers == 140_843_659
    assert len(set(flows.home.tolist())) == 3221
    assert _flow(flows, "01001", "01001") == (8635.0, 597.0)
    assert flows.has_moe
    assert (flows.work == ABROAD).sum() > 1000
    assert read_flows([path]).total_workers == flows.total_workers


def _lodes(tmp_path: Path, rows: list[str], name: str = "xx_od_main_JT00_2019.csv") -> Path:
    header = "w_geocode,h_geocode,S000,SA01,SA02,SA03,SE01,SE02,SE03,SI01,SI02,SI03,createdate\n"
    path = tmp_path / name
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


def test_lodes_blocks_aggregate_to_counties_and_tracts(tmp_path: Path) -> None:
    path = _lodes(
        tmp_path,
        [
            "440070001001000,440070001002000,3,1,1,1,1,1,1,1,1,1,20211018",
            "440070001001001,440070002001000,2,1,1,0,1,1,0,1,1,0,20211018",
            "440070001001001,250050001001000,5,1,1,3,1,1,3,1,1,3,20211018",
        ],
    )
    counties = read_lodes_od([path])
    assert _flow(counties, "44007", "44007")[0] == 5.0
    assert _flow(counties, "25005", "44007")[0] == 5.0
    tracts = read_lodes_od([path], level="tract")
    assert _flow(tracts, "44007000100", "44007000100")[0] == 3.0
    assert _flow(tracts, "44007000200", "44007000100")[0] == 2.0
    assert read_lodes_od([path], segment="SA03").total_workers == 4.0
    assert read_flows([path, path]).total_workers == 20.0


def test_lodes_bad_input(tmp_path: Path) -> None:
    short = _lodes(tmp_path, ["44007000100100,440070001002000,3,1,1,1,1,1,1,1,1,1,20211018"])
    with pytest.raises(FlowFileError, match="line 2, column 'w_geocode': expected a 15-digit block code"):
        read_lodes_od([short])
    letters = _lodes(tmp_path, ["440070001001000,440070001002000,x,1,1,1,1,1,1,1,1,1,20211018"], "b.csv")
    with pytest.raises(FlowFileError, match="column 'S000'"):
        read_lodes_od([letters])
    with pytest.raises(ValueError, match="unknown level"):
        read_lodes_od([letters], level="state")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tract needs LODES"):
        read_flows([_write(tmp_path / "acs.csv", ACS_HEADER + "1,1,1,1,5,3\n")], level="tract")


@pytest.mark.realdata
def test_real_rhode_island_main_and_aux_to_counties() -> None:
    main = shared_data_path("lodes", "ri_od_main_JT00_2019.csv.gz")
    aux = shared_data_path("lodes", "ri_od_aux_JT00_2019.csv.gz")
    flows = read_lodes_od([main, aux])
    assert flows.total_workers == 406_052 + 70_737
    assert {w[:2] for w in flows.work.tolist()} == {"44"}
    assert set(flows.work.tolist()) == {"44001", "44003", "44005", "44007", "44009"}
    homes = {h[:2] for h in flows.home.tolist()}
    assert {"44", "25", "09", "36"} <= homes
    massachusetts = flows.workers[np.char.startswith(flows.home, "25")].sum()
    assert massachusetts >= 50_392  # at least one job per MA row of the aux file
    main_only = read_lodes_od([main])
    assert main_only.total_workers == 406_052
    assert {h[:2] for h in main_only.home.tolist()} == {"44"}


@pytest.mark.realdata
def test_real_dc_main_to_tracts() -> None:
    flows = read_lodes_od([shared_data_path("lodes", "dc_od_main_JT00_2023.csv.gz")], level="tract")
    assert flows.total_workers == 220_857
    assert all(len(code) == 11 and code.startswith("11001") for code in flows.home.tolist())
