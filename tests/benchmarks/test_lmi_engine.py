"""Smoke test of the LMI benchmark at a tiny scale: it runs end to end and gives figures (no timings)."""

from __future__ import annotations

import json
from pathlib import Path

import benchmarks.__main__ as runner
import pytest
from rich.console import Console

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


def test_runner_produces_every_figure_at_a_tiny_scale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "OUT", tmp_path)
    assert runner.main(["--only", "lmi", "--scale", "0.001"]) == 0
    results = json.loads((tmp_path / "lmi.json").read_text())
    assert results["generate"]["files"] == 4 and results["generate"]["rows"] > 1_000
    assert results["ingest"]["rows"] == results["ingest"]["floor_rows"] == results["generate"]["rows"]
    assert results["ingest"]["ratio"] > 0
    lq = results["location_quotients"]
    assert lq["rows"] > 0 and lq["cells_compared"] > 0
    assert lq["same_numbers"] is True
    assert results["region_profile"]["rows"] > 0 and len(results["region_profile"]["seconds_all"]) == 5
    assert "| Ingest" in (tmp_path / "lmi.md").read_text()
    assert not any(tmp_path.glob("lmi-scale-*"))  # generated files are removed unless --keep


def test_summary_rows_name_every_target(tmp_path: Path) -> None:
    results = lmi_engine.run(Console(quiet=True), scale=0.001, out=tmp_path)
    text = " ".join(" ".join(row) for row in lmi_engine.summary_rows(results))
    assert "target <= 1.5" in text and "target >= 5" in text and "target <= 0.3 s" in text
