"""Ranking indicators from the warehouse: growth and competitive effect, estimates, cluster strength."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sectorwise.lmi import warehouse
from sectorwise.lmi.codes import NaicsLevel
from sectorwise.lmi.filled import analysis_table
from sectorwise.lmi.rank_indicators import RankingInputs, cluster_indicators, industry_indicators
from sectorwise.lmi.regions import Region
from sectorwise.lmi.sources.clusters import load_clusters
from tests.conftest import shared_data_path
from tests.lmi.lmi_real_warehouse import real_warehouse_estimated

pytestmark = pytest.mark.realdata

REGION = Region("Northwest", ("50007", "50011", "50013"))


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Vermont 2016 Q2 (its suppressed cells estimated) plus a made-up 2015 Q2 in which every employment
    figure was 10 % lower (its estimates too)."""
    path = tmp_path_factory.mktemp("two-years") / "warehouse.duckdb"
    shutil.copy(real_warehouse_estimated("50"), path)
    con = duckdb.connect(str(path))
    columns = [row[0] for row in con.execute("DESCRIBE qcew_quarterly").fetchall()]
    scaled = {
        name: f"CAST(round({name} / 1.1) AS BIGINT)"
        for name in ("month1_emplvl", "month2_emplvl", "month3_emplvl")
    }
    select = ", ".join("2015" if c == "year" else scaled.get(c, c) for c in columns)
    con.execute(
        f"INSERT INTO qcew_quarterly SELECT {select} FROM qcew_quarterly WHERE year = 2016 AND qtr = '2'"
    )
    # 2015's estimates: 2016's, 10 % lower for employment, so that filled cells grew 10 % too.
    month = "measure LIKE 'month%'"
    con.execute(
        "INSERT INTO qcew_estimates SELECT area_fips, own_code, industry_code, agglvl_code, size_code, 2015, "
        f"qtr, measure, CASE WHEN {month} THEN estimate / 1.1 ELSE estimate END, "
        f"CASE WHEN {month} THEN low / 1.1 ELSE low END, CASE WHEN {month} THEN high / 1.1 ELSE high END, "
        "status FROM qcew_estimates WHERE year = 2016 AND qtr = '2'"
    )
    con.close()
    return path


def _inputs(path: Path, base_year: int | None) -> RankingInputs:
    con = warehouse.connect(path, read_only=True)
    return RankingInputs(
        qcew=analysis_table(con, annual=False, estimate=True),
        region=REGION,
        year=2016,
        qtr="2",
        reference="50000",
        catalog=load_clusters(shared_data_path("clusters", "cmp_cluster_meta_2015.json")),
        peers=[Region(c, (c,)) for c in ("50001", "50005", "50021", "50023", "50027")],
        base_year=base_year,
        industry_titles=con.table("industry_titles"),
    )


def test_growth_and_competitive_effect_come_from_the_base_year(two_years: Path) -> None:
    table: pd.DataFrame = industry_indicators(_inputs(two_years, 2015), NaicsLevel.SECTOR).to_pandas()
    complete = table[~table.estimated & ~table.suppressed].set_index("code")
    assert len(complete) >= 5
    # Every figure grew by 10 % in the region and in the state: growth 10 %, no competitive effect.
    assert complete.growth.dropna().between(0.095, 0.105).all()
    assert complete.competitive_effect.dropna().abs().max() < 0.01


def test_without_a_base_year_growth_is_absent(two_years: Path) -> None:
    table = industry_indicators(_inputs(two_years, None), NaicsLevel.NAICS3).to_pandas()
    assert table.growth.isna().all() and table.competitive_effect.isna().all()
    assert table.cluster_strength.between(0, 1).all()
    # Suppressed member cells hold the stored estimates: flagged, with the estimated share of employment
    # (the ranking's max_estimated_share rule then decides, in rank_candidates).
    estimated = table[table.estimated & ~table.suppressed]
    assert len(estimated) > 0 and estimated.suppressed_share.between(0, 1).all()
    assert (table[~table.estimated].suppressed_share == 0).all()
    assert table[table.suppressed]["size"].isna().all()


def test_cluster_growth_and_competitive_effect(two_years: Path) -> None:
    table = cluster_indicators(_inputs(two_years, 2015)).to_pandas()
    large = table[table.employment > 500]
    assert len(large) > 5
    # Every cell grew 10 %, filled ones included (up to rounding).
    assert large.growth.median() == pytest.approx(0.10, abs=0.01)
    assert large.competitive_effect.abs().median() < 0.01


def test_cluster_candidates(two_years: Path) -> None:
    table = cluster_indicators(_inputs(two_years, None)).to_pandas()
    assert table.cluster_strength.isin([0, 0.25, 0.5, 0.75, 1.0]).all()
    # 2016's suppressed cells are filled with the stored estimates: a cluster is withheld only where a
    # suppressed cell has none, and its share of estimated employment is reported for the ranking's rule.
    assert (table.estimated | (table.suppressed_share == 0)).all()
    assert table.suppressed_share.between(0, 1).all()
    assert table.occupation_wages.isna().all()  # no OEWS given
