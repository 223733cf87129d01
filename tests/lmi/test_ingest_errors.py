"""Bad input is refused with the file, line and column named, and the warehouse is left exactly as it was."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from sectorwise.lmi.ingest import IngestError, ingest_paths
from sectorwise.lmi.sources.qcew import LAYOUTS
from tests.lmi import qcew_files
from tests.lmi.qcew_files import LAYOUT, render, rows, snapshot, write

NAME = "2016.q1-q4 50001 Addison County, Vermont.csv"
DATA_ROWS = 4 * len(qcew_files.INDUSTRIES)  # four quarters of the sample industries


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse that already holds data: a refused ingest must leave it byte for byte as it is."""
    target = tmp_path / "warehouse.duckdb"
    ingest_paths(
        [
            write(
                tmp_path / "before" / "2016.q1-q4 50003 Bennington County, Vermont.csv",
                area="50003",
                qtrs="1234",
            ),
            write(tmp_path / "before" / NAME, qtrs="1234"),
            write(
                tmp_path / "before" / "2016.annual 50001 Addison County, Vermont.csv",
                "annual_titled",
                qtrs="A",
            ),
        ],
        warehouse=target,
    )
    return target


def lines_of(layout_name: str = "quarterly_titled", **kwargs: object) -> list[str]:
    layout = LAYOUT[layout_name]
    return render(layout, rows(layout, **kwargs)).decode().split("\r\n")[:-1]  # type: ignore[arg-type]


def refused(warehouse: Path, bad: Path, extra: list[Path] | None = None) -> IngestError:
    """Ingest a good new file together with ``bad``: the error comes, and nothing changes."""
    before = snapshot(warehouse)
    good = write(
        bad.parent / "good" / "2016.q1-q4 50005 Caledonia County, Vermont.csv", area="50005", qtrs="1234"
    )
    with pytest.raises(IngestError) as caught:
        ingest_paths([good, *(extra or []), bad], warehouse=warehouse)
    assert snapshot(warehouse) == before
    error = caught.value
    assert error.file.endswith(bad.name) or bad.name in error.file
    assert str(error.line) in str(error) and (error.column is None or error.column in str(error))
    assert error.expected in str(error)
    return error


def test_the_fixture_warehouse_holds_rows(warehouse: Path) -> None:
    tables = snapshot(warehouse)
    assert len(tables["qcew_quarterly"]) == 2 * DATA_ROWS
    assert len(tables["qcew_annual"]) == len(qcew_files.INDUSTRIES)


def test_last_line_cut_short(warehouse: Path, tmp_path: Path) -> None:
    lines = lines_of(qtrs="1234")
    bad = tmp_path / NAME
    bad.write_text("\r\n".join(lines)[:-40], encoding="utf-8")  # mid-row, no final line break
    error = refused(warehouse, bad)
    assert error.line == len(lines)
    assert "truncated" in str(error)


def test_last_cell_cut_short_still_parses_but_is_caught(warehouse: Path, tmp_path: Path) -> None:
    lines = lines_of(qtrs="1234")
    bad = tmp_path / NAME
    bad.write_text("\r\n".join(lines)[:-1], encoding="utf-8")  # "0.33" -> "0.3": a valid number
    error = refused(warehouse, bad)
    assert error.line == len(lines)


def test_cut_row_in_the_middle_of_a_file(warehouse: Path, tmp_path: Path) -> None:
    lines = lines_of(qtrs="1234")
    lines[5] = lines[5][:60]
    bad = tmp_path / NAME
    bad.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    error = refused(warehouse, bad)
    assert error.line == 6
    assert "47" in error.expected


