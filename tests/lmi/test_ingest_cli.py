"""`sectorwise lmi ingest`: a summary on success; a bad file gives one clear message and exit code 1."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.lmi.ingest import ingest_into
from tests.lmi.qcew_files import snapshot, write

NAME = "2016.q1-q4 50001 Addison County, Vermont.csv"


def test_ingest_prints_a_summary(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    write(folder / NAME, qtrs="1234")
    write(folder / "2016.annual 50001 Addison County, Vermont.csv.gz", "annual_titled", qtrs="A")
    warehouse = tmp_path / "w.duckdb"

    result = CliRunner().invoke(app, ["lmi", "ingest", str(folder), "--warehouse", str(warehouse)])

    assert result.exit_code == 0, result.output
    assert "files" in result.output and "rows" in result.output and "30" in result.output
    for period in ("2016Q1", "2016Q2", "2016Q3", "2016Q4", "2016A"):
        assert period in result.output
    assert "50001" in result.output
    assert len(snapshot(warehouse)["qcew_quarterly"]) == 24


def test_ingest_uses_the_data_directory_by_default(tmp_path: Path, _isolated_data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["lmi", "ingest", str(write(tmp_path / NAME))])
    assert result.exit_code == 0, result.output
    assert len(snapshot(_isolated_data_dir / "warehouse.duckdb")["qcew_quarterly"]) == 6


def test_a_bad_file_exits_1_with_the_message_and_no_traceback(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    CliRunner().invoke(
        app, ["lmi", "ingest", str(write(tmp_path / "ok" / NAME)), "--warehouse", str(warehouse)]
    )
    before = snapshot(warehouse)
    bad = tmp_path / "bad" / NAME
    bad.parent.mkdir()
    good_text = write(tmp_path / "tmp" / NAME).read_text(encoding="utf-8")
    bad.write_text(good_text.replace('"1",', '"5",', 1), encoding="utf-8")

    result = CliRunner().invoke(app, ["lmi", "ingest", str(bad), "--warehouse", str(warehouse)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    output = " ".join(result.output.split())
    assert "line 2" in output and "column qtr" in output and "expected '1' or '2' or '3' or '4'" in output
    assert "unchanged" in output
    assert snapshot(warehouse) == before


def test_a_missing_path_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["lmi", "ingest", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "no such file or directory" in " ".join(result.output.split())


def test_progress_rises_to_the_total_and_the_settings_are_restored(tmp_path: Path) -> None:
    files = [
        write(tmp_path / f"2016.q1-q4 5000{n} County {n}, Vermont.csv", area=f"5000{n}") for n in (1, 3, 5)
    ]
    seen: list[tuple[int, int]] = []
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    before = con.execute("SELECT current_setting('enable_progress_bar')").fetchall()
    ingest_into(con, files, progress=lambda done, total: seen.append((done, total)))
    assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == before
    con.close()
    totals = {total for _done, total in seen}
    assert len(totals) == 1
    done = [d for d, _total in seen]
    assert done == sorted(done) and done[-1] == totals.pop()
