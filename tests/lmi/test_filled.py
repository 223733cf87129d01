"""The stored estimates of suppressed cells, joined in (sectorwise.lmi.filled) and used by the measures."""

from __future__ import annotations

import csv
import io

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi import warehouse
from sectorwise.lmi.filled import ESTIMATES_TABLE, analysis_table, ensure_estimates_table, filled_qcew
from sectorwise.lmi.measures import QUARTERLY, measures
from sectorwise.lmi.ranking import default_config, rank_candidates
from sectorwise.lmi.regions import Region
from tests.lmi.lmi_real_warehouse import real_warehouse_estimated

# Two counties and their state; the state's and county A's health care (62) are suppressed.
_CELLS = [
    # area, industry, agglvl, disclosure, employment
    ("50000", "10", 50, None, 1000),
    ("50000", "62", 54, "N", 0),
    ("50001", "10", 70, None, 600),
    ("50001", "62", 74, "N", 0),
    ("50003", "10", 70, None, 400),
    ("50003", "62", 74, None, 100),
]


def _qcew() -> pd.DataFrame:
    rows = []
    for area, industry, agglvl, code, emp in _CELLS:
        row = {
            "area_fips": area,
            "own_code": 0 if industry == "10" else 5,
            "industry_code": industry,
            "agglvl_code": agglvl,
            "size_code": 0,
            "year": 2016,
            "qtr": "1",
            "disclosure_code": code,
        }
        row |= {name: emp for name in QUARTERLY.all}
        row["qtrly_estabs"] = 5
        rows.append(row)
    return pd.DataFrame(rows)


def _estimates() -> pd.DataFrame:
    rows = []
    for area, emp, low, high in (("50000", 250.0, 200.0, 300.0), ("50001", 150.4, 100.0, 200.0)):
        for measure in ("month1_emplvl", "month2_emplvl", "month3_emplvl", "total_qtrly_wages"):
            rows.append(
                {
                    "area_fips": area,
                    "own_code": 5,
                    "industry_code": "62",
                    "agglvl_code": 54 if area == "50000" else 74,
                    "size_code": 0,
                    "year": 2016,
                    "qtr": "1",
                    "measure": measure,
                    "estimate": emp,
                    "low": low,
                    "high": high,
                    "status": "estimated",
                }
            )
    return pd.DataFrame(rows)


def _by_area(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(["area_fips", "industry_code"]).sort_index()


def test_a_filled_cell_is_used_and_every_figure_resting_on_it_is_flagged() -> None:
    qcew = ibis.memtable(_qcew())
    filled = filled_qcew(qcew, ibis.memtable(_estimates()))
    result = _by_area(measures(filled, year=2016, qtr="1", reference="50000", changes=False).to_pandas())
    # The county's own suppressed cell: the estimate (rounded) in BLS's column, its bounds beside it.
    county = result.loc[("50001", "62")]
    assert county.month3_emplvl == 150 and county.estimated
    assert (county.month3_emplvl_low, county.month3_emplvl_high) == (100.0, 200.0)
    assert county.lq_month3_emplvl == round((150 / 600) / (250 / 1000), 2)
    assert county.disclosure_code == "N"  # BLS's code is kept
    # A disclosed cell whose LQ uses the state's estimated cell is flagged too; its bounds are its value.
    other = result.loc[("50003", "62")]
    assert other.estimated and other.lq_month3_emplvl == round((100 / 400) / (250 / 1000), 2)
    assert other.month3_emplvl_low == other.month3_emplvl_high == 100
    # Nothing estimated behind the totals.
    assert not result.loc[("50001", "10")].estimated


def test_without_estimates_the_figures_are_blss_exactly() -> None:
    qcew = ibis.memtable(_qcew())
    raw = measures(qcew, year=2016, qtr="1", reference="50000", changes=False).to_pandas()
    assert "estimated" not in raw.columns
    assert raw[raw.disclosure_code == "N"].lq_month3_emplvl.isna().all()
    assert pd.isna(_by_area(raw).loc[("50003", "62")].lq_month3_emplvl)  # its reference is suppressed


def test_a_region_of_filled_cells_sums_estimates_and_bounds() -> None:
    filled = filled_qcew(ibis.memtable(_qcew()), ibis.memtable(_estimates()))
    region = Region("Both", ("50001", "50003"))
    result = measures(
        filled, year=2016, qtr="1", reference="50000", areas=[], regions=[region], changes=False
    )
    row = _by_area(result.to_pandas()).loc[("Both", "62")]
    assert not row.incomplete and row.estimated
    assert (row.month3_emplvl, row.month3_emplvl_low, row.month3_emplvl_high) == (250, 200.0, 300.0)


def test_analysis_table_is_the_raw_table_with_no_estimate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    warehouse.ensure_schema(con)
    ensure_estimates_table(con)
    con.close()
    ibis_con = warehouse.connect(path, read_only=True)
    assert "estimated" not in analysis_table(ibis_con, annual=False, estimate=False).columns
    assert "estimated" in analysis_table(ibis_con, annual=False, estimate=True).columns
    assert ESTIMATES_TABLE in ibis_con.list_tables()


def _candidate(share: float) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "code": "6221",
                "title": "Hospitals",
                "employment": 8000.0,
                "establishments": 6.0,
                "suppressed": False,
                "estimated": True,
                "suppressed_share": share,
                "size": 8000.0,
                "lq": 1.1,
            },
            {
                "code": "3344",
                "title": "Semiconductors",
                "employment": 3000.0,
                "establishments": 9.0,
                "suppressed": False,
                "estimated": False,
                "suppressed_share": 0.0,
                "size": 3000.0,
                "lq": 1.7,
            },
        ]
    )


