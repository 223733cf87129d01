"""Property tests: any corruption of a valid BLS file is refused, and the warehouse is left unchanged."""

from __future__ import annotations

import gzip
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sectorwise.lmi.ingest import IngestError, ingest_paths
from tests.lmi.qcew_files import LAYOUT, render, rows, snapshot, write

NAME = "2016.q1-q4 50001 Addison County, Vermont.csv"
LAYOUT_NAMES = sorted(LAYOUT)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
_runs = itertools.count()
Warehouse = tuple[Path, dict[str, list[tuple[object, ...]]]]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    folder = tmp_path_factory.mktemp("before")
    target = folder / "warehouse.duckdb"
    ingest_paths(
        [
            write(folder / NAME, qtrs="1234"),
            write(folder / "2016.annual 50001 Addison County, Vermont.csv", "annual_titled", qtrs="A"),
        ],
        warehouse=target,
    )
    return target, snapshot(target)


def valid_file(layout_name: str) -> tuple[bytes, str]:
    layout = LAYOUT[layout_name]
    if layout.annual:
        return render(layout, rows(layout, qtrs="A")), "2016.annual 50001 Addison County, Vermont.csv"
    return render(layout, rows(layout, qtrs="1234")), NAME


def assert_refused(warehouse, content: bytes, name: str) -> None:
    target, before = warehouse
    folder = target.parent / f"run{next(_runs)}"
    folder.mkdir()
    path = folder / name
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    with pytest.raises(IngestError) as caught:
        ingest_paths([path], warehouse=target)
    assert caught.value.file.endswith(path.name)
    assert snapshot(target) == before


def test_the_valid_files_themselves_load(tmp_path: Path) -> None:
    for layout_name in LAYOUT_NAMES:
        content, name = valid_file(layout_name)
        path = tmp_path / layout_name / name
        path.parent.mkdir()
        path.write_bytes(content)
        summary = ingest_paths([path], warehouse=tmp_path / "w.duckdb")
        assert summary.rows == content.count(b"\n") - 1


@SETTINGS
@given(layout_name=st.sampled_from(LAYOUT_NAMES), cut=st.floats(0, 1, exclude_max=True))
def test_truncated_at_any_byte(warehouse: Warehouse, layout_name: str, cut: float) -> None:
    content, name = valid_file(layout_name)
    at = int(cut * len(content))
    if content[at - 1 : at] == b"\n":
        at -= 1  # a cut exactly after a line break leaves a shorter valid file: cut into that line instead
    assert_refused(warehouse, content[:at], name)


@SETTINGS
@given(cut=st.floats(0, 1, exclude_min=True, exclude_max=True))
def test_truncated_gzip_at_any_byte(warehouse: Warehouse, cut: float) -> None:
    content, name = valid_file("quarterly_titled")
    compressed = gzip.compress(content)
    target, before = warehouse
    folder = target.parent / f"run{next(_runs)}"
    folder.mkdir()
    path = folder / (name + ".gz")
    path.write_bytes(compressed[: int(cut * len(compressed))])
    with pytest.raises(IngestError):
        ingest_paths([path], warehouse=target)
    assert snapshot(target) == before


NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
junk = st.text(min_size=1, max_size=8).filter(lambda s: s.strip() != "" and not NUMBER.fullmatch(s))


@SETTINGS
@given(layout_name=st.sampled_from(LAYOUT_NAMES), data=st.data(), bad=junk)
def test_a_numeric_cell_replaced_by_junk(
    warehouse: Warehouse, layout_name: str, data: st.DataObject, bad: str
) -> None:
    layout = LAYOUT[layout_name]
    table = rows(layout, qtrs="A" if layout.annual else "1234")
    numeric = [i for i, t in enumerate(layout.duckdb_types().values()) if t != "VARCHAR"]
    row = data.draw(st.integers(0, len(table) - 1))
    column = data.draw(st.sampled_from(numeric))
    table[row][column] = bad  # commas, quotes or line breaks in the junk break the row: refused too
    content = render(layout, table)
    assert_refused(warehouse, content, valid_file(layout_name)[1])


@SETTINGS
@given(layout_name=st.sampled_from(LAYOUT_NAMES), data=st.data(), rename=st.booleans())
def test_a_header_column_dropped_or_renamed(
    warehouse: Warehouse, layout_name: str, data: st.DataObject, rename: bool
) -> None:
    content, name = valid_file(layout_name)
    header, rest = content.split(b"\r\n", 1)
    columns = header.split(b",")
    index = data.draw(st.integers(0, len(columns) - 1))
    if rename:
        names = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
        new = data.draw(names.filter(lambda s: f'"{s}"'.encode() != columns[index]))
        columns[index] = f'"{new}"'.encode()
    else:
        del columns[index]
    assert_refused(warehouse, b",".join(columns) + b"\r\n" + rest, name)


@SETTINGS
@given(layout_name=st.sampled_from(LAYOUT_NAMES), data=st.data(), year=st.integers(1990, 2030))
def test_a_line_duplicated_with_another_year(
    warehouse: Warehouse, layout_name: str, data: st.DataObject, year: int
) -> None:
    layout = LAYOUT[layout_name]
    table = rows(layout, qtrs="A" if layout.annual else "1234")
    copy = list(data.draw(st.sampled_from(table)))
    copy[layout.columns.index("year")] = str(year)  # the same year makes it a duplicate key: also refused
    table.insert(data.draw(st.integers(0, len(table))), copy)
    assert_refused(warehouse, render(layout, table), valid_file(layout_name)[1])


@pytest.mark.parametrize("layout_name", LAYOUT_NAMES)
@pytest.mark.parametrize("keep_header", [False, True])
def test_emptied(warehouse: Warehouse, layout_name: str, keep_header: bool) -> None:
    content, name = valid_file(layout_name)
    assert_refused(warehouse, content.split(b"\r\n", 1)[0] + b"\r\n" if keep_header else b"", name)