def test_truncated_gzip(warehouse: Path, tmp_path: Path) -> None:
    payload = gzip.compress(("\r\n".join(lines_of(qtrs="1234")) + "\r\n").encode())
    bad = tmp_path / (NAME + ".gz")
    bad.write_bytes(payload[: len(payload) // 2])
    error = refused(warehouse, bad)
    assert "gzip" in str(error)
    assert error.line is not None and error.line >= 1


@pytest.mark.parametrize(
    "change, column",
    [
        (lambda h: h.replace('"qtrly_estabs_count"', '"qtrly_estabs_cnt"', 1), "14 (qtrly_estabs_cnt)"),
        (lambda h: h.replace('"month2_emplvl",', "", 1), "16 (month3_emplvl)"),
        (lambda h: h + ',"extra"', "48 (extra)"),
        (lambda h: h.replace('"area_fips"', '"fips"'), "1 (fips)"),
    ],
)
def test_wrong_header(warehouse: Path, tmp_path: Path, change: Callable[[str], str], column: str) -> None:
    lines = lines_of()
    lines[0] = change(lines[0])
    bad = tmp_path / NAME
    bad.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    error = refused(warehouse, bad)
    assert error.line == 1
    assert error.column == column
    for layout in LAYOUTS:
        assert layout.name in error.expected


@pytest.mark.parametrize(
    "column, junk, expected",
    [
        ("month1_emplvl", "12a", "a whole number"),
        ("lq_month3_emplvl", "n/a", "a number"),
        ("year", "20x6", "a whole number"),
    ],
)
def test_non_numeric_cell(warehouse: Path, tmp_path: Path, column: str, junk: str, expected: str) -> None:
    layout = LAYOUT["quarterly_titled"]
    data = rows(layout, qtrs="1234")
    data[9][layout.columns.index(column)] = junk
    bad = tmp_path / NAME
    bad.write_bytes(render(layout, data))
    error = refused(warehouse, bad)
    assert (error.line, error.column, error.expected) == (11, column, expected)


@pytest.mark.parametrize("content, line", [(b"", 1), (b"\r\n", 1), (None, 2)])
def test_empty_file(warehouse: Path, tmp_path: Path, content: bytes | None, line: int) -> None:
    bad = tmp_path / NAME
    bad.write_bytes(content if content is not None else (lines_of()[0] + "\r\n").encode())
    error = refused(warehouse, bad)
    assert error.line == line


def test_a_row_of_another_year(warehouse: Path, tmp_path: Path) -> None:
    layout = LAYOUT["quarterly_titled"]
    data = rows(layout, qtrs="1234")
    data[7][layout.columns.index("year")] = "2017"
    bad = tmp_path / NAME
    bad.write_bytes(render(layout, data))
    error = refused(warehouse, bad)
    assert (error.line, error.column) == (9, "year")
    assert "2016" in error.expected


def test_a_row_of_another_year_in_a_file_whose_name_says_nothing(warehouse: Path, tmp_path: Path) -> None:
    layout = LAYOUT["quarterly"]
    data = rows(layout, qtrs="1")
    data[3][layout.columns.index("year")] = "2015"
    bad = tmp_path / "mydata.csv"
    bad.write_bytes(render(layout, data))
    error = refused(warehouse, bad)
    assert (error.line, error.column) == (5, "year")


def test_a_row_of_another_area_than_the_file_name(warehouse: Path, tmp_path: Path) -> None:
    layout = LAYOUT["quarterly_titled"]
    data = rows(layout, qtrs="1234")
    data[12][layout.columns.index("area_fips")] = "50003"
    bad = tmp_path / NAME
    bad.write_bytes(render(layout, data))
    error = refused(warehouse, bad)
    assert (error.line, error.column) == (14, "area_fips")
    assert "50001" in error.expected


def test_a_file_whose_rows_all_contradict_its_name(warehouse: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "2019.q1.US000.csv", "quarterly", area="US000", year=2019, qtrs="2")
    error = refused(warehouse, bad)
    assert (error.line, error.column) == (2, "qtr")


@pytest.mark.parametrize("layout_name, qtr", [("quarterly_titled", "A"), ("quarterly", "5"), ("annual", "1")])
def test_a_period_the_layout_cannot_hold(warehouse: Path, tmp_path: Path, layout_name: str, qtr: str) -> None:
    layout = LAYOUT[layout_name]
    data = rows(layout, qtrs="A" if layout.annual else "1")
    data[2][layout.columns.index("qtr")] = qtr
    bad = tmp_path / "sample.csv"
    bad.write_bytes(render(layout, data))
    error = refused(warehouse, bad)
    assert (error.line, error.column) == (4, "qtr")


def test_duplicate_key_rows(warehouse: Path, tmp_path: Path) -> None:
    layout = LAYOUT["quarterly_titled"]
    data = rows(layout, qtrs="1234")
    data.insert(15, list(data[2]))
    bad = tmp_path / NAME
    bad.write_bytes(render(layout, data))
    error = refused(warehouse, bad)
    assert error.line == 17
    assert "line 4" in error.problem


def test_the_same_rows_in_two_files_of_one_call(warehouse: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "a" / NAME, qtrs="1234")
    second = write(tmp_path / "b" / NAME, qtrs="1234")
    error = refused(warehouse, second, extra=[first])
    assert f"{first} line {error.line}" in error.problem


def test_missing_path(warehouse: Path, tmp_path: Path) -> None:
    before = snapshot(warehouse)
    with pytest.raises(IngestError, match="no such file"):
        ingest_paths([tmp_path / "nowhere.csv"], warehouse=warehouse)
    assert snapshot(warehouse) == before


def test_an_unquoted_lenient_file_is_accepted(tmp_path: Path) -> None:
    """The pandas re-writes of BLS files (no quotes, LQs as 1.0) load like the originals."""
    target = tmp_path / "w.duckdb"
    summary = ingest_paths([write(tmp_path / "x" / NAME, quoted=False, qtrs="12")], warehouse=target)
    assert summary.rows == 2 * len(qcew_files.INDUSTRIES)
    assert summary.areas == ("50001",)
