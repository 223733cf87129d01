"""The participants import at a state's scale: the same rules, rows and messages as
``importing.ParticipantImporter`` (the reference, which builds a model instance per row), without the
per-row model machinery.

Where the reference spends its time on 100,000 rows (cProfile, benchmarks/outcomes_imports.py): a Django
model instance per row, the enum ``choices`` rebuilt per row, ``Field.clean`` per field, and the generic
INSERT with a history record built per row in Python. Here each row is a plain dict of values; identifiers,
dates, choices and field checks are memoised by their text (a state's file repeats them); the rules are the
models' own pure functions (``participant_dates_error``, ``demographics_consent_error``) and fields'
``clean`` (per distinct value); new records go in with one ``executemany`` on the driver (SQLite) or
multi-row INSERTs, and their history is copied by the database (INSERT ... SELECT over the new ids).
tests/web/outcomes/test_wages_bulk.py checks that both importers give the same errors and the same records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sectorwise.core.tabular.engine import (
    ImportResult,
    RowError,
    control_errors,
    header_errors,
    read_records,
)
from sectorwise.core.tabular.engine import choice as _choice
from sectorwise.core.tabular.reader import (
    HEADER_ROW,
    TableFormat,
    TableLimits,
    TableReadError,
    table_format_of,
)
from sectorwise.core.validators import _CONTROL
from sectorwise.evaluation.identifiers import InvalidIdentifier
from sectorwise.outcomes.models import (
    DEMOGRAPHIC_FIELDS,
    Participant,
    RaceEthnicity,
    Sex,
    demographics_consent_error,
    participant_dates_error,
)
from sectorwise.outcomes.wages import FallBack, fast_csv, keyed_hasher
from sectorwise.partnerships.models import SectorPartnership

COLUMNS: Final = (
    "partnership_id",
    "person_id",
    "enrolled_on",
    "exited_on",
    "demographics_consent",
    "birth_year",
    "sex",
    "race_ethnicity",
    "low_income_at_entry",
    "barriers",
)
REQUIRED: Final = frozenset({"partnership_id", "person_id", "enrolled_on"})
_TRUE: Final = frozenset({"yes", "y", "true", "t", "1"})
_FALSE: Final = frozenset({"no", "n", "false", "f", "0"})
_CHOICES: Final = {"sex": tuple(Sex.choices), "race_ethnicity": tuple(RaceEthnicity.choices)}
#: Fields whose own checks (``Field.clean``: validators, length, choices) can fail for a parsed value.
_CHECKED: Final = ("birth_year", "sex", "race_ethnicity", "barriers")
_STORED: Final = (
    "enrolled_on",
    "exited_on",
    "demographics_consent",
    "birth_year",
    "sex",
    "race_ethnicity",
    "low_income_at_entry",
    "barriers",
)


class _Memo:
    """Per-text caches of the conversions (each gives (value, message or None))."""

    def __init__(self) -> None:
        self.hash_of = keyed_hasher()
        self.hashes: dict[str, tuple[str | None, str | None]] = {}
        self.dates: dict[str, tuple[dt.date | None, str | None]] = {}
        self.checks: dict[tuple[str, Any], list[str]] = {}
        self.fields = {name: Participant._meta.get_field(name) for name in _CHECKED}

    def person(self, raw: str) -> tuple[str | None, str | None]:
        found = self.hashes.get(raw)
        if found is None:
            try:
                found = (self.hash_of(raw), None)
            except InvalidIdentifier as error:  # says what is wrong, never the value
                found = (None, str(error))
            self.hashes[raw] = found
        return found

    def date(self, text: str, column: str) -> tuple[dt.date | None, str | None]:
        found = self.dates.get(text)
        if found is None:
            try:
                found = (dt.date.fromisoformat(text[:10]), None)
            except ValueError:
                found = (None, f"{text!r} is not a date (YYYY-MM-DD)")
            self.dates[text] = found
        return found

    def field_errors(self, name: str, value: Any) -> list[str]:
        key = (name, value)
        found = self.checks.get(key)
        if found is None:
            try:
                self.fields[name].clean(value, None)  # type: ignore[union-attr]  # concrete fields
                found = []
            except ValidationError as error:
                found = list(error.messages)
            self.checks[key] = found
        return found


def _boolean(text: str) -> bool | str | None:
    value = text.strip().casefold()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return f"{text!r} is not yes or no"


def _row(
    row: int, values: dict[str, str], target: dict[str, Any], memo: _Memo, errors: list[RowError]
) -> None:
    """The reference's ``_apply_participant`` on a dict of values."""
    if "enrolled_on" in values:
        text = values["enrolled_on"]
        enrolled, message = memo.date(text, "enrolled_on") if text else (None, None)
        if message:
            errors.append(RowError(row, "enrolled_on", message))
        elif enrolled is None:
            errors.append(RowError(row, "enrolled_on", "required: the enrolment date (YYYY-MM-DD)"))
        target["enrolled_on"] = enrolled
    if "exited_on" in values:
        text = values["exited_on"]
        exited, message = memo.date(text, "exited_on") if text else (None, None)
        if message:
            errors.append(RowError(row, "exited_on", message))
        target["exited_on"] = exited
    for column in ("demographics_consent", "low_income_at_entry"):
        if column in values:
            parsed = _boolean(values[column])
            if isinstance(parsed, str):
                errors.append(RowError(row, column, parsed))
                parsed = None
            target[column] = bool(parsed) if column == "demographics_consent" else parsed
    if "birth_year" in values:
        text = values["birth_year"].strip()
        if not text:
            target["birth_year"] = None
        elif text.isdigit():
            target["birth_year"] = int(text)
        else:
            errors.append(RowError(row, "birth_year", f"{values['birth_year']!r} is not a whole number"))
            target["birth_year"] = None
    for column, choices in _CHOICES.items():
        if column in values:
            text = values[column].strip()
            stored = _choice(text, choices) if text else ""
            if stored is None:
                labels = ", ".join(str(label) for _, label in choices)
                errors.append(RowError(row, column, f"{text!r} is not one of: {labels}"))
            else:
                target[column] = stored
    if "barriers" in values:
        target["barriers"] = values["barriers"].strip()


