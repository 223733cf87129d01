"""Imports under attack: files built to tie up a worker, crash the reader or smuggle formulas and NULs.

No test times anything: each asserts the outcome (the refusal and the limit it names) and bounds the work
(how many rows the reader yields before it stops).
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorwise.core.tabular.reader import TableLimits, TableReadError, iter_table_rows, read_table
from sectorwise.core.tabular.writer import table_to_csv, table_to_xlsx
from sectorwise.directory.models import Organization
from sectorwise.partnerships.importing import organizations_import
from tests.web.personas import Personas

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHARED = (
    f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
    "<si><t>name</t></si><si><t>type</t></si></sst>"
)


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(rows: str, *, dimension: str = "A1:XFD1048576", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def xlsx(sheet_xml: str, *, shared: str = SHARED) -> bytes:
    """A minimal workbook written by hand, so that the sheet XML is exactly what the attacker chose."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", shared)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


HEADER = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
GOOD_ROW = f'<row r="2">{inline("A2", "Granite Machining")}{inline("B2", "employer")}</row>'


def test_a_declared_dimension_of_a_whole_sheet_is_ignored() -> None:
    """Before: openpyxl padded every row to 16,384 cells and walked 1,048,576 rows: an hour's work."""
    content = xlsx(sheet(HEADER + GOOD_ROW))
    assert len(content) < 5_000
    rows = list(iter_table_rows(filename="bomb.xlsx", content=content))
    assert rows == [(1, ["name", "type"]), (2, ["Granite Machining", "employer"])]


def test_a_row_numbered_at_the_end_of_the_sheet_is_refused_without_walking_to_it() -> None:
    content = xlsx(sheet(HEADER + GOOD_ROW + f'<row r="1048576">{inline("A1048576", "x")}</row>'))
    rows = iter_table_rows(filename="far.xlsx", content=content)
    assert next(rows)[0] == 1 and next(rows)[0] == 2  # the reader yields the rows that exist, no padding
    with pytest.raises(TableReadError, match="more than 50,000 rows"):
        next(rows)


def test_a_value_in_the_last_column_is_refused_and_empty_styled_cells_are_not_padded() -> None:
    refused = xlsx(sheet(HEADER + f'<row r="2">{inline("A2", "A")}{inline("XFD2", "far")}</row>'))
    with pytest.raises(TableReadError, match="more than 200 columns"):
        read_table(filename="wide.xlsx", content=refused)
    styled = xlsx(
        sheet(HEADER + f'<row r="2">{inline("A2", "A")}{inline("B2", "employer")}<c r="XFD2" s="0"/></row>')
    )
    rows = list(iter_table_rows(filename="styled.xlsx", content=styled))
    assert rows[1] == (2, ["A", "employer"])


def test_blank_rows_count_against_the_row_limit() -> None:
    """Before: blank rows were skipped before the limit was checked, so a million of them were all read."""
    limits = TableLimits(max_rows=10, max_blank_rows=5)
    blank_rows = "".join(f'<row r="{number}"><c r="A{number}" s="0"/></row>' for number in range(3, 100))
    rows = iter_table_rows(
        filename="blank.xlsx", content=xlsx(sheet(HEADER + GOOD_ROW + blank_rows)), limits=limits
    )
    read = []
    with pytest.raises(TableReadError, match="more than 10 rows"):
        for number, _ in rows:
            read.append(number)
    assert len(read) == 1 + 10 + 5  # header, the data rows allowed, the blank allowance: then it stops
    csv_rows = iter_table_rows(
        filename="blank.csv", content=b"name,type\n" + b"\n" * 1_000_000, limits=limits
    )
    with pytest.raises(TableReadError, match="more than 10 rows"):
        for _ in csv_rows:
            pass


def test_long_cells_and_wide_csv_rows_name_their_limit() -> None:
    with pytest.raises(TableReadError, match="longer than 10,000 characters"):
        read_table(filename="long.csv", content=b"name,type\n" + b"x" * 10_001 + b",employer\n")
    with pytest.raises(TableReadError, match="more than 200 columns"):
        read_table(filename="wide.csv", content=b"name\n" + b"x," * 300 + b"x\n")


def test_the_deadline_stops_a_slow_read() -> None:
    rows = iter_table_rows(
        filename="slow.csv", content=b"name\n" + b"x\n" * 1_000, limits=TableLimits(max_seconds=0)
    )
    with pytest.raises(TableReadError, match="longer than 0 seconds"):
        for _ in rows:
            pass


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)

