"""WIOA-style indicators on a small example computed by hand (the expected figures are worked out in the
comments, not by the code under test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from sectorwise.evaluation import identifier_hash, proportion, wioa_indicators

KEY = bytes(range(32))
SSN = {name: f"1{index:02d}-45-67{index:02d}" for index, name in enumerate("ABCDEFGH", start=1)}


def _id(name: str) -> str:
    return identifier_hash(SSN[name], KEY)


def _participants() -> pd.DataFrame:
    rows = [
        # person, partnership, entry, exit, credential
        ("A", "P1", "2022-06-01", "2023-02-15", True),  # exit 2023 Q1: Q2 after = 2023 Q3, Q4 after = 2024 Q1
        ("B", "P1", "2022-07-01", "2023-03-31", False),
        ("C", "P1", "2022-07-01", "2023-01-05", True),
        ("D", "P1", "2022-08-01", "2023-03-01", False),
        ("E", "P1", "2022-09-01", None, True),  # not exited: left out
        (
            "F",
            "P1",
            "2022-09-01",
            "2023-05-10",
            False,
        ),  # exit 2023 Q2: Q2 after = 2023 Q4, Q4 after = 2024 Q2
        ("G", "P2", "2022-06-01", "2023-02-01", True),
        ("H", "P2", "2022-06-01", "2023-03-10", False),
    ]
    return pd.DataFrame(
        {
            "person_id": [_id(p) for p, *_ in rows],
            "partnership_id": [r[1] for r in rows],
            "entry_date": [dt.date.fromisoformat(r[2]) for r in rows],
            "exit_date": [None if r[3] is None else dt.date.fromisoformat(r[3]) for r in rows],
            "credential": [r[4] for r in rows],
        }
    ).astype({"entry_date": "datetime64[s]", "exit_date": "datetime64[s]"})


def _wages() -> pd.DataFrame:
    rows = [
        ("A", 2023, 3, "E1", 5000.0),
        ("A", 2024, 1, "E1", 5200.0),
        ("B", 2023, 3, "E2", 3000.0),  # two employers in Q2 after exit: 4,000 in all
        ("B", 2023, 3, "E3", 1000.0),
        ("B", 2024, 1, "E3", 4100.0),  # same employer E3 in Q4: retained
        ("C", 2023, 2, "E1", 2000.0),  # the 1st quarter after exit: does not count
        ("C", 2024, 1, "E4", 3000.0),
        ("D", 2023, 3, "E5", 6000.0),
        ("D", 2023, 3, "E1", 0.0),  # a zero wage record is not employment
        ("D", 2024, 1, "E6", 6100.0),  # another employer in Q4: not retained
        ("E", 2023, 3, "E1", 9999.0),
        ("F", 2023, 4, "E1", 2500.50),
        ("G", 2023, 3, "E1", 1000.25),
        ("G", 2024, 1, "E1", 500.0),
        ("H", 2023, 3, "E2", 2000.0),
    ]
    return pd.DataFrame(
        {
            "person_id": [_id(r[0]) for r in rows],
            "year": [r[1] for r in rows],
            "quarter": [r[2] for r in rows],
            "employer_id": [r[3] for r in rows],
            "wages": [r[4] for r in rows],
        }
    )


def _row(result: pd.DataFrame, partnership: str, year: int, quarter: int) -> pd.Series:
    selected = result[
        (result["partnership_id"] == partnership)
        & (result["exit_year"] == year)
        & (result["exit_quarter"] == quarter)
    ]
    assert len(selected) == 1
    return selected.iloc[0]


def test_hand_computed_indicators_per_partnership_and_cohort() -> None:
    result = wioa_indicators(_participants(), _wages(), minimum=0)
    assert len(result) == 3
    p1 = _row(result, "P1", 2023, 1)
    # A, B, C, D exited in 2023 Q1. Employed in 2023 Q3: A, B, D (C only in Q1 after exit) -> 3/4.
    # Employed in 2024 Q1: A, B, C, D -> 4/4. Median Q2 earnings of 5,000, 4,000, 6,000 -> 5,000.
    # Retention among A, B, D: A (E1) and B (E3) -> 2/3. Credentials: A, C -> 2/4.
    assert p1["exiters"] == 4
    assert (p1["employment_q2"], p1["employment_q2_n"]) == (0.75, 4)
    assert (p1["employment_q4"], p1["employment_q4_n"]) == (1.0, 4)
    assert (p1["median_earnings_q2"], p1["median_earnings_q2_n"]) == (Decimal("5000.00"), 3)
    assert p1["retention"] == pytest.approx(2 / 3) and p1["retention_n"] == 3
    assert (p1["credential_rate"], p1["credential_rate_n"]) == (0.5, 4)
    wilson = proportion(3, 4, minimum=0)
    assert (p1["employment_q2_low"], p1["employment_q2_high"]) == pytest.approx((wilson.low, wilson.high))
    # F exited in 2023 Q2; the wage records end in 2024 Q1, before F's 4th quarter after exit (2024 Q2).
    f = _row(result, "P1", 2023, 2)
    assert (f["exiters"], f["employment_q2"], f["employment_q2_n"]) == (1, 1.0, 1)
    assert f["employment_q4_n"] == 0 and pd.isna(f["employment_q4"])
    assert f["retention_n"] == 0 and pd.isna(f["retention"])
    assert f["median_earnings_q2"] == Decimal("2500.50")
    # G and H: both employed in Q2 (1,000.25 and 2,000 -> median 1,500.125), only G in Q4, G retained.
    p2 = _row(result, "P2", 2023, 1)
    assert (p2["employment_q2"], p2["employment_q4"], p2["retention"], p2["credential_rate"]) == (
        1.0,
        0.5,
        0.5,
        0.5,
    )
    assert p2["median_earnings_q2"] == Decimal("1500.125")


def test_whole_partnership_and_arrow_input() -> None:
    result = wioa_indicators(
        pa.Table.from_pandas(_participants()), pa.Table.from_pandas(_wages()), minimum=0, by_cohort=False
    )
    p1 = result[result["partnership_id"] == "P1"].iloc[0]
    # A, B, C, D, F: employed in Q2 after exit A, B, D, F -> 4/5; Q4 observable for A-D only -> 4/4;
    # median of 4,000, 5,000, 6,000, 2,500.50 -> 4,500; retention 2/3 (F's Q4 not observable);
    # credentials 2/5.
    assert (p1["exiters"], p1["employment_q2"], p1["employment_q4"], p1["employment_q4_n"]) == (
        5,
        0.8,
        1.0,
        4,
    )
    assert p1["median_earnings_q2"] == Decimal("4500.00")
    assert (p1["retention_n"], p1["credential_rate"]) == (3, 0.4)


def test_small_denominators_are_suppressed_and_wages_through_is_respected() -> None:
    result = wioa_indicators(_participants(), _wages(), minimum=3)
    p1 = _row(result, "P1", 2023, 1)
    assert p1["retention"] == pytest.approx(2 / 3)  # n = 3 is shown
    p2 = _row(result, "P2", 2023, 1)
    assert p2["employment_q2_n"] == 2
    assert (
        pd.isna(p2["employment_q2"]) and pd.isna(p2["employment_q2_low"]) and p2["median_earnings_q2"] is None
    )
    # Wage records "through 2023 Q4": nobody's 4th quarter after exit is covered yet.
    early = wioa_indicators(_participants(), _wages(), minimum=0, wages_through=(2023, 4))
    assert (early["employment_q4_n"] == 0).all() and early["employment_q4"].isna().all()


def test_raw_identifiers_are_refused_without_being_repeated() -> None:
    participants = _participants()
    participants.loc[2, "person_id"] = "123-45-6789"
    with pytest.raises(
        ValueError, match=r"1 person_id value\(s\) are not identifier hashes \(first at row 3\)"
    ) as caught:
        wioa_indicators(participants, _wages())
    assert "6789" not in str(caught.value)
    with pytest.raises(ValueError, match="missing column"):
        wioa_indicators(participants.drop(columns="credential"), _wages())
