"""Import and export of organisations and memberships as CSV or XLSX.

Imports are all or nothing: every row is checked first and every problem is reported (row number as the
spreadsheet shows it, the header being row 1; the field; the reason). Only when no row fails is anything
written, in one transaction, with a history record per change. Exports use the import's columns, so a file
exported, edited and imported again round-trips (a row with an ``id`` updates that record; without, creates).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sectorwise.partnerships import services
from sectorwise.partnerships.dashboard_cache import dashboard_figures_changed
from sectorwise.partnerships.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationType,
    SectorPartnership,
    SizeBand,
)

MAX_ROWS: Final = 50_000
HEADER_ROW: Final = 1


class ImportKind(StrEnum):
    ORGANIZATIONS = "organizations"
    MEMBERSHIPS = "memberships"


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


ORGANIZATION_COLUMNS: Final = ("id", *services.ORGANIZATION_FIELDS)
ORGANIZATION_REQUIRED: Final = frozenset({"name", "type"})
CONTACT_COLUMNS: Final = frozenset({"email", "phone"})

# A record is named by its id (``*_id``) or its exact name; the export writes both, the import takes either.
MEMBERSHIP_COLUMNS: Final = (
    "partnership_id",
    "partnership",
    "organization_id",
    "organization",
    "role",
    "joined_on",
)
MEMBERSHIP_REQUIRED: Final = frozenset({"role"})
MEMBERSHIP_REQUIRED_ONE_OF: Final = (("partnership_id", "partnership"), ("organization_id", "organization"))

#: A cell starting with one of these is a formula to a spreadsheet: exports defuse it with a leading quote.
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")

# Numbers a spreadsheet turns codes into: 01001 becomes 1001; put the leading zeros back.
_ZERO_PADDED: Final = {"county_fips": 5}


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    field: str
    reason: str


@dataclass
class ImportResult:
    kind: ImportKind
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class TableReadError(ValueError):
    """The file as a whole cannot be read (wrong format, not UTF-8, no header, too many rows)."""


# Reading ------------------------------------------------------------------------------------------------


def table_format_of(filename: str) -> TableFormat:
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    try:
        return TableFormat(suffix)
    except ValueError:
        raise TableReadError(f"{filename}: expected a .csv or .xlsx file") from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableReadError(
            f"{filename}: not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
        ) from None
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zip, XML, key) for a file that is not XLSX
        raise TableReadError(f"{filename}: not a readable XLSX workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _undefused(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def read_table(*, filename: str, content: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (lower-cased) and the data rows as (spreadsheet row number, column -> text).

    Blank rows are skipped (their numbers too, so that numbers stay those the spreadsheet shows).
    """
    fmt = table_format_of(filename)
    rows = _csv_rows(filename, content) if fmt is TableFormat.CSV else _xlsx_rows(filename, content)
    header: list[str] | None = None
    records: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows, start=HEADER_ROW):
        cells = [_undefused(value.strip()) for value in values]
        if header is None:
            header = [cell.lower() for cell in cells]
            while header and not header[-1]:
                header.pop()
            continue
        if not any(cells):
            continue
        if len(records) >= MAX_ROWS:
            raise TableReadError(f"{filename}: more than {MAX_ROWS:,} rows; split the file")
        padded = cells + [""] * (len(header) - len(cells))
        records.append((number, dict(zip(header, padded, strict=False))))
    if not header or not any(header):
        raise TableReadError(f"{filename}: empty file (the first row must name the columns)")
    return header, records


def _header_errors(
    header: Sequence[str], *, allowed: Sequence[str], required: frozenset[str]
) -> list[RowError]:
    errors = [
        RowError(HEADER_ROW, column or "(blank)", f"unknown column; expected some of: {', '.join(allowed)}")
        for column in header
        if column not in allowed
    ]
    errors += [
        RowError(HEADER_ROW, column, "required column is missing")
        for column in sorted(required - set(header))
    ]
    seen: set[str] = set()
    for column in header:
        if column in seen:
            errors.append(RowError(HEADER_ROW, column, "column appears twice"))
        seen.add(column)
    return errors


def _choice(value: str, choices: Iterable[tuple[str, str]]) -> str | None:
    """A choice by its stored value or its label, case-insensitively; None when it is neither."""
    wanted = value.strip().casefold()
    for stored, label in choices:
        if wanted in (str(stored).casefold(), str(label).casefold()):
            return str(stored)
    return None


