"""The participants import at a state's scale: the same rules, rows and messages as
``importing.ParticipantImporter`` (the reference, which builds a model instance per row), without the
per-row model machinery.

Where the reference spends its time on 100,000 rows (cProfile, benchmarks/outcomes_imports.py): a Django
model instance per row, the enum ``choices`` rebuilt per row, ``Field.clean`` per field, and the generic
INSERT with a history record built per row in Python. Here a plain CSV is read column by column (Arrow,
the wage import's reader): each column's distinct texts are parsed and checked once (the models' field
``clean``), identifiers hashed once per distinct text (``identifiers.identifier_hasher``), and the rows that
pass every rule (the models' own pure functions ``participant_dates_error`` and
``demographics_consent_error`` across columns, once per pair of dates) are gathered column by column; every
other row (an error, a repeat, an update, anything unusual) goes through the reference's rules row by row
(``_checked_row``, with memoised conversions), in file order, as does any file the shared reader must read.
New records go in with one ``executemany`` on the driver (SQLite) or multi-row INSERTs, in the unique
index's order, and their history is copied by the database (INSERT ... SELECT over the new ids).
tests/web/outcomes/test_wages_bulk.py and test_participant_bulk_columns.py (files mixing both kinds of
rows) check that both importers give the same errors and the same records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import operator
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pyarrow.compute as pc
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


@dataclasses.dataclass
class _Column:
    """A column of the kept records: each row's index into the column's distinct texts (stripped)."""

    codes: np.ndarray
    texts: list[str] = dataclasses.field(repr=False)  # person_id: raw identifiers, never in a repr

    def flags(self, test: Callable[[str], bool]) -> np.ndarray:
        """``test`` of each row's text, computed once per distinct text."""
        per_text = np.fromiter((test(text) for text in self.texts), dtype=bool, count=len(self.texts))
        return per_text[self.codes]

    def per_row(self, per_text: list[Any], rows: np.ndarray) -> list[Any]:
        """``per_text`` (one value per distinct text) for the rows at positions ``rows``."""
        return [per_text[code] for code in self.codes[rows].tolist()]


def _fast_read(
    result: ImportResult, *, filename: str, content: bytes, limits: TableLimits
) -> tuple[list[str], np.ndarray, dict[str, _Column]] | None:
    """A plain CSV through Arrow (the wage import's reader), column by column: the header, the spreadsheet
    row of each record kept (blank ones dropped, as the shared reader does) and the columns. None when the
    file is not plain (``FallBack``: the shared reader then)."""
    try:
        columns = fast_csv(filename, content, limits)
    except FallBack:
        return None
    keep = np.zeros(len(columns.rows), dtype=bool)
    encoded: dict[str, tuple[np.ndarray, list[str]]] = {}
    for name in columns.header:
        dictionary = pc.dictionary_encode(columns.values[name])
        texts = [value.strip() for value in dictionary.dictionary.to_pylist()]
        codes = dictionary.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        filled = np.fromiter((bool(text) for text in texts), dtype=bool, count=len(texts))
        keep |= filled[codes]
        encoded[name] = (codes, texts)
    rows = columns.rows[keep]
    result.rows = len(rows)
    return (
        columns.header,
        rows,
        {name: _Column(codes[keep], texts) for name, (codes, texts) in encoded.items()},
    )


def _parsed(name: str, text: str, memo: _Memo) -> tuple[bool, Any]:
    """(True, the value ``_row`` stores) when ``text`` in column ``name`` passes ``_row`` and the field's own
    check without an error; (False, None) otherwise (the row then goes through ``_checked_row``, which says
    what is wrong). A cross-column rule (dates, consent) is checked per row."""
    value: Any
    if name in ("enrolled_on", "exited_on"):
        if not text:
            return name == "exited_on", None
        value, message = memo.date(text, name)
        return message is None, value
    if name in ("demographics_consent", "low_income_at_entry"):
        parsed = _boolean(text)
        if isinstance(parsed, str):
            return False, None
        return True, bool(parsed) if name == "demographics_consent" else parsed
    text = text.strip()
    if name == "birth_year":
        if text and not (text.isascii() and text.isdigit()):
            return False, None  # other digits: as the reference does, row by row
        value = int(text) if text else None
    elif name in _CHOICES:
        value = _choice(text, _CHOICES[name]) if text else ""
        if value is None:
            return False, None
    elif name == "barriers":
        value = text
    else:
        return False, None
    field = memo.fields[name]
    if not (field.blank and value in field.empty_values) and memo.field_errors(name, value):  # type: ignore[union-attr]  # concrete fields
        return False, None
    return True, value


