"""Staffing patterns from the real OEWS May 2025 national industry file and state wages."""

from __future__ import annotations

import ibis
import pandas as pd
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorwise.lmi.regions import Region
from sectorwise.lmi.regionsets import RegionSet
from sectorwise.lmi.sources.oews import OewsData, load_oews
from sectorwise.lmi.staffing import (
    STAFFING_ASSUMPTIONS,
    WageArea,
    choose_wage_area,
    industry_occupation_wages,
    leading_metro,
    match_industries,
    occupation_wages,
    oews_industry_keys,
    staffing_pattern,
    state_wage_area,
)
from tests.conftest import shared_data_path

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def oews() -> OewsData:
    return load_oews(shared_data_path("oews"))


def _employment(rows: dict[str, float]) -> ibis.Table:
    return ibis.memtable(pd.DataFrame({"industry_code": list(rows), "employment": list(rows.values())}))


def test_industry_keys_cover_sectors_aggregates_and_private_ownership(oews: OewsData) -> None:
    keys = dict(
        zip(*(oews_industry_keys(oews)[c].to_pylist() for c in ("key", "oews_industry_code")), strict=True)
    )
    assert keys["31"] == keys["32"] == keys["33"] == "31--34"
    assert keys["3251"] == keys["3259"] == "3250A1"
    assert keys["6111"] == "611105"  # privately owned schools
    assert keys["221111"] == "221111"
    assert keys["3364"] == "336400"


def test_qcew_codes_match_the_most_detailed_oews_industry(oews: OewsData) -> None:
    codes = {"325412": 1.0, "722511": 1.0, "452112": 1.0, "311": 1.0, "31-33": 1.0, "921110": 1.0}
    matched = match_industries(_employment(codes), oews).to_pandas().set_index("industry_code")
    assert matched.loc["325412", "oews_industry_code"] == "325400"
    assert matched.loc["325412", "match_level"] == 4
    assert matched.loc["722511", "match_level"] == 6
    # General merchandise stores (NAICS 2012 452) were renumbered in NAICS 2022: rolled up to retail.
    assert matched.loc["452112", "oews_industry_code"] == "44--46"
    assert matched.loc["311", "oews_industry_code"] == "311000"
    assert matched.loc["31-33", "oews_industry_code"] == "31--34"
    assert pd.isna(matched.loc["921110", "oews_industry_code"])  # public administration has no OEWS industry


def test_aerospace_staffing_pattern_is_led_by_aircraft_assemblers(oews: OewsData) -> None:
    pattern = staffing_pattern(_employment({"336411": 1000.0}), oews, wage_area="5000000").to_pandas()
    total = pattern.employment_est.sum()
    assert 850 <= total <= 1000  # detailed occupations cover most, never more, of the jobs
    top = pattern.head(10).occupation_code.tolist()
    assert "512011" in top  # Aircraft Structure, Surfaces, Rigging, and Systems Assemblers
    assert set(pattern.wage_source) <= {"Vermont", "national"}
    assert (pattern.wage_source == "Vermont").mean() > 0.5
    assert pattern.share_of_targets.sum() == pytest.approx(total / 1000, rel=1e-3)


@settings(max_examples=15, deadline=None)
@given(scale=st.floats(min_value=0.5, max_value=20))
def test_occupation_estimates_scale_with_industry_employment(oews: OewsData, scale: float) -> None:
    base = {"541511": 400.0, "622110": 600.0}
    one = staffing_pattern(_employment(base), oews, wage_area=None).to_pandas().set_index("occupation_code")
    scaled = {k: v * scale for k, v in base.items()}
    two = staffing_pattern(_employment(scaled), oews, wage_area=None).to_pandas().set_index("occupation_code")
    assert two.employment_est.sum() == pytest.approx(one.employment_est.sum() * scale, rel=0.01, abs=20)
    assert two.share_of_targets.sum() == pytest.approx(one.share_of_targets.sum(), rel=1e-9)


