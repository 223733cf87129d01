"""A re-ingest that would replace stored rows with markedly fewer is refused (a file cut at a line boundary
looks complete to every other check), unless the caller allows it; nothing is written when refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi.ingest import SHRINK_LIMIT, ShrinkRefused, ingest_paths
from tests.lmi.qcew_files import LAYOUT, render, rows, snapshot

QUARTERLY = LAYOUT["quarterly"]
COLUMN = {name: index for index, name in enumerate(QUARTERLY.columns)}


def _cells(area: str, count: int, *, qtr: str = "1", size: int = 0) -> list[list[str]]:
    """``count`` rows of one area's quarter, each its own 6-digit industry."""
    template = rows(QUARTERLY, area=area, qtrs=qtr)[1]  # a private-ownership row
    out = []
    for n in range(count):
        row = list(template)
        row[COLUMN["industry_code"]] = f"{236110 + n}"
        row[COLUMN["agglvl_code"]] = "78"
        row[COLUMN["size_code"]] = str(size)
        out.append(row)
    return out


def area_file(root: Path, area: str, count: int, qtrs: str = "1") -> Path:
    """An area's file of ``count`` rows per quarter (BLS's by_area name)."""
    path = root / f"2016.q1-q4 {area} Some County, Vermont.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(QUARTERLY, [row for qtr in qtrs for row in _cells(area, count, qtr=qtr)]))
    return path


def industry_file(root: Path, industry: str, areas: list[str]) -> Path:
    """An industry slice: one industry, many areas."""
    data = []
    for area in areas:
        row = _cells(area, 1)[0]
        row[COLUMN["industry_code"]] = industry
        data.append(row)
    path = root / "2016" / "1" / "industry" / f"{industry}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(QUARTERLY, data))
    return path


def size_file(root: Path, size: int, areas: list[str]) -> Path:
    """A size slice: one size class (other than 0), many areas, two industries each."""
    data = [row for area in areas for row in _cells(area, 2, size=size)]
    path = root / "2016" / "1" / "size" / f"{size}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(QUARTERLY, data))
    return path


AREAS = [f"50{n:03d}" for n in range(1, 21, 2)]  # ten counties


def test_an_area_period_cut_short_is_refused_with_the_counts_and_nothing_is_written(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([area_file(tmp_path / "a", "50001", 10, qtrs="12")], warehouse=warehouse)
    before = snapshot(warehouse)

    # Quarter 1 complete, quarter 2 cut after its 8th row (at a line boundary): 10 -> 8 rows.
    cut = area_file(tmp_path / "b", "50001", 10, qtrs="12")
    lines = cut.read_bytes().split(b"\r\n")
    cut.write_bytes(b"\r\n".join(lines[: 1 + 10 + 8]) + b"\r\n")
    with pytest.raises(ShrinkRefused) as refused:
        ingest_paths([cut], warehouse=warehouse)

    assert [(s.files, s.scope, s.period, s.before, s.after) for s in refused.value.shrinks] == [
        ((str(cut),), "area 50001", "2016Q2", 10, 8)
    ]
    assert "Vermont.csv: area 50001, 2016Q2: 10 rows before -> 8 after (80%)" in str(refused.value)
    assert "--allow-shrink" in str(refused.value)
    assert snapshot(warehouse) == before


def test_allow_shrink_replaces_the_period_anyway(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([area_file(tmp_path / "a", "50001", 10)], warehouse=warehouse)

    summary = ingest_paths([area_file(tmp_path / "b", "50001", 3)], warehouse=warehouse, allow_shrink=True)

    assert summary.replaced_rows == 10 and summary.rows == 3
    assert len(snapshot(warehouse)["qcew_quarterly"]) == 3


def test_ninety_percent_of_the_rows_is_not_a_shrink(tmp_path: Path) -> None:
    assert SHRINK_LIMIT == 0.9
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([area_file(tmp_path / "a", "50001", 10)], warehouse=warehouse)

    summary = ingest_paths([area_file(tmp_path / "b", "50001", 9)], warehouse=warehouse)

    assert summary.replaced_rows == 10 and summary.rows == 9


def test_a_new_area_or_period_is_no_shrink(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([area_file(tmp_path / "a", "50001", 10)], warehouse=warehouse)
    summary = ingest_paths([area_file(tmp_path / "b", "50003", 1)], warehouse=warehouse)
    assert summary.rows == 1 and summary.replaced_rows == 0


def test_an_industry_slice_with_fewer_areas_than_stored_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([industry_file(tmp_path / "a", "236115", AREAS)], warehouse=warehouse)
    before = snapshot(warehouse)

    # The national slice cut after eight of its ten areas.
    cut = industry_file(tmp_path / "b", "236115", AREAS[:8])
    with pytest.raises(ShrinkRefused) as refused:
        ingest_paths([cut], warehouse=warehouse)

    assert [(s.files, s.scope, s.period, s.before, s.after) for s in refused.value.shrinks] == [
        ((str(cut),), "industry 236115", "2016Q1", 10, 8)
    ]
    assert snapshot(warehouse) == before
    summary = ingest_paths(
        [industry_file(tmp_path / "b", "236115", AREAS[:8])], warehouse=warehouse, allow_shrink=True
    )
    assert summary.rows == 8 and summary.replaced_rows == 8


def test_an_industry_slice_is_compared_with_its_own_rows_only(tmp_path: Path) -> None:
    """Areas' other industries do not count: a complete slice over stored area files loads."""
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([area_file(tmp_path / "a", area, 10) for area in AREAS[:2]], warehouse=warehouse)

    summary = ingest_paths([industry_file(tmp_path / "b", "236112", AREAS[:2])], warehouse=warehouse)

    assert summary.rows == 2 and summary.replaced_rows == 2


def test_a_size_slice_with_fewer_rows_than_stored_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([size_file(tmp_path / "a", 5, AREAS)], warehouse=warehouse)
    before = snapshot(warehouse)

    with pytest.raises(ShrinkRefused) as refused:
        ingest_paths([size_file(tmp_path / "b", 5, AREAS[:5])], warehouse=warehouse)

    assert [(s.scope, s.period, s.before, s.after) for s in refused.value.shrinks] == [
        ("size class 5", "2016Q1", 20, 10)
    ]
    assert snapshot(warehouse) == before


def test_the_command_refuses_with_the_counts_unless_allow_shrink(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_paths([area_file(tmp_path / "a", "50001", 10)], warehouse=warehouse)
    before = snapshot(warehouse)
    cut = str(area_file(tmp_path / "b", "50001", 4))
    runner = CliRunner()

    refused = runner.invoke(app, ["lmi", "ingest", cut, "--warehouse", str(warehouse), "--no-estimate"])

    assert refused.exit_code == 1
    output = " ".join(refused.output.split())
    assert "area 50001, 2016Q1: 10 rows before -> 4 after (40%)" in output
    assert "--allow-shrink" in output and "unchanged" in output
    assert snapshot(warehouse) == before

    allowed = runner.invoke(
        app, ["lmi", "ingest", cut, "--warehouse", str(warehouse), "--no-estimate", "--allow-shrink"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert len(snapshot(warehouse)["qcew_quarterly"]) == 4
