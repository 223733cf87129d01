"""UI wage records: their import (columnar, for files of a million rows) and the WIOA-style indicators and
PIRL-style export built on them.

Import. A wage file (``person_id``, ``year``, ``quarter``, ``employer_id``, ``wages``) is checked as whole
columns rather than row by row: a CSV is read by Arrow (the shared reader, ``core.tabular.reader``, when the
file is anything but plain: an XLSX, blank lines, quoted line breaks, cells an export defused, text that is
not UTF-8), every check is a vectorised Arrow/numpy operation, and each distinct ``person_id`` is hashed once
(``pii``: HMAC-SHA256 under the identifier key) and dropped; only the hashes go further. The contract is the
shared engine's: all or nothing, every bad row reported with its spreadsheet row and field (the messages
never repeat a value: a shifted column could put an SSN in ``year``), and a django-simple-history record for
each row written, in one transaction. A record is one person, quarter and employer: a row whose record
exists updates its wages (with a history record) when they changed; the same record twice in a file is an
error. The file is held only in memory (the page's upload handler, the command line's read), never stored.

Indicators. ``sectorwise.evaluation.wioa_indicators`` over a partnership's exiters (entry, exit, credential:
any observation with a credential attained) and the wage records of those people; the quarters covered are
those of all wage records held. Counts go through ``suppress_table`` per indicator across the exit cohorts
and their total, so that a cohort hidden as too small cannot be recovered from the total and the others.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sectorwise.core.tabular.engine import ImportResult, RowError, header_errors, read_records
from sectorwise.core.tabular.reader import HEADER_ROW, TableLimits, TableReadError, table_format_of
from sectorwise.evaluation.identifiers import InvalidIdentifier, identifier_hasher
from sectorwise.evaluation.statistics import DEFAULT_MINIMUM
from sectorwise.evaluation.suppression import suppress_table
from sectorwise.evaluation.wioa import RATES, wioa_indicators
from sectorwise.outcomes.models import (
    MAX_EMPLOYER_ID_LENGTH,
    WAGE_YEARS,
    OutcomeObservation,
    Participant,
    WageRecord,
)
from sectorwise.outcomes.pii import pii_key
from sectorwise.partnerships.models import SectorPartnership

WAGE_RECORDS_KIND: Final = "wage_records"
WAGE_COLUMNS: Final = ("person_id", "year", "quarter", "employer_id", "wages")
#: The page's bound (its upload is at most 10 MB); the command line reads larger files.
PAGE_LIMITS: Final = TableLimits(max_rows=250_000, max_seconds=60.0)
COMMAND_LIMITS: Final = TableLimits(
    max_rows=5_000_000, max_blank_rows=100_000, max_seconds=1_800.0, max_unpacked_bytes=2 * 1024**3
)
_BOM: Final = b"\xef\xbb\xbf"
_CONTROL: Final = r"[\x{00}-\x{1f}\x{7f}-\x{9f}]"
_KEYS: Final = ["person_key", "year", "quarter", "employer_id"]


class FallBack(Exception):
    """The fast CSV read cannot keep the spreadsheet's row numbers (or the file is not plain): use the
    shared reader."""


@dataclass
class _Columns:
    header: list[str]
    rows: np.ndarray
    """Spreadsheet row number of each record."""
    values: dict[str, pa.Array] = field(default_factory=dict)


# Reading ------------------------------------------------------------------------------------------------


def fast_csv(filename: str, content: bytes, limits: TableLimits) -> _Columns:
    """Arrow's CSV reader, all columns as text, when row i of the table is line i + 2 of the file."""
    buffer = pa.py_buffer(content)
    start = len(_BOM) if content.startswith(_BOM) else 0
    if start:
        buffer = buffer.slice(start)
    # Every column as text, named from the header line (Arrow would infer numbers and dates, and turn "01"
    # into 1 or an empty cell into a null: the checks want what the file says).
    first_line = content[start : content.find(b"\n") if b"\n" in content else len(content)]
    try:
        names = next(csv.reader([first_line.decode("utf-8").rstrip("\r")]), [])
    except UnicodeDecodeError:
        raise FallBack from None
    if not names or len(set(names)) != len(names):
        raise FallBack
    try:
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise FallBack from error
    if any(column.null_count for column in table.columns) or table.column_names != names:
        raise FallBack
    header = [str(name) for name in table.column_names]
    if len(header) > limits.max_columns or any(not name.strip() for name in header):
        raise FallBack
    # Every column as text (Arrow infers numbers; the checks want what the file says).
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    if lines != table.num_rows + 1:
        raise FallBack  # blank lines (skipped) or quoted line breaks: row numbers would drift
    if table.num_rows > limits.max_rows:
        raise TableReadError(f"{filename}: more than {limits.max_rows:,} rows; split the file")
    values: dict[str, pa.Array] = {}
    for name, column in zip(header, table.columns, strict=True):
        text = (
            pc.cast(column, pa.string()).combine_chunks() if column.num_chunks else pa.array([], pa.string())
        )
        if len(text) and pc.max(pc.utf8_length(text)).as_py() > limits.max_cell_chars:
            raise FallBack
        if len(text) and pc.any(pc.starts_with(text, "'")).as_py():
            raise FallBack  # a defused cell from an export: the shared reader undoes it
        values[name.strip().lower()] = text
    rows = np.arange(HEADER_ROW + 1, HEADER_ROW + 1 + table.num_rows, dtype=np.int64)
    return _Columns(header=[name.strip().lower() for name in header], rows=rows, values=values)