def _validation_errors(row: int, error: ValidationError) -> list[RowError]:
    if hasattr(error, "error_dict"):
        return [
            RowError(row, "row" if name == "__all__" else name, message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [RowError(row, "row", message) for message in error.messages]


def _id_or_none(row: int, text: str, errors: list[RowError], column: str = "id") -> int | None:
    if not text:
        return None
    if not text.isdigit():
        errors.append(RowError(row, column, f"{text!r} is not a record id (a whole number)"))
        return None
    return int(text)


# Organisations --------------------------------------------------------------------------------------------


def organizations_import(*, filename: str, content: bytes, user: Any) -> ImportResult:
    """Create (no ``id``) or update (``id``) organisations from CSV/XLSX; nothing is written on any error."""
    result = ImportResult(kind=ImportKind.ORGANIZATIONS)
    try:
        header, records = read_table(filename=filename, content=content)
    except TableReadError as error:
        result.errors.append(RowError(HEADER_ROW, "file", str(error)))
        return result
    result.rows = len(records)
    result.errors = _header_errors(header, allowed=ORGANIZATION_COLUMNS, required=ORGANIZATION_REQUIRED)
    if result.errors:
        return result

    wanted_ids = {int(values["id"]) for _, values in records if values.get("id", "").isdigit()}
    existing = Organization.objects.in_bulk(wanted_ids)
    names_in_registry = {
        name.casefold(): pk for pk, name in Organization.objects.values_list("id", "name").iterator()
    }
    seen_names: dict[str, int] = {}
    seen_ids: dict[int, int] = {}
    to_create: list[Organization] = []
    to_update: list[Organization] = []
    for row, values in records:
        errors: list[RowError] = []
        pk = _id_or_none(row, values.get("id", ""), errors)
        organization: Organization
        if pk is not None:
            if pk not in existing:
                errors.append(RowError(row, "id", f"no organization has id {pk}"))
                organization = Organization()
            else:
                organization = existing[pk]
            if pk in seen_ids:
                errors.append(RowError(row, "id", f"id {pk} appears again (first on row {seen_ids[pk]})"))
            seen_ids.setdefault(pk, row)
        else:
            organization = Organization()
        errors += _apply_organization_values(row, organization, values)
        key = organization.name.casefold()
        if key:
            if key in seen_names:
                errors.append(
                    RowError(
                        row, "name", f"{organization.name!r} appears again (first on row {seen_names[key]})"
                    )
                )
            seen_names.setdefault(key, row)
            other = names_in_registry.get(key)
            if other is not None and other != pk:
                errors.append(
                    RowError(
                        row,
                        "name",
                        f"an organization named {organization.name!r} already exists (id {other}); "
                        "give its id to update it",
                    )
                )
        if not errors:
            try:
                services.organization_validate(organization=organization)
            except ValidationError as error:
                errors += _validation_errors(row, error)
        result.errors += errors
        if not errors:
            (to_update if pk is not None else to_create).append(organization)
    if result.errors:
        result.errors = sorted(set(result.errors))
        return result

    fields = [column for column in ORGANIZATION_COLUMNS if column in header and column != "id"]
    with transaction.atomic():
        if to_create:
            bulk_create_with_history(to_create, Organization, batch_size=1000, default_user=user)
        if to_update:
            bulk_update_with_history(to_update, Organization, fields, batch_size=1000, default_user=user)
        dashboard_figures_changed()  # bulk writes send no model signals
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _apply_organization_values(
    row: int, organization: Organization, values: dict[str, str]
) -> list[RowError]:
    errors: list[RowError] = []
    for column, text in values.items():
        if column == "id":
            continue
        if column == "type":
            choice = _choice(text, OrganizationType.choices)
            if choice is None:
                errors.append(
                    RowError(
                        row,
                        column,
                        f"{text!r} is not a type; use one of: {', '.join(OrganizationType.values)}",
                    )
                )
                continue
            text = choice
        elif column == "size_band" and text:
            choice = _choice(text, SizeBand.choices)
            if choice is None:
                errors.append(
                    RowError(row, column, f"{text!r} is not a size band; use a code 1-9 or its label")
                )
                continue
            text = choice
        elif column in _ZERO_PADDED and text.isdigit():
            text = text.zfill(_ZERO_PADDED[column])
        elif column == "state":
            text = text.upper()
        setattr(organization, column, text)
    return errors


def organizations_export_rows(
    *, organizations: QuerySet[Organization], include_contacts: bool
) -> tuple[list[str], Iterator[list[Any]]]:
    """The import's columns and one row per organisation; contact columns only for users who may see them."""
    columns = [column for column in ORGANIZATION_COLUMNS if include_contacts or column not in CONTACT_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for organization in organizations.order_by("id").iterator(chunk_size=2000):
            yield [getattr(organization, column) for column in columns]

    return columns, rows()


# Memberships ----------------------------------------------------------------------------------------------


def memberships_import(*, filename: str, content: bytes, user: Any) -> ImportResult:
    """Add members to partnerships (or change the role of existing ones); nothing is written on any error.

    ``partnership`` and ``organization`` each take a record id or the record's exact name.
    """
    result = ImportResult(kind=ImportKind.MEMBERSHIPS)
    try:
        header, records = read_table(filename=filename, content=content)
    except TableReadError as error:
        result.errors.append(RowError(HEADER_ROW, "file", str(error)))
        return result
    result.rows = len(records)
    result.errors = _header_errors(header, allowed=MEMBERSHIP_COLUMNS, required=MEMBERSHIP_REQUIRED)
    result.errors += [
        RowError(HEADER_ROW, name, f"required column is missing: {id_column} or {name}")
        for id_column, name in MEMBERSHIP_REQUIRED_ONE_OF
        if id_column not in header and name not in header
    ]
    if result.errors:
        return result

    def reference(values: dict[str, str], name: str) -> str:
        return values.get(f"{name}_id", "") or values.get(name, "")

    partnerships = _Lookup(SectorPartnership.objects.all(), "partnership")
    organizations = _Lookup(Organization.objects.all(), "organization")
    partnerships.load(reference(values, "partnership") for _, values in records)
    organizations.load(reference(values, "organization") for _, values in records)
    existing = {
        (membership.partnership_id, membership.organization_id): membership
        for membership in Membership.objects.filter(
            partnership_id__in=partnerships.ids(), organization_id__in=organizations.ids()
        )
    }
    seen: dict[tuple[int, int], int] = {}
    to_create: list[Membership] = []
    to_update: list[Membership] = []
    for row, values in records:
        errors: list[RowError] = []
        partnership_id = partnerships.resolve(row, reference(values, "partnership"), errors)
        organization_id = organizations.resolve(row, reference(values, "organization"), errors)
        role = _choice(values["role"], MembershipRole.choices)
        if role is None:
            errors.append(
                RowError(
                    row,
                    "role",
                    f"{values['role']!r} is not a role; use one of: {', '.join(MembershipRole.values)}",
                )
            )
        joined_on = _date_or_none(row, values.get("joined_on", ""), errors)
        if errors or partnership_id is None or organization_id is None or role is None:
            result.errors += errors
            continue
        key = (partnership_id, organization_id)
        if key in seen:
            result.errors.append(
                RowError(
                    row,
                    "organization",
                    f"this organization appears again in this partnership (row {seen[key]})",
                )
            )
            continue
        seen[key] = row
        membership = existing.get(key) or Membership(
            partnership=partnerships.objects[partnership_id],
            organization=organizations.objects[organization_id],
        )
        membership.role = role
        if "joined_on" in header or membership.pk is None:
            membership.joined_on = joined_on
        try:
            services.membership_validate(membership=membership)
        except ValidationError as error:
            result.errors += _validation_errors(row, error)
            continue
        (to_update if membership.pk is not None else to_create).append(membership)
    if result.errors:
        result.errors = sorted(set(result.errors))
        return result

    with transaction.atomic():
        if to_create:
            bulk_create_with_history(to_create, Membership, batch_size=1000, default_user=user)
        if to_update:
            fields = ["role", "joined_on"] if "joined_on" in header else ["role"]
            bulk_update_with_history(to_update, Membership, fields, batch_size=1000, default_user=user)
        dashboard_figures_changed()  # bulk writes send no model signals
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _date_or_none(row: int, text: str, errors: list[RowError]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        errors.append(RowError(row, "joined_on", f"{text!r} is not a date (YYYY-MM-DD)"))
        return None


class _Lookup:
    """Resolves a column that names a record by id or by exact (case-insensitive) name, in two queries."""

    def __init__(self, queryset: QuerySet[Any], column: str) -> None:
        self.queryset = queryset
        self.column = column
        self.objects: dict[int, Any] = {}
        self.by_name: dict[str, list[int]] = {}

    def load(self, texts: Iterable[str]) -> None:
        wanted = [text.strip() for text in texts if text.strip()]
        ids = {int(text) for text in wanted if text.isdigit()}
        names = {text.casefold() for text in wanted if not text.isdigit()}
        self.objects = self.queryset.in_bulk(ids)
        if names:
            for pk, name in self.queryset.values_list("pk", "name").iterator():
                if name.casefold() in names:
                    self.by_name.setdefault(name.casefold(), []).append(pk)
            self.objects |= self.queryset.in_bulk({pk for pks in self.by_name.values() for pk in pks})

    def ids(self) -> set[int]:
        return set(self.objects)

    def resolve(self, row: int, text: str, errors: list[RowError]) -> int | None:
        text = text.strip()
        if not text:
            errors.append(RowError(row, self.column, "required: a record id or exact name"))
            return None
        if text.isdigit():
            if int(text) in self.objects:
                return int(text)
            errors.append(RowError(row, self.column, f"no {self.column} has id {text}"))
            return None
        matches = self.by_name.get(text.casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            errors.append(RowError(row, self.column, f"no {self.column} is named {text!r}"))
        else:
            errors.append(
                RowError(row, self.column, f"{len(matches)} records are named {text!r}; give the id")
            )
        return None


def memberships_export_rows(*, memberships: QuerySet[Membership]) -> tuple[list[str], Iterator[list[Any]]]:
    def rows() -> Iterator[list[Any]]:
        queryset = memberships.select_related("partnership", "organization").order_by("partnership_id", "id")
        for membership in queryset.iterator(chunk_size=2000):
            yield [
                membership.partnership_id,
                membership.partnership.name,
                membership.organization_id,
                membership.organization.name,
                membership.role,
                membership.joined_on.isoformat() if membership.joined_on else "",
            ]

    return list(MEMBERSHIP_COLUMNS), rows()


# Writing tables -------------------------------------------------------------------------------------------


def _defused(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading quote (the import takes it off again)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def table_to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text in chunks (a streaming response can send it as it is produced)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_defused(value) for value in row])
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def table_to_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append(list(columns))
    for row in rows:
        worksheet.append([_defused(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
