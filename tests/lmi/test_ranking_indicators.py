"""Ranking indicators from the warehouse: growth and competitive effect, estimates, cluster strength."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sectorwise.lmi import warehouse
from sectorwise.lmi.codes import NaicsLevel
from sectorwise.lmi.rank_indicators import RankingInputs, cluster_indicators, industry_indicators
from sectorwise.lmi.regions import Region
from sectorwise.lmi.sources.clusters import load_clusters
from tests.conftest import shared_data_path
from tests.lmi.lmi_real_warehouse import real_warehouse

pytestmark = pytest.mark.realdata

REGION = Region("Northwest", ("50007", "50011", "50013"))


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Vermont 2016 Q2 plus a made-up 2015 Q2 in which every employment figure was 10 % lower."""
    path = tmp_path_factory.mktemp("two-years") / "warehouse.duckdb"
    shutil.copy(real_warehouse("50"), path)
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
    con.close()
    return path


def _inputs(path: Path, base_year: int | None) -> RankingInputs:
    con = warehouse.connect(path, read_only=True)
    return RankingInputs(
        qcew=con.table("qcew_quarterly"),
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
    estimated = table[table.estimated & ~table.suppressed]
    assert len(estimated) > 0 and (estimated.suppressed_share <= 0.5).all()
    assert table[table.suppressed]["size"].isna().all()


def test_cluster_growth_and_competitive_effect(two_years: Path) -> None:
    table = cluster_indicators(_inputs(two_years, 2015)).to_pandas()
    large = table[table.employment > 500]
    assert len(large) > 5
    # Every cell grew 10 %, suppressed ones (estimated from establishments, unchanged) excepted.
    assert large.growth.median() == pytest.approx(0.10, abs=0.01)
    assert large.competitive_effect.abs().median() < 0.01


def test_cluster_candidates(two_years: Path) -> None:
    table = cluster_indicators(_inputs(two_years, None)).to_pandas()
    assert table.cluster_strength.isin([0, 0.25, 0.5, 0.75, 1.0]).all()
    assert (table.suppressed == (table.suppressed_share > 0.5)).all()
    assert table.occupation_wages.isna().all()  # no OEWS given
