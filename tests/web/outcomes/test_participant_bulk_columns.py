"""The participants import's column-wise path (each column's distinct texts checked once, the simple rows
gathered column by column, every other row through the reference's row-by-row rules) against the reference
``ParticipantImporter``, on files that mix the two kinds of rows; and the identifier hasher it uses."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from sectorwise.evaluation.identifiers import (
    IdentifierKind,
    InvalidIdentifier,
    identifier_hash,
    identifier_hasher,
)
from sectorwise.outcomes import participant_bulk
from sectorwise.outcomes.importing import IMPORTERS, REFERENCE_PARTICIPANTS, OutcomeImportKind
from sectorwise.outcomes.models import Participant
from tests.web.personas import Personas

HEADER = (
    "partnership_id,person_id,enrolled_on,exited_on,demographics_consent,birth_year,sex,race_ethnicity,"
    "low_income_at_entry,barriers\n"
)
# Simple rows (every text passes on its own) and rows the row-by-row rules decide, interleaved.
MIXED_GOOD = [
    "{p},212-11-3001,2023-01-05,2023-09-30,yes,1990,Female,asian,yes,No car",
    "{p},212-11-3002,2023-01-05,,yes,١٩٨٥,,,,",  # a birth year in other digits: row by row, still created
    "{p},212-11-3003,2023-01-05,,no,,,,,",
    ",,,,,,,,,",  # a blank record
    " , ,,,,,,,,",  # and one of spaces
    "{p},S1234567X,2023-02-01,2023-12-31,yes,1985,male,Black or African American,no,",
    "{p}, 212-11-3005 ,2023-03-01T00:00,,YES,,other,hispanic,n,  two jobs  ",
    "{p},212-11-3006,2023-01-05,,yes,٢٠٠١,female,,,",  # row by row again, after simple ones
    "{p},212-11-3007,2023-01-05,2023-01-05,,,,,,",
]
MIXED_BAD = [
    *MIXED_GOOD,
    "{p},212-11-3008,2023-01-05,2022-12-31,yes,1990,,,,",  # simple texts, exit before enrolment
    "{p},212-11-3009,2023-01-05,,no,,female,,,",  # simple texts, demographics without consent
    "{p},212-11-3010,2023-01-05,,,,,,no,",  # no consent column value, low income given
    "{p},212113001,2023-01-05,,yes,,,,,",  # the first row's person without dashes: a repeat
    "{p},212-11-3011,not a date,,yes,,,,,",  # an error on a usable person...
    "{p},212-11-3011,2023-01-05,,yes,,,,,",  # ...whose later clean row is a repeat of it
    "{p},212-11-3012,2023-01-05,,yes,٢٠x٠,,,,",  # other digits that are no number
    "{p},000-11-3013,2023-01-05,,yes,,,,,",  # never issued
    "{p},212-11-3014,2023-01-05,,yes,,,,,tab\there",  # a control character
    "{p},212-11-3015,2023-01-05,,yes,1800,,,,",  # a field check
]


def _file(lines: list[str], partnership: int) -> bytes:
    return (HEADER + "".join(line.format(p=partnership) + "\n" for line in lines)).encode()


def _refuse(**_: Any) -> None:
    raise AssertionError("the bulk import read a plain CSV through the shared reader")


def _records(partnership: Any) -> list[tuple[Any, ...]]:
    return sorted(
        Participant.objects.filter(partnership=partnership).values_list(
            "person_key", "enrolled_on", "exited_on", "demographics_consent", "birth_year", "sex",
            "race_ethnicity", "low_income_at_entry", "barriers",
        )
    )  # fmt: skip


@pytest.mark.django_db
def test_mixed_rows_give_the_reference_errors(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _file(MIXED_BAD, personas.partnership_a.pk)
    expected = REFERENCE_PARTICIPANTS.run(filename="p.csv", content=content, user=personas.staff)
    monkeypatch.setattr(participant_bulk, "read_records", _refuse)
    found = IMPORTERS[OutcomeImportKind.PARTICIPANTS].run(
        filename="p.csv", content=content, user=personas.staff
    )
    assert len(expected.errors) >= 10
    assert found.errors == expected.errors
    assert found.rows == expected.rows
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_mixed_rows_give_the_reference_records_and_updates(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = personas.partnership_a, personas.partnership_b
    bulk = IMPORTERS[OutcomeImportKind.PARTICIPANTS]
    first = REFERENCE_PARTICIPANTS.run(filename="p.csv", content=_file(MIXED_GOOD, a.pk), user=personas.staff)
    with monkeypatch.context() as patched:
        patched.setattr(participant_bulk, "read_records", _refuse)
        second = bulk.run(filename="p.csv", content=_file(MIXED_GOOD, b.pk), user=personas.staff)
    assert first.ok and second.ok, (first.errors, second.errors)
    assert (first.created, second.created) == (7, 7)
    assert _records(a) == _records(b)
    assert {1985, 2001} <= set(Participant.objects.filter(partnership=b).values_list("birth_year", flat=True))
    # Again with one more person: seven updates (the rows the file gives again) and one new participant.
    again = [*MIXED_GOOD, "{p},212-11-3020,2023-04-01,,no,,,,,"]
    again[0] = "{p},212-11-3001,2023-01-05,2023-10-31,yes,1990,Female,asian,yes,No car"
    first = REFERENCE_PARTICIPANTS.run(filename="q.csv", content=_file(again, a.pk), user=personas.admin)
    with monkeypatch.context() as patched:
        patched.setattr(participant_bulk, "read_records", _refuse)
        second = bulk.run(filename="q.csv", content=_file(again, b.pk), user=personas.admin)
    assert first.ok and second.ok, (first.errors, second.errors)
    assert (first.created, first.updated) == (second.created, second.updated) == (1, 7)
    assert _records(a) == _records(b)
    histories = [
        sorted(
            Participant.history.filter(partnership_id=partnership.pk).values_list(
                "person_key", "history_type", "exited_on", "birth_year"
            )
        )
        for partnership in (a, b)
    ]
    assert histories[0] == histories[1] and len(histories[0]) == 15


IDENTIFIERS = ["123-45-6789", "123456789", " 123 45 6789 ", "d 1234-567", "s1234567x", "A" * 25, "12345678"]
INVALID = [
    "",
    " - ",
    "000-12-3456",
    "666123456",
    "912345678",
    "123-00-4567",
    "123-45-0000",
    "AB/12",
    "A" * 26,
]


@pytest.mark.parametrize("key", [bytes(range(32)), bytes(range(64)), bytes(range(100))])
def test_the_identifier_hasher_gives_identifier_hash(key: bytes) -> None:
    hash_of = identifier_hasher(key)
    for raw in IDENTIFIERS:
        assert hash_of(raw) == identifier_hash(raw, key)
    assert hash_of("123-45-6789") == hmac.new(key, b"123456789", hashlib.sha256).hexdigest()
    for raw in INVALID:
        with pytest.raises(InvalidIdentifier) as expected:
            identifier_hash(raw, key, IdentifierKind.AUTO)
        with pytest.raises(InvalidIdentifier) as found:
            hash_of(raw)
        assert str(found.value) == str(expected.value)
        assert not raw.strip() or raw not in str(found.value)
    with pytest.raises(TypeError):
        hash_of(123456789)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 32 bytes"):
        identifier_hasher(b"short")


EDGE_FILES = {
    "header only": "partnership_id,person_id,enrolled_on\n",
    "blank records only": "partnership_id,person_id,enrolled_on\n,,\n , ,\n",
    "required columns only": "partnership_id,person_id,enrolled_on\n{p},212-11-4001,2023-01-05\n",
    "no enrolment date": (
        "partnership_id,person_id,enrolled_on\n{p},212-11-4001,2023-01-05\n{p},212-11-4002,\n"
    ),
    "windows lines, quoted": (
        'Partnership_ID,Person_ID,Enrolled_On,Barriers\r\n{p},212-11-4003,2023-01-05,"car, bus"\r\n'
        "{p},212-11-4004,2023-01-05,\r\n"
    ),
    "no consent column, demographics": (
        "partnership_id,person_id,enrolled_on,sex\n{p},212-11-4005,2023-01-05,male\n"
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", EDGE_FILES)
def test_edge_files_as_the_reference(personas: Personas, name: str) -> None:
    a, b = personas.partnership_a, personas.partnership_b
    expected = REFERENCE_PARTICIPANTS.run(
        filename="e.csv", content=EDGE_FILES[name].format(p=a.pk).encode(), user=personas.staff
    )
    found = IMPORTERS[OutcomeImportKind.PARTICIPANTS].run(
        filename="e.csv", content=EDGE_FILES[name].format(p=b.pk).encode(), user=personas.staff
    )
    assert found.errors == expected.errors
    assert (found.rows, found.created, found.updated) == (expected.rows, expected.created, expected.updated)
    assert _records(a) == _records(b)
