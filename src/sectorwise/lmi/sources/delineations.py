"""Published county delineations, read from the files their publishers distribute, as region sets.

The library bundles none of them: the user points to the file. Kinds:

- ``ers1990``: USDA ERS 1990 commuting zones (``czlma903.xls``, sheet CZLMA903, or its CSV): column CZ90.
- ``ers2000``: USDA ERS 2000 commuting zones (``cz00_eqv_v1.xls``, sheet CZ00_Equiv, or its CSV).
- ``psu2010``: Fowler & Jensen's Penn State 2010 commuting zones (``counties10-zqvz0r.csv``, Latin-1): OUT10.
- ``fowler2020``: Fowler's 2020 commuting zones (``county20.csv``: GEOID, CZ20).
- ``cbsa2023`` / ``csa2023``: OMB July 2023 CBSAs / CSAs (Census "List 1", ``list1_2023.xlsx``: a note
  row, a title row, the header on row 3, notes after the data). Counties outside any CBSA (or CSA) are not
  in the set.
- ``states``: the state of each county (no file; built from the counties of the other set compared).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sectorwise.lmi.regionsets import RegionSet


class DelineationFileError(ValueError):
    """A published delineation file that is not what its kind expects; names the file, line and column."""


@dataclass(frozen=True)
class PublishedKind:
    kind: str
    title: str
    expected_file: str
    reader: Callable[[Path], RegionSet] | None


def _rows_from_csv(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    with path.open("r", encoding=encoding, newline="") as handle:
        yield from enumerate(csv.reader(handle), start=1)


def _rows_from_xls(path: Path, sheet: str) -> Iterator[tuple[int, list[str]]]:
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency
        raise DelineationFileError(
            f"{path}: reading .xls needs the xlrd package (or use the CSV copy)"
        ) from None
    try:
        book = xlrd.open_workbook(str(path))
    except xlrd.XLRDError as exc:
        raise DelineationFileError(f"{path}: not a readable .xls workbook ({exc})") from None
    if sheet not in book.sheet_names():
        raise DelineationFileError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(book.sheet_names())})")
    table = book.sheet_by_name(sheet)
    for r in range(table.nrows):
        yield r + 1, [_cell_text(v) for v in table.row_values(r)]


def _rows_from_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise DelineationFileError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(
    path: Path, *, sheet: str | None = None, encoding: str = "utf-8-sig"
) -> Iterator[tuple[int, list[str]]]:
    if not path.is_file():
        raise DelineationFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        if sheet is None:
            raise DelineationFileError(f"{path}: this kind is not published as .xls")
        return _rows_from_xls(path, sheet)
    if suffix == ".xlsx":
        return _rows_from_xlsx(path)
    return _rows_from_csv(path, encoding)


def _fips(text: str, path: Path, line: int, column: str) -> str:
    cleaned = text.strip().strip('"')
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if cleaned.isdigit() and 4 <= len(cleaned) <= 5:
        return cleaned.zfill(5)
    raise DelineationFileError(
        f"{path}, line {line}, column {column!r}: expected a county FIPS code, found {text!r}"
    )


def _header_index(
    header: Sequence[str], wanted: Sequence[str], path: Path, line: int, kind: str
) -> list[int]:
    normalised = [" ".join(h.lower().split()) for h in header]
    positions: list[int] = []
    for name in wanted:
        key = " ".join(name.lower().split())
        if key not in normalised:
            raise DelineationFileError(
                f"{path}, line {line}: not a {kind} file: expected the column {name!r}, "
                f"found {', '.join(repr(h) for h in header[:12])}"
            )
        positions.append(normalised.index(key))
    return positions


def _simple_table(
    path: Path,
    *,
    kind: str,
    name: str,
    fips_column: str,
    region_column: str,
    name_column: str | None = None,
    sheet: str | None = None,
    encoding: str = "utf-8-sig",
    title: str,
) -> RegionSet:
    """A one-header-row table: county FIPS, region code (and optionally a region name)."""
    rows = _rows(path, sheet=sheet, encoding=encoding)
    try:
        line, header = next(rows)
    except StopIteration:
        raise DelineationFileError(f"{path}: the file is empty") from None
    wanted = [fips_column, region_column] + ([name_column] if name_column else [])
    positions = _header_index(header, wanted, path, line, kind)
    assignments: dict[str, str] = {}
    names: dict[str, str] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(positions):
            raise DelineationFileError(
                f"{path}, line {line}: expected {len(header)} columns, found {len(row)}"
            )
        county = _fips(row[positions[0]], path, line, fips_column)
        region = row[positions[1]].strip()
        if region.endswith(".0"):
            region = region[:-2]
        if not region or region.upper() == "NA":
            raise DelineationFileError(
                f"{path}, line {line}, column {region_column!r}: no region for {county}"
            )
        assignments[county] = region
        if name_column:
            names.setdefault(region, row[positions[2]].strip())
    if not assignments:
        raise DelineationFileError(f"{path}: no counties")
    return RegionSet(
        name=name, assignments=assignments, region_names=names, kind=kind, source=f"{title}: {path}"
    )


def read_ers1990(path: Path, *, name: str = "ers1990") -> RegionSet:
    return _simple_table(
        path,
        kind="ers1990",
        name=name,
        fips_column="County FIPS Code",
        region_column="CZ90",
        name_column="Name of largest place in Commuting Zone",
        sheet="CZLMA903",
        title="USDA ERS 1990 commuting zones",
    )


def read_ers2000(path: Path, *, name: str = "ers2000") -> RegionSet:
    return _simple_table(
        path,
        kind="ers2000",
        name=name,
        fips_column="FIPS",
        region_column="Commuting Zone ID, 2000",
        sheet="CZ00_Equiv",
        title="USDA ERS 2000 commuting zones",
    )


def read_psu2010(path: Path, *, name: str = "psu2010") -> RegionSet:
    return _simple_table(
        path,
        kind="psu2010",
        name=name,
        fips_column="FIPS",
        region_column="OUT10",
        encoding="latin-1",
        title="Penn State 2010 commuting zones (Fowler & Jensen)",
    )


def read_fowler2020(path: Path, *, name: str = "fowler2020") -> RegionSet:
    return _simple_table(
        path,
        kind="fowler2020",
        name=name,
        fips_column="GEOID",
        region_column="CZ20",
        title="Fowler 2020 commuting zones",
    )


OMB_HEADER_MARKER: Final = "cbsa code"
#: The kind of a stored OMB CBSA delineation (metro areas choose occupation wages).
CBSA_KIND: Final = "cbsa2023"


def _read_omb_list1(path: Path, *, area: str, name: str) -> RegionSet:
    """OMB List 1: find the header row (it starts with 'CBSA Code'), read until the notes begin."""
    rows = _rows(path)
    header: list[str] | None = None
    line = 0
    for line, row in rows:
        if row and row[0].strip().lower() == OMB_HEADER_MARKER:
            header = row
            break
        if line >= 10:
            break
    if header is None:
        raise DelineationFileError(
            f"{path}: not an OMB delineation list: "
            "no header row starting with 'CBSA Code' in the first 10 rows"
        )
    code_column, title_column = ("CBSA Code", "CBSA Title") if area == "cbsa" else ("CSA Code", "CSA Title")
    state_i, county_i, code_i, title_i = _header_index(
        header, ["FIPS State Code", "FIPS County Code", code_column, title_column], path, line, "OMB List 1"
    )
    assignments: dict[str, str] = {}
    names: dict[str, str] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        first = row[0].strip()
        if not first.isdigit():  # the trailing notes and source lines
            break
        state, county = row[state_i].strip(), row[county_i].strip()
        if not (state.isdigit() and county.isdigit()):
            raise DelineationFileError(
                f"{path}, line {line}, columns 'FIPS State Code'/'FIPS County Code': "
                f"expected FIPS codes, found {state!r}/{county!r}"
            )
        code = row[code_i].strip()
        if not code:
            continue  # a CBSA outside any CSA
        fips = state.zfill(2) + county.zfill(3)
        assignments[fips] = code
        names.setdefault(code, row[title_i].strip())
    if not assignments:
        raise DelineationFileError(f"{path}: no counties")
    label = "CBSAs" if area == "cbsa" else "CSAs"
    return RegionSet(
        name=name,
        assignments=assignments,
        region_names=names,
        kind=f"{area}2023",
        source=f"OMB 2023 {label}: {path}",
    )


def read_cbsa2023(path: Path, *, name: str = "cbsa2023") -> RegionSet:
    return _read_omb_list1(path, area="cbsa", name=name)


def read_csa2023(path: Path, *, name: str = "csa2023") -> RegionSet:
    return _read_omb_list1(path, area="csa", name=name)


PUBLISHED_KINDS: Final[dict[str, PublishedKind]] = {
    k.kind: k
    for k in (
        PublishedKind("ers1990", "USDA ERS 1990 commuting zones", "czlma903.xls or .csv", read_ers1990),
        PublishedKind("ers2000", "USDA ERS 2000 commuting zones", "cz00_eqv_v1.xls or .csv", read_ers2000),
        PublishedKind("psu2010", "Penn State 2010 commuting zones", "counties10-zqvz0r.csv", read_psu2010),
        PublishedKind("fowler2020", "Fowler 2020 commuting zones", "county20.csv", read_fowler2020),
        PublishedKind(
            "cbsa2023", "OMB July 2023 core-based statistical areas", "list1_2023.xlsx", read_cbsa2023
        ),
        PublishedKind("csa2023", "OMB July 2023 combined statistical areas", "list1_2023.xlsx", read_csa2023),
        PublishedKind("states", "States (from each county's FIPS code)", "(no file)", None),
    )
}


def load_published(kind: str, path: Path | str, *, name: str | None = None) -> RegionSet:
    """Read a published delineation of ``kind`` from ``path``."""
    try:
        spec = PUBLISHED_KINDS[kind]
    except KeyError:
        raise ValueError(
            f"unknown region-set kind {kind!r}: choose one of {', '.join(PUBLISHED_KINDS)}"
        ) from None
    if spec.reader is None:
        raise ValueError(
            f"{kind} needs no file: it is built from the counties of the set it is compared with"
        )
    region_set = spec.reader(Path(path))
    if name and name != region_set.name:
        return RegionSet(
            name=name,
            assignments=region_set.assignments,
            region_names=region_set.region_names,
            kind=region_set.kind,
            source=region_set.source,
        )
    return region_set


__all__ = ["PUBLISHED_KINDS", "DelineationFileError", "PublishedKind", "load_published"]
