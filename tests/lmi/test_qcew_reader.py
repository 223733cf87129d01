"""The QCEW file reader: layouts, header detection, file discovery, completeness checks, file-name hints."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from sectorwise.lmi.sources.qcew import (
    LAYOUTS,
    IngestError,
    NameHints,
    SourceFile,
    check_complete,
    collect_files,
    column_type,
    detect_layout,
    diagnose,
    name_hints,
    read_header,
)
from tests.conftest import shared_data_path
from tests.lmi.qcew_files import LAYOUT, render, rows

# The headers as BLS documents them (its published CSV layouts), written out here rather than derived.
QUARTERLY_SLICE_HEADER = (
    "area_fips,own_code,industry_code,agglvl_code,size_code,year,qtr,disclosure_code,qtrly_estabs,"
    "month1_emplvl,month2_emplvl,month3_emplvl,total_qtrly_wages,taxable_qtrly_wages,qtrly_contributions,"
    "avg_wkly_wage,lq_disclosure_code,lq_qtrly_estabs,lq_month1_emplvl,lq_month2_emplvl,lq_month3_emplvl,"
    "lq_total_qtrly_wages,lq_taxable_qtrly_wages,lq_qtrly_contributions,lq_avg_wkly_wage,oty_disclosure_code,"
    "oty_qtrly_estabs_chg,oty_qtrly_estabs_pct_chg,oty_month1_emplvl_chg,oty_month1_emplvl_pct_chg,"
    "oty_month2_emplvl_chg,oty_month2_emplvl_pct_chg,oty_month3_emplvl_chg,oty_month3_emplvl_pct_chg,"
    "oty_total_qtrly_wages_chg,oty_total_qtrly_wages_pct_chg,oty_taxable_qtrly_wages_chg,"
    "oty_taxable_qtrly_wages_pct_chg,oty_qtrly_contributions_chg,oty_qtrly_contributions_pct_chg,"
    "oty_avg_wkly_wage_chg,oty_avg_wkly_wage_pct_chg"
)
ANNUAL_TITLED_HEADER = (
    "area_fips,own_code,industry_code,agglvl_code,size_code,year,qtr,disclosure_code,area_title,own_title,"
    "industry_title,agglvl_title,size_title,annual_avg_estabs_count,annual_avg_emplvl,total_annual_wages,"
    "taxable_annual_wages,annual_contributions,annual_avg_wkly_wage,avg_annual_pay,lq_disclosure_code,"
    "lq_annual_avg_estabs_count,lq_annual_avg_emplvl,lq_total_annual_wages,lq_taxable_annual_wages,"
    "lq_annual_contributions,lq_annual_avg_wkly_wage,lq_avg_annual_pay,oty_disclosure_code,"
    "oty_annual_avg_estabs_count_chg,oty_annual_avg_estabs_count_pct_chg,oty_annual_avg_emplvl_chg,"
    "oty_annual_avg_emplvl_pct_chg,oty_total_annual_wages_chg,oty_total_annual_wages_pct_chg,"
    "oty_taxable_annual_wages_chg,oty_taxable_annual_wages_pct_chg,oty_annual_contributions_chg,"
    "oty_annual_contributions_pct_chg,oty_annual_avg_wkly_wage_chg,oty_annual_avg_wkly_wage_pct_chg,"
    "oty_avg_annual_pay_chg,oty_avg_annual_pay_pct_chg"
)


def test_the_four_layouts_and_their_widths() -> None:
    widths = {layout.name: len(layout.columns) for layout in LAYOUTS}
    assert widths == {"quarterly": 42, "annual": 38, "quarterly_titled": 47, "annual_titled": 43}
    assert LAYOUT["quarterly"].columns == tuple(QUARTERLY_SLICE_HEADER.split(","))
    assert LAYOUT["annual_titled"].columns == tuple(ANNUAL_TITLED_HEADER.split(","))
    assert LAYOUT["quarterly_titled"].warehouse_column("qtrly_estabs_count") == "qtrly_estabs"
    assert LAYOUT["annual_titled"].file_column("annual_avg_estabs") == "annual_avg_estabs_count"


@pytest.mark.parametrize(
    "column, sql_type",
    [
        ("area_fips", "VARCHAR"),
        ("own_code", "SMALLINT"),
        ("month3_emplvl", "BIGINT"),
        ("lq_month3_emplvl", "DOUBLE"),
        ("oty_total_qtrly_wages_chg", "BIGINT"),
        ("oty_avg_annual_pay_pct_chg", "DOUBLE"),
        ("lq_disclosure_code", "VARCHAR"),
        ("industry_title", "VARCHAR"),
    ],
)
def test_column_types(column: str, sql_type: str) -> None:
    assert column_type(column) == sql_type


def test_real_headers_are_recognised() -> None:
    expected = {
        ("qcew", "2016_q1-q4_by_area", "vermont_50"): "quarterly_titled",
        ("qcew", "us000_area_slices"): "quarterly",
        ("qcew", "2020_ohio_morpc"): None,  # both annual and quarterly slices
    }
    for parts, layout_name in expected.items():
        folder = shared_data_path(*parts)
        seen = set()
        for path in sorted(folder.glob("*.gz")):
            source = SourceFile(path=path, name=str(path))
            seen.add(detect_layout(read_header(source).fields, file=source.name).name)
        assert seen == ({layout_name} if layout_name else {"annual", "quarterly"})


def test_an_unknown_header_says_what_it_saw_and_what_is_known() -> None:
    with pytest.raises(IngestError) as caught:
        detect_layout(["series_id", "year", "period", "value"], file="oe.data.csv")
    message = str(caught.value)
    assert "series_id, year, period, value" in message
    assert caught.value.line == 1
    for layout in LAYOUTS:
        assert layout.name in message and str(len(layout.columns)) in message


def test_a_header_one_column_short_names_the_missing_column() -> None:
    header = list(LAYOUT["annual"].columns[:-1])
    with pytest.raises(IngestError) as caught:
        detect_layout(header, file="x.csv")
    assert "oty_avg_annual_pay_pct_chg" in str(caught.value)
    assert caught.value.column == "38 (missing)"


@pytest.mark.parametrize(
    "name, hints",
    [
        ("2016.q1-q4 50007 Chittenden County, Vermont.csv", NameHints(2016, None, "50007")),
        ("2016.annual 50007 Chittenden County, Vermont.csv.gz", NameHints(2016, "A", "50007")),
        ("2016.q1-q4 US000 U.S. TOTAL.csv", NameHints(2016, None, "US000")),
        ("2019.q1.US000.csv.gz", NameHints(2019, "1", "US000")),
        ("morpc-qcew-2020-a-39041.csv.gz", NameHints(2020, "A", "39041")),
        ("morpc-qcew-2020-3-39073.csv.gz", NameHints(2020, "3", "39073")),
        ("data/api/2024/1/area/26161.csv", NameHints(2024, "1", "26161")),
        ("data/api/2024/a/industry/31-33.csv", NameHints(2024, "A", None)),
        ("2016.q1-q4 31-33 NAICS 31-33 Manufacturing.csv", NameHints(2016, None, None)),
        ("2016.annual 11111 NAICS 11111 Soybean farming.csv", NameHints(2016, "A", None)),
        ("2022.annual 10 10 Total, all industries.csv", NameHints(2022, "A", None)),
        ("2016.q1-q4 10001 10001 odd name.csv", NameHints(2016, None, None)),
        ("2016.annual.singlefile.csv", NameHints(2016, "A", None)),
        (
            "archive.zip!2016.q1-q4.by_area/2016.q1-q4 10001 Kent County, Delaware.csv",
            NameHints(2016, None, "10001"),
        ),
        ("mydata.csv", NameHints()),
    ],
)
def test_file_name_hints(name: str, hints: NameHints) -> None:
    assert name_hints(name) == hints


def test_collect_files_walks_directories_and_extracts_zips(tmp_path: Path) -> None:
    data = render(LAYOUT["quarterly"], rows(LAYOUT["quarterly"]))
    (tmp_path / "in" / "deeper").mkdir(parents=True)
    (tmp_path / "in" / "a.csv").write_bytes(data)
    (tmp_path / "in" / "deeper" / "b.csv.gz").write_bytes(gzip.compress(data))
    (tmp_path / "in" / "README.txt.md").write_text("not data", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "in" / "c.zip", "w") as archive:
        archive.writestr("inner/d.csv", data)
        archive.writestr("inner/notes.pdf", b"%PDF")
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    found = collect_files([tmp_path / "in"], extract_to=scratch)

    names = [Path(source.name.split("!")[-1]).name for source in found]
    assert names == ["a.csv", "d.csv", "b.csv.gz"]
    assert found[1].name.endswith("c.zip!inner/d.csv") and found[1].path.is_relative_to(scratch)
    assert all(source.path.read_bytes().startswith(b'"area_fips"') for source in found if not source.gzipped)


def test_collect_files_refuses_an_empty_directory_and_a_bad_zip(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestError, match="holds no CSV"):
        collect_files([tmp_path / "empty"], extract_to=tmp_path)
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(IngestError, match="zip"):
        collect_files([tmp_path / "bad.zip"], extract_to=tmp_path)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_read_header_reports_the_line_break(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(render(LAYOUT["annual"], rows(LAYOUT["annual"], qtrs="A"), newline=newline))
    header = read_header(SourceFile(path=path, name="x.csv"))
    assert header.newline == newline
    assert tuple(header.fields) == LAYOUT["annual"].columns


def test_check_complete(tmp_path: Path) -> None:
    data = render(LAYOUT["quarterly"], rows(LAYOUT["quarterly"]))
    complete = tmp_path / "ok.csv.gz"
    complete.write_bytes(gzip.compress(data))
    check_complete(SourceFile(path=complete, name="ok.csv.gz"))

    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[:-3])
    with pytest.raises(IngestError) as caught:
        check_complete(SourceFile(path=cut, name="cut.csv"))
    assert caught.value.line == data.count(b"\n")

    cut_gzip = tmp_path / "cut.csv.gz"
    compressed = gzip.compress(data)
    cut_gzip.write_bytes(compressed[:-10])  # only the trailer (CRC, size) missing
    with pytest.raises(IngestError, match="gzip"):
        check_complete(SourceFile(path=cut_gzip, name="cut.csv.gz"))

    two_members = tmp_path / "two.csv.gz"
    two_members.write_bytes(gzip.compress(data[:100]) + gzip.compress(data[100:]))
    check_complete(SourceFile(path=two_members, name="two.csv.gz"))


def test_diagnose_finds_the_first_bad_row(tmp_path: Path) -> None:
    layout = LAYOUT["quarterly"]
    table = rows(layout)
    table[3][layout.columns.index("total_qtrly_wages")] = "1,5"  # an unquoted comma: one cell too many
    path = tmp_path / "x.csv"
    path.write_bytes(render(layout, table))
    with pytest.raises(IngestError) as caught:
        diagnose(SourceFile(path=path, name="x.csv"), layout)
    assert caught.value.line == 5
    assert "42" in caught.value.expected