def _read_columns(
    result: ImportResult, *, filename: str, content: bytes, limits: TableLimits
) -> _Columns | None:
    """The file's columns as Arrow text, or None with the refusal as row 1's ``file`` error."""
    try:
        if table_format_of(filename).value == "csv":
            try:
                columns = fast_csv(filename, content, limits)
            except FallBack:
                pass
            else:
                result.rows = len(columns.rows)
                return columns
    except TableReadError as error:
        result.errors.append(RowError(HEADER_ROW, "file", str(error)))
        return None
    table = read_records(result, filename=filename, content=content, limits=limits)
    if table is None:
        return None
    return columns_from_records(table.header, table.records)


def columns_from_records(header: list[str], records: list[tuple[int, dict[str, str]]]) -> _Columns:
    rows = np.array([row for row, _ in records], dtype=np.int64)
    values = {name: pa.array([values.get(name, "") for _, values in records], pa.string()) for name in header}
    return _Columns(header=list(header), rows=rows, values=values)


# Checking -----------------------------------------------------------------------------------------------


@dataclass
class CheckedWages:
    """The rows that passed every check, as a frame: person_key, year, quarter, employer_id, wages (text,
    normalised: no $ or commas), cents and row; sorted by the record's key."""

    frame: pd.DataFrame
    errors: list[RowError]


def _flag(errors: list[RowError], rows: np.ndarray, mask: np.ndarray, column: str, message: str) -> None:
    errors.extend(RowError(int(row), column, message) for row in rows[mask])


