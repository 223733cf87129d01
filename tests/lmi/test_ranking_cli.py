"""`sectorwise lmi rank`, `clusters` and `occupations` on a warehouse of the real Vermont 2016 files."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from tests.conftest import shared_data_path
from tests.lmi.lmi_real_warehouse import real_warehouse_estimated

pytestmark = pytest.mark.realdata

REGION = "Northwest=50007,50011,50013"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("SECTORWISE_CLUSTERS", str(shared_data_path("clusters", "cmp_cluster_meta_2015.json")))
    monkeypatch.setenv("SECTORWISE_OEWS", str(shared_data_path("oews")))
    return ["--warehouse", str(real_warehouse_estimated("50"))]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["lmi", *args])
    return result.exit_code, result.stdout, result.stderr


def test_rank_writes_a_scored_table(env: list[str]) -> None:
    code, out, err = _run(
        "rank", "--region", REGION, "--level", "naics3", "--period", "2", "--format", "csv", *env
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) > 20
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    # Electronics manufacturing (IBM's Essex Junction plant) and professional services lead the area.
    assert {"334", "541"} <= {r["code"] for r in rows[:5]}
    assert {"lq_contribution", "cluster_strength_norm", "estimated"} <= set(rows[0])


def test_rank_with_a_config_file_and_its_errors(env: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "weights.toml"
    bad.write_text("[weights]\nlq = 2\nsize = -1\n")
    code, _, err = _run("rank", "--region", REGION, "--config", str(bad), *env)
    assert code == 1
    assert f"{bad}, line 3: weight 'size' must be zero or positive" in " ".join(err.split())
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "Nowhere=50099"], "unknown county 50099"),
        (["--region", "Northwest"], "--regions-file"),
        (["--region", REGION, "--level", "naics9"], "--level 'naics9'"),
        (["--region", REGION, "--reference", "US000"], "--reference 'US000' is not in the warehouse"),
    ],
)
def test_rank_refuses_bad_input_clearly(env: list[str], args: list[str], message: str) -> None:
    code, _, err = _run("rank", *args, *env)
    assert code == 1
    assert message in " ".join(err.split())


def test_clusters_region_lists_strong_clusters(env: list[str]) -> None:
    code, out, err = _run("clusters", "region", "--region", REGION, "--period", "2", "--format", "csv", *env)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    strong = [r for r in rows if r["strong"] == "true"]
    assert strong and all(float(r["lq"]) >= 1 for r in strong)
    assert {r["cluster_name"] for r in strong} >= {"Business Services"}


def test_clusters_show_and_unknown(env: list[str]) -> None:
    code, out, _ = _run("clusters", "show", "Biopharmaceuticals", "--format", "csv")
    assert code == 0 and "325412" in out
    code, _, err = _run("clusters", "show", "Quantum computing")
    assert code == 1 and "unknown cluster 'Quantum computing'" in " ".join(err.split())


def test_occupations_of_target_industries(env: list[str]) -> None:
    code, out, err = _run(
        "occupations",
        "--region",
        REGION,
        "--industries",
        "5415,5112",
        "--limit",
        "5",
        "--format",
        "csv",
        *env,
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["occupation_title"] == "Software Developers"
    assert rows[0]["wage_source"] == "Vermont" and float(rows[0]["annual_median_wage"]) > 90_000
    code, _, err = _run("occupations", "--region", REGION, "--industries", "9999", *env)
    assert code == 1 and "--industries '9999' is not in the warehouse" in " ".join(err.split())


def test_occupation_wages_come_from_the_metro_holding_the_regions_jobs(
    env: list[str], tmp_path: Path
) -> None:
    """With OMB's CBSAs stored, a region inside the Burlington metro gets the metro's wages, and says why;
    a region mostly outside any metro keeps its state's."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(env[1], warehouse)
    delineation = str(shared_data_path("cbsa", "list1_2023.xlsx"))
    code, _, err = _run(
        "regions", "store", "metros", "cbsa2023", "--file", delineation, "--warehouse", str(warehouse)
    )
    assert code == 0, err
    args = ["--industries", "5415", "--limit", "3", "--warehouse", str(warehouse)]
    code, out, err = _run("occupations", "--region", REGION, *args, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["wage_source"] == "Burlington-South Burlington, VT"
    code, out, err = _run("occupations", "--region", REGION, *args)
    assert "(the metro area with 100% of the region's jobs)" in " ".join((out + err).split())
    # Rutland (50021) is a micropolitan area, which OEWS does not publish: Vermont's wages.
    code, out, err = _run("occupations", "--region", "Rutland=50021", *args, "--format", "csv")
    assert code == 0, err
    assert next(csv.DictReader(io.StringIO(out)))["wage_source"] == "Vermont"
    # The user's choice wins, and a wrong one is refused clearly.
    code, out, err = _run(
        "occupations", "--region", REGION, *args, "--wage-area", "5000000", "--format", "csv"
    )
    assert next(csv.DictReader(io.StringIO(out)))["wage_source"] == "Vermont"
    code, _, err = _run("occupations", "--region", REGION, *args, "--wage-area", "42")
    assert code == 1 and "--wage-area '42' is not an OEWS area" in " ".join(err.split())


def test_occupations_from_another_year_than_the_industries_are_said_to_be(env: list[str]) -> None:
    # OEWS May 2025 against QCEW 2016: the note names both and the gap, on stderr for a file output and
    # among the notes of the table output.
    code, _out, err = _run(
        "occupations", "--region", REGION, "--industries", "5415", "--limit", "3", "--format", "csv", *env
    )  # fmt: skip
    text = " ".join(err.split())
    assert code == 0, err
    assert "Data mix: occupations and their wages are OEWS May 2025" in text
    assert "QCEW 2016" in text and "9 years apart" in text


def test_the_assessment_notes_the_year_mix(env: list[str], tmp_path: Path) -> None:
    out = tmp_path / "assessment.html"
    code, _, err = _run("assessment", "--region", REGION, "--output", str(out), *env)
    assert code == 0, err
    text = " ".join(out.read_text().split())
    assert "Data mix: occupations and their wages are OEWS May 2025 (2025A01)" in text
    assert "employment is QCEW 2016 Q4 (9 years apart)" in text
