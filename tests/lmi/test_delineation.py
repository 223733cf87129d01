"""Commuting zones by the Tolbert-Sizer method: hand-worked cases, invariants, real-data agreement."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorwise.lmi.delineation import (
    check_cutoff,
    commuting_tree,
    delineate,
    state_fips,
    with_stability,
)
from sectorwise.lmi.regionsets import UnknownCountyError, compare
from sectorwise.lmi.sources.commuting import ABROAD, CommutingFlows, read_acs_flows
from sectorwise.lmi.sources.delineations import load_published
from tests.conftest import shared_data_path


def make_flows(
    rows: list[tuple[str, str, float]], *, moe: list[float] | None = None, level: str = "county"
) -> CommutingFlows:
    return CommutingFlows(
        home=np.array([r[0] for r in rows], dtype="<U11"),
        work=np.array([r[1] for r in rows], dtype="<U11"),
        workers=np.array([r[2] for r in rows], dtype=np.float64),
        moe=np.array(moe if moe is not None else [math.nan] * len(rows), dtype=np.float64),
        level=level,  # type: ignore[arg-type]
        source="test flows",
    )


# A city (A), a suburb (B) tied to it, and a remote county (C). Resident workers: A 1000, B 200, C 100.
# PF(A,B) = (50 + 60) / min(1000, 200) = 0.55 -> dissimilarity 0.45; PF(B,C) = 2/100 = 0.02 -> 0.98;
# PF(A,C) = 1/100 -> 0.99. Average linkage joins A and B at 0.45, then C at (0.99 + 0.98) / 2 = 0.985.
HAND = [
    ("10001", "10001", 940.0),
    ("10001", "10003", 50.0),
    ("10001", ABROAD, 10.0),
    ("10003", "10003", 138.0),
    ("10003", "10001", 60.0),
    ("10003", "10005", 2.0),
    ("10005", "10005", 99.0),
    ("10005", "10001", 1.0),
]


def test_hand_worked_zones_and_fit() -> None:
    flows = make_flows(HAND)
    tree = commuting_tree(flows)
    assert tree.linkage_matrix[:, 2].tolist() == pytest.approx([0.45, 0.985])
    zones = tree.cut(0.977)
    assert zones.region_ids == ("CZ10001", "CZ10001", "CZ10005")
    assert zones.zone_count == 2
    table = {row["county_fips"]: row for row in zones.county_table().to_pylist()}
    # Resident workers leave out the 10 who work abroad.
    assert table["10001"]["resident_workers"] == 990
    assert table["10001"]["jobs"] == 940 + 60 + 1
    assert table["10003"]["resident_share_in_zone"] == pytest.approx(198 / 200)
    assert table["10001"]["job_share_from_zone"] == pytest.approx(1000 / 1001)
    assert table["10003"]["zone_job_share"] == pytest.approx(198 / (1001 + 188))
    assert table["10001"]["zone_containment"] == pytest.approx((990 + 198) / (990 + 200))
    assert table["10003"]["is_core"] is False
    zone = {row["region_id"]: row for row in zones.zone_table().to_pylist()}
    assert zone["CZ10001"]["counties"] == 2
    assert zone["CZ10001"]["job_containment"] == pytest.approx((990 + 198) / (1001 + 188))
    assert zone["CZ10005"]["containment"] == pytest.approx(99 / 100)
    assert tree.cut(0.99).zone_count == 1
    assert tree.cut(0.4).zone_count == 3


def test_proportional_flow_is_capped_at_0999() -> None:
    # B's 200 residents all commute to A and A sends 150 back: PF = 350 / 200 > 1, capped at 0.999.
    flows = make_flows([("20001", "20001", 500.0), ("20001", "20003", 150.0), ("20003", "20001", 200.0)])
    assert commuting_tree(flows).linkage_matrix[0, 2] == pytest.approx(0.001)


def test_states_keep_out_of_state_commuters_in_resident_workers() -> None:
    flows = make_flows([*HAND, ("11001", "11001", 500.0), ("11001", "10001", 5.0), ("10003", "11001", 800.0)])
    within = commuting_tree(flows, states=state_fips(["DE"]))
    assert within.counties == ("10001", "10003", "10005")
    # 10003's 1000 resident workers include the 800 who work in DC: PF(A,B) = 110 / min(990, 1000).
    assert within.linkage_matrix[0, 2] == pytest.approx(1 - 110 / 990)
    assert len(delineate(flows)) == 4


def test_state_codes() -> None:
    assert state_fips(["nj", "36", "9,VT"]) == ("09", "34", "36", "50")
    with pytest.raises(ValueError, match="unknown state 'XX'"):
        state_fips(["XX"])
    with pytest.raises(ValueError, match="unknown state '99'"):
        state_fips(["99"])
    with pytest.raises(ValueError, match="no county of state"):
        delineate(make_flows(HAND), states=("34",))


@given(st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(math.nan)))
def test_bad_cutoffs_are_refused(cutoff: float) -> None:
    with pytest.raises(ValueError, match="cutoff must be a number strictly between 0 and 1"):
        check_cutoff(cutoff)
    with pytest.raises(ValueError, match="cutoff"):
        commuting_tree(make_flows(HAND)).cut(cutoff)


def test_unknown_county_and_wrong_level() -> None:
    zones = delineate(make_flows(HAND))
    with pytest.raises(UnknownCountyError, match="unknown county '99999'"):
        zones.region_of("99999")
    with pytest.raises(UnknownCountyError):
        zones.region_set("hand").region_of("99999")
    with pytest.raises(ValueError, match="by tract"):
        delineate(make_flows([("44007000100", "44007000100", 5.0)], level="tract"))


def test_stability() -> None:
    certain = make_flows(HAND, moe=[0.0] * len(HAND))
    zones = delineate(certain, draws=5)
    assert zones.stability is not None
    assert zones.stability.tolist() == [1.0, 1.0, 1.0]
    assert "stability" in zones.county_table().column_names
    # Huge margins: the suburb's tie to the city comes and goes, the same way for the same seed.
    shaky = make_flows(HAND, moe=[w * 3 for _, _, w in HAND])
    first = delineate(shaky, draws=30, seed=7).stability
    again = delineate(shaky, draws=30, seed=7).stability
    assert first is not None and again is not None
    assert first.tolist() == again.tolist()
    assert first[0] == 1.0  # the core always stays with itself
    assert 0.0 < first[1] < 1.0
    with pytest.raises(ValueError, match="has none"):
        delineate(make_flows(HAND), draws=3)
    with pytest.raises(ValueError, match="draws must be 1 or more"):
        with_stability(certain, zones, draws=0)


COUNTIES = [f"{state}{county:03d}" for state in ("34", "36") for county in range(1, 16, 2)]


@st.composite
def random_flows(draw: st.DrawFn) -> CommutingFlows:
    n = draw(st.integers(min_value=2, max_value=len(COUNTIES)))
    counties = COUNTIES[:n]
    rows: list[tuple[str, str, float]] = [(c, c, float(draw(st.integers(1, 5000)))) for c in counties]
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(counties), st.sampled_from(counties), st.integers(0, 3000)), max_size=40
        )
    )
    rows += [(h, w, float(k)) for h, w, k in pairs if h != w]
    return make_flows(rows)


@settings(max_examples=60, deadline=None)
@given(flows=random_flows(), cutoff=st.floats(min_value=0.05, max_value=0.999))
def test_every_county_is_in_exactly_one_zone(flows: CommutingFlows, cutoff: float) -> None:
    zones = delineate(flows, cutoff=cutoff)
    table = zones.county_table()
    counties = table.column("county_fips").to_pylist()
    assert sorted(counties) == sorted(set(counties)) == list(flows.areas())
    sizes = {row["region_id"]: row["counties"] for row in zones.zone_table().to_pylist()}
    assert sum(sizes.values()) == len(counties)
    for row in table.to_pylist():
        assert sizes[row["region_id"]] == row["zone_counties"]
        assert 0.0 <= row["resident_share_in_zone"] <= 1.0 + 1e-12
    # The zone is named after its core county, and the core is in the zone.
    for county, region in zip(zones.counties, zones.region_ids, strict=True):
        assert zones.region_of(region[2:]) == region
        assert county in zones.region_set().members(region)


@settings(max_examples=60, deadline=None)
@given(flows=random_flows(), cutoffs=st.lists(st.floats(0.05, 0.999), min_size=2, max_size=2, unique=True))
def test_a_higher_cutoff_never_splits_a_zone(flows: CommutingFlows, cutoffs: list[float]) -> None:
    low, high = sorted(cutoffs)
    fine = delineate(flows, cutoff=low)
    coarse = delineate(flows, cutoff=high)
    assert coarse.zone_count <= fine.zone_count
    coarse_of = dict(zip(coarse.counties, coarse.region_ids, strict=True))
    containing: dict[str, set[str]] = {}
    for county, region in zip(fine.counties, fine.region_ids, strict=True):
        containing.setdefault(region, set()).add(coarse_of[county])
    assert all(len(parents) == 1 for parents in containing.values())


@cache
def _acs_flows() -> CommutingFlows:
    return read_acs_flows(
        shared_data_path("commuting", "mobz_foote_kutzbach_vilhuber", "jtw2009_2013.csv.gz")
    )


@pytest.mark.realdata
def test_acs_2009_2013_agrees_with_penn_state_2010_and_fowler_2020() -> None:
    zones = delineate(_acs_flows(), cutoff=0.977).region_set("acs2013")
    psu = load_published("psu2010", shared_data_path("commuting", "psu_cz2010", "counties10-zqvz0r.csv"))
    fowler = load_published("fowler2020", shared_data_path("commuting", "fowler_cz2020", "county20.csv"))
    with_psu = compare(zones, psu)
    with_fowler = compare(zones, fowler)
    assert with_psu.common_counties == 3143
    assert with_psu.ari >= 0.78
    assert with_fowler.ari >= 0.74
    assert 550 <= len(zones.region_ids) <= 700


@pytest.mark.realdata
def test_new_jersey_within_state_and_stability() -> None:
    zones = delineate(_acs_flows(), states=state_fips(["NJ"]), draws=3, seed=1)
    assert len(zones) == 21
    assert all(c.startswith("34") for c in zones.counties)
    assert zones.stability is not None
    assert float(np.mean(zones.stability)) > 0.5
    # Hudson and Essex commute into each other's labour markets: one zone.
    assert zones.region_of("34017") == zones.region_of("34013")


def test_stability_draws_report_progress_and_their_time() -> None:
    certain = make_flows(HAND, moe=[0.0] * len(HAND))
    told: list[tuple[int, int]] = []
    zones = delineate(certain, draws=4, progress=lambda done, total: told.append((done, total)))
    assert told == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert zones.draws == 4 and zones.stability_seconds > 0.0
    told.clear()
    without = delineate(certain, draws=0, progress=lambda done, total: told.append((done, total)))
    assert told == [] and without.draws == 0 and without.stability_seconds == 0.0


def test_zones_are_named_after_their_core_county() -> None:
    zones = delineate(make_flows(HAND))
    # Delaware's counties; a title from the warehouse names the county, else its FIPS code does.
    names = zones.zone_names({"10001": "Kent County, Delaware"})
    assert names == {"CZ10001": "Kent County, DE area", "CZ10005": "10005, DE area"}
    assert zones.region_set("hand", region_names=names).to_region("CZ10001").name == "Kent County, DE area"
    table = zones.zone_table(region_names=names)
    assert table.column("region_name").to_pylist() == ["Kent County, DE area", "10005, DE area"]
    assert zones.county_table(region_names=names).column("region_name").to_pylist() == [
        "Kent County, DE area",
        "Kent County, DE area",
        "10005, DE area",
    ]
    assert "region_name" not in zones.county_table().column_names