def test_wages_fall_back_to_national_and_unknown_areas_are_refused(oews: OewsData) -> None:
    wages = occupation_wages(oews, "5000000")
    national = occupation_wages(oews, None)
    assert set(national["wage_source"].to_pylist()) == {"national"}
    nurses = wages.filter(pc.equal(wages["occupation_code"], "291141")).to_pylist()[0]
    assert nurses["wage_source"] == "Vermont" and nurses["annual_mean_wage"] > 50_000
    with pytest.raises(ValueError, match="unknown OEWS wage area '9999999'"):
        occupation_wages(oews, "9999999")


def test_occupation_wage_of_an_industry_is_a_weighted_mean_of_its_wages(oews: OewsData) -> None:
    table = industry_occupation_wages(oews, wage_area=None).to_pandas().set_index("oews_industry_code")
    # Software publishers pay more through their occupations than restaurants do.
    assert table.loc["513200", "occupation_wage"] > 2 * table.loc["722500", "occupation_wage"]


def test_state_wage_area_and_assumptions() -> None:
    assert state_wage_area(Region("VT", ("50007", "50011"))) == "5000000"
    assert state_wage_area(Region("Two", ("50007", "33001"))) is None
    assert len(STAFFING_ASSUMPTIONS) >= 4


METROS = RegionSet(
    "cbsa", {"50007": "15540", "50011": "15540", "50013": "15540", "50023": "12700", "50027": "30100"}
)


def test_the_leading_metro_holds_the_largest_share_of_the_regions_jobs() -> None:
    jobs = {"50007": 100.0, "50011": 30.0, "50023": 60.0, "50001": 10.0}
    assert leading_metro(jobs, METROS) == ("15540", pytest.approx(130 / 200))
    assert leading_metro({"50023": 5.0, "50027": 5.0}, METROS) == ("12700", 0.5)  # a tie: the lower code
    assert leading_metro({"50001": 10.0}, METROS) is None  # no county in a metro
    assert leading_metro({"50007": 0.0}, METROS) is None  # no jobs, no share


@given(jobs=st.dictionaries(st.sampled_from(["50001", *METROS.assignments]), st.floats(0, 1e6), min_size=1))
def test_a_leading_metros_share_is_a_share_and_no_other_metro_holds_more(jobs: dict[str, float]) -> None:
    found = leading_metro(jobs, METROS)
    if found is None:
        return
    code, share = found
    total = sum(jobs.values())
    held = {m: sum(v for c, v in jobs.items() if METROS.assignments.get(c) == m) for m in METROS.region_ids}
    assert 0 < share <= 1 + 1e-12
    assert held[code] == pytest.approx(share * total)
    assert all(other <= held[code] for other in held.values())


def test_wage_area_order_given_metro_state_national(oews: OewsData) -> None:
    northwest = Region("NW", ("50007", "50011", "50023"))
    jobs = {"50007": 100.0, "50011": 30.0, "50023": 60.0}
    assert choose_wage_area(northwest, oews, given="5000000") == WageArea("5000000", "chosen")
    with pytest.raises(ValueError, match="'9999999' is not an OEWS area"):
        choose_wage_area(northwest, oews, given="9999999")
    metro = choose_wage_area(northwest, oews, county_jobs=jobs, metros=METROS)
    assert metro == WageArea("0015540", "the metro area with 68% of the region's jobs")
    assert (
        metro.label(oews) == "Burlington-South Burlington, VT (the metro area with 68% of the region's jobs)"
    )
    # Under half of the jobs in the leading metro, or a metro OEWS does not publish: the state's wages.
    spread = {"50007": 40.0, "50023": 30.0, "50001": 30.0}
    assert choose_wage_area(northwest, oews, county_jobs=spread, metros=METROS).code == "5000000"
    unpublished = RegionSet("cbsa", {"50007": "99999"})
    assert choose_wage_area(northwest, oews, county_jobs=jobs, metros=unpublished).code == "5000000"
    assert choose_wage_area(northwest, oews).why == "the region's state"
    two_states = Region("Two", ("50007", "33001"))
    assert choose_wage_area(two_states, oews) == WageArea(None, "national")
    assert WageArea(None, "national").label(oews) == "national"
