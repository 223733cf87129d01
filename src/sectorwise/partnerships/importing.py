"""Import and export of organisations and memberships as CSV or XLSX.

Imports are all or nothing: every row is checked first and every problem is reported (row number as the
spreadsheet shows it, the header being row 1; the field; the reason). Only when no row fails is anything
written, in one transaction, with a history record per change. Exports use the import's columns, so a file
exported, edited and imported again round-trips (a row with an ``id`` updates that record; without, creates).

Reading is bounded (``tabular.TableLimits``: rows, columns, cell length, time); a file refused as a whole is
reported as one error on row 1, field ``file``.

Speed (50,000 rows in a few seconds): rows are checked with the rules of
``directory.services.organization_validate`` / ``services.membership_validate`` applied in bulk — each
field's own validation once per distinct value, names, ids and the one-membership-per-organisation rule
against sets read in one query each — instead of a
``full_clean`` and several queries per row; ``tests/web/test_import.py`` checks that both verdicts agree.
Writes are multi-row INSERTs and one UPDATE statement per row run as a batch, history rows included.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sectorwise.core.validators import no_control_characters, no_control_characters_multiline
from sectorwise.directory import services as directory_services
from sectorwise.directory.models import Organization, OrganizationType, SizeBand
from sectorwise.partnerships.dashboard_cache import dashboard_figures_changed
from sectorwise.partnerships.models import EMPLOYER_ROLES, Membership, MembershipRole, SectorPartnership
from sectorwise.partnerships.tabular import (
    DEFAULT_LIMITS,
    FORMULA_PREFIXES,
    HEADER_ROW,
    TableFormat,
    TableLimits,
    TableReadError,
    table_format_of,
    table_to_csv,
    table_to_xlsx,
)
from sectorwise.partnerships.tabular import read_table as read_tabular

__all__ = [
    "FORMULA_PREFIXES",
    "HEADER_ROW",
    "TableFormat",
    "TableReadError",
    "table_format_of",
    "table_to_csv",
    "table_to_xlsx",
]

MAX_ROWS: Final = DEFAULT_LIMITS.max_rows

#: Called as rows are checked and written: (rows done, rows in all).
Progress = Callable[[int, int], None]
PROGRESS_EVERY: Final = 1_000


class ImportKind(StrEnum):
    ORGANIZATIONS = "organizations"
    MEMBERSHIPS = "memberships"


ORGANIZATION_COLUMNS: Final = ("id", *directory_services.ORGANIZATION_FIELDS)
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

# Free text where a tab or a line break belongs; every other imported text is one line.
MULTILINE_COLUMNS: Final = frozenset({"description"})

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


# Reading ------------------------------------------------------------------------------------------------


def read_table(
    *, filename: str, content: bytes, limits: TableLimits = DEFAULT_LIMITS
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (lower-cased) and the data rows as (spreadsheet row number, column -> text)."""
    table = read_tabular(filename=filename, content=content, limits=limits)
    return table.header, table.records


def _read(
    result: ImportResult, filename: str, content: bytes, limits: TableLimits
) -> tuple[list[str], list[tuple[int, dict[str, str]]]] | None:
    try:
        header, records = read_table(filename=filename, content=content, limits=limits)
    except TableReadError as error:
        result.errors.append(RowError(HEADER_ROW, "file", str(error)))
        return None
    result.rows = len(records)
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


def _control_errors(row: int, values: dict[str, str]) -> list[RowError]:
    """NUL and other control characters (PostgreSQL refuses NUL; the rest are invisible and break exports)."""
    errors = []
    for column, text in values.items():
        check = no_control_characters_multiline if column in MULTILINE_COLUMNS else no_control_characters
        try:
            check(text)
        except ValidationError as error:
            errors.append(RowError(row, column, error.messages[0]))
    return errors


def _choice(value: str, choices: Iterable[tuple[str, str]]) -> str | None:
    """A choice by its stored value or its label, case-insensitively; None when it is neither."""
    return _choice_map(tuple(choices)).get(value.strip().casefold())


