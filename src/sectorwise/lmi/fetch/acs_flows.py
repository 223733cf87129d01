"""The Census ACS county-to-county commuting flows as published (``table1.xlsx``) turned into the CSV layout
``lmi.sources.commuting.read_acs_flows`` reads, so that ``state setup`` can delineate commuting zones from
what ``lmi fetch flows`` downloads.

The workbook has title rows, a header row naming the residence's and the workplace's "State FIPS Code" and
"County FIPS Code" (workplace states with three digits, e.g. ``050``), then "Workers in Commuting Flow" and
"Margin of Error", then footnotes. Workplaces abroad (a non-numeric state code or no county) are written
with no work county, which the reader keeps as abroad. The CSV is gzipped without a timestamp: converting
the same workbook twice gives the same bytes (``state setup`` fingerprints its flows).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CSV_HEADER = (
    "Home State FIPS CODE",
    "HOME COUNTY FIPS CODE",
    "WORK STATE FIPS CODE",
    "WORK COUNTY FIPS CODE",
    "Workers in Commuting Flow",
    "Margin of Error",
)
WORKERS_HEADER = "workers in commuting flow"
HEADER_SEARCH_ROWS = 30


class AcsFlowsError(ValueError):
    """A workbook that is not the ACS flows table; the message names the file and what was wrong."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _columns(header: list[str], path: Path) -> tuple[int, int, int, int, int, int]:
    names = [" ".join(h.lower().split()) for h in header]
    states = [i for i, n in enumerate(names) if "state" in n and "fips" in n]
    counties = [i for i, n in enumerate(names) if "county" in n and "fips" in n]
    workers = [i for i, n in enumerate(names) if n.startswith(WORKERS_HEADER)]
    moe = [i for i, n in enumerate(names) if n.startswith("margin of error")]
    if len(states) < 2 or len(counties) < 2 or not workers or not moe:
        raise AcsFlowsError(
            f"{path}: not the ACS commuting-flows table: expected two 'State FIPS Code' and two 'County FIPS "
            f"Code' columns, 'Workers in Commuting Flow' and 'Margin of Error', found {header}"
        )
    return states[0], counties[0], states[1], counties[1], workers[0], moe[0]


def _rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise AcsFlowsError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_text(v) for v in values]
    finally:
        book.close()


def _code(text: str, width: int) -> str:
    return f"{int(text):0{width}d}" if text.isdigit() else ""


def table1_to_csv(xlsx: Path, target: Path) -> int:
    """Write the flows of ``xlsx`` (Census table1.xlsx) to ``target`` (gzip CSV, Census layout); returns the
    number of flows. Written to a temporary file and renamed: ``target`` is complete or absent."""
    rows = _rows(xlsx)
    columns = None
    for number, row in enumerate(rows, start=1):
        if any(" ".join(cell.lower().split()).startswith(WORKERS_HEADER) for cell in row):
            columns = _columns(row, xlsx)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        raise AcsFlowsError(
            f"{xlsx}: no 'Workers in Commuting Flow' header in its first {HEADER_SEARCH_ROWS} rows"
        )
    home_state, home_county, work_state, work_county, workers, moe = columns
    widest = max(columns)
    part = target.with_name(target.name + ".part")
    flows = 0
    try:
        with part.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            text = io.TextIOWrapper(packed, encoding="utf-8", newline="")
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for row in rows:
                if len(row) <= widest:
                    continue
                home = (_code(row[home_state], 2), _code(row[home_county], 3))
                count = row[workers].replace(",", "")
                if not all(home) or not count.replace(".", "", 1).isdigit():
                    continue  # a blank line, a repeated header or a footnote
                work = (_code(row[work_state], 2), _code(row[work_county], 3))
                if not all(work):
                    work = ("", "")  # abroad
                writer.writerow([*home, *work, count, row[moe].replace(",", "")])
                flows += 1
            text.flush()
            text.detach()
        if flows == 0:
            raise AcsFlowsError(f"{xlsx}: the workbook holds no flows")
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return flows


def flows_csv(xlsx: Path) -> Path:
    """The CSV beside the cached workbook (``table1.flows.csv.gz``), made once per workbook: remade only when
    the workbook is newer (re-downloaded)."""
    target = xlsx.with_name(xlsx.stem + ".flows.csv.gz")
    if not target.is_file() or target.stat().st_mtime_ns < xlsx.stat().st_mtime_ns:
        table1_to_csv(xlsx, target)
    return target
