"""The ranking engine: settings file, screening, normalisation, explanation, sensitivity, invariants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorwise.lmi.ranking import (
    INDICATORS,
    RankingConfig,
    RankingConfigError,
    default_config,
    load_ranking_config,
    normalise,
    rank_candidates,
)


def _candidate(code: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": code,
        "title": f"Industry {code}",
        "employment": 500.0,
        "establishments": 20.0,
        "suppressed": False,
    }
    row.update({key: 1.0 for key in INDICATORS})
    row.update(values)
    return row


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows)


def test_defaults_ship_with_the_package() -> None:
    config = default_config()
    assert set(config.weights) == set(INDICATORS)
    assert all(weight == 1.0 for weight in config.weights.values())
    assert config.normalisation == "percentile" and config.min_employment == 50


def test_a_user_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    path = tmp_path / "weights.toml"
    path.write_text("[weights]\nlq = 2.5\nsize = 0\n[ranking]\nnormalisation = 'minmax'\n")
    config = load_ranking_config(path)
    assert config.weights["lq"] == 2.5 and config.weights["size"] == 0.0 and config.weights["growth"] == 1.0
    assert config.normalisation == "minmax" and config.source == str(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[weights]\nlq = \n", r"not valid TOML: .*line 2"),
        ("[weights]\nsize = 1\nlqq = 2\n", r"line 3: unknown indicator 'lqq'"),
        ("[weights]\n\nlq = -1\n", r"line 3: weight 'lq' must be zero or positive"),
        ("[weights]\nlq = 'high'\n", r"line 2: weight 'lq' must be a number"),
        ("[ranking]\nnormalisation = 'zscore'\n", r"line 2: normalisation must be one of percentile, minmax"),
        ("[ranking]\nmin_employment = 2.5\n", r"line 2: min_employment must be a whole number"),
        ("[weighs]\nlq = 1\n", r"line 1: unknown entry 'weighs'"),
        ("[weights]\n" + "".join(f"{k} = 0\n" for k in INDICATORS), "every weight is zero"),
    ],
)
def test_bad_settings_name_the_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(RankingConfigError, match=message) as caught:
        load_ranking_config(path)
    assert str(path) in str(caught.value)


def test_small_suppressed_and_incomplete_candidates_are_listed_not_ranked() -> None:
    rows = [
        _candidate("A", size=900.0),
        _candidate("B", suppressed=True),
        _candidate("C", employment=12.0),
        _candidate("D", establishments=1.0),
        _candidate("E", lq=None),
        _candidate("F", size=100.0),
    ]
    result = rank_candidates(_table(rows), default_config())
    assert result.ranked.column("code").to_pylist() == ["A", "F"]
    reasons = dict(
        zip(result.not_ranked["code"].to_pylist(), result.not_ranked["reason"].to_pylist(), strict=True)
    )
    assert reasons["B"].startswith("suppressed")
    assert reasons["C"] == "small: 12 jobs < 50"
    assert reasons["D"].startswith("few establishments")
    assert reasons["E"] == "missing indicator: Location quotient"


def test_an_indicator_nobody_has_is_left_out_with_a_note() -> None:
    rows = [_candidate(code, growth=None, lq=float(i)) for i, code in enumerate("ABC")]
    result = rank_candidates(_table(rows), default_config())
    assert "growth" not in result.indicators_used
    assert any("growth" in note for note in result.notes)
    assert result.ranked.column("code").to_pylist() == ["C", "B", "A"]


def test_every_score_is_the_sum_of_its_explained_contributions() -> None:
    rows = [
        _candidate(f"I{i}", size=float(i * 37 % 11), lq=float(i % 5), wage_ratio=i / 7) for i in range(12)
    ]
    result = rank_candidates(_table(rows), default_config())
    explanation = result.explanation.to_pylist()
    for ranked in result.ranked.to_pylist():
        parts = [e["contribution"] for e in explanation if e["code"] == ranked["code"]]
        assert len(parts) == len(result.indicators_used)
        assert sum(parts) == pytest.approx(ranked["score"])
    assert sum(e["weight"] for e in explanation if e["code"] == "I0") == pytest.approx(1.0)


def test_sensitivity_moves_every_weight_both_ways() -> None:
    rows = [_candidate(f"I{i:02d}", size=float(i), lq=float(15 - i), growth=float(i % 4)) for i in range(15)]
    result = rank_candidates(_table(rows), default_config())
    sensitivity = result.sensitivity.to_pylist()
    assert len(sensitivity) == 2 * len(result.indicators_used)
    assert {(s["indicator"], s["weight_change"]) for s in sensitivity} >= {("size", "+25%"), ("lq", "-25%")}
    for row in sensitivity:
        assert len(row["top10"].split(", ")) == 10
        assert row["same_top10_set"] == (row["entered"] == "" and row["left"] == "")


def test_normalisation_methods() -> None:
    assert normalise([3.0, 1.0, 2.0], "percentile") == [1.0, 0.0, 0.5]
    assert normalise([1.0, 1.0, 3.0], "percentile") == [0.25, 0.25, 1.0]
    assert normalise([0.0, 5.0, 10.0], "minmax") == [0.0, 0.5, 1.0]
    assert normalise([4.0], "minmax") == [0.5]
    assert normalise([2.0, 2.0], "minmax") == [0.5, 0.5]


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
indicator_rows = st.lists(st.tuples(*[finite for _ in INDICATORS]), min_size=1, max_size=12)
weights = st.fixed_dictionaries({k: st.floats(min_value=0.0, max_value=5.0) for k in INDICATORS}).filter(
    lambda w: sum(w.values()) > 0.01
)


def _rows(values: list[tuple[float, ...]]) -> list[dict[str, Any]]:
    return [_candidate(f"C{i:02d}", **dict(zip(INDICATORS, v, strict=True))) for i, v in enumerate(values)]


@settings(max_examples=150, deadline=None)
@given(values=indicator_rows, weight=weights, method=st.sampled_from(["percentile", "minmax"]))
def test_scores_are_bounded(values: list[tuple[float, ...]], weight: dict[str, float], method: str) -> None:
    config = RankingConfig(weights=weight, normalisation=method)  # type: ignore[arg-type]
    result = rank_candidates(_table(_rows(values)), config)
    scores = result.ranked.column("score").to_pylist()
    assert len(scores) == len(values)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=200, deadline=None)
@given(
    values=indicator_rows,
    weight=weights,
    method=st.sampled_from(["percentile", "minmax"]),
    which=st.integers(min_value=0),
    indicator=st.sampled_from(INDICATORS),
    raise_by=st.floats(min_value=0.0, max_value=1e6),
)
def test_raising_one_indicator_never_lowers_the_score(
    values: list[tuple[float, ...]],
    weight: dict[str, float],
    method: str,
    which: int,
    indicator: str,
    raise_by: float,
) -> None:
    config = RankingConfig(weights=weight, normalisation=method)  # type: ignore[arg-type]
    rows = _rows(values)
    target = rows[which % len(rows)]
    before = _score_of(rank_candidates(_table(rows), config), target["code"])
    target[indicator] = target[indicator] + raise_by
    after = _score_of(rank_candidates(_table(rows), config), target["code"])
    assert after >= before - 1e-12


def _score_of(result: Any, code: str) -> float:
    for row in result.ranked.to_pylist():
        if row["code"] == code:
            return float(row["score"])
    raise AssertionError(code)
