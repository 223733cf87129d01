"""XLSX result tables: number formats by column kind, fitted widths, a frozen header, a README sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from sectorwise.lmi.output import OutputFormat, write_table
from sectorwise.tabular_io import (
    MAX_COLUMN_WIDTH,
    ColumnKind,
    Provenance,
    infer_column_kind,
    xlsx_bytes,
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("month3_emplvl", ColumnKind.COUNT),
        ("annual_avg_emplvl", ColumnKind.COUNT),
        ("month3_emplvl_low", ColumnKind.COUNT),
        ("qtrly_estabs", ColumnKind.COUNT),
        ("total_qtrly_wages", ColumnKind.MONEY),
        ("avg_wkly_wage", ColumnKind.MONEY),
        ("avg_annual_pay", ColumnKind.MONEY),
        ("oty_total_qtrly_wages_chg", ColumnKind.MONEY),
        ("lq_month3_emplvl", ColumnKind.RATIO),
        ("lq_avg_wkly_wage", ColumnKind.RATIO),
        ("wage_ratio", ColumnKind.RATIO),
        ("oty_month3_emplvl_pct_chg", ColumnKind.PERCENT_POINTS),
        ("oty_avg_wkly_wage_pct_chg", ColumnKind.PERCENT_POINTS),
        ("suppressed_share", ColumnKind.PERCENT),
        ("resident_share_in_zone", ColumnKind.PERCENT),
        ("year", None),
        ("area_fips", None),
        ("score", None),
    ],
)
def test_column_kinds_from_names(name: str, kind: ColumnKind | None) -> None:
    assert infer_column_kind(name) is kind


LONG_TITLE = "Semiconductor and Other Electronic Component Manufacturing"


def _measures_like() -> pa.Table:
    return pa.table(
        {
            "area_fips": ["50007", "01001"],
            "industry_title": [LONG_TITLE, "Health care"],
            "year": [2016, 2016],
            "month3_emplvl": [1_234_567, 27_940],
            "total_qtrly_wages": [98_765_432, 1_000],
            "lq_month3_emplvl": [1.23456, 0.5],
            "oty_month3_emplvl_pct_chg": [6.2, -1.5],
            "suppressed_share": [0.25, None],
            "score": [0.5, 0.25],
            "note": ["x" * 200, "=HYPERLINK(1)"],
        }
    )


def test_a_result_table_written_as_xlsx_is_formatted(tmp_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    provenance = Provenance(
        command="sectorwise lmi measures --year 2016 --period 1",
        version="9.9.9",
        generated_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        qcew="2016 Q1",
        warehouse="/data/warehouse.duckdb",
        oews="May 2016",
        sources={"Commuting flows": "ACS 2011-2015"},
        notes=["OEWS May 2016 against QCEW 2016 Q1"],
    )

    write_table(
        _measures_like(),
        OutputFormat.XLSX,
        out,
        title="Measures",
        column_kinds={"score": "ratio"},
        provenance=provenance,
    )

    book = load_workbook(out)
    # The data first (what pandas.read_excel and most scripts read), the README after it.
    assert book.sheetnames == ["Measures", "README"]
    assert book.active is not None and book.active.title == "Measures"
    sheet = book["Measures"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    header = [cell.value for cell in sheet[1]]
    formats = {name: sheet.cell(row=2, column=header.index(name) + 1).number_format for name in header}
    assert formats["month3_emplvl"] == "#,##0"
    assert formats["total_qtrly_wages"] == '"$"#,##0'
    assert formats["lq_month3_emplvl"] == "0.00"
    assert formats["oty_month3_emplvl_pct_chg"] == '0.0"%"'
    assert formats["suppressed_share"] == "0.0%"
    assert formats["score"] == "0.00"  # the caller's kind
    assert formats["year"] == "General" and formats["area_fips"] == "General"
    # Values stay numbers (formatting is display only) and text stays defused.
    assert sheet.cell(row=2, column=header.index("lq_month3_emplvl") + 1).value == pytest.approx(1.23456)
    assert sheet.cell(row=3, column=header.index("note") + 1).value == "'=HYPERLINK(1)"

    def width(name: str) -> float:
        letter = sheet.cell(row=1, column=header.index(name) + 1).column_letter
        return float(sheet.column_dimensions[letter].width)

    assert width("industry_title") == len(LONG_TITLE) + 2
    assert width("month3_emplvl") == len("month3_emplvl") + 2  # the header is wider than "1,234,567"
    assert width("total_qtrly_wages") == len("total_qtrly_wages") + 2
    assert width("note") == MAX_COLUMN_WIDTH
    assert width("year") == 6  # at least MIN_COLUMN_WIDTH

    readme = {row[0]: row[1] for row in book["README"].iter_rows(min_row=2, values_only=True)}
    assert readme == {
        "Generated": "2026-01-02 03:04:05 UTC",
        "Command": "sectorwise lmi measures --year 2016 --period 1",
        "Sectorwise version": "9.9.9",
        "QCEW (BLS Quarterly Census of Employment and Wages)": "2016 Q1",
        "Warehouse": "/data/warehouse.duckdb",
        "OEWS (BLS Occupational Employment and Wage Statistics)": "May 2016",
        "Commuting flows": "ACS 2011-2015",
        "Note": "OEWS May 2016 against QCEW 2016 Q1",
        "Sheet Measures": "2 rows",
    }
    assert book["README"].freeze_panes == "A2"


def test_without_provenance_the_readme_says_this_run(tmp_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    write_table(_measures_like(), OutputFormat.XLSX, out, title="Measures")
    readme = {row[0]: row[1] for row in load_workbook(out)["README"].iter_rows(min_row=2, values_only=True)}
    assert set(readme) == {"Generated", "Command", "Sectorwise version", "Sheet Measures"}
    assert readme["Sectorwise version"] not in ("", "unknown")
    assert readme["Generated"].endswith("UTC")


def test_this_run_names_the_command_line() -> None:
    made = Provenance.of_this_run(
        qcew="2016A", argv=["/usr/bin/sectorwise", "lmi", "rank", "--region", "zones@50007"]
    )
    assert made.command == "sectorwise lmi rank --region zones@50007"
    assert made.generated_at is not None and made.generated_at.tzinfo is dt.UTC
    assert ("QCEW (BLS Quarterly Census of Employment and Wages)", "2016A") in made.rows()


def test_exports_stay_streaming_and_unstyled() -> None:
    """The web's exports (bold_header False) keep the write-only workbook: no README, no styles."""
    import io

    data = xlsx_bytes({"x": (["month3_emplvl"], [[5]])})
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["x"]
    assert book["x"]["A2"].number_format == "General"
    with pytest.raises(ValueError, match="styled workbook"):
        xlsx_bytes({"x": (["a"], [[1]])}, provenance=Provenance())
