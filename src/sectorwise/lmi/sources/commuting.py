"""Commuting flows: ACS county-to-county tables and LEHD LODES origin-destination files.

Both readers return :class:`CommutingFlows`: one row per (home, work) pair with its worker count and, for the
ACS, the margin of error (a 90 % interval, as the Census publishes it).

ACS tables (`Workers in Commuting Flow`, as in the Census "Residence County to Workplace County" tables):
Latin-1 text, counts with thousands separators ("8,635"), a blank work county for a workplace abroad (the
work state then holds a foreign-area code such as 301, or is blank), and a few trailing lines of Census
source notes. A simpler layout, ``home_fips,work_fips,workers[,moe]`` (five-digit codes), is read too, so
that users can bring flows from elsewhere.

LODES OD files (``w_geocode,h_geocode,S000,...``) count jobs between census blocks; the first 5 digits of a
15-digit block code are its county, the first 11 its tract, so blocks aggregate by that prefix.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

Level = Literal["county", "tract"]

ABROAD: Final = ""
"""The work code of a flow to a workplace outside the United States and Puerto Rico."""

GEOCODE_PREFIX: Final[dict[str, int]] = {"county": 5, "tract": 11}

ACS_COLUMNS: Final = (
    "home state fips code",
    "home county fips code",
    "work state fips code",
    "work county fips code",
    "workers in commuting flow",
    "margin of error",
)
SIMPLE_COLUMNS: Final = ("home_fips", "work_fips", "workers")
LODES_KEY_COLUMNS: Final = ("w_geocode", "h_geocode")
LODES_SEGMENTS: Final = ("S000", "SA01", "SA02", "SA03", "SE01", "SE02", "SE03", "SI01", "SI02", "SI03")


class FlowFileError(ValueError):
    """A commuting-flow file that cannot be read; the message names the file, line and column."""

    def __init__(self, path: Path | str, line: int | None, column: str | None, problem: str) -> None:
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class CommutingFlows:
    """Workers by place of residence (``home``) and place of work (``work``; ``ABROAD`` for abroad).

    ``moe`` holds the published 90 % margin of error of each flow, or NaN where the source gives none.
    """

    home: npt.NDArray[np.str_]
    work: npt.NDArray[np.str_]
    workers: npt.NDArray[np.float64]
    moe: npt.NDArray[np.float64]
    level: Level
    source: str

    def __post_init__(self) -> None:
        sizes = {len(self.home), len(self.work), len(self.workers), len(self.moe)}
        if len(sizes) != 1:
            raise ValueError("home, work, workers and moe must have the same length")

    def __len__(self) -> int:
        return len(self.home)

    @property
    def has_moe(self) -> bool:
        """True when every flow carries a margin of error (the ACS tables do; LODES does not)."""
        return len(self.moe) > 0 and not bool(np.isnan(self.moe).any())

    @property
    def total_workers(self) -> float:
        return float(self.workers.sum())

    def domestic(self) -> CommutingFlows:
        """The flows whose workplace is in the United States or Puerto Rico (abroad dropped)."""
        keep = self.work != ABROAD
        return self._subset(keep)

    def _subset(self, keep: npt.NDArray[np.bool_]) -> CommutingFlows:
        return CommutingFlows(
            home=self.home[keep],
            work=self.work[keep],
            workers=self.workers[keep],
            moe=self.moe[keep],
            level=self.level,
            source=self.source,
        )

    def areas(self) -> tuple[str, ...]:
        """Every home or work area (abroad excluded), sorted."""
        codes = set(self.home.tolist()) | set(self.work.tolist())
        codes.discard(ABROAD)
        return tuple(sorted(codes))


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    """A text handle on a plain or gzip file (told apart by the gzip magic bytes, not the name)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    # The wrapper owns the binary handle and closes it: callers use the wrapper as a context manager.
    raw = gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _normalise(header: Sequence[str]) -> tuple[str, ...]:
    return tuple(" ".join(cell.strip().lower().split()) for cell in header)


_COUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _number(text: str, path: Path, line: int, column: str, *, allow_blank: bool = False) -> float:
    cleaned = text.strip().replace(",", "")
    if cleaned.startswith("+/-"):
        cleaned = cleaned[3:]
    if cleaned == "" and allow_blank:
        return math.nan
    # Counts are written as plain digits (with thousands separators); float() would also take '1e3' or 'inf'.
    if not _COUNT.fullmatch(cleaned):
        raise FlowFileError(path, line, column, f"expected a count of zero or more, found {text!r}")
    return float(cleaned)


def _code(text: str, width: int, path: Path, line: int, column: str) -> str:
    cleaned = text.strip()
    if not cleaned.isdigit() or len(cleaned) > width + 1 or int(cleaned) >= 10**width:
        raise FlowFileError(
            path, line, column, f"expected a FIPS code of up to {width} digits, found {text!r}"
        )
    return str(int(cleaned)).zfill(width)