@functools.cache
def _choice_map(choices: tuple[tuple[str, str], ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for stored, label in choices:
        found.setdefault(str(label).casefold(), str(stored))
    for stored, _ in choices:
        found[str(stored).casefold()] = str(stored)
    return found


_ORGANIZATION_TYPES: Final = tuple(OrganizationType.choices)
_SIZE_BANDS: Final = tuple(SizeBand.choices)
_ROLES: Final = tuple(MembershipRole.choices)


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


class _FieldChecks:
    """Each field's own validation (``Field.clean``: type, length, choices, validators) once per value.

    ``full_clean`` runs these for every field of every row; a 50,000-row file repeats the same county, type
    and NAICS code thousands of times, and the field checks do not depend on the rest of the record.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.fields = [
            model_field
            for model_field in model._meta.concrete_fields
            if model_field.editable and not model_field.primary_key and not model_field.is_relation
        ]
        self.cache: dict[tuple[str, Any], tuple[Any, list[str]]] = {}

    def errors(self, instance: models.Model, *, skip: Iterable[str] = ()) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        skipped = set(skip)
        for model_field in self.fields:
            if model_field.name in skipped:
                continue
            raw = getattr(instance, model_field.attname)
            if model_field.blank and raw in model_field.empty_values:
                continue
            key = (model_field.name, raw)
            cached = self.cache.get(key)
            if cached is None:
                try:
                    cached = (model_field.clean(raw, instance), [])
                except ValidationError as error:
                    cached = (raw, error.messages)
                if len(self.cache) < 200_000:
                    self.cache[key] = cached
            cleaned, messages = cached
            if messages:
                found[model_field.name] = messages
            else:
                setattr(instance, model_field.attname, cleaned)
        return found


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


# Organisations --------------------------------------------------------------------------------------------


def organizations_import(
    *,
    filename: str,
    content: bytes,
    user: Any,
    limits: TableLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> ImportResult:
    """Create (no ``id``) or update (``id``) organisations from CSV/XLSX; nothing is written on any error."""
    result = ImportResult(kind=ImportKind.ORGANIZATIONS)
    table = _read(result, filename, content, limits)
    if table is None:
        return result
    header, records = table
    result.errors = _header_errors(header, allowed=ORGANIZATION_COLUMNS, required=ORGANIZATION_REQUIRED)
    if result.errors:
        return result

    wanted_ids = {int(values["id"]) for _, values in records if values.get("id", "").isdigit()}
    existing = Organization.objects.in_bulk(wanted_ids)
    names_in_registry = {
        name.casefold(): pk for pk, name in Organization.objects.values_list("id", "name").iterator()
    }
    checks = _FieldChecks(Organization)
    seen_names: dict[str, int] = {}
    seen_ids: dict[int, int] = {}
    to_create: list[Organization] = []
    to_update: list[Organization] = []
    total = len(records) * 2  # checking, then writing
    for done, (row, values) in enumerate(records, start=1):
        _report(progress, done, total)
        errors = _control_errors(row, values)
        if errors:
            result.errors += errors
            continue
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
        organization.name = organization.name.strip()
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
            errors += _organization_rule_errors(row, organization, checks)
        result.errors += errors
        if not errors:
            (to_update if pk is not None else to_create).append(organization)
    if result.errors:
        result.errors = sorted(set(result.errors))
        return result

    fields = [column for column in ORGANIZATION_COLUMNS if column in header and column != "id"]
    try:
        with transaction.atomic():
            _insert_with_history(to_create, user=user)
            _update_with_history(to_update, fields, user=user)
            dashboard_figures_changed()  # raw writes send no model signals
    except IntegrityError as error:  # a rule the checks above missed; the database had the last word
        result.errors = [RowError(HEADER_ROW, "file", f"the database refused the import ({error})")]
        return result
    if progress is not None:
        progress(total, total)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _organization_rule_errors(row: int, organization: Organization, checks: _FieldChecks) -> list[RowError]:
    """``directory.services.organization_validate``'s rules without its queries (names checked in bulk)."""
    found = checks.errors(organization)
    errors = [RowError(row, name, message) for name, messages in found.items() for message in messages]
    if "name" not in found:
        try:
            organization.clean()
        except ValidationError as error:
            errors += _validation_errors(row, error)
    if organization.size_band and organization.type != OrganizationType.EMPLOYER:
        errors.append(RowError(row, "size_band", "Only employers have a size band."))
    return errors


def _apply_organization_values(
    row: int, organization: Organization, values: dict[str, str]
) -> list[RowError]:
    errors: list[RowError] = []
    for column, text in values.items():
        if column == "id":
            continue
        if column == "type":
            choice = _choice(text, _ORGANIZATION_TYPES)
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
            choice = _choice(text, _SIZE_BANDS)
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


def memberships_import(
    *,
    filename: str,
    content: bytes,
    user: Any,
    limits: TableLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> ImportResult:
    """Add members to partnerships (or change the role of existing ones); nothing is written on any error.

    ``partnership`` and ``organization`` each take a record id or the record's exact name.
    """
    result = ImportResult(kind=ImportKind.MEMBERSHIPS)
    table = _read(result, filename, content, limits)
    if table is None:
        return result
    header, records = table
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

    partnerships = _Lookup(SectorPartnership.objects.select_related("convener"), "partnership")
    organizations = _Lookup(Organization.objects.all(), "organization")
    partnerships.load(reference(values, "partnership") for _, values in records)
    organizations.load(reference(values, "organization") for _, values in records)
    existing = {
        (membership.partnership_id, membership.organization_id): membership
        for membership in Membership.objects.filter(
            partnership_id__in=partnerships.ids(), organization_id__in=organizations.ids()
        )
    }
    checks = _FieldChecks(Membership)
    seen: dict[tuple[int, int], int] = {}
    to_create: list[Membership] = []
    to_update: list[Membership] = []
    total = len(records) * 2
    for done, (row, values) in enumerate(records, start=1):
        _report(progress, done, total)
        errors = _control_errors(row, values)
        if errors:
            result.errors += errors
            continue
        partnership_id = partnerships.resolve(row, reference(values, "partnership"), errors)
        organization_id = organizations.resolve(row, reference(values, "organization"), errors)
        role = _choice(values["role"], _ROLES)
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
        membership = existing.get(key) or Membership()
        # The records read in bulk, also for an existing membership (else each would be fetched again).
        membership.partnership = partnerships.objects[partnership_id]
        membership.organization = organizations.objects[organization_id]
        membership.role = role
        if "joined_on" in header or membership.pk is None:
            membership.joined_on = joined_on
        rule_errors = _membership_rule_errors(row, membership, checks)
        if rule_errors:
            result.errors += rule_errors
            continue
        (to_update if membership.pk is not None else to_create).append(membership)
    if result.errors:
        result.errors = sorted(set(result.errors))
        return result

    fields = ["role", "joined_on"] if "joined_on" in header else ["role"]
    try:
        with transaction.atomic():
            _insert_with_history(to_create, user=user)
            _update_with_history(to_update, fields, user=user)
            dashboard_figures_changed()  # raw writes send no model signals
    except IntegrityError as error:  # a rule the checks above missed; the database had the last word
        result.errors = [RowError(HEADER_ROW, "file", f"the database refused the import ({error})")]
        return result
    if progress is not None:
        progress(total, total)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _membership_rule_errors(row: int, membership: Membership, checks: _FieldChecks) -> list[RowError]:
    """``services.membership_validate``'s rules without its queries: the partnership and organisation
    exist (the lookups read them) and one membership per organisation is checked against the file and the
    memberships read in bulk."""
    found = checks.errors(membership)
    errors = [RowError(row, name, message) for name, messages in found.items() for message in messages]
    if errors:
        return errors
    try:
        membership.clean()
    except ValidationError as error:
        return _validation_errors(row, error)
    organization = membership.organization
    partnership = membership.partnership
    if membership.role == MembershipRole.CONVENER and organization.pk != partnership.convener_id:
        errors.append(
            RowError(
                row,
                "role",
                f"Only the partnership's convener ({partnership.convener}) has the role convener; "
                "to hand the partnership over, change its convener.",
            )
        )
    elif organization.pk == partnership.convener_id and membership.role != MembershipRole.CONVENER:
        errors.append(
            RowError(
                row,
                "role",
                f"{organization} convenes {partnership}, so its role stays convener; "
                "change the partnership's convener first.",
            )
        )
    elif membership.role in EMPLOYER_ROLES and organization.type != OrganizationType.EMPLOYER:
        errors.append(
            RowError(row, "role", f"{organization} is not an employer; employer roles are for employers.")
        )
    return errors


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


# Writing records ------------------------------------------------------------------------------------------

# Field types whose Python value is already what the database driver takes (no per-value conversion).
_AS_IS: Final = frozenset(
    {
        "CharField",
        "TextField",
        "EmailField",
        "URLField",
        "SlugField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "AutoField",
        "BigAutoField",
        "ForeignKey",
        "BooleanField",
    }
)
_HISTORY_OWN: Final = frozenset({"history_id", "history_date", "history_change_reason", "history_type"})


def _adapter(model_field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """The field's conversion to what the driver takes; memoised, as imports repeat dates and timestamps."""
    if model_field.get_internal_type() in _AS_IS:
        return lambda value: value
    memo: dict[Any, Any] = {}

    def adapt(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            memo[value] = converted = model_field.get_db_prep_save(value, connection)
            return converted

    return adapt


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_rows(
    table: str, columns: list[str], rows: list[list[Any]], *, returning: str | None
) -> list[Any]:
    """Multi-row INSERTs (with RETURNING the new keys, in row order, as Django's bulk_create assumes)."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    size = max(1, min(500, 999 // len(columns)))
    keys: list[Any] = []
    with connection.cursor() as cursor:
        for batch in _batches(rows, size):
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            sql = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES {placeholders}"
            if returning:
                sql += f" RETURNING {quote(returning)}"
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                keys += [key for (key,) in cursor.fetchall()]
    return keys


def _insert_with_history(objects: Sequence[models.Model], *, user: Any) -> None:
    """Insert ``objects`` (setting their keys and timestamps) and a '+' history record for each."""
    if not objects:
        return
    model = type(objects[0])
    now = timezone.now()
    fields = [model_field for model_field in model._meta.concrete_fields if not model_field.primary_key]
    for instance in objects:
        for model_field in fields:
            if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
                setattr(instance, model_field.attname, now)
    adapters = [_adapter(model_field) for model_field in fields]
    rows = [
        [
            adapt(getattr(instance, model_field.attname))
            for model_field, adapt in zip(fields, adapters, strict=True)
        ]
        for instance in objects
    ]
    pk = model._meta.pk
    assert pk is not None
    keys = _insert_rows(model._meta.db_table, [f.column for f in fields], rows, returning=pk.column)
    for instance, key in zip(objects, keys, strict=True):
        instance.pk = key
        instance._state.adding = False
    _insert_history(objects, history_type="+", user=user, at=now)


def _update_with_history(objects: Sequence[models.Model], names: Sequence[str], *, user: Any) -> None:
    """One UPDATE per record, sent as a batch (``executemany``), and a '~' history record for each."""
    if not objects:
        return
    model = type(objects[0])
    now = timezone.now()
    fields = [model._meta.get_field(name) for name in names]
    fields += [
        model_field
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) and model_field not in fields
    ]
    for instance in objects:
        for model_field in fields:
            if getattr(model_field, "auto_now", False):
                setattr(instance, model_field.attname, now)
    adapters = [_adapter(model_field) for model_field in fields]  # type: ignore[arg-type]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    assignments = ", ".join(f"{quote(model_field.column)} = %s" for model_field in fields)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
    parameters = [
        [
            adapt(getattr(instance, model_field.attname))
            for model_field, adapt in zip(fields, adapters, strict=True)
        ]  # type: ignore[union-attr]
        + [instance.pk]
        for instance in objects
    ]
    with connection.cursor() as cursor:
        for batch in _batches(parameters, 2000):
            cursor.executemany(sql, batch)
    _insert_history(objects, history_type="~", user=user, at=now)


def _insert_history(
    objects: Sequence[models.Model], *, history_type: str, user: Any, at: dt.datetime
) -> None:
    """django-simple-history's records, written as ``bulk_create_with_history`` writes them.

    Every column of the history model is either the record's own field or one of simple-history's
    (``history_date``, ``history_type``, ``history_user``, ``history_change_reason``); a column that is
    neither (a simple-history option turned on later) stops the import rather than being left empty.
    """
    model = type(objects[0])
    history_model = model.history.model  # type: ignore[attr-defined]
    own = {model_field.attname for model_field in model._meta.concrete_fields}
    user_id = getattr(user, "pk", None)
    columns: list[str] = []
    makers: list[Callable[[models.Model], Any]] = []
    for model_field in history_model._meta.concrete_fields:
        name = model_field.attname
        if name == "history_id":
            continue
        columns.append(model_field.column)
        if name == "history_date":
            stamp = _adapter(model_field)(at)
            makers.append(lambda _, stamp=stamp: stamp)
        elif name == "history_type":
            makers.append(lambda _: history_type)
        elif name == "history_change_reason":
            makers.append(lambda _: None)
        elif name == "history_user_id":
            makers.append(lambda _: user_id)
        elif name in own:
            adapt = _adapter(model_field)
            makers.append(lambda instance, name=name, adapt=adapt: adapt(getattr(instance, name)))
        else:
            raise RuntimeError(f"{history_model.__name__}.{name}: a history column the import does not fill")
    rows = [[make(instance) for make in makers] for instance in objects]
    _insert_rows(history_model._meta.db_table, columns, rows, returning=None)


# Uploads: in the request or as a background job ------------------------------------------------------


def import_upload(*, kind: ImportKind | str, filename: str, content: bytes, user: Any) -> ImportResult | Any:
    """Import a small file now; store a large one as an ``ImportJob`` for the worker and return the job.

    The file is read (bounded) first in either case, so a file refused as a whole is answered at once.
    """
    from sectorwise.partnerships.import_jobs import IN_REQUEST_MAX_ROWS, import_job_create

    kind = ImportKind(kind)
    result = ImportResult(kind=kind)
    table = _read(result, filename, content, DEFAULT_LIMITS)
    if table is None:
        return result
    if len(table[1]) > IN_REQUEST_MAX_ROWS:
        return import_job_create(
            user=user, kind=kind, file_name=filename, content=content, rows=len(table[1])
        )
    service = organizations_import if kind is ImportKind.ORGANIZATIONS else memberships_import
    return service(filename=filename, content=content, user=user)
