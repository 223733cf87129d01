"""Cluster figures, LQs and the strong-cluster rule on the real Vermont 2016 county files."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from sectorwise.lmi import warehouse
from sectorwise.lmi.clusters import cluster_metrics, county_peers, related_clusters, strong_clusters
from sectorwise.lmi.regions import Region
from sectorwise.lmi.sources.clusters import ClusterCatalog, UnknownClusterError, load_clusters
from tests.conftest import shared_data_path
from tests.lmi.lmi_real_warehouse import real_warehouse

pytestmark = pytest.mark.realdata

YEAR, QTR, REFERENCE = 2016, "2", "50000"


@pytest.fixture(scope="module")
def catalog() -> ClusterCatalog:
    return load_clusters(shared_data_path("clusters", "cmp_cluster_meta_2015.json"))


@pytest.fixture(scope="module")
def con():  # type: ignore[no-untyped-def]
    return warehouse.connect(real_warehouse("50"), read_only=True)


@pytest.fixture(scope="module")
def counties(con) -> list[str]:  # type: ignore[no-untyped-def]
    table = county_peers(con.table("qcew_quarterly"), year=YEAR, qtr=QTR, state="50")
    return list(table.to_pandas().area_fips)


@pytest.fixture(scope="module")
def by_county(con, catalog: ClusterCatalog, counties: list[str]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    regions = [Region(name=c, counties=(c,)) for c in counties]
    metrics = cluster_metrics(
        con.table("qcew_quarterly"), catalog, regions, year=YEAR, qtr=QTR, reference=REFERENCE
    )
    return strong_clusters(metrics).to_pandas()


def test_every_vermont_county_gets_every_cluster(by_county: pd.DataFrame, counties: list[str]) -> None:
    assert len(counties) == 14
    assert len(by_county) == 14 * 67
    assert by_county.groupby("region").cluster_code.nunique().eq(67).all()


def test_figures_match_the_disclosed_six_digit_cells(
    by_county: pd.DataFrame, catalog: ClusterCatalog
) -> None:
    raw = duckdb.connect(str(real_warehouse("50")), read_only=True)
    codes = sorted(catalog.get("Biopharmaceuticals").naics)
    placeholders = ", ".join(f"'{c}'" for c in codes)
    expected = raw.execute(
        f"""SELECT sum(CASE WHEN disclosure_code = 'N' THEN 0 ELSE month3_emplvl END), sum(qtrly_estabs),
                   sum(CASE WHEN disclosure_code = 'N' THEN 1 ELSE 0 END)
            FROM qcew_quarterly WHERE area_fips = '50007' AND own_code = 5 AND year = {YEAR}
            AND qtr = '{QTR}' AND industry_code IN ({placeholders})"""
    ).fetchone()
    row = by_county[(by_county.region == "50007") & (by_county.cluster_code == "5")].iloc[0]
    assert expected is not None
    assert (row.employment, row.establishments, row.suppressed_cells) == tuple(int(v or 0) for v in expected)


def test_suppression_is_reported_not_hidden(by_county: pd.DataFrame) -> None:
    assert by_county.suppressed_share.between(0, 1).all()
    assert (by_county.incomplete == (by_county.suppressed_cells > 0)).all()
    assert (by_county.suppressed_employment_est[by_county.suppressed_cells == 0] == 0).all()
    # 6-digit county cells are often suppressed: most county-cluster pairs with establishments are incomplete.
    present = by_county[by_county.establishments > 0]
    assert present.incomplete.mean() > 0.5
    # BLS's own table (no estimates stored): what is withheld is reported, not made up.
    assert (present.lq_basis[present.incomplete] == "incomplete").all()


def test_strong_clusters_follow_the_projects_rule(by_county: pd.DataFrame) -> None:
    strong = by_county[by_county.strong]
    assert len(strong) > 0
    assert (strong.lq >= 1).all() and (strong.lq >= strong.lq_p75).all()
    assert (strong.employment > strong.employment_p25).all()
    assert (strong.establishments > strong.establishments_p25).all()
    assert (by_county.strength == by_county.criteria_met / 4).all()
    # At most a quarter of the peers (plus ties) can be at or above the 75th percentile of a cluster's LQ.
    assert by_county.groupby("cluster_code").strong.sum().max() <= 14 // 4 + 2


def test_a_region_is_the_sum_of_its_counties(con, catalog: ClusterCatalog, by_county: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    members = ("50007", "50011", "50013")
    region = Region(name="Northwest", counties=members)
    table = cluster_metrics(
        con.table("qcew_quarterly"), catalog, [region], year=YEAR, qtr=QTR, reference=REFERENCE
    )
    combined = table.to_pandas().set_index("cluster_code").sort_index()
    parts = by_county[by_county.region.isin(members)].groupby("cluster_code")
    for column in ("employment", "establishments", "total_wages", "suppressed_cells"):
        summed = parts[column].sum().sort_index()
        assert combined[column].tolist() == summed.tolist(), column


def test_related_clusters_and_unknown_cluster(catalog: ClusterCatalog) -> None:
    related = related_clusters(catalog, "Biopharmaceuticals").to_pandas()
    assert related.related_code.iloc[0] == "10"
    assert "Medical Devices" in set(related.related_name)
    with pytest.raises(UnknownClusterError, match="unknown cluster 'Quantum'"):
        related_clusters(catalog, "Quantum")