def _checked_row(
    row: int,
    values: dict[str, str],
    *,
    memo: _Memo,
    known: set[int],
    existing: dict[tuple[int, str], dict[str, Any]],
    seen: dict[tuple[int, str], int],
    errors: list[RowError],
) -> tuple[bool, dict[str, Any]] | None:
    """One record as the reference checks it: its errors added to ``errors``; (True when it updates a held
    participant, the participant's values) when it has none. ``seen`` holds each (partnership, person)'s
    first row among those with a usable person and partnership (it may already hold later ones)."""
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
        row_errors.append(RowError(row, "partnership_id", f"{text!r} is not a record id (a whole number)"))
    elif int(text) not in known:
        row_errors.append(RowError(row, "partnership_id", f"no partnership has id {int(text)}"))
    else:
        partnership_id = int(text)
    if row_errors or person_key is None or partnership_id is None:
        errors += row_errors
        return None
    key = (partnership_id, person_key)
    first = seen.setdefault(key, row)
    if first != row:
        row_errors.append(RowError(row, "person_id", f"the same person appears again (first on row {first})"))
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
    return None if row_errors else (held is not None, target)


def participants_import(
    *, filename: str, content: bytes, user: Any, limits: TableLimits, kind: str = "participants"
) -> ImportResult:
    """Create participants, or update those already enrolled in the row's partnership: all or nothing."""
    result = ImportResult(kind=kind)
    try:
        fast = (
            _fast_read(result, filename=filename, content=content, limits=limits)
            if table_format_of(filename) is TableFormat.CSV
            else None
        )
    except TableReadError as error:
        result.errors.append(RowError(HEADER_ROW, "file", str(error)))
        return result
    records: list[tuple[int, dict[str, str]]] = []
    if fast is None:
        table = read_records(result, filename=filename, content=content, limits=limits)
        if table is None:
            return result
        header, records = table.header, table.records
    else:
        header = fast[0]
    result.errors = header_errors(header, allowed=COLUMNS, required=REQUIRED)
    if result.errors:
        return result
    memo = _Memo()
    errors: list[RowError] = []
    if fast is not None:
        creates, updates = _columns_checked(*fast, memo=memo, errors=errors)
    else:
        creates, updates = _records_checked(records, memo=memo, errors=errors)
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
    result.created, result.updated = len(creates["person_key"]), len(updates)
    return result