def _mask(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def check_wage_columns(columns: _Columns) -> CheckedWages:
    rows = columns.rows
    count = len(rows)
    errors: list[RowError] = []
    bad = np.zeros(count, dtype=bool)
    text: dict[str, pa.Array] = {}
    for name in WAGE_COLUMNS:
        raw = columns.values.get(name, pa.array([""] * count, pa.string()))
        control = _mask(pc.match_substring_regex(raw, _CONTROL))
        _flag(errors, rows, control, name, "contains a control character; remove it")
        bad |= control
        text[name] = pc.utf8_trim_whitespace(raw)

    # person_id: each distinct value hashed once; the raw values go no further than this function.
    unique_keys, person_codes, person_bad = _hash_people(text.pop("person_id"), rows, errors)
    bad |= person_bad

    year_text = text["year"]
    year_ok = _mask(pc.match_substring_regex(year_text, r"^[0-9]{4}$"))
    year = np.where(year_ok, pc.if_else(pa.array(year_ok), year_text, "0").cast(pa.int32()).to_numpy(), 0)
    year_ok &= (year >= WAGE_YEARS[0]) & (year <= WAGE_YEARS[1])
    empty = _mask(pc.equal(year_text, ""))
    _flag(errors, rows, empty, "year", "required: the year of the quarter (four digits)")
    _flag(errors, rows, ~year_ok & ~empty, "year", f"not a year from {WAGE_YEARS[0]} to {WAGE_YEARS[1]}")
    bad |= ~year_ok

    quarter_text = pc.utf8_lower(pc.replace_substring_regex(text["quarter"], r"^[Qq]", ""))
    quarter_ok = _mask(pc.match_substring_regex(quarter_text, r"^[1-4]$"))
    quarter = np.where(
        quarter_ok, pc.if_else(pa.array(quarter_ok), quarter_text, "0").cast(pa.int8()).to_numpy(), 0
    )
    empty = _mask(pc.equal(text["quarter"], ""))
    _flag(errors, rows, empty, "quarter", "required: the quarter (1, 2, 3 or 4)")
    _flag(errors, rows, ~quarter_ok & ~empty, "quarter", "not a quarter: 1, 2, 3 or 4")
    bad |= ~quarter_ok

    employer = text["employer_id"]
    length = pc.utf8_length(employer).to_numpy(zero_copy_only=False)
    empty = length == 0
    long = length > MAX_EMPLOYER_ID_LENGTH
    _flag(errors, rows, empty, "employer_id", "required: the employer's UI account number")
    _flag(errors, rows, long, "employer_id", f"longer than {MAX_EMPLOYER_ID_LENGTH} characters")
    bad |= empty | long

    wages = pc.replace_substring_regex(pc.replace_substring(text["wages"], ",", ""), r"^\$", "")
    wages_ok = _mask(pc.match_substring_regex(wages, r"^([0-9]{1,10}(\.[0-9]{0,2})?|\.[0-9]{1,2})$"))
    empty = _mask(pc.equal(wages, ""))
    negative = _mask(pc.starts_with(wages, "-")) & ~empty
    _flag(errors, rows, empty, "wages", "required: the wages paid in the quarter, in dollars")
    _flag(errors, rows, negative, "wages", "Wages cannot be negative.")
    _flag(
        errors,
        rows,
        ~wages_ok & ~empty & ~negative,
        "wages",
        "not an amount of dollars (digits, at most two decimals, below 10 billion)",
    )
    bad |= ~wages_ok

    keep = ~bad
    # Sorted and compared as integer codes (a hash's rank among the file's hashes, an employer id's rank
    # among its ids), not as a million strings; ties in file order, so a group's first row comes first.
    person_rank = _ranks(unique_keys)[person_codes[keep]]
    employers = pc.dictionary_encode(employer)
    employer_names = np.asarray(employers.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    employer_codes = employers.indices.to_numpy(zero_copy_only=False)[keep]
    employer_rank = _ranks(employer_names)[employer_codes]
    kept_rows, kept_year, kept_quarter = (
        rows[keep],
        year[keep].astype(np.int64),
        quarter[keep].astype(np.int64),
    )
    order = np.lexsort((kept_rows, employer_rank, kept_quarter, kept_year, person_rank))
    same = np.zeros(len(order), dtype=bool)
    if len(order) > 1:
        same[1:] = (
            (person_rank[order][1:] == person_rank[order][:-1])
            & (kept_year[order][1:] == kept_year[order][:-1])
            & (kept_quarter[order][1:] == kept_quarter[order][:-1])
            & (employer_rank[order][1:] == employer_rank[order][:-1])
        )
    if same.any():
        starts = np.maximum.accumulate(np.where(~same, np.arange(len(order)), 0))
        sorted_rows = kept_rows[order]
        errors.extend(
            RowError(int(row), "person_id", "this person's record for that quarter and employer appears "
                     f"again (first on row {int(first_row)})")
            for row, first_row in zip(sorted_rows[same], sorted_rows[starts[same]], strict=True)
        )  # fmt: skip
    valid_wages = pc.if_else(pa.array(wages_ok), wages, "0")
    cents = np.rint(pc.cast(valid_wages, pa.float64()).to_numpy(zero_copy_only=False) * 100).astype(np.int64)
    kept_wages = np.asarray(wages.filter(pa.array(keep)).to_numpy(zero_copy_only=False), dtype=object)
    frame = pd.DataFrame(
        {
            # object columns: pandas would otherwise copy a million strings into Arrow-backed ones
            "person_key": pd.Series(
                np.asarray(unique_keys, dtype=object)[person_codes[keep][order]], dtype=object
            ),
            "year": kept_year[order],
            "quarter": kept_quarter[order],
            "employer_id": pd.Series(employer_names[employer_codes[order]], dtype=object),
            "wages": pd.Series(kept_wages[order], dtype=object),
            "row": kept_rows[order],
            "cents": cents[keep][order],
        }
    )
    return CheckedWages(frame=frame, errors=sorted(set(errors)))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's position in sorted order (values distinct: a dictionary's)."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    return ranks


def keyed_hasher() -> Callable[[str], str]:
    """``identifier_hash`` under the identifier key, many times: ``identifiers.identifier_hasher`` (the HMAC's
    inner and outer states computed once and copied per identifier; the same digests:
    tests/web/outcomes/test_wages.py checks). Raises ``InvalidIdentifier`` like it (messages without the
    value)."""
    return identifier_hasher(pii_key())


def _hash_people(
    ids: pa.Array, rows: np.ndarray, errors: list[RowError]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct identifier hashed once: (the hashes, "" where one failed; each row's index into them;
    the mask of rows whose identifier failed)."""
    encoded = pc.dictionary_encode(ids)
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    hash_of = keyed_hasher()
    hashes: list[str] = []
    messages: list[str] = []
    for raw in encoded.dictionary.to_pylist():
        if not raw:
            hashes.append("")
            messages.append("required: the person's SSN or state ID")
            continue
        try:
            hashes.append(hash_of(raw))
            messages.append("")
        except InvalidIdentifier as error:  # says what is wrong, never the value
            hashes.append("")
            messages.append(str(error))
        del raw
    del encoded
    failed_unique = np.array([bool(message) for message in messages], dtype=bool)
    failed = failed_unique[indices] if len(indices) else np.zeros(0, dtype=bool)
    errors.extend(
        RowError(int(row), "person_id", messages[index])
        for row, index in zip(rows[failed], indices[failed], strict=True)
    )
    return np.asarray(hashes, dtype=object), indices, failed


# Writing ------------------------------------------------------------------------------------------------


def _existing(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows' records already held: id and cents, aligned with ``frame`` (NaN where new)."""
    if frame.empty or not WageRecord.objects.exists():
        return pd.DataFrame({"id": np.full(len(frame), np.nan), "old_cents": np.full(len(frame), np.nan)})
    table = connection.ops.quote_name(WageRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, person_key, year, quarter, employer_id, wages FROM {table} "
            "WHERE year BETWEEN %s AND %s",
            [int(frame["year"].min()), int(frame["year"].max())],
        )
        held = pd.DataFrame(cursor.fetchall(), columns=["id", *_KEYS, "old"])
    if held.empty:
        return pd.DataFrame({"id": np.full(len(frame), np.nan), "old_cents": np.full(len(frame), np.nan)})
    held["old_cents"] = np.rint(held["old"].astype(float) * 100)
    held["year"] = held["year"].astype(np.int64)
    held["quarter"] = held["quarter"].astype(np.int64)
    merged = frame[_KEYS].merge(
        held[["id", *_KEYS, "old_cents"]], on=_KEYS, how="left", validate="many_to_one"
    )
    return merged[["id", "old_cents"]]


def _money(frame: pd.DataFrame) -> list[Any]:
    # SQLite stores what Django's Decimal adapter would send (the text); other databases get Decimals.
    texts = frame["wages"].tolist()
    if connection.vendor == "sqlite":
        return texts
    return [Decimal(text) for text in texts]


def _insert_returning(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> list[int]:
    quote = connection.ops.quote_name
    limit = connection.features.max_query_params or 30_000
    size = max(1, min(1_000, limit // len(columns)))
    keys: list[int] = []
    head = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    full_sql = head + ", ".join([one] * size) + " RETURNING id"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = full_sql if len(batch) == size else head + ", ".join([one] * len(batch)) + " RETURNING id"
            cursor.execute(sql, [value for row in batch for value in row])
            keys += [key for (key,) in cursor.fetchall()]
    return keys


_OWN: Final = ("id", "person_key", "year", "quarter", "employer_id", "wages")
_HISTORY_EXTRA: Final = ("history_date", "history_type", "history_user_id", "history_change_reason")


def _history_columns() -> tuple[str, list[str]]:
    """The history table and its columns (every one the record's own or simple-history's)."""
    history_model = WageRecord.history.model
    columns: list[str] = []
    for model_field in history_model._meta.concrete_fields:
        if model_field.attname == "history_id":
            continue
        if model_field.attname not in (*_OWN, *_HISTORY_EXTRA):
            raise RuntimeError(f"{history_model.__name__}.{model_field.attname}: not filled by the import")
        columns.append(model_field.attname)
    return history_model._meta.db_table, columns


def _history_values(kind: str, user: Any) -> dict[str, Any]:
    history_model = WageRecord.history.model
    at = history_model._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    return {
        "history_date": at,
        "history_type": kind,
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": None,
    }


def _history(ids: Iterable[int], values: list[tuple[Any, ...]], *, kind: str, user: Any) -> None:
    """simple-history's records of the rows written (the columns as ``core.tabular`` writes them)."""
    table, columns = _history_columns()
    extra = _history_values(kind, user)
    positions = [_OWN.index(name) if name in _OWN else None for name in columns]
    rows = [
        tuple(
            (record[position] if position is not None else extra[name])
            for name, position in zip(columns, positions, strict=True)
        )
        for record in ((pk, *value) for pk, value in zip(ids, values, strict=True))
    ]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start : start + 50_000])


def _history_of_range(low: int, high: int, *, kind: str, user: Any) -> None:
    """History records of the records with ids ``low``..``high`` (all written by this import), copied in
    the database: no row goes through Python."""
    table, columns = _history_columns()
    extra = _history_values(kind, user)
    quote = connection.ops.quote_name
    selected = [quote(name) if name in _OWN else "%s" for name in columns]
    parameters = [extra[name] for name in columns if name not in _OWN]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
            f"SELECT {', '.join(selected)} FROM {quote(WageRecord._meta.db_table)} "
            "WHERE id BETWEEN %s AND %s",
            [*parameters, low, high],
        )


def _insert_new(created: list[tuple[Any, ...]], *, user: Any) -> None:
    """Insert new records and their history. SQLite: one ``executemany`` on the driver (the transaction
    holds the write lock from its start: ``transaction_mode`` IMMEDIATE), then the ids above the largest
    before are exactly these rows (counted to be sure). Elsewhere: multi-row INSERTs returning the ids. The
    history is copied by id range when the ids are consecutive, else written row by row."""
    if not created:
        return
    table = connection.ops.quote_name(WageRecord._meta.db_table)
    names = "person_key, year, quarter, employer_id, wages"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            (before,) = cursor.fetchone()
            driver = connection.connection
            assert driver is not None
            driver.executemany(f"INSERT INTO {table} ({names}) VALUES (?, ?, ?, ?, ?)", created)
            cursor.execute(f"SELECT count(*), min(id), max(id) FROM {table} WHERE id > %s", [before])
            count, low, high = cursor.fetchone()
        if count != len(created) or high - low + 1 != count:
            raise IntegrityError("another import wrote wage records at the same time; import the file again")
        _history_of_range(low, high, kind="+", user=user)
        return
    ids = _insert_returning(WageRecord._meta.db_table, names.split(", "), created)
    if max(ids) - min(ids) + 1 == len(ids):  # consecutive and unique: every id in the range is ours
        _history_of_range(min(ids), max(ids), kind="+", user=user)
    else:
        _history(ids, created, kind="+", user=user)


def write_wages(frame: pd.DataFrame, *, user: Any) -> tuple[int, int]:
    """Insert the new records and update the changed ones, with history, in the caller's transaction:
    (created, updated)."""
    existing = _existing(frame)
    new = existing["id"].isna().to_numpy()
    changed = ~new & (existing["old_cents"].to_numpy() != frame["cents"].to_numpy())
    columns = [
        frame["person_key"].tolist(),
        frame["year"].tolist(),
        frame["quarter"].tolist(),
        frame["employer_id"].tolist(),
        _money(frame),
    ]
    if new.all():
        created = list(zip(*columns, strict=True))
    else:
        created = list(zip(*(list(np.asarray(c, dtype=object)[new]) for c in columns), strict=True))
    _insert_new(created, user=user)
    if changed.any():
        update_ids = existing["id"].to_numpy()[changed].astype(np.int64).tolist()
        updated = list(zip(*(list(np.asarray(c, dtype=object)[changed]) for c in columns), strict=True))
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(WageRecord._meta.db_table)} SET wages = %s WHERE id = %s",
                [(value[4], pk) for value, pk in zip(updated, update_ids, strict=True)],
            )
        _history(update_ids, updated, kind="~", user=user)
    return len(created), int(changed.sum())


