"""Smoke test of the LMI benchmark at a tiny scale: it runs end to end and gives figures (no timings)."""

from __future__ import annotations

import json
from pathlib import Path

import benchmarks.__main__ as runner
import pytest

from benchmarks import lmi_engine


def test_the_synthetic_nation_has_the_scaled_number_of_files() -> None:
    states = lmi_engine.synthetic_nation(0.02)
    counties = sum(len(state.counties) for state in states)
    assert counties + len(states) + 1 == round(4_423 * 0.02)
    assert len({county.fips for state in states for county in state.counties}) == counties
    with pytest.raises(ValueError, match="scale"):
        lmi_engine.synthetic_nation(0)


def test_the_floor_reads_every_column_of_the_layout_with_an_explicit_type() -> None:
    columns = lmi_engine._floor_columns()
    assert len(columns) == 47
    assert columns["area_fips"] == "VARCHAR" and columns["lq_month3_emplvl"] == "DOUBLE"
    assert columns["month3_emplvl"] == "BIGINT" and columns["oty_month3_emplvl_pct_chg"] == "DOUBLE"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of ``python -m benchmarks --only lmi --scale 0.001`` writing into a scratch folder."""
    out = tmp_path_factory.mktemp("bench-out")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "OUT", out)
        assert runner.main(["--only", "lmi", "--scale", "0.001"]) == 0
    return out


def test_runner_produces_every_figure_at_a_tiny_scale(tiny_run: Path) -> None:
    results = json.loads((tiny_run / "lmi.json").read_text())
    assert results["generate"]["files"] == 4 and results["generate"]["rows"] > 1_000
    assert results["ingest"]["rows"] == results["ingest"]["floor_rows"] == results["generate"]["rows"]
    assert results["ingest"]["ratio"] > 0
    lq = results["location_quotients"]
    assert lq["rows"] > 0 and lq["cells_compared"] > 0
    assert lq["same_numbers"] is True
    assert lq["materialisation_floor_rows"] == lq["rows"]  # the floor hands over the same result's shape
    assert lq["materialisation_floor_seconds"] > 0 and lq["measures_one_cpu_seconds"] > 0
    assert results["region_profile"]["rows"] > 0 and len(results["region_profile"]["seconds_all"]) == 5
    assert results["region_profile"]["first_run_seconds"] > 0
    assert not any(tiny_run.glob("lmi-scale-*"))  # generated files are removed unless --keep


def test_the_report_names_every_target(tiny_run: Path) -> None:
    results = json.loads((tiny_run / "lmi.json").read_text())
    text = " ".join(" ".join(row) for row in lmi_engine.summary_rows(results))
    assert "target <= 1.5" in text and "target >= 5x faster" in text and "target <= 0.3 s" in text
    assert "per CPU" in text and "even LQs at no cost" in text
    assert "| Ingest" in (tiny_run / "lmi.md").read_text()
