"""The industry assessment: node_modules lookup, containment, charts, and a real Vermont report."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi.assessment import (
    COUNTY_TOPOLOGY,
    NODE_MODULES_ENV,
    AssetsNotFoundError,
    find_node_modules,
    region_containment,
)
from sectorwise.lmi.regions import Region
from sectorwise.lmi.sources.commuting import CommutingFlows
from tests.conftest import shared_data_path
from tests.lmi.lmi_real_warehouse import real_warehouse

PROJECT = Path(__file__).resolve().parents[2]


def test_node_modules_found_from_an_option_an_env_var_or_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "assets" / "node_modules"
    (fake / COUNTY_TOPOLOGY).parent.mkdir(parents=True)
    (fake / COUNTY_TOPOLOGY).write_text("{}")
    assert find_node_modules(fake) == fake
    monkeypatch.setenv(NODE_MODULES_ENV, str(fake))
    assert find_node_modules() == fake
    monkeypatch.delenv(NODE_MODULES_ENV)
    if (PROJECT / "node_modules" / COUNTY_TOPOLOGY).is_file():
        assert find_node_modules(start=tmp_path) == PROJECT / "node_modules"
    with pytest.raises(
        AssetsNotFoundError, match=r"no node_modules with us-atlas/counties-10m\.json.*npm install"
    ):
        find_node_modules(tmp_path / "missing")


def test_containment_counts_residents_and_jobs_inside() -> None:
    flows = CommutingFlows(
        home=np.array(["50007", "50007", "50011", "50023", "50007"]),
        work=np.array(["50007", "50011", "50011", "50007", "50023"]),
        workers=np.array([100.0, 20.0, 50.0, 30.0, 10.0]),
        moe=np.full(5, np.nan),
        level="county",
        source="synthetic",
    )
    containment = region_containment(flows, Region("NW", ("50007", "50011")))
    assert containment.resident_workers == 180 and containment.jobs == 200
    assert containment.resident_share_inside == pytest.approx(170 / 180)
    assert containment.job_share_held_by_residents == pytest.approx(170 / 200)
    with pytest.raises(ValueError, match="no residents of region"):
        region_containment(flows, Region("Far", ("34001",)))


@pytest.mark.realdata
@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_a_real_vermont_assessment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    if not (PROJECT / "node_modules" / COUNTY_TOPOLOGY).is_file():
        pytest.skip("node_modules is not installed (npm install)")
    monkeypatch.setenv("SECTORWISE_CLUSTERS", str(shared_data_path("clusters", "cmp_cluster_meta_2015.json")))
    monkeypatch.setenv("SECTORWISE_OEWS", str(shared_data_path("oews")))
    flows = shared_data_path("commuting", "mobz_foote_kutzbach_vilhuber", "jtw2009_2013.csv.gz")
    output = tmp_path / f"assessment{suffix}"
    result = CliRunner().invoke(
        app,
        [
            "lmi", "assessment", "-o", str(output), "--warehouse", str(real_warehouse("50")),
            "--region", "Burlington=50001,50007,50011,50013,50015,50021", "--level", "naics3",
            "--flows", str(flows), "--node-modules", str(PROJECT / "node_modules"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "top 5" in result.stderr
    if suffix == ".html":
        text = output.read_text(encoding="utf-8")
        assert text.count("vegaEmbed(") >= 2 and '"feature": "counties"' in text
        assert "Chittenden County, Vermont (50007)" in text
        assert "Residents working in the region" in text and "94.2%" in text
        assert "Software Developers" in text or "Registered Nurses" in text
        assert "OEWS" in text and "May 2025" in text and "2016 Q4" in text
        spec_start = text.index('vegaEmbed("#chart", ') + len('vegaEmbed("#chart", ')
        chart, _ = json.JSONDecoder().raw_decode(text[spec_start:])
        totals: dict[str, float] = {}
        for value in chart["data"]["values"]:
            totals[value["label"]] = totals.get(value["label"], 0.0) + value["contribution"]
        assert all(0 <= total <= 1.0001 for total in totals.values())
    else:
        with zipfile.ZipFile(output) as book:
            names = book.namelist()
        assert sum(name.startswith("xl/media/") for name in names) == 2  # chart and map as PNG
        from openpyxl import load_workbook

        workbook = load_workbook(output)
        assert workbook.sheetnames == [
            "Summary", "Ranking", "Explanation", "Sensitivity", "Not ranked", "Occupations", "Candidates"
        ]  # fmt: skip
        ranking = list(workbook["Ranking"].iter_rows(values_only=True))
        header, first = ranking[0], ranking[1]
        assert header[:4] == ("rank", "code", "title", "score") and first[0] == 1
        assert workbook["Occupations"].max_row > 10


@pytest.mark.realdata
def test_assessment_refuses_other_formats_and_missing_assets(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["lmi", "assessment", "-o", str(tmp_path / "a.pdf"), "--region", "50007"])
    assert result.exit_code == 1 and "written as .html or .xlsx" in result.stderr
    result = runner.invoke(
        app,
        [
            "lmi",
            "assessment",
            "-o",
            str(tmp_path / "a.html"),
            "--region",
            "50007",
            "--node-modules",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1 and "no node_modules with us-atlas" in " ".join(result.stderr.split())