def test_a_mostly_estimated_candidate_is_not_ranked_and_the_reason_gives_the_share() -> None:
    config = default_config()
    assert config.max_estimated_share == 0.5
    result = rank_candidates(_candidate(0.72), config)
    reasons = {row["code"]: row["reason"] for row in result.not_ranked.to_pylist()}
    assert "72 % of its employment is estimated (more than 50 %" in reasons["6221"]
    # The rule is configurable: with a higher limit the same candidate is ranked.
    from dataclasses import replace

    looser = rank_candidates(_candidate(0.72), replace(config, max_estimated_share=0.8))
    assert "6221" in looser.ranked.column("code").to_pylist()


BURLINGTON = "Burlington=50001,50007,50011,50013,50015,50021"


def _measures_csv(*extra: str) -> list[dict[str, str]]:
    args = ["lmi", "measures", "--year", "2016", "--period", "4", "--reference", "50000", "--ownership", "5"]
    args += ["--region-counties", BURLINGTON, "--format", "csv"]
    result = CliRunner().invoke(app, [*args, "--warehouse", str(real_warehouse_estimated("50")), *extra])
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.realdata
def test_burlington_gets_health_care_hospitals_and_semiconductors_flagged_with_bounds() -> None:
    rows = {r["industry_code"]: r for r in _measures_csv()}
    for code in ("62", "6221", "3344"):
        row = rows[code]
        assert row["estimated"] == "true", code
        assert row["lq_month3_emplvl"] != "", code
        low, value, high = (float(row[f"month3_emplvl{end}"]) for end in ("_low", "", "_high"))
        assert low <= value <= high and low < high, code
    # Without estimates: BLS's figures only, nothing made up (no LQ for the incomplete health care).
    plain = {r["industry_code"]: r for r in _measures_csv("--no-estimate")}
    assert "estimated" not in plain["62"] and plain["62"]["lq_month3_emplvl"] == ""
    assert plain["62"]["incomplete"] == "true"
    # Fully disclosed rows are the same either way.
    assert plain["10"]["month3_emplvl"] == rows["10"]["month3_emplvl"]


@pytest.mark.realdata
def test_estimated_children_add_up_to_their_published_parent() -> None:
    con = warehouse.connect(real_warehouse_estimated("50"), read_only=True)
    filled = analysis_table(con, annual=False, estimate=True)
    cells = filled.filter(filled.area_fips == "50007", filled.own_code == 5, filled.year == 2016)
    frame = cells.select("qtr", "industry_code", "disclosure_code", "estimated", "month3_emplvl").to_pandas()
    checked = 0
    for qtr, quarter in frame.groupby("qtr"):
        values = quarter.set_index("industry_code")
        for parent in ("62", "622", "334"):
            children = values[
                (values.index.str.len() == len(parent) + 1) & values.index.str.startswith(parent)
            ]
            if parent not in values.index or values.loc[parent, "disclosure_code"] == "N":
                continue
            if children.estimated.any():
                # The estimates add up exactly; each is then rounded to a whole number, as BLS publishes.
                off = abs(children.month3_emplvl.sum() - values.loc[parent, "month3_emplvl"])
                assert off <= 0.5 * children.estimated.sum(), (qtr, parent)
                checked += 1
    assert checked >= 4