def _is_trailer(row: Sequence[str]) -> bool:
    """A blank row, or a Census note: text in the first cell and nothing else."""
    first = row[0].strip() if row else ""
    rest_blank = all(not cell.strip() for cell in row[1:])
    return rest_blank and not first.replace(",", "").isdigit()


class _FlowAccumulator:
    """Sums duplicate (home, work) pairs; margins of error combine as the root of the sum of squares."""

    def __init__(self) -> None:
        self._workers: dict[tuple[str, str], float] = defaultdict(float)
        self._moe_sq: dict[tuple[str, str], float] = defaultdict(float)

    def add(self, home: str, work: str, workers: float, moe: float) -> None:
        key = (home, work)
        self._workers[key] += workers
        self._moe_sq[key] += moe * moe

    def build(self, level: Level, source: str) -> CommutingFlows:
        keys = sorted(self._workers)
        width = GEOCODE_PREFIX[level]
        return CommutingFlows(
            home=np.array([k[0] for k in keys], dtype=f"<U{width}"),
            work=np.array([k[1] for k in keys], dtype=f"<U{width}"),
            workers=np.array([self._workers[k] for k in keys], dtype=np.float64),
            moe=np.sqrt(np.array([self._moe_sq[k] for k in keys], dtype=np.float64)),
            level=level,
            source=source,
        )


def read_acs_flows(path: Path | str) -> CommutingFlows:
    """Read an ACS county-to-county commuting-flow table (plain or gzip CSV).

    Accepts the Census layout (home state, home county, work state, work county, workers, margin of error)
    and the simple layout ``home_fips,work_fips,workers[,moe]``. Workplaces abroad are kept with work code
    ``ABROAD``. Refuses any other layout with a message that says what it expected and what it saw.
    """
    path = Path(path)
    if not path.is_file():
        raise FlowFileError(path, None, None, "no such file")
    with _open_text(path, "latin-1") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise FlowFileError(path, 1, None, "the file is empty") from None
        except csv.Error as exc:
            raise FlowFileError(path, 1, None, f"not a CSV file ({exc})") from None
        names = _normalise(header)
        accumulator = _FlowAccumulator()
        try:
            if names[:6] == ACS_COLUMNS:
                _read_census_rows(reader, path, accumulator)
            elif names[:3] == SIMPLE_COLUMNS and (len(names) == 3 or names[3] == "moe"):
                _read_simple_rows(reader, path, accumulator, has_moe=len(names) > 3)
            else:
                raise FlowFileError(
                    path,
                    1,
                    None,
                    "not an ACS commuting-flow table: expected the columns "
                    f"{', '.join(repr(c) for c in ACS_COLUMNS)} (or home_fips, work_fips, workers[, moe]), "
                    f"found {', '.join(repr(c) for c in header[:8])}",
                )
        except csv.Error as exc:
            raise FlowFileError(path, reader.line_num, None, f"malformed CSV ({exc})") from None
        except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes every byte
            raise FlowFileError(path, reader.line_num, None, f"undecodable text ({exc})") from None
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise FlowFileError(path, reader.line_num, None, f"truncated or corrupt file ({exc})") from None
    flows = accumulator.build("county", str(path))
    if len(flows) == 0:
        raise FlowFileError(path, None, None, "the file holds no flows")
    return flows