def wage_records_import(
    *, filename: str, content: bytes, user: Any, limits: TableLimits = PAGE_LIMITS
) -> ImportResult:
    """Import a wage-record file: all or nothing; see the module's notes."""
    result = ImportResult(kind=WAGE_RECORDS_KIND)
    columns = _read_columns(result, filename=filename, content=content, limits=limits)
    if columns is None:
        return result
    result.rows = len(columns.rows)
    result.errors = header_errors(columns.header, allowed=WAGE_COLUMNS, required=frozenset(WAGE_COLUMNS))
    if result.errors:
        return result
    checked = check_wage_columns(columns)
    del columns  # the raw identifiers
    if checked.errors:
        result.errors = checked.errors
        return result
    try:
        with transaction.atomic():
            result.created, result.updated = write_wages(checked.frame, user=user)
    except IntegrityError as error:
        result.errors = [RowError(HEADER_ROW, "file", f"the database refused the import ({error})")]
        result.created = result.updated = 0
    return result


def wage_records_from_frame(frame: pd.DataFrame) -> list[WageRecord]:
    """Model instances of checked rows (for ``TableImporter.plan``: the engine's generic write)."""
    return [
        WageRecord(person_key=key, year=year, quarter=quarter, employer_id=employer, wages=Decimal(wages))
        for key, year, quarter, employer, wages in zip(
            frame["person_key"],
            frame["year"],
            frame["quarter"],
            frame["employer_id"],
            frame["wages"],
            strict=True,
        )
    ]


