"""One defusing writer (sectorwise.tabular_io) behind the web's exports and the LMI command line's tables:
text a spreadsheet would run as a formula is quoted in CSV and XLSX, whichever path wrote the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from sectorwise.core.tabular.writer import table_to_csv, table_to_xlsx
from sectorwise.lmi.output import OutputFormat, write_table

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "＝1", " padded", "'quoted"]
PLAIN = "Birch County"


def _xlsx_values(path_or_bytes: Path | bytes) -> list[list[object]]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    sheet = load_workbook(source).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_web_exports_defuse_csv_and_xlsx() -> None:
    rows = [[text, 7] for text in [*DANGEROUS, PLAIN]]
    csv_rows = list(csv.reader(io.StringIO("".join(table_to_csv(["name", "n"], rows)))))
    assert [row[0] for row in csv_rows[1:]] == ["'" + text for text in DANGEROUS] + [PLAIN]
    xlsx_rows = _xlsx_values(table_to_xlsx(["name", "n"], rows, sheet="Export"))
    assert [row[0] for row in xlsx_rows[1:]] == ["'" + text for text in DANGEROUS] + [PLAIN]
    assert all(row[1] == 7 for row in xlsx_rows[1:])  # numbers stay numbers


@pytest.mark.parametrize("fmt", [OutputFormat.CSV, OutputFormat.XLSX])
def test_lmi_result_tables_defuse_csv_and_xlsx(tmp_path: Path, fmt: OutputFormat) -> None:
    # A region's name is the user's text and lands in result tables (custom regions, region sets).
    table = pa.table(
        {
            "area": [*DANGEROUS, PLAIN],
            "employment": list(range(len(DANGEROUS) + 1)),
            "lq": [1.5] * (len(DANGEROUS) + 1),
            "incomplete": [False] * (len(DANGEROUS) + 1),
        }
    )
    out = tmp_path / f"result.{fmt.value}"
    write_table(table, fmt, out, title="=cmd|' /C calc'!A0")
    if fmt is OutputFormat.CSV:
        rows = list(csv.reader(out.open(encoding="utf-8")))
        assert rows[0] == ["area", "employment", "lq", "incomplete"]
        assert rows[-1] == [PLAIN, str(len(DANGEROUS)), "1.5", "false"]
        names = [row[0] for row in rows[1:]]
    else:
        values = _xlsx_values(out)
        assert values[-1] == [PLAIN, len(DANGEROUS), 1.5, False]
        names = [row[0] for row in values[1:]]
        # Openpyxl never writes a formula cell: every cell is a value.
        book = load_workbook(out)
        assert all(cell.data_type != "f" for row in book.worksheets[0].iter_rows() for cell in row)
    assert names == ["'" + text for text in DANGEROUS] + [PLAIN]


def test_sheet_names_are_made_acceptable_to_excel() -> None:
    from sectorwise.tabular_io import sheet_name

    assert sheet_name("Ranking of A/B: [x]*?") == "Ranking of A-B- -x---"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("'''") == "data"