def _data_rows(reader: Iterable[list[str]], path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    """Rows before the trailing notes, numbered as lines of the file; data after the notes is an error."""
    in_trailer = False
    line = 1
    for row in reader:
        line += 1
        if _is_trailer(row):
            in_trailer = True
            continue
        if in_trailer:
            raise FlowFileError(path, line, None, "data after the trailing notes: is the file concatenated?")
        if len(row) < width:
            raise FlowFileError(path, line, None, f"expected {width} columns, found {len(row)}")
        yield line, row


def _read_census_rows(reader: Iterable[list[str]], path: Path, accumulator: _FlowAccumulator) -> None:
    for line, row in _data_rows(reader, path, len(ACS_COLUMNS)):
        home = _code(row[0], 2, path, line, "Home State FIPS CODE") + _code(
            row[1], 3, path, line, "HOME COUNTY FIPS CODE"
        )
        work_state, work_county = row[2].strip(), row[3].strip()
        if work_county == "":
            work = ABROAD
        else:
            work = _code(work_state, 2, path, line, "WORK STATE FIPS CODE") + _code(
                work_county, 3, path, line, "WORK COUNTY FIPS CODE"
            )
        workers = _number(row[4], path, line, "Workers in Commuting Flow")
        moe = _number(row[5], path, line, "Margin of Error", allow_blank=True)
        accumulator.add(home, work, workers, moe)


def _read_simple_rows(
    reader: Iterable[list[str]], path: Path, accumulator: _FlowAccumulator, *, has_moe: bool
) -> None:
    width = 4 if has_moe else 3
    for line, row in _data_rows(reader, path, width):
        home = _five_digit(row[0], path, line, "home_fips")
        work = ABROAD if row[1].strip() == "" else _five_digit(row[1], path, line, "work_fips")
        workers = _number(row[2], path, line, "workers")
        moe = _number(row[3], path, line, "moe", allow_blank=True) if has_moe else math.nan
        accumulator.add(home, work, workers, moe)


def _five_digit(text: str, path: Path, line: int, column: str) -> str:
    cleaned = text.strip()
    if len(cleaned) == 4 and cleaned.isdigit():  # a spreadsheet dropped the leading zero
        cleaned = "0" + cleaned
    if len(cleaned) != 5 or not cleaned.isdigit():
        raise FlowFileError(path, line, column, f"expected a five-digit county FIPS code, found {text!r}")
    return cleaned


def read_lodes_od(
    paths: Iterable[Path | str], *, level: Level = "county", segment: str = "S000"
) -> CommutingFlows:
    """Read LODES origin-destination files (main and aux parts, any states) and aggregate their blocks.

    ``level`` chooses counties (5-digit prefix of the block code) or tracts (11 digits); ``segment`` the job
    count column (S000 all jobs, SA01..SI03 the age, earnings and industry segments).
    """
    if level not in GEOCODE_PREFIX:
        raise ValueError(f"unknown level {level!r}: choose county or tract")
    if segment not in LODES_SEGMENTS:
        raise ValueError(f"unknown LODES segment {segment!r}: choose one of {', '.join(LODES_SEGMENTS)}")
    width = GEOCODE_PREFIX[level]
    accumulator = _FlowAccumulator()
    sources: list[str] = []
    for raw_path in paths:
        path = Path(raw_path)
        if not path.is_file():
            raise FlowFileError(path, None, None, "no such file")
        sources.append(str(path))
        _read_lodes_file(path, width, segment, accumulator)
    if not sources:
        raise ValueError("no LODES files given")
    flows = accumulator.build(level, ", ".join(sources))
    return CommutingFlows(
        home=flows.home,
        work=flows.work,
        workers=flows.workers,
        moe=np.full(len(flows), np.nan),
        level=level,
        source=flows.source,
    )


def _read_lodes_file(path: Path, width: int, segment: str, accumulator: _FlowAccumulator) -> None:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    with _open_text(path, "utf-8") as handle:
        reader = csv.reader(handle)
        try:
            header = [cell.strip() for cell in next(reader)]
        except StopIteration:
            raise FlowFileError(path, 1, None, "the file is empty") from None
        if header[:2] != list(LODES_KEY_COLUMNS) or segment not in header:
            raise FlowFileError(
                path,
                1,
                None,
                "not a LODES origin-destination file: expected w_geocode, h_geocode, S000, ... "
                f"(with {segment}), found {', '.join(repr(c) for c in header[:6])}",
            )
        column = header.index(segment)
        try:
            for row in reader:
                line = reader.line_num
                if len(row) != len(header):
                    raise FlowFileError(path, line, None, f"expected {len(header)} columns, found {len(row)}")
                work_block, home_block = row[0], row[1]
                for name, block in (("w_geocode", work_block), ("h_geocode", home_block)):
                    if len(block) != 15 or not block.isdigit():
                        raise FlowFileError(
                            path, line, name, f"expected a 15-digit block code, found {block!r}"
                        )
                count = row[column]
                if not count.isdigit():
                    raise FlowFileError(path, line, segment, f"expected a job count, found {count!r}")
                totals[(home_block[:width], work_block[:width])] += int(count)
        except csv.Error as exc:
            raise FlowFileError(path, reader.line_num, None, f"malformed CSV ({exc})") from None
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise FlowFileError(path, reader.line_num, None, f"truncated or corrupt file ({exc})") from None
    for (home, work), workers in totals.items():
        accumulator.add(home, work, workers, 0.0)


def read_flows(paths: Sequence[Path | str], *, level: Level = "county") -> CommutingFlows:
    """Read flows from an ACS table (one file) or LODES OD files (one or more), told apart by the header."""
    if not paths:
        raise ValueError("no flow files given")
    first = Path(paths[0])
    if not first.is_file():
        raise FlowFileError(first, None, None, "no such file")
    with _open_text(first, "latin-1") as handle:
        header = handle.readline()
    if header.lower().startswith("w_geocode"):
        return read_lodes_od(paths, level=level)
    if len(paths) > 1:
        raise ValueError("give one ACS flow table at a time (several files are read only for LODES)")
    if level != "county":
        raise ValueError("ACS tables are county to county: --level tract needs LODES files")
    return read_acs_flows(first)