# Indicators ---------------------------------------------------------------------------------------------

INDICATORS: Final = (
    ("employment_q2", "Employed in the 2nd quarter after exit"),
    ("employment_q4", "Employed in the 4th quarter after exit"),
    ("retention", "Retained by the same employer in the 2nd and 4th quarters (of those employed in the 2nd)"),
    ("credential_rate", "Attained a credential (all exiters)"),
)


def _partnership_filter(column: str, partnership_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if partnership_ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(partnership_ids))})", list(partnership_ids)


def _fetch_arrow(sql: str, parameters: list[Any], schema: pa.Schema) -> pa.Table:
    """A query's rows as an Arrow table: the driver's tuples converted in one call (a struct array), not
    column by column in Python."""
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall()
    structs = pa.array(rows, pa.struct(list(schema)))
    return pa.Table.from_struct_array(structs) if len(rows) else schema.empty_table()


_PARTICIPANT_SCHEMA: Final = pa.schema(
    [
        ("person_id", pa.string()),
        ("partnership_id", pa.int64()),
        ("entry_date", pa.string()),
        ("exit_date", pa.string()),
        ("credential", pa.int8()),
    ]
)
_WAGE_SCHEMA: Final = pa.schema(
    [
        ("person_id", pa.string()),
        ("year", pa.int32()),
        ("quarter", pa.int32()),
        ("employer_id", pa.string()),
        ("cents", pa.int64()),
    ]
)


