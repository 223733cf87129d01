"""The bulk participants import (what the pages and `sectorwise import` run) gives the same errors and the
same records, with history, as the reference ``ParticipantImporter`` on the shared engine."""

from __future__ import annotations

from typing import Any

import pytest

from sectorwise.outcomes.importing import IMPORTERS, REFERENCE_PARTICIPANTS, OutcomeImportKind
from sectorwise.outcomes.models import Participant
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

HEADER = (
    "partnership_id,person_id,enrolled_on,exited_on,demographics_consent,birth_year,sex,race_ethnicity,"
    "low_income_at_entry,barriers\n"
)
GOOD = [
    "{p},212-11-1001,2023-01-05,2023-09-30,yes,1990,Female,asian,yes,No car",
    "{p},212111002,2023-01-05,,no,,,,,",
    "{p},212-11-1003,2023-02-01,2023-12-31,yes,1985,male,Black or African American,no,",
    "{p},212-11-1004,2023-03-01T00:00,,YES,,other,hispanic,n,  two jobs  ",
]
BAD = [
    "{p},212-11-2001,2023-01-05,2022-12-31,no,,,,,",  # exits before enrolling (clean)
    "{p},212-11-2002,2023-01-05,,no,1990,,,,",  # demographics without consent (clean)
    "{p},212-11-2003,January,,maybe,19x0,robot,martian,perhaps,",  # every parser
    "{p},000-11-2004,2023-01-05,,,,,,,",  # never-issued SSN
    "{p},,2023-01-05,,,,,,,",  # no person
    "abc,212-11-2006,2023-01-05,,,,,,,",  # partnership not an id
    "999999,212-11-2007,2023-01-05,,,,,,,",  # no such partnership
    "{p},212-11-1001,2023-01-05,,,,,,,",  # the same person again (row 2)
    "{p},212-11-1001,2023-01-05,,,,,,,",  # and again
    "{p},212-11-2010,,,,,,,,",  # no enrolment date
    "{p},212-11-2011,2023-01-05,,yes,1800,,,,",  # birth year out of range (field check)
    "{p},212-11-2012,2023-01-05,,yes,,,,," + "x" * 201,  # barriers too long (field check)
    "{p},212-11-2013,2023-01-05,,yes,,,,,tab\there",  # a control character
]


def _file(lines: list[str], partnership: int) -> bytes:
    return (HEADER + "".join(line.format(p=partnership) + "\n" for line in lines)).encode()


def _records(partnership: Any) -> list[tuple[Any, ...]]:
    return sorted(
        Participant.objects.filter(partnership=partnership).values_list(
            "person_key", "enrolled_on", "exited_on", "demographics_consent", "birth_year", "sex",
            "race_ethnicity", "low_income_at_entry", "barriers",
        )
    )  # fmt: skip


def test_the_same_errors_row_by_row(personas: Personas) -> None:
    content = _file([GOOD[0], *BAD], personas.partnership_a.pk)
    bulk = IMPORTERS[OutcomeImportKind.PARTICIPANTS]
    assert bulk is not REFERENCE_PARTICIPANTS
    expected = REFERENCE_PARTICIPANTS.run(filename="p.csv", content=content, user=personas.staff)
    found = bulk.run(filename="p.csv", content=content, user=personas.staff)
    assert len(expected.errors) >= 18
    assert found.errors == expected.errors
    assert not Participant.objects.exists()


def test_the_same_records_created_and_updated_with_history(personas: Personas) -> None:
    a, b = personas.partnership_a, personas.partnership_b
    bulk = IMPORTERS[OutcomeImportKind.PARTICIPANTS]
    first = REFERENCE_PARTICIPANTS.run(filename="p.csv", content=_file(GOOD, a.pk), user=personas.staff)
    second = bulk.run(filename="p.csv", content=_file(GOOD, b.pk), user=personas.staff)
    assert first.ok and second.ok, (first.errors, second.errors)
    assert (first.created, second.created) == (4, 4)
    assert _records(a) == _records(b)
    # Updates: only the columns the file has (here dates and consent; demographics kept).
    changed = "partnership_id,person_id,enrolled_on,exited_on\n{p},212-11-1001,2023-01-06,2024-01-31\n"
    first = REFERENCE_PARTICIPANTS.run(
        filename="u.csv", content=changed.format(p=a.pk).encode(), user=personas.admin
    )
    second = bulk.run(filename="u.csv", content=changed.format(p=b.pk).encode(), user=personas.admin)
    assert (first.updated, second.updated) == (1, 1)
    assert _records(a) == _records(b)
    histories = [
        sorted(
            Participant.history.filter(partnership_id=partnership.pk).values_list(
                "person_key", "history_type", "history_user_id", "exited_on", "sex"
            )
        )
        for partnership in (a, b)
    ]
    assert histories[0] == histories[1] and len(histories[0]) == 5