FILES_THAT_WERE_500S = {
    "csv cell over the csv module's field limit": (
        "big.csv",
        b"name,type\n" + b"x" * 200_000 + b",employer\n",
    ),
    "xlsx with truncated sheet XML": ("cut.xlsx", xlsx(sheet(HEADER + GOOD_ROW)[:-60])),
    "entity bomb in sharedStrings.xml": (
        "laughs.xlsx",
        xlsx(
            sheet(HEADER),
            shared=SHARED.replace("<sst", BILLION_LAUGHS + "<sst").replace("<t>name</t>", "<t>&lol4;</t>"),
        ),
    ),
    "entity bomb in the sheet": (
        "laughs-sheet.xlsx",
        xlsx(
            sheet(
                HEADER + f'<row r="2">{inline("A2", "&lol4;")}{inline("B2", "employer")}</row>',
                prolog=BILLION_LAUGHS,
            )
        ),
    ),
    "shared string index out of range": (
        "index.xlsx",
        xlsx(sheet('<row r="1"><c r="A1" t="s"><v>99</v></c></row>')),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(FILES_THAT_WERE_500S))
def test_damaged_and_hostile_files_get_a_400_with_a_file_error(personas: Personas, case: str) -> None:
    filename, content = FILES_THAT_WERE_500S[case]
    client = Client()
    client.force_login(personas.staff)
    upload = SimpleUploadedFile(filename, content)
    response = client.post(reverse("partnerships:import"), {"kind": "organizations", "file": upload})
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(error.row, error.field) for error in errors] == [(1, "file")], errors
    assert "lollollol" not in errors[0].reason  # refused, not expanded


@pytest.mark.django_db
def test_nul_and_control_characters_are_refused_by_row_and_field(personas: Personas) -> None:
    content = (
        b"name,type,city,description\n"
        b"Tab\tCo,employer,,\n"
        b"Nul Co,employer,Bar\x00re,\n"
        b'"Lines Co",employer,,"first line\nsecond\tcolumn"\n'
        b"Bell Co,employer,,ring\x07\n"
    )
    result = organizations_import(filename="ctl.csv", content=content, user=personas.staff)
    assert {(error.row, error.field) for error in result.errors} == {
        (2, "name"),
        (3, "city"),
        (5, "description"),
    }
    assert all("control character" in error.reason for error in result.errors)
    assert not Organization.objects.filter(name="Lines Co").exists()


def test_exports_defuse_every_formula_prefix() -> None:
    values = [
        " =1+1",
        "\u00a0=1+1",
        "\n=1+1",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
        "=1",
        "+1",
        "-1",
        "@x",
        "\tx",
        "\rx",
    ]
    csv_text = "".join(table_to_csv(["name"], [[value] for value in values]))
    written = read_table_raw(csv_text.encode(), "x.csv")
    assert all(cell.startswith("'") for cell in written), written
    workbook = openpyxl.load_workbook(
        io.BytesIO(table_to_xlsx(["name"], [[value] for value in values], sheet="x"))
    )
    cells = [row[0].value for row in workbook.active.iter_rows(min_row=2)]
    assert all(cell.startswith("'") for cell in cells), cells


def read_table_raw(content: bytes, filename: str) -> list[str]:
    return [values[0] for number, values in iter_table_rows(filename=filename, content=content) if number > 1]


# Text a registry field can hold: no control characters but tab and line breaks, no surrogates.
texts = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        st.sampled_from(["'", "=", "+", "-", "@", " ", "\u00a0", "\t", "\n", "＝", "＋", "－", "＠"]),
    ),
    max_size=20,
)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(texts, min_size=1, max_size=5))
def test_export_then_import_gives_back_the_same_text(values: list[str]) -> None:
    rows = [[value, "employer"] for value in values]
    csv_table = read_table(filename="r.csv", content="".join(table_to_csv(["name", "type"], rows)).encode())
    xlsx_table = read_table(filename="r.xlsx", content=table_to_xlsx(["name", "type"], rows, sheet="r"))
    expected = [value for value in values if value]  # a row with nothing but the type is still read
    for table in (csv_table, xlsx_table):
        assert [values["name"] for _, values in table.records if values["name"]] == expected
