"""BLS Occupational Employment and Wage Statistics (OEWS) in the ``oe.data`` time-series record layout.

A data row is ``series_id, year, period, value, footnote_codes`` (tab-separated; BLS pads fields with spaces,
which are stripped). The series id packs the dimensions::

    OEU + areatype(1: N national, S state, M metro or nonmetro area) + area(7) + industry(6)
        + occupation(6) + datatype(2)                                  = 25 characters

``value`` is a number, or a symbol for a cell BLS did not release (``-``, ``*``, ``**``, ``#``: see
``oe.footnote``); such cells read as null with ``released = False``, never as zero.

The lookup files (``oe.industry``, ``oe.occupation``, ``oe.area``, ``oe.datatype``, ``oe.footnote``) are
tab-separated with a header; only the code and name columns (plus ``display_level``, ``areatype_code`` where
present) are used, so both BLS's full mapping files and reduced copies read.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

SERIES_PREFIX: Final = "OEU"
SERIES_LENGTH: Final = 25
DATA_COLUMNS: Final = ("series_id", "year", "period", "value", "footnote_codes")

#: Datatype codes used by Sectorwise (the rest read fine and are kept).
EMPLOYMENT: Final = "01"
EMPLOYMENT_RSE: Final = "02"
ANNUAL_MEAN_WAGE: Final = "04"
ANNUAL_MEDIAN_WAGE: Final = "13"
LOCATION_QUOTIENT: Final = "17"

ALL_OCCUPATIONS: Final = "000000"
CROSS_INDUSTRY: Final = "000000"
NATIONAL_AREA: Final = "0000000"
#: ``display_level`` of a detailed SOC occupation in ``oe.occupation`` (0 major ... 3 detailed).
DETAILED_OCCUPATION_LEVEL: Final = 3


class OewsFileError(ValueError):
    """An OEWS file that cannot be read; the message names the file, the line and the field."""


@dataclass(frozen=True)
class SeriesId:
    """The dimensions packed in an OEWS series id."""

    areatype: str
    area_code: str
    industry_code: str
    occupation_code: str
    datatype_code: str

    @classmethod
    def parse(cls, text: str) -> SeriesId:
        series = text.strip()
        if len(series) != SERIES_LENGTH or not series.startswith(SERIES_PREFIX):
            raise ValueError(
                f"OEWS series id {text!r}: expected {SERIES_LENGTH} characters starting with "
                f"{SERIES_PREFIX!r} "
                "(OEU + areatype + area(7) + industry(6) + occupation(6) + datatype(2))"
            )
        return cls(
            areatype=series[3],
            area_code=series[4:11],
            industry_code=series[11:17],
            occupation_code=series[17:23],
            datatype_code=series[23:25],
        )

    def __str__(self) -> str:
        return (
            f"{SERIES_PREFIX}{self.areatype}{self.area_code}{self.industry_code}"
            f"{self.occupation_code}{self.datatype_code}"
        )


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise OewsFileError(f"{path}: cannot read: {error.strerror or error}") from error
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise OewsFileError(f"{path}: truncated or corrupt gzip file: {error}") from error
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # BLS's lookup files are plain ASCII, older ones Latin-1 (accented occupation titles).
        return raw.decode("latin-1")


def _read_tsv(path: Path, text: str) -> pa.Table:
    if not text.strip():
        raise OewsFileError(f"{path}: the file is empty")
    options = pacsv.ReadOptions(autogenerate_column_names=False)
    parse = pacsv.ParseOptions(delimiter="\t", quote_char=False)
    header = text.split("\n", 1)[0].rstrip("\r").split("\t")
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys((h.strip() for h in header), pa.string()))
    try:
        table = pacsv.read_csv(io.BytesIO(text.encode("utf-8")), options, parse, convert)
    except pa.ArrowInvalid as error:
        raise OewsFileError(f"{path}: not a tab-separated OEWS file: {error}") from error
    return table.rename_columns([name.strip() for name in table.column_names])


def _first_bad_line(mask: pa.ChunkedArray | pa.Array) -> int:
    """The 1-based file line (header is line 1) of the first True in ``mask``."""
    index = pc.index(mask, True).as_py()
    return int(index) + 2


def read_oews_data(path: Path | str) -> pa.Table:
    """Read an ``oe.data`` file (plain or .gz) into one row per cell.

    Columns: series_id, areatype, area_code, industry_code, occupation_code, datatype_code, year, period,
    value (float64, null when not released), value_text (as published), released (bool), footnote_codes.
    Raises :class:`OewsFileError` naming the file, line and field of the first bad record.
    """
    path = Path(path)
    table = _read_tsv(path, _read_text(path))
    missing = [name for name in DATA_COLUMNS if name not in table.column_names]
    if missing:
        raise OewsFileError(
            f"{path}, line 1: not an OEWS oe.data file: missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(DATA_COLUMNS)}; saw {', '.join(table.column_names)})"
        )
    if table.num_rows == 0:
        raise OewsFileError(f"{path}: the file has a header but no data rows")
    series = pc.utf8_trim_whitespace(table["series_id"])
    bad_series = pc.or_(
        pc.not_equal(pc.utf8_length(series), SERIES_LENGTH),
        pc.invert(pc.starts_with(series, SERIES_PREFIX)),
    )
    if pc.any(bad_series).as_py():
        line = _first_bad_line(bad_series)
        value = series[line - 2].as_py()
        raise OewsFileError(
            f"{path}, line {line}, field series_id: {value!r} is not an OEWS series id "
            f"(expected {SERIES_LENGTH} characters: OEU + areatype + area(7) + industry(6) + occupation(6) "
            "+ datatype(2))"
        )
    year = pc.utf8_trim_whitespace(table["year"])
    bad_year = pc.invert(pc.match_substring_regex(year, r"^\d{4}$"))
    if pc.any(bad_year).as_py():
        line = _first_bad_line(bad_year)
        raise OewsFileError(
            f"{path}, line {line}, field year: {year[line - 2].as_py()!r} is not a four-digit year"
        )
    value_text = pc.utf8_trim_whitespace(table["value"])
    numeric = pc.match_substring_regex(value_text, r"^-?\d+(\.\d+)?$")
    # BLS's symbols for unreleased cells; anything else that is not a number is a damaged file.
    symbol = pc.is_in(value_text, value_set=pa.array(["-", "*", "**", "#", "~"]))
    bad_value = pc.invert(pc.or_(numeric, symbol))
    if pc.any(bad_value).as_py():
        line = _first_bad_line(bad_value)
        raise OewsFileError(
            f"{path}, line {line}, field value: {value_text[line - 2].as_py()!r} is neither a number nor a "
            "BLS not-released symbol (-, *, **, #)"
        )
    value = pc.if_else(numeric, value_text, None).cast(pa.float64())
    return pa.table(
        {
            "series_id": series,
            "areatype": pc.utf8_slice_codeunits(series, 3, 4),
            "area_code": pc.utf8_slice_codeunits(series, 4, 11),
            "industry_code": pc.utf8_slice_codeunits(series, 11, 17),
            "occupation_code": pc.utf8_slice_codeunits(series, 17, 23),
            "datatype_code": pc.utf8_slice_codeunits(series, 23, 25),
            "year": year.cast(pa.int16()),
            "period": pc.utf8_trim_whitespace(table["period"]),
            "value": value,
            "value_text": value_text,
            "released": numeric,
            "footnote_codes": pc.utf8_trim_whitespace(table["footnote_codes"]),
        }
    )


def read_oews_lookup(path: Path | str, code_column: str, name_column: str) -> pa.Table:
    """Read a lookup file (``oe.industry``, ``oe.occupation``, ``oe.area`` ...) keeping every column as text.

    The code and name columns must be present; the error names the file and what it saw.
    """
    path = Path(path)
    table = _read_tsv(path, _read_text(path))
    for needed in (code_column, name_column):
        if needed not in table.column_names:
            raise OewsFileError(
                f"{path}, line 1: missing column {needed!r} (saw {', '.join(table.column_names)})"
            )
    trimmed = {name: pc.utf8_trim_whitespace(table[name]) for name in table.column_names}
    return pa.table(trimmed)


@dataclass(frozen=True)
class OewsData:
    """One OEWS release: the data rows plus the industry, occupation and area lookups."""

    data: pa.Table
    industries: pa.Table
    occupations: pa.Table
    areas: pa.Table
    sources: tuple[Path, ...]

    @property
    def vintage(self) -> str:
        """E.g. 'May 2025 (2025A01)': OEWS estimates refer to May of the reference year."""
        years = pc.unique(self.data["year"]).to_pylist()
        periods = pc.unique(self.data["period"]).to_pylist()
        year_text = "/".join(str(y) for y in sorted(years))
        return f"May {year_text} ({year_text}{'/'.join(sorted(periods))})"

    def area_name(self, area_code: str) -> str | None:
        match = pc.equal(self.areas["area_code"], area_code)
        names = pc.filter(self.areas["area_name"], match).to_pylist()
        return str(names[0]) if names else None


LOOKUP_FILES: Final = {
    "industries": ("oe.industry", "industry_code", "industry_name"),
    "occupations": ("oe.occupation", "occupation_code", "occupation_name"),
    "areas": ("oe.area", "area_code", "area_name"),
}


def _find_lookup(directory: Path, stem: str) -> Path:
    for candidate in (stem, f"{stem}.tsv", f"{stem}.txt", f"{stem}.tsv.gz"):
        path = directory / candidate
        if path.exists():
            return path
    raise OewsFileError(f"{directory}: no {stem} lookup file (looked for {stem}, {stem}.tsv, {stem}.txt)")


def load_oews(directory: Path | str, data_files: Iterable[Path | str] | None = None) -> OewsData:
    """Load an OEWS directory: every ``oe.data.*`` file in it (or ``data_files``) plus the lookup files."""
    directory = Path(directory)
    if not directory.is_dir():
        raise OewsFileError(f"{directory}: not a directory holding OEWS files")
    files = (
        [Path(f) for f in data_files]
        if data_files is not None
        else sorted(p for p in directory.iterdir() if p.name.startswith("oe.data."))
    )
    if not files:
        raise OewsFileError(f"{directory}: no oe.data.* file")
    data = pa.concat_tables([read_oews_data(f) for f in files])
    lookups = {
        key: read_oews_lookup(_find_lookup(directory, stem), code, name)
        for key, (stem, code, name) in LOOKUP_FILES.items()
    }
    return OewsData(
        data=data,
        industries=lookups["industries"],
        occupations=lookups["occupations"],
        areas=lookups["areas"],
        sources=tuple(files),
    )