def _held(wanted: set[int]) -> tuple[set[int], dict[tuple[int, str], dict[str, Any]]]:
    """The partnerships of ``wanted`` that exist, and their participants by (partnership, person key)."""
    known = set(SectorPartnership.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    held_rows = Participant.objects.filter(partnership_id__in=known).values(
        "id", "partnership_id", "person_key", *_STORED
    )
    return known, {(values["partnership_id"], values["person_key"]): values for values in held_rows}


def _records_checked(
    records: list[tuple[int, dict[str, str]]], *, memo: _Memo, errors: list[RowError]
) -> tuple[_Creates, list[dict[str, Any]]]:
    """Every record of the shared reader's table, one by one, as the reference checks them."""
    created: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    known, existing = _held(
        {int(v["partnership_id"]) for _, v in records if v.get("partnership_id", "").isdigit()}
    )
    seen: dict[tuple[int, str], int] = {}
    for row, values in records:
        checked = _checked_row(
            row, values, memo=memo, known=known, existing=existing, seen=seen, errors=errors
        )
        if checked is not None:
            (updates if checked[0] else created).append(checked[1])
    return {name: [target[name] for target in created] for name in _VALUES}, updates


def _hashes(texts: list[str], hash_of: Callable[[str], str]) -> list[str | None]:
    """Each text's hash, None where it is empty or is no identifier."""
    hashes: list[str | None] = []
    for text in texts:
        try:
            hashes.append(hash_of(text) if text else None)
        except InvalidIdentifier:
            hashes.append(None)
    return hashes


#: What an import gives of a new participant (then its timestamps), in the order of the INSERT's columns.
_VALUES: Final = ("partnership_id", "person_key", *_STORED)
_Creates = dict[str, list[Any]]
"""New participants, column by column: the values of each of ``_VALUES`` in file order."""


def _columns_checked(
    header: list[str], rows: np.ndarray, columns: dict[str, _Column], *, memo: _Memo, errors: list[RowError]
) -> tuple[_Creates, list[dict[str, Any]]]:
    """Every record of a column-wise read, with the reference's rules and errors. Each column's distinct
    texts are parsed and checked once; a record whose texts all pass, with a usable person and partnership,
    seen for the first time, not held yet and within the cross-column rules (exit after enrolment, no
    demographics without consent) is a new participant as it stands: its values are gathered column by
    column. Every other record (an error, a repeat, an update) goes through ``_checked_row``, in file
    order."""
    count = len(rows)
    # partnership_id (a required column, like person_id)
    partnership = columns["partnership_id"]
    known, existing = _held({int(text) for text in partnership.texts if text.isdigit()})
    partnership_of = [
        int(text) if text.isdigit() and int(text) in known else None for text in partnership.texts
    ]
    usable = partnership.flags(lambda text: text.isdigit() and int(text) in known)
    # person_id (hashed once per distinct text; the texts go no further than this function)
    person = columns["person_id"]
    hashes = _hashes(person.texts, memo.hash_of)
    usable &= np.fromiter((found is not None for found in hashes), dtype=bool, count=len(hashes))[
        person.codes
    ]
    # control characters anywhere else: the reference's check, row by row
    for name in header:
        if name != "person_id":
            usable &= ~columns[name].flags(lambda text: _CONTROL.search(text) is not None)
    # the first row of each (partnership, person) among the usable ones, as the reference meets them
    positions = np.flatnonzero(usable)
    keys = list(
        zip(
            partnership.per_row(partnership_of, positions),
            person.per_row(hashes, positions),
            strict=True,
        )
    )
    numbers = rows[positions].tolist()
    seen: dict[tuple[int, str], int] = {}
    for key, row in zip(keys, numbers, strict=True):
        seen.setdefault(key, row)
    simple = usable.copy()
    if len(seen) != len(keys) or existing:
        repeated = np.fromiter(
            (seen[key] != row or key in existing for key, row in zip(keys, numbers, strict=True)),
            dtype=bool,
            count=len(keys),
        )
        simple[positions[repeated]] = False
    # each column's own parse and field checks
    stored: dict[str, list[Any]] = {}
    given = np.zeros(count, dtype=bool)
    for name in header:
        if name in ("partnership_id", "person_id"):
            continue
        parsed = [_parsed(name, text, memo) for text in columns[name].texts]
        simple &= np.fromiter((ok for ok, _ in parsed), dtype=bool, count=len(parsed))[columns[name].codes]
        stored[name] = [value for _, value in parsed]
        if name in DEMOGRAPHIC_FIELDS:
            given |= np.fromiter(
                (value not in (None, "") for _, value in parsed), dtype=bool, count=len(parsed)
            )[columns[name].codes]
    # the rules across columns (participant_dates_error, demographics_consent_error) on the simple rows
    if "demographics_consent" in stored:
        consented = np.fromiter(
            (value is True for value in stored["demographics_consent"]),
            dtype=bool,
            count=len(stored["demographics_consent"]),
        )[columns["demographics_consent"].codes]
    else:
        consented = np.zeros(count, dtype=bool)
    simple &= consented | ~given
    if "exited_on" in stored:  # each pair of distinct dates once
        candidates = np.flatnonzero(simple)
        enrolled, exited = columns["enrolled_on"], columns["exited_on"]
        pairs = enrolled.codes[candidates] * len(exited.texts) + exited.codes[candidates]
        distinct, which = np.unique(pairs, return_inverse=True)
        early = np.fromiter(
            (
                bool(
                    participant_dates_error(
                        enrolled_on=stored["enrolled_on"][pair // len(exited.texts)],
                        exited_on=stored["exited_on"][pair % len(exited.texts)],
                    )
                )
                for pair in distinct.tolist()
            ),
            dtype=bool,
            count=len(distinct),
        )
        simple[candidates[early[which.reshape(-1)]]] = False
    # the simple rows' stored values, column by column
    chosen = np.flatnonzero(simple)
    creates: _Creates = {
        name: columns[name].per_row(stored[name], chosen)
        if name in stored
        else [_DEFAULTS[name]] * len(chosen)
        for name in _STORED
    }
    creates["person_key"] = person.per_row(hashes, chosen)
    creates["partnership_id"] = partnership.per_row(partnership_of, chosen)
    updates: list[dict[str, Any]] = []
    # every other row, as the reference checks it, in file order
    others = np.flatnonzero(~simple)
    if len(others):
        order: list[tuple[int, dict[str, Any]]] = []
        for position in others.tolist():
            record = {name: columns[name].texts[columns[name].codes[position]] for name in header}
            found = hashes[person.codes[position]]
            if found is not None:  # hashed above; a failure is hashed again for its message
                memo.hashes[record["person_id"]] = (found, None)
            checked = _checked_row(
                int(rows[position]),
                record,
                memo=memo,
                known=known,
                existing=existing,
                seen=seen,
                errors=errors,
            )
            if checked is not None:
                if checked[0]:
                    updates.append(checked[1])
                else:
                    order.append((position, checked[1]))
        if order:  # new participants the simple path left (e.g. a birth year in other digits): in file order
            places = [*chosen.tolist(), *(position for position, _ in order)]
            ranked = sorted(range(len(places)), key=places.__getitem__)
            for name, found in creates.items():
                both = [*found, *(target[name] for _, target in order)]
                creates[name] = [both[index] for index in ranked]
    return creates, updates


# Writing ------------------------------------------------------------------------------------------------


_DATED: Final = frozenset(
    model_field.attname
    for model_field in Participant._meta.concrete_fields
    if model_field.get_internal_type() in ("DateField", "DateTimeField")
)
assert {*_VALUES, "created_at", "updated_at"} == {
    model_field.attname for model_field in Participant._meta.concrete_fields if not model_field.primary_key
}, "a Participant field the import does not fill"


def _adapters() -> dict[str, Callable[[Any], Any]]:
    adapters: dict[str, Callable[[Any], Any]] = {}
    for model_field in Participant._meta.concrete_fields:
        if model_field.attname in _DATED:
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


def _insert(creates: _Creates, *, user: Any) -> None:
    count = len(creates["person_key"])
    if not count:
        return
    adapters = _adapters()
    now = adapters["created_at"](timezone.now())
    names = [*_VALUES, "created_at", "updated_at"]
    columns = [
        [adapters[name](value) for value in creates[name]] if name in _DATED else creates[name]
        for name in _VALUES
    ]
    rows = list(zip(*columns, itertools.repeat(now, count), itertools.repeat(now, count), strict=False))
    # In the order of the unique (partnership, person key) index: SQLite then appends to it and to the
    # partnership index instead of inserting at random places (a tenth to a third less CPU, measured). New
    # ids follow that order rather than the file's: the participants' ordering (partnership, enrolment date,
    # id) shows it only between two of a partnership's participants enrolled on the same day.
    rows.sort(key=operator.itemgetter(1))  # two stable sorts: cheaper than one on (partnership, key) tuples
    rows.sort(key=operator.itemgetter(0))
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
        inserted, low, high = cursor.fetchone()
    # SQLite's writer holds the lock from the transaction's start (IMMEDIATE); elsewhere another writer's
    # rows in the range would show in the count: refuse rather than give them history as this import's.
    if inserted != len(rows) or high - low + 1 != inserted:
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
