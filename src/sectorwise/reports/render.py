"""Laying the legislative report out: an HTML document (self-contained: styles and SVG charts inline), the PDF
of that document (WeasyPrint), and the workbook (one sheet per table, a README sheet with the vintages and
methods; ``sectorwise.tabular_io``). No figure is computed here: cells are formatted, nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.template.loader import render_to_string

from sectorwise.reports.charts import svg_data_uri, svg_of
from sectorwise.reports.legislative import SUPPRESSED, Chart, LegislativeReport, Section, Table
from sectorwise.tabular_io import ColumnKind, Provenance, xlsx_bytes

CENTS = -2


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"


CONTENT_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ShownCell:
    text: str
    suppressed: bool = False
    numeric: bool = False
    colspan: int = 1


@dataclass(frozen=True)
class ShownTable:
    table: Table
    header: list[str]
    rows: list[list[ShownCell]]


@dataclass(frozen=True)
class ShownChart:
    chart: Chart
    image: str
    """A data: URI of the SVG, or "" when the chart cannot be drawn."""


@dataclass(frozen=True)
class ShownSection:
    section: Section
    tables: list[ShownTable]
    charts: list[ShownChart]


def _cell(value: Any, kind: str | None) -> ShownCell:
    if value is None:
        return ShownCell("")
    if value == SUPPRESSED:
        return ShownCell(SUPPRESSED, suppressed=True)
    if isinstance(value, bool):
        return ShownCell("yes" if value else "no")
    if isinstance(value, Decimal | int | float) and kind == ColumnKind.MONEY:
        return ShownCell(f"${value:,.0f}", numeric=True)
    if isinstance(value, Decimal) and kind is None and value.as_tuple().exponent == CENTS:
        return ShownCell(f"${value:,.0f}", numeric=True)  # money (cents-exact) in a column of mixed figures
    if isinstance(value, int):
        return ShownCell(f"{value:,}" if kind != ColumnKind.TEXT else str(value), numeric=True)
    if isinstance(value, Decimal | float):
        number = float(value)
        return ShownCell(f"{number:.4f}" if kind == ColumnKind.RATIO else f"{number:,.1f}", numeric=True)
    if isinstance(value, dt.date):
        return ShownCell(value.isoformat())
    return ShownCell(str(value))


def _header(name: str) -> str:
    return name.replace("_pct", " %").replace("_", " ").capitalize()


def _collapsed(cells: list[ShownCell]) -> list[ShownCell]:
    """A row whose trailing cells are all suppressed says so once, across them."""
    trailing = 0
    while trailing < len(cells) and cells[len(cells) - 1 - trailing].suppressed:
        trailing += 1
    if trailing < 2:
        return cells
    return [*cells[: len(cells) - trailing], ShownCell(SUPPRESSED, suppressed=True, colspan=trailing)]


def shown_table(table: Table) -> ShownTable:
    kinds = [table.kinds.get(name) for name in table.columns]
    return ShownTable(
        table=table,
        header=[_header(name) for name in table.columns],
        rows=[
            _collapsed([_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
            for row in table.rows
        ],
    )


def shown_sections(report: LegislativeReport, *, charts: bool = True) -> list[ShownSection]:
    return [
        ShownSection(
            section=section,
            tables=[shown_table(table) for table in section.tables],
            charts=[
                ShownChart(chart, svg_data_uri(svg_of(chart.spec)) if charts and chart.spec else "")
                for chart in section.charts
            ],
        )
        for section in report.sections
    ]


def report_context(report: LegislativeReport, *, charts: bool = True) -> dict[str, Any]:
    return {"report": report, "sections": shown_sections(report, charts=charts)}


def report_html(report: LegislativeReport) -> str:
    """The report as one self-contained HTML file (what the PDF prints)."""
    return render_to_string("reports/legislative_document.html", report_context(report))


def report_pdf(report: LegislativeReport) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=report_html(report)).write_pdf()
    return pdf


def report_xlsx(report: LegislativeReport, *, command: str = "") -> bytes:
    """One sheet per table (the sheet names the HTML and PDF cite), then a README sheet: when and how it was
    made, the data vintages and the methods."""
    kinds: dict[str, ColumnKind | str] = {}
    for table in report.tables():
        kinds.update(table.kinds)
    provenance = Provenance.of_this_run(
        sources=dict(report.vintages),
        notes=report.methods,
        argv=command.split() if command else None,
    )
    return xlsx_bytes(
        {table.sheet: (table.columns, table.rows) for table in report.tables()},
        bold_header=True,
        column_kinds=kinds,
        provenance=provenance,
    )


def report_bytes(report: LegislativeReport, fmt: ReportFormat, *, command: str = "") -> bytes:
    if fmt is ReportFormat.PDF:
        return report_pdf(report)
    if fmt is ReportFormat.XLSX:
        return report_xlsx(report, command=command)
    return report_html(report).encode("utf-8")
