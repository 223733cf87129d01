"""The Census ACS flows as published (table1.xlsx, which `lmi fetch flows` downloads) turned into the CSV the
delineation reads: the same flows as the CSV they were built from, the same bytes twice, a clear refusal of
another workbook. `table1_xlsx` builds the published layout from the shared CSV (also the mirror's file in
tests/web/test_state_setup.py)."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable
from pathlib import Path

import pytest
from openpyxl import Workbook

from sectorwise.lmi.fetch.acs_flows import AcsFlowsError, flows_csv, table1_to_csv
from sectorwise.lmi.sources.commuting import ABROAD, read_acs_flows
from tests.conftest import shared_data_path

pytestmark = pytest.mark.realdata

NORTHEAST = ("09", "23", "25", "33", "34", "36", "42", "44", "50")


def shared_flows() -> Path:
    return shared_data_path("commuting", "mobz_foote_kutzbach_vilhuber", "jtw2009_2013.csv.gz")


def table1_xlsx(source: Path, *, home_states: Iterable[str] = NORTHEAST) -> tuple[bytes, str]:
    """Census's published layout (title rows, residence and workplace headers with names, three-digit work
    states, "EUR" for a workplace abroad, footnotes) of the flows from ``home_states`` in ``source`` (a few
    states keep the tests fast); returns the workbook and the same flows as CSV in the reader's layout."""
    wanted = set(home_states)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Table 1")
    sheet.append(["Table 1. Residence County to Workplace County Commuting Flows: 5-Year ACS 2009-2013"])
    sheet.append([])
    sheet.append(["Residence", None, None, None, "Place of Work"])
    sheet.append(
        [
            *("State FIPS Code", "County FIPS Code", "State Name", "County Name"),
            *("State FIPS Code", "County FIPS Code", "State Name", "County Name"),
            *("Workers in Commuting Flow", "Margin of Error"),
        ]
    )
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    with gzip.open(source, "rt", encoding="latin-1") as handle:
        reader = csv.reader(handle)
        writer.writerow(next(reader))
        for row in reader:
            if not row or not row[0].strip().isdigit() or f"{int(row[0]):02d}" not in wanted:
                continue
            writer.writerow(row)
            work_state, work_county = row[2].strip(), row[3].strip()
            sheet.append(
                [
                    *(f"{int(row[0]):02d}", f"{int(row[1]):03d}", "State", "County"),
                    f"{int(work_state):03d}" if work_state else "EUR",
                    f"{int(work_county):03d}" if work_county else None,
                    *("State", "County"),
                    int(row[4].replace(",", "")),
                    int(row[5].replace(",", "") or 0),
                ]
            )
    sheet.append([])
    sheet.append(["Footnotes: the estimates are based on a sample."])
    body = io.BytesIO()
    book.save(body)
    return body.getvalue(), expected.getvalue()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("acs-flows")
    body, expected_text = table1_xlsx(shared_flows())
    xlsx = directory / "table1.xlsx"
    xlsx.write_bytes(body)
    expected = directory / "expected.csv"
    expected.write_text(expected_text)
    return xlsx, expected


def test_the_workbook_gives_the_flows_it_was_built_from(published: tuple[Path, Path], tmp_path: Path) -> None:
    xlsx, expected = published
    target = tmp_path / "flows.csv.gz"
    written = table1_to_csv(xlsx, target)
    ours, theirs = read_acs_flows(target), read_acs_flows(expected)
    assert written > 10_000
    assert len(ours) == len(theirs) > 10_000
    assert ours.total_workers == theirs.total_workers
    assert sorted(zip(ours.home, ours.work, ours.workers, strict=True)) == sorted(
        zip(theirs.home, theirs.work, theirs.workers, strict=True)
    )
    assert ABROAD in set(ours.work)  # "EUR": a workplace abroad
    assert {code[:2] for code in ours.home} == set(NORTHEAST)


def test_the_csv_is_made_once_and_is_the_same_bytes_each_time(
    published: tuple[Path, Path], tmp_path: Path
) -> None:
    xlsx = tmp_path / "table1.xlsx"
    xlsx.write_bytes(published[0].read_bytes())
    first = flows_csv(xlsx)
    made = first.stat().st_mtime_ns
    assert flows_csv(xlsx) == first and first.stat().st_mtime_ns == made  # not remade
    again = tmp_path / "again.csv.gz"
    table1_to_csv(xlsx, again)
    assert again.read_bytes() == first.read_bytes()  # the fingerprint state setup keeps holds


def test_another_workbook_is_refused_by_name(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["CBSA Code", "County/County Equivalent"])  # type: ignore[union-attr]
    path = tmp_path / "list1.xlsx"
    book.save(path)
    with pytest.raises(AcsFlowsError, match="Workers in Commuting Flow"):
        table1_to_csv(path, tmp_path / "out.csv.gz")
    assert not (tmp_path / "out.csv.gz").exists()
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(AcsFlowsError, match=r"not a readable \.xlsx"):
        table1_to_csv(tmp_path / "junk.xlsx", tmp_path / "out.csv.gz")