def _model_errors(row: int, target: dict[str, Any], memo: _Memo) -> list[RowError]:
    """``FieldChecks`` then ``clean()``, as the reference runs them."""
    errors: list[RowError] = []
    for name in _CHECKED:
        value = target[name]
        field = memo.fields[name]
        if field.blank and value in field.empty_values:  # type: ignore[union-attr]  # concrete fields
            continue
        errors += [RowError(row, name, message) for message in memo.field_errors(name, value)]
    if errors:
        return errors
    found = participant_dates_error(enrolled_on=target["enrolled_on"], exited_on=target["exited_on"])
    found |= demographics_consent_error(
        consented=target["demographics_consent"], values={name: target[name] for name in DEMOGRAPHIC_FIELDS}
    )
    return [RowError(row, name, message) for name, message in found.items()]


_DEFAULTS: Final = {
    "enrolled_on": None,
    "exited_on": None,
    "demographics_consent": False,
    "birth_year": None,
    "sex": "",
    "race_ethnicity": "",
    "low_income_at_entry": None,
    "barriers": "",
}


def _read(
    result: ImportResult, *, filename: str, content: bytes, limits: TableLimits
) -> tuple[list[str], list[tuple[int, dict[str, str]]]] | None:
    """The header and records as the shared reader gives them; a plain CSV through Arrow (the wage import's
    reader, which hands anything unusual back to the shared one)."""
    try:
        if table_format_of(filename) is TableFormat.CSV:
            columns = fast_csv(filename, content, limits)
            texts = [[value.strip() for value in columns.values[name].to_pylist()] for name in columns.header]
            records = [
                (int(row), dict(zip(columns.header, values, strict=True)))
                for row, values in zip(columns.rows.tolist(), zip(*texts, strict=True), strict=True)
                if any(values)
            ]
            result.rows = len(records)
            return columns.header, records
    except FallBack:
        pass
    except TableReadError as error:
        result.errors.append(RowError(HEADER_ROW, "file", str(error)))
        return None
    table = read_records(result, filename=filename, content=content, limits=limits)
    return None if table is None else (table.header, table.records)