def _participant_rows(partnership_ids: Sequence[int] | None) -> pa.Table:
    """Exiters: hash, partnership, entry and exit dates (ISO text), credential (any observation)."""
    participant = connection.ops.quote_name(Participant._meta.db_table)
    observation = connection.ops.quote_name(OutcomeObservation._meta.db_table)
    where, parameters = _partnership_filter("p.partnership_id", partnership_ids)
    as_text = "CAST({} AS TEXT)" if connection.vendor != "postgresql" else "to_char({}, 'YYYY-MM-DD')"
    sql = (
        f"SELECT p.person_key, p.partnership_id, {as_text.format('p.enrolled_on')}, "
        f"{as_text.format('p.exited_on')}, CASE WHEN c.participant_id IS NULL THEN 0 ELSE 1 END "
        f"FROM {participant} p LEFT JOIN (SELECT DISTINCT participant_id FROM {observation} "
        f"WHERE credential_attained) c ON c.participant_id = p.id WHERE p.exited_on IS NOT NULL{where}"
    )
    table = _fetch_arrow(sql, parameters, _PARTICIPANT_SCHEMA)
    for name in ("entry_date", "exit_date"):
        table = table.set_column(table.schema.get_field_index(name), name, pc.cast(table[name], pa.date32()))
    return table


