"""The shared LMI suite: each test takes ``backend`` (tests/lmi/conftest.py) and runs on DuckDB and on
PySpark, checking the library's answers against figures computed by hand from the same rows."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sectorwise.lmi.clusters import cluster_metrics
from sectorwise.lmi.codes import NaicsLevel
from sectorwise.lmi.measures import quarterly_measures
from sectorwise.lmi.prepared import to_arrow
from sectorwise.lmi.rank_indicators import RankingInputs, industry_indicators
from sectorwise.lmi.regions import Region
from sectorwise.lmi.shiftshare import shift_share, shift_share_summary
from sectorwise.lmi.sources.clusters import Cluster, ClusterCatalog
from tests.lmi.conftest import COUNTIES, REGION, SECTORS, Backend
from tests.lmi.test_shiftshare import _assert_sums_to_change


def _jobs(frame: pd.DataFrame, *, areas: tuple[str, ...], own: int, industry: str, year: int) -> float:
    rows = frame[
        frame.area_fips.isin(areas)
        & (frame.own_code == own)
        & (frame.industry_code == industry)
        & (frame.year == year)
        & (frame.size_code == 0)
    ]
    return float(rows.month3_emplvl.sum())


def test_location_quotients_and_over_the_year_changes(backend: Backend) -> None:
    frame = backend.frames["qcew_quarterly"]
    result = to_arrow(
        quarterly_measures(
            backend.table("qcew_quarterly"),
            year=2016,
            qtr="1",
            reference="US000",
            regions=[REGION],
            bls_rounding=False,
            columns=["month3_emplvl"],
        )
    ).to_pandas()
    checked = 0
    for area, areas in (("50007", ("50007",)), (REGION.name, REGION.counties)):
        for sector in SECTORS[1:]:  # 11 is suppressed in the region in 2016
            row = result[
                (result.area_fips == area) & (result.own_code == 5) & (result.industry_code == sector)
            ]
            assert len(row) == 1, (area, sector)
            here = _jobs(frame, areas=areas, own=5, industry=sector, year=2016)
            here_total = _jobs(frame, areas=areas, own=0, industry="10", year=2016)
            us = _jobs(frame, areas=("US000",), own=5, industry=sector, year=2016)
            us_total = _jobs(frame, areas=("US000",), own=0, industry="10", year=2016)
            expected_lq = (here / here_total) / (us / us_total)
            assert math.isclose(row.lq_month3_emplvl.iloc[0], expected_lq, rel_tol=1e-12), (area, sector)
            before = _jobs(frame, areas=areas, own=5, industry=sector, year=2015)
            assert row.oty_month3_emplvl_chg.iloc[0] == here - before, (area, sector)
            checked += 1
    assert checked == 2 * (len(SECTORS) - 1)
    suppressed = result[
        (result.area_fips == REGION.name) & (result.own_code == 5) & (result.industry_code == "11")
    ]
    assert suppressed.incomplete.tolist() == [True]


def test_shift_share_components_sum_to_the_change(backend: Backend) -> None:
    decomposition = shift_share(
        backend.table("qcew_quarterly_q4"),
        area=REGION.name,
        reference="US000",
        start=(2015, "4"),
        end=(2016, "4"),
        regions=[REGION],
    )
    rows = to_arrow(decomposition).to_pandas()
    assert len(rows) == len(SECTORS)
    complete = rows[~rows.incomplete]
    assert len(complete) >= len(SECTORS) - 1
    for row in complete.to_dict("records"):
        _assert_sums_to_change(row)
    summary = to_arrow(shift_share_summary(decomposition)).to_pandas().iloc[0]
    assert math.isclose(summary.actual_change, complete.actual_change.sum(), rel_tol=1e-12)


def _cluster(code: str, name: str, naics: tuple[str, ...]) -> Cluster:
    return Cluster(
        code=code, name=name, traded=True, naics=dict.fromkeys(naics, name), sub_clusters={}, related=()
    )


CATALOG = ClusterCatalog(
    clusters=(
        _cluster("1", "Aerospace", ("336411", "336412")),
        _cluster("2", "Engineering services", ("332710", "541330")),
    ),
    source=Path("tests/lmi/conftest.py"),
    repairs={},
)


def test_cluster_figures(backend: Backend) -> None:
    frame = backend.frames["qcew_quarterly"]
    metrics = to_arrow(
        cluster_metrics(
            backend.table("qcew_quarterly"), CATALOG, [REGION], year=2016, qtr="1", reference="US000"
        )
    ).to_pandas()
    by_code = metrics[metrics.region == REGION.name].set_index("cluster_code")
    assert set(by_code.index) == {"1", "2"}
    # Aerospace: 50005's 336412 is suppressed, so its employment is left out and the cluster is marked.
    aerospace = _jobs(frame, areas=REGION.counties, own=5, industry="336411", year=2016) + _jobs(
        frame, areas=("50003",), own=5, industry="336412", year=2016
    )
    assert by_code.loc["1", "employment"] == aerospace
    assert by_code.loc["1", "suppressed_cells"] == 1
    engineering = sum(
        _jobs(frame, areas=REGION.counties, own=5, industry=code, year=2016) for code in ("332710", "541330")
    )
    assert by_code.loc["2", "employment"] == engineering
    assert by_code.loc["2", "suppressed_cells"] == 0
    assert by_code.loc["2", "cells"] == 4
    # LQ: the cluster's share of all the region's jobs over its share of all U.S. jobs.
    us_engineering = sum(
        _jobs(frame, areas=("US000",), own=5, industry=code, year=2016) for code in ("332710", "541330")
    )
    region_total = _jobs(frame, areas=REGION.counties, own=0, industry="10", year=2016)
    us_total = _jobs(frame, areas=("US000",), own=0, industry="10", year=2016)
    assert by_code.loc["2", "region_total_employment"] == region_total
    expected_lq = (engineering / region_total) / (us_engineering / us_total)
    assert math.isclose(by_code.loc["2", "lq"], expected_lq, rel_tol=1e-12)


def _weekly_wage(frame: pd.DataFrame, *, areas: tuple[str, ...], own: int, industry: str) -> int:
    """A region's average weekly wage as BLS computes it: quarter's wages over mean monthly jobs, 13 weeks,
    rounded half up to whole dollars (the fixture's months are equal)."""
    rows = frame[
        frame.area_fips.isin(areas)
        & (frame.own_code == own)
        & (frame.industry_code == industry)
        & (frame.year == 2016)
        & (frame.size_code == 0)
    ]
    return math.floor(float(rows.total_qtrly_wages.sum()) / float(rows.month3_emplvl.sum()) / 13 + 0.5)


def test_ranking_inputs(backend: Backend) -> None:
    frame = backend.frames["qcew_quarterly"]
    inputs = RankingInputs(
        qcew=backend.table("qcew_quarterly"),
        region=REGION,
        year=2016,
        qtr="1",
        reference="US000",
        catalog=CATALOG,
        peers=[Region(c, (c,)) for c in COUNTIES if c not in REGION.counties],
        base_year=2015,
    )
    table = to_arrow(industry_indicators(inputs, NaicsLevel.SECTOR)).to_pandas().set_index("code")
    assert list(table.index) == sorted(SECTORS)
    # 11 is suppressed in the region in 2016 (no estimates on this table): no size, no wage ratio.
    assert table.loc["11", "suppressed"] and pd.isna(table.loc["11", "size"])
    assert pd.isna(table.loc["11", "wage_ratio"])
    region_total = _jobs(frame, areas=REGION.counties, own=0, industry="10", year=2016)
    us_total = _jobs(frame, areas=("US000",), own=0, industry="10", year=2016)
    region_wage = _weekly_wage(frame, areas=REGION.counties, own=0, industry="10")
    for sector in SECTORS[1:]:
        row = table.loc[sector]
        here = _jobs(frame, areas=REGION.counties, own=5, industry=sector, year=2016)
        before = _jobs(frame, areas=REGION.counties, own=5, industry=sector, year=2015)
        us = _jobs(frame, areas=("US000",), own=5, industry=sector, year=2016)
        us_before = _jobs(frame, areas=("US000",), own=5, industry=sector, year=2015)
        assert not row.suppressed and not row.estimated, sector
        assert row["size"] == here == row.employment, sector
        # The ranking reads the published LQ: rounded half up to two decimals, as BLS does.
        expected_lq = math.floor((here / region_total) / (us / us_total) * 100 + 0.5) / 100
        assert math.isclose(row.lq, expected_lq, rel_tol=1e-12), sector
        wage = _weekly_wage(frame, areas=REGION.counties, own=5, industry=sector)
        assert math.isclose(row.wage_ratio, wage / region_wage, rel_tol=1e-12), sector
        # One year from the base: the compound annual rate is the plain change; the competitive effect per
        # base job is the region's growth minus the reference area's in the same industry.
        assert math.isclose(row.growth, here / before - 1, rel_tol=1e-9), sector
        expected_effect = (here / before - 1) - (us / us_before - 1)
        assert math.isclose(row.competitive_effect, expected_effect, rel_tol=1e-9, abs_tol=1e-12), sector
    # Cluster strength: only 31-33 holds members of the catalog's clusters (541330 is in 54, not ranked
    # here); its score is the establishment-weighted strength of the clusters of its cells in the region.
    strengths = {code: _cluster_strength(frame, code) for code in ("1", "2")}
    members = frame[
        frame.area_fips.isin(REGION.counties)
        & (frame.year == 2016)
        & frame.industry_code.str.startswith("33")
    ]
    weights = {"1": float(members[members.industry_code.str.startswith("3364")].qtrly_estabs.sum())}
    weights["2"] = float(members[members.industry_code == "332710"].qtrly_estabs.sum())
    expected_strength = sum(strengths[c] * weights[c] for c in weights) / sum(weights.values())
    assert math.isclose(table.loc["31-33", "cluster_strength"], expected_strength, rel_tol=1e-12)
    assert (table.drop(index="31-33").cluster_strength == 0.0).all()
    assert table.occupation_wages.isna().all()  # no OEWS given


def _cluster_strength(frame: pd.DataFrame, code: str) -> float:
    """The strong-cluster criteria met by the region's cluster ``code``, out of 4, against its peers (the
    other counties): LQ at the peers' 75th percentile and at least 1, employment and establishments above
    their 25th percentiles (continuous quantiles); suppressed cells count no jobs."""
    naics = list(next(c for c in CATALOG.clusters if c.code == code).naics)
    peers = {REGION.name: REGION.counties, "50001": ("50001",), "50007": ("50007",)}
    us = sum(_jobs(frame, areas=("US000",), own=5, industry=n, year=2016) for n in naics)
    us_total = _jobs(frame, areas=("US000",), own=0, industry="10", year=2016)
    lqs, jobs, estabs = [], [], []
    for areas in peers.values():
        here = sum(_jobs(frame, areas=areas, own=5, industry=n, year=2016) for n in naics)
        lqs.append((here / _jobs(frame, areas=areas, own=0, industry="10", year=2016)) / (us / us_total))
        jobs.append(here)
        cells = frame[frame.area_fips.isin(areas) & frame.industry_code.isin(naics) & (frame.year == 2016)]
        estabs.append(float(cells.qtrly_estabs.sum()))
    tests = (
        lqs[0] >= np.quantile(lqs, 0.75),
        lqs[0] >= 1,
        jobs[0] > np.quantile(jobs, 0.25),
        estabs[0] > np.quantile(estabs, 0.25),
    )
    return sum(bool(test) for test in tests) / 4