def participants_import(
    *, filename: str, content: bytes, user: Any, limits: TableLimits, kind: str = "participants"
) -> ImportResult:
    """Create participants, or update those already enrolled in the row's partnership: all or nothing."""
    result = ImportResult(kind=kind)
    read = _read(result, filename=filename, content=content, limits=limits)
    if read is None:
        return result
    header, records = read
    result.errors = header_errors(header, allowed=COLUMNS, required=REQUIRED)
    if result.errors:
        return result
    wanted = {int(v["partnership_id"]) for _, v in records if v.get("partnership_id", "").isdigit()}
    known = set(SectorPartnership.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    held_rows = Participant.objects.filter(partnership_id__in=known).values(
        "id", "partnership_id", "person_key", *_STORED
    )
    existing = {(values["partnership_id"], values["person_key"]): values for values in held_rows}
    memo = _Memo()
    seen: dict[tuple[int, str], int] = {}
    creates: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for row, values in records:
        row_errors: list[RowError] = []
        raw = values.pop("person_id", "")
        if not raw.strip():
            row_errors.append(RowError(row, "person_id", "required: the participant's SSN or state ID"))
            person_key = None
        else:
            person_key, message = memo.person(raw)
            if message:
                row_errors.append(RowError(row, "person_id", message))
        del raw
        if _CONTROL.search("".join(values.values())):  # rare: then the engine's own check, column by column
            row_errors += control_errors(row, values)
        text = values.get("partnership_id", "")
        partnership_id: int | None = None
        if not text:
            row_errors.append(RowError(row, "partnership_id", "required: the partnership's id"))
        elif not text.isdigit():
            row_errors.append(
                RowError(row, "partnership_id", f"{text!r} is not a record id (a whole number)")
            )
        elif int(text) not in known:
            row_errors.append(RowError(row, "partnership_id", f"no partnership has id {int(text)}"))
        else:
            partnership_id = int(text)
        if row_errors or person_key is None or partnership_id is None:
            errors += row_errors
            continue
        key = (partnership_id, person_key)
        if key in seen:
            row_errors.append(
                RowError(row, "person_id", f"the same person appears again (first on row {seen[key]})")
            )
        seen.setdefault(key, row)
        held = existing.get(key)
        target = (
            dict(held)
            if held is not None
            else {**_DEFAULTS, "partnership_id": partnership_id, "person_key": person_key}
        )
        _row(row, values, target, memo, row_errors)
        if not row_errors:
            row_errors += _model_errors(row, target, memo)
        errors += row_errors
        if not row_errors:
            (updates if held is not None else creates).append(target)
    if errors:
        result.errors = sorted(set(errors))
        return result
    fields = [column for column in COLUMNS[2:] if column in header]
    try:
        with transaction.atomic():
            _insert(creates, user=user)
            _update(updates, fields, user=user)
    except IntegrityError as error:
        result.errors = [RowError(HEADER_ROW, "file", f"the database refused the import ({error})")]
        return result
    result.created, result.updated = len(creates), len(updates)
    return result


# Writing ------------------------------------------------------------------------------------------------


def _adapters() -> dict[str, Callable[[Any], Any]]:
    adapters: dict[str, Callable[[Any], Any]] = {}
    for model_field in Participant._meta.concrete_fields:
        if model_field.get_internal_type() in ("DateField", "DateTimeField"):
            memo: dict[Any, Any] = {}

            def adapt(value: Any, model_field: Any = model_field, memo: dict[Any, Any] = memo) -> Any:
                if value not in memo:
                    memo[value] = model_field.get_db_prep_save(value, connection)
                return memo[value]

            adapters[model_field.attname] = adapt
        else:
            adapters[model_field.attname] = lambda value: value
    return adapters


def _history_copy(where: str, parameters: list[Any], *, kind: str, user: Any) -> None:
    """simple-history's records of the participants ``where`` selects, copied in the database."""
    history_model = Participant.history.model
    own = {model_field.attname for model_field in Participant._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns: list[str] = []
    selected: list[str] = []
    extra: list[Any] = []
    at = history_model._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    given = {"history_date": at, "history_type": kind, "history_user_id": getattr(user, "pk", None),
             "history_change_reason": None}  # fmt: skip
    for model_field in history_model._meta.concrete_fields:
        name = model_field.attname
        if name == "history_id":
            continue
        columns.append(quote(model_field.column))
        if name in own:
            selected.append(quote(name))
        elif name in given:
            selected.append("%s")
            extra.append(given[name])
        else:
            raise RuntimeError(f"{history_model.__name__}.{name}: a history column the import does not fill")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM {quote(Participant._meta.db_table)} WHERE {where}",
            [*extra, *parameters],
        )


def _insert(creates: list[dict[str, Any]], *, user: Any) -> None:
    if not creates:
        return
    now = timezone.now()
    adapters = _adapters()
    names = [f.attname for f in Participant._meta.concrete_fields if not f.primary_key]
    for target in creates:
        target["created_at"] = target["updated_at"] = now
    rows = [tuple(adapters[name](target[name]) for name in names) for target in creates]
    quote = connection.ops.quote_name
    table = quote(Participant._meta.db_table)
    column_list = ", ".join(quote(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        (before,) = cursor.fetchone()
        if connection.vendor == "sqlite":
            driver = connection.connection
            assert driver is not None
            driver.executemany(
                f"INSERT INTO {table} ({column_list}) VALUES ({', '.join('?' * len(names))})", rows
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(names))})", rows
            )
        cursor.execute(f"SELECT count(*), min(id), max(id) FROM {table} WHERE id > %s", [before])
        count, low, high = cursor.fetchone()
    # SQLite's writer holds the lock from the transaction's start (IMMEDIATE); elsewhere another writer's
    # rows in the range would show in the count: refuse rather than give them history as this import's.
    if count != len(creates) or high - low + 1 != count:
        raise IntegrityError("another import wrote participants at the same time; import the file again")
    _history_copy("id BETWEEN %s AND %s", [low, high], kind="+", user=user)


def _update(updates: list[dict[str, Any]], fields: list[str], *, user: Any) -> None:
    if not updates:
        return
    now = timezone.now()
    adapters = _adapters()
    names = [*fields, "updated_at"]
    quote = connection.ops.quote_name
    table = quote(Participant._meta.db_table)
    assignments = ", ".join(f"{quote(name)} = %s" for name in names)
    for target in updates:
        target["updated_at"] = now
    rows = [[*(adapters[name](target[name]) for name in names), target["id"]] for target in updates]
    ids = [target["id"] for target in updates]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        _history_copy(f"id IN ({', '.join(['%s'] * len(batch))})", batch, kind="~", user=user)
