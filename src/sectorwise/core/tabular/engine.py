"""The import engine every app's CSV/XLSX imports run on: all or nothing, every problem by spreadsheet row.

An app describes one kind of import as a ``TableImporter``: its columns, the required ones, and ``plan``,
which parses and checks every row (appending ``RowError``s) and returns the records to create and update.
``TableImporter.run`` does the rest, the same way for every app: the bounded read (a file refused as a whole
is one error on row 1, field ``file``), the header check (unknown, missing, repeated columns), and, only when
no row failed, one transaction of multi-row INSERTs and batched UPDATEs with a django-simple-history record
per change. Registered importers (``register_importer``) can run as background jobs by their ``kind``.

Why raw multi-row writes rather than ``save()`` per row: 50,000 rows must import in seconds, and
``full_clean`` + ``save`` + a history record per row cost several queries each. The bulk helpers here
(``FieldChecks``, ``Lookup``) keep the checks to one query per kind of lookup, not per row.
"""

from __future__ import annotations

import abc
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sectorwise.core.tabular.reader import (
    DEFAULT_LIMITS,
    HEADER_ROW,
    Table,
    TableLimits,
    TableReadError,
    read_table,
)
from sectorwise.core.validators import no_control_characters, no_control_characters_multiline

#: Called as rows are checked and written: (rows done, rows in all).
Progress = Callable[[int, int], None]
PROGRESS_EVERY: Final = 1_000


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    """As the spreadsheet numbers it: the header is row 1."""
    field: str
    reason: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class WritePlan:
    """What a checked file writes: new records, changed records and the fields the update sets."""

    # Sequences, not lists: a list[Participant] is not a list[Model] to a type checker (lists are invariant).
    to_create: Sequence[models.Model] = field(default_factory=list)
    to_update: Sequence[models.Model] = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)


class TableImporter(abc.ABC):
    """One kind of import. Subclasses set the class attributes and implement ``plan``."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    required: ClassVar[frozenset[str]] = frozenset()
    #: Pairs of columns of which at least one must be present (a record named by id or by name).
    required_one_of: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Free-text columns where a tab or a line break belongs; every other imported text is one line.
    multiline: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        """Parse and check every row (errors into ``result.errors``); what to write when none failed.

        Report ``progress(done, 2 * len(records))`` while checking (``report_progress``): writing is the
        second half.
        """

    def written(self) -> None:  # noqa: B027  (a hook: most importers have nothing to do here)
        """Called inside the write's transaction: raw writes send no model signals (caches to drop)."""

    def run(
        self,
        *,
        filename: str,
        content: bytes,
        user: Any,
        limits: TableLimits = DEFAULT_LIMITS,
        progress: Progress | None = None,
    ) -> ImportResult:
        result = ImportResult(kind=self.kind)
        table = read_records(result, filename=filename, content=content, limits=limits)
        if table is None:
            return result
        result.errors = header_errors(
            table.header, allowed=self.columns, required=self.required, required_one_of=self.required_one_of
        )
        if result.errors:
            return result
        plan = self.plan(table.header, table.records, result, progress=progress)
        if result.errors:
            result.errors = sorted(set(result.errors))
            return result
        refused = write_plan(plan, user=user, after=self.written)
        if refused:
            result.errors = refused
            return result
        total = 2 * len(table.records)
        if progress is not None:
            progress(total, total)
        result.created, result.updated = len(plan.to_create), len(plan.to_update)
        return result

    def control_errors(self, row: int, values: dict[str, str]) -> list[RowError]:
        return control_errors(row, values, multiline=self.multiline)


_IMPORTERS: dict[str, TableImporter] = {}


def register_importer(importer: TableImporter) -> TableImporter:
    """Make ``importer`` known by its ``kind`` (background jobs find it so); call it where the app loads."""
    _IMPORTERS[importer.kind] = importer
    return importer


def importer_for(kind: str) -> TableImporter:
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise LookupError(
            f"no importer of kind {kind!r}; registered: {', '.join(sorted(_IMPORTERS))}"
        ) from None


# Reading and checking ------------------------------------------------------------------------------------


def read_records(
    result: ImportResult, *, filename: str, content: bytes, limits: TableLimits = DEFAULT_LIMITS
) -> Table | None:
    """The table, or None with the refusal recorded as row 1's ``file`` error."""
    try:
        table = read_table(filename=filename, content=content, limits=limits)
    except TableReadError as error:
        result.errors.append(RowError(HEADER_ROW, "file", str(error)))
        return None
    result.rows = len(table.records)
    return table