def _exit_index(column: str) -> str:
    """SQL: the calendar-quarter index (year * 4 + quarter - 1) of a date column (``%`` doubled: the query
    is sent with parameters)."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {column})::int * 4 + (EXTRACT(MONTH FROM {column})::int - 1) / 3)"
    year, month = f"CAST(strftime('%%Y', {column}) AS INTEGER)", f"CAST(strftime('%%m', {column}) AS INTEGER)"
    return f"({year} * 4 + ({month} - 1) / 3)"


def _wage_rows(partnership_ids: Sequence[int] | None) -> pa.Table:
    """The wage records the indicators read: those of exiters in the 2nd and 4th quarter after their exit
    (found through the record's unique index, two lookups per exiter), each record once."""
    participant = connection.ops.quote_name(Participant._meta.db_table)
    wages = connection.ops.quote_name(WageRecord._meta.db_table)
    where, parameters = _partnership_filter("partnership_id", partnership_ids)
    sql = (
        f"WITH e AS MATERIALIZED (SELECT DISTINCT person_key, {_exit_index('exited_on')} AS x "
        f"FROM {participant} WHERE exited_on IS NOT NULL{where}), "
        "t AS MATERIALIZED (SELECT person_key, (x + 2) / 4 AS year, (x + 2) %% 4 + 1 AS quarter FROM e "
        "UNION SELECT person_key, (x + 4) / 4, (x + 4) %% 4 + 1 FROM e) "
        "SELECT w.person_key, w.year, w.quarter, w.employer_id, CAST(ROUND(w.wages * 100) AS BIGINT) "
        f"FROM t JOIN {wages} w ON w.person_key = t.person_key AND w.year = t.year AND w.quarter = t.quarter"
    )
    table = _fetch_arrow(sql, parameters.copy(), _WAGE_SCHEMA)
    dollars = pc.divide(pc.cast(table["cents"], pa.float64()), 100.0)
    return table.drop_columns(["cents"]).append_column("wages", dollars)


def wages_through() -> tuple[int, int] | None:
    """The latest (year, quarter) the wage records held cover."""
    latest = WageRecord.objects.order_by("-year", "-quarter").values_list("year", "quarter").first()
    return (int(latest[0]), int(latest[1])) if latest else None


def wioa_frame(
    *, partnership_ids: Sequence[int] | None = None, by_cohort: bool = True, minimum: int = DEFAULT_MINIMUM
) -> pd.DataFrame:
    """``evaluation.wioa_indicators`` of the given partnerships (None: all) from the records held."""
    through = wages_through()
    participants = _participant_rows(partnership_ids)
    wage_rows = _wage_rows(partnership_ids)
    if through is None:
        through = (1900, 1)  # nothing covered yet: every quarter after exit is unobserved
    return wioa_indicators(
        participants, wage_rows, minimum=minimum, wages_through=through, by_cohort=by_cohort
    )


@dataclass(frozen=True)
class IndicatorCell:
    rate: float | None
    low: float | None
    high: float | None
    n: int | None
    """The denominator; None when it is hidden (too few, or complementary suppression)."""

    @property
    def suppressed(self) -> bool:
        return self.rate is None


@dataclass(frozen=True)
class CohortRow:
    label: str
    exit_year: int | None
    exit_quarter: int | None
    exiters: int | None
    cells: dict[str, IndicatorCell]
    median_earnings_q2: Decimal | None
    median_n: int | None

    @property
    def ordered_cells(self) -> list[IndicatorCell]:
        """The cells in ``INDICATORS`` order (templates cannot look a dict up by a variable)."""
        return [self.cells[key] for key, _ in INDICATORS]


@dataclass(frozen=True)
class WioaSummary:
    partnership: SectorPartnership
    rows: list[CohortRow]
    """The exit cohorts, oldest first, then all exits."""
    through: tuple[int, int] | None
    minimum: int


def _cell(row: pd.Series, rate: str, n_shown: int | None) -> IndicatorCell:
    value = row[rate]
    if n_shown is None or pd.isna(value):
        return IndicatorCell(None, None, None, n_shown)
    return IndicatorCell(float(value), float(row[f"{rate}_low"]), float(row[f"{rate}_high"]), n_shown)


def wioa_for_partnership(*, partnership: SectorPartnership, minimum: int = DEFAULT_MINIMUM) -> WioaSummary:
    """A partnership's indicators per exit cohort and over all exits (aggregates only: public)."""
    cohorts = wioa_frame(partnership_ids=[partnership.pk], minimum=minimum)
    total = wioa_frame(partnership_ids=[partnership.pk], by_cohort=False, minimum=minimum)
    through = wages_through()
    if cohorts.empty:
        return WioaSummary(partnership=partnership, rows=[], through=through, minimum=minimum)
    # Complementary suppression of each denominator across the cohorts and their total: one row of
    # cohorts with its row total (the "all exits" figure).
    hidden: dict[str, tuple[list[int | None], int | None]] = {}
    for name in ("exiters", *(f"{rate}_n" for rate in RATES), "median_earnings_q2_n"):
        counts = [cohorts[name].astype(np.int64).tolist()]
        shown = suppress_table(counts, minimum=minimum).shown
        hidden[name] = (list(shown[0][:-1]), shown[0][-1])
    rows: list[CohortRow] = []
    for index, row in cohorts.iterrows():
        position = int(index)  # type: ignore[call-overload]  # a RangeIndex: ints
        cells = {rate: _cell(row, rate, hidden[f"{rate}_n"][0][position]) for rate in RATES}
        median_n = hidden["median_earnings_q2_n"][0][position]
        rows.append(
            CohortRow(
                label=f"{int(row['exit_year'])} Q{int(row['exit_quarter'])}",
                exit_year=int(row["exit_year"]),
                exit_quarter=int(row["exit_quarter"]),
                exiters=hidden["exiters"][0][position],
                cells=cells,
                median_earnings_q2=row["median_earnings_q2"] if median_n is not None else None,
                median_n=median_n,
            )
        )
    all_row = total.iloc[0]
    median_n = hidden["median_earnings_q2_n"][1]
    rows.append(
        CohortRow(
            label="All exits",
            exit_year=None,
            exit_quarter=None,
            exiters=hidden["exiters"][1],
            cells={rate: _cell(all_row, rate, hidden[f"{rate}_n"][1]) for rate in RATES},
            median_earnings_q2=all_row["median_earnings_q2"] if median_n is not None else None,
            median_n=median_n,
        )
    )
    return WioaSummary(partnership=partnership, rows=rows, through=through, minimum=minimum)


# PIRL-style export --------------------------------------------------------------------------------------

#: (element number, name) of the PIRL (ETA-9172) data elements held, in the export's column order.
PIRL_ELEMENTS: Final = (
    ("100", "Unique individual identifier (keyed hash)"),
    ("900", "Date of program entry"),
    ("901", "Date of program exit"),
    ("802", "Low income status at program entry"),
    ("1602", "Employed 2nd quarter after exit quarter"),
    ("1606", "Employed 4th quarter after exit quarter"),
    ("1704", "Wages 2nd quarter after exit quarter"),
    ("1618", "Retention with the same employer in the 2nd quarter and the 4th quarter"),
)


def _quarter_index(year: int, quarter: int) -> int:
    return year * 4 + quarter - 1


def _quarter_of(day: dt.date) -> int:
    return _quarter_index(day.year, (day.month - 1) // 3 + 1)


def pirl_rows(*, partnership: SectorPartnership) -> tuple[list[str], list[list[Any]]]:
    """One row per participant of the partnership: the PIRL elements held (header: "<number> <name>").

    Employment and retention are PIRL codes: 1 yes, 0 no, blank when the quarter is not covered by the wage
    records yet or the participant has not exited; 1618 is 1 when an employer of the 2nd quarter after exit
    also paid wages in the 4th. 0802 is 1/0 as consented, blank otherwise. Credentials are not exported:
    PIRL's 1800 is the credential's type, which is not held."""
    participants = list(
        Participant.objects.filter(partnership=partnership)
        .order_by("enrolled_on", "id")
        .values_list("id", "person_key", "enrolled_on", "exited_on", "low_income_at_entry")
    )
    through = wages_through()
    covered = _quarter_index(*through) if through else -1
    keys = {person_key for _, person_key, _, exited, _ in participants if exited is not None}
    wages: dict[str, list[tuple[int, str, Decimal]]] = {}
    for key, year, quarter, employer, amount in WageRecord.objects.filter(
        person_key__in=keys, wages__gt=0
    ).values_list("person_key", "year", "quarter", "employer_id", "wages"):
        wages.setdefault(key, []).append((_quarter_index(year, quarter), employer, amount))
    header = [f"{number} {name}" for number, name in PIRL_ELEMENTS]
    rows: list[list[Any]] = []
    for _pk, key, entered, exited, low_income in participants:
        q2: Any = ""
        q4: Any = ""
        q2_wages: Any = ""
        retained: Any = ""
        if exited is not None:
            exit_q = _quarter_of(exited)
            records = wages.get(key, [])
            q2_records = [(employer, amount) for index, employer, amount in records if index == exit_q + 2]
            q4_employers = {employer for index, employer, _ in records if index == exit_q + 4}
            if exit_q + 2 <= covered:
                q2 = 1 if q2_records else 0
                q2_wages = sum((amount for _, amount in q2_records), Decimal("0.00"))
            if exit_q + 4 <= covered:
                q4 = 1 if q4_employers else 0
                retained = 1 if {employer for employer, _ in q2_records} & q4_employers else 0
        rows.append(
            [
                key,
                entered.isoformat(),
                exited.isoformat() if exited else "",
                "" if low_income is None else int(low_income),
                q2,
                q4,
                q2_wages,
                retained,
            ]
        )
    return header, rows


def pirl_export(
    *, partnership: SectorPartnership, user: Any, path: str, file_format: str
) -> tuple[bytes, int]:
    """The PIRL-style file of a partnership (CSV or XLSX) and its row count; the read is logged first."""
    from sectorwise.core.tabular.writer import table_to_csv, table_to_xlsx
    from sectorwise.outcomes.selectors import participant_access_record

    header, rows = pirl_rows(partnership=partnership)
    participant_access_record(
        user=user,
        what=f"PIRL export ({file_format.upper()}) of {partnership.name}",
        records=len(rows),
        partnership=partnership,
        path=path,
    )
    if file_format == "xlsx":
        return table_to_xlsx(header, rows, sheet="PIRL"), len(rows)
    return "".join(table_to_csv(header, rows)).encode(), len(rows)