def header_errors(
    header: Sequence[str],
    *,
    allowed: Sequence[str],
    required: frozenset[str],
    required_one_of: Sequence[tuple[str, str]] = (),
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
    errors += [
        RowError(HEADER_ROW, second, f"required column is missing: {first} or {second}")
        for first, second in required_one_of
        if first not in header and second not in header
    ]
    return errors


def control_errors(
    row: int, values: dict[str, str], *, multiline: frozenset[str] = frozenset()
) -> list[RowError]:
    """NUL and other control characters (PostgreSQL refuses NUL; the rest are invisible and break exports)."""
    errors = []
    for column, text in values.items():
        check = no_control_characters_multiline if column in multiline else no_control_characters
        try:
            check(text)
        except ValidationError as error:
            errors.append(RowError(row, column, error.messages[0]))
    return errors


def choice(value: str, choices: Iterable[tuple[Any, Any]]) -> str | None:
    """A choice by its stored value or its label, case-insensitively; None when it is neither."""
    return _choice_map(tuple(choices)).get(value.strip().casefold())


@functools.cache
def _choice_map(choices: tuple[tuple[Any, Any], ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for stored, label in choices:
        found.setdefault(str(label).casefold(), str(stored))
    for stored, _ in choices:
        found[str(stored).casefold()] = str(stored)
    return found


def validation_errors(row: int, error: ValidationError) -> list[RowError]:
    """A model's ``ValidationError`` as row errors (``__all__`` becomes the field ``row``)."""
    if hasattr(error, "error_dict"):
        return [
            RowError(row, "row" if name == "__all__" else name, message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [RowError(row, "row", message) for message in error.messages]


def id_or_none(row: int, text: str, errors: list[RowError], column: str = "id") -> int | None:
    if not text:
        return None
    if not text.isdigit():
        errors.append(RowError(row, column, f"{text!r} is not a record id (a whole number)"))
        return None
    return int(text)


def date_or_none(row: int, text: str, errors: list[RowError], column: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        errors.append(RowError(row, column, f"{text!r} is not a date (YYYY-MM-DD)"))
        return None


def report_progress(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


class FieldChecks:
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


class Lookup:
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


# Writing records ------------------------------------------------------------------------------------------


def write_plan(plan: WritePlan, *, user: Any, after: Callable[[], None] | None = None) -> list[RowError]:
    """Everything in one transaction, with history; the database's refusal as a row-1 error (nothing
    written), else no errors."""
    try:
        with transaction.atomic():
            insert_with_history(plan.to_create, user=user)
            update_with_history(plan.to_update, plan.update_fields, user=user)
            if after is not None:
                after()
    except IntegrityError as error:  # a rule the checks missed; the database had the last word
        return [RowError(HEADER_ROW, "file", f"the database refused the import ({error})")]
    return []


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


def insert_with_history(objects: Sequence[models.Model], *, user: Any) -> None:
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


def update_with_history(objects: Sequence[models.Model], names: Sequence[str], *, user: Any) -> None:
    """One UPDATE per record, sent as a batch (``executemany``), and a '~' history record for each."""
    if not objects:
        return
    model = type(objects[0])
    now = timezone.now()
    # Concrete columns only (an import names its update fields): relations and generic keys never appear.
    fields = [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in names]
    fields += [
        model_field
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) and model_field not in fields
    ]
    for instance in objects:
        for model_field in fields:
            if getattr(model_field, "auto_now", False):
                setattr(instance, model_field.attname, now)
    adapters = [_adapter(model_field) for model_field in fields]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    assignments = ", ".join(f"{quote(model_field.column)} = %s" for model_field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
    parameters = [
        [
            adapt(getattr(instance, model_field.attname))
            for model_field, adapt in zip(fields, adapters, strict=True)
        ]
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
    history_model = model.history.model  # type: ignore[attr-defined]  # simple-history adds it
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
            makers.append(_constant(_adapter(model_field)(at)))
        elif name == "history_type":
            makers.append(_constant(history_type))
        elif name == "history_change_reason":
            makers.append(_constant(None))
        elif name == "history_user_id":
            makers.append(_constant(user_id))
        elif name in own:
            makers.append(_attribute(name, _adapter(model_field)))
        else:
            raise RuntimeError(f"{history_model.__name__}.{name}: a history column the import does not fill")
    rows = [[make(instance) for make in makers] for instance in objects]
    _insert_rows(history_model._meta.db_table, columns, rows, returning=None)


def _constant(value: Any) -> Callable[[models.Model], Any]:
    return lambda _: value


def _attribute(name: str, adapt: Callable[[Any], Any]) -> Callable[[models.Model], Any]:
    return lambda instance: adapt(getattr(instance, name))
