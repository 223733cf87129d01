"""UI wage records: the import (hashed ids, all or nothing, errors by row and field, history, updates), the
WIOA indicators of a partnership on a small example worked by hand, and their suppression."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from statsmodels.stats.proportion import proportion_confint

from sectorwise.core.tabular.engine import importer_for
from sectorwise.core.tabular.writer import table_to_xlsx
from sectorwise.evaluation.identifiers import identifier_hash
from sectorwise.outcomes.models import OutcomeObservation, Participant, Timing, WageRecord
from sectorwise.outcomes.pii import pii_key
from sectorwise.outcomes.wages import COMMAND_LIMITS, pirl_rows, wage_records_import, wioa_for_partnership
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

SSNS = [f"{201 + i:03d}-{11 + i % 80:02d}-{1001 + i:04d}" for i in range(60)]
HEADER = "person_id,year,quarter,employer_id,wages\n"


def _key(ssn: str) -> str:
    return identifier_hash(ssn, pii_key())


def _import(text: str, *, filename: str = "wages.csv", user: object = None) -> object:
    return wage_records_import(filename=filename, content=text.encode(), user=user)


def test_a_wage_file_is_stored_as_hashes_with_history(personas: Personas) -> None:
    text = HEADER + f'{SSNS[0]},2024,1,UI-001,"$5,000.50"\n{SSNS[1].replace("-", "")},2024,Q2,UI-002,3000\n'
    result = _import(text, user=personas.staff)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    first = WageRecord.objects.get(person_key=_key(SSNS[0]))
    assert (first.year, first.quarter, first.employer_id, first.wages) == (
        2024,
        1,
        "UI-001",
        Decimal("5000.50"),
    )
    second = WageRecord.objects.get(person_key=_key(SSNS[1]))  # without dashes: the same hash
    assert second.quarter == 2
    history = WageRecord.history.filter(id=first.pk)
    assert [(h.history_type, h.history_user_id) for h in history] == [("+", personas.staff.pk)]


def test_a_record_imported_again_updates_only_changed_wages(personas: Personas) -> None:
    assert _import(HEADER + f"{SSNS[0]},2024,1,UI-001,100\n{SSNS[1]},2024,1,UI-001,200\n").ok
    result = _import(HEADER + f"{SSNS[0]},2024,1,UI-001,150.25\n{SSNS[1]},2024,1,UI-001,200.00\n")
    assert result.ok and (result.created, result.updated) == (0, 1)
    record = WageRecord.objects.get(person_key=_key(SSNS[0]))
    assert record.wages == Decimal("150.25")
    types = sorted(WageRecord.history.filter(id=record.pk).values_list("history_type", flat=True))
    assert types == ["+", "~"]


def test_every_bad_row_is_reported_by_row_and_field_and_nothing_is_written() -> None:
    text = (
        HEADER
        + f"{SSNS[0]},2024,1,UI-001,100\n"  # row 2: fine
        + "000-12-3456,2024,1,UI-001,100\n"  # row 3: never-issued SSN
        + f"{SSNS[2]},24,5,,-3\n"  # row 4: year, quarter, employer, wages
        + f"{SSNS[3]},2024,2,UI-9,12.345\n"  # row 5: three decimals
        + f"{SSNS[0]},2024,1,UI-001,7\n"  # row 6: the same record as row 2
        + ",2024,1,UI-001,1\n"  # row 7: no person
    )
    result = _import(text)
    assert not result.ok
    found = {(error.row, error.field) for error in result.errors}
    assert found == {
        (3, "person_id"),
        (4, "year"),
        (4, "quarter"),
        (4, "employer_id"),
        (4, "wages"),
        (5, "wages"),
        (6, "person_id"),
        (7, "person_id"),
    }
    duplicate = next(error for error in result.errors if error.row == 6)
    assert "first on row 2" in duplicate.reason
    assert not WageRecord.objects.exists()
    # No message repeats an identifier.
    for error in result.errors:
        for ssn in [*SSNS, "000-12-3456"]:
            assert ssn not in error.reason and ssn.replace("-", "") not in error.reason


def test_row_numbers_survive_blank_lines_and_the_xlsx_reader() -> None:
    text = HEADER + f"{SSNS[0]},2024,1,UI-001,100\n\n{SSNS[1]},2024,9,UI-001,100\n"
    result = _import(text)
    assert [(error.row, error.field) for error in result.errors] == [(4, "quarter")]
    content = table_to_xlsx(
        ["person_id", "year", "quarter", "employer_id", "wages"],
        [[SSNS[0], 2024, 1, "UI-001", 100], [SSNS[1], 2024, 1, "", 100]],
        sheet="wages",
    )
    result = wage_records_import(filename="wages.xlsx", content=content, user=None)
    assert [(error.row, error.field) for error in result.errors] == [(3, "employer_id")]


def test_header_problems_and_limits_are_reported_on_row_1() -> None:
    result = _import("person_id,year,quarter,employer,wages\n1,2,3,4,5\n")
    assert {(error.row, error.field) for error in result.errors} == {(1, "employer"), (1, "employer_id")}
    big = HEADER + "".join(f"{SSNS[i % 60]},{2000 + i // 240},{i % 4 + 1},E{i % 3},1\n" for i in range(300))
    limited = wage_records_import(
        filename="w.csv", content=big.encode(), user=None, limits=COMMAND_LIMITS.__class__(max_rows=100)
    )
    assert [error.field for error in limited.errors] == ["file"]


def test_the_registry_knows_the_importer_and_its_generic_plan_checks_the_same() -> None:
    importer = importer_for("wage_records")
    assert importer.run(filename="w.csv", content=(HEADER + f"{SSNS[0]},2024,1,E,1\n").encode(), user=None).ok
    assert WageRecord.objects.count() == 1


# --- Indicators on a small example worked by hand --------------------------------------------------------


def _exiters(personas: Personas, count: int, *, exited: dt.date, credential_every: int = 0) -> list[str]:
    keys = []
    for i in range(count):
        ssn = SSNS[i]
        participant = Participant.objects.create(
            partnership=personas.partnership_a,
            person_key=_key(ssn),
            enrolled_on=dt.date(2022, 1, 10),
            exited_on=exited,
        )
        if credential_every and i % credential_every == 0:
            OutcomeObservation.objects.create(
                participant=participant, timing=Timing.EXIT, observed_on=exited, credential_attained=True
            )
        keys.append(ssn)
    return keys


def test_wioa_indicators_on_a_hand_computed_example(personas: Personas) -> None:
    # 12 people exit in 2023 Q1 (exit quarter index q); Q2 after exit = 2023 Q3, Q4 after exit = 2024 Q1.
    ssns = _exiters(personas, 12, exited=dt.date(2023, 2, 15), credential_every=3)  # credentials: 0, 3, 6, 9
    lines = []
    # People 0-9 earn in 2023 Q3: person i earns 1000 * (i + 1) at employer A (person 0 also 500 at B).
    for i in range(10):
        lines.append(f"{ssns[i]},2023,3,A,{1000 * (i + 1)}")
    lines.append(f"{ssns[0]},2023,3,B,500")
    # In 2024 Q1: people 0-5 at A again (retained), 6-7 at C (employed, not retained), 10 at D (not in Q2).
    lines += [f"{ssns[i]},2024,1,A,900" for i in range(6)]
    lines += [f"{ssns[i]},2024,1,C,900" for i in (6, 7)]
    lines.append(f"{ssns[10]},2024,1,D,900")
    # Records in the exit quarter and in Q1 after exit count for nothing; a zero-wage record is not a job.
    lines += [f"{ssns[11]},2023,2,E,800", f"{ssns[11]},2023,1,E,800", f"{ssns[10]},2023,3,F,0"]
    assert _import(HEADER + "\n".join(lines) + "\n").ok

    summary = wioa_for_partnership(partnership=personas.partnership_a)
    cohort, total = summary.rows
    assert cohort.label == "2023 Q1" and total.label == "All exits"
    assert cohort.exiters == 12
    # Employed in Q2 after exit: people 0-9 -> 10 of 12; in Q4: 0-7 and 10 -> 9 of 12.
    q2 = cohort.cells["employment_q2"]
    assert q2.n == 12 and q2.rate == pytest.approx(10 / 12)
    assert (q2.low, q2.high) == pytest.approx(proportion_confint(10, 12, method="wilson"))
    assert cohort.cells["employment_q4"].rate == pytest.approx(9 / 12)
    # Median Q2 earnings among the 10 employed: 1500 (person 0: 1000 + 500), 2000, 3000, ..., 10000
    # -> (5000 + 6000) / 2.
    assert cohort.median_earnings_q2 == Decimal("5500.00") and cohort.median_n == 10
    # Retention: of the 10 employed in Q2, those paid by a Q2 employer in Q4 too: people 0-5 -> 6 of 10.
    assert cohort.cells["retention"].n == 10 and cohort.cells["retention"].rate == pytest.approx(0.6)
    # Credentials: people 0, 3, 6, 9 -> 4 of 12.
    assert cohort.cells["credential_rate"].rate == pytest.approx(4 / 12)
    assert total.exiters == 12 and total.cells["employment_q2"].rate == pytest.approx(10 / 12)


def test_too_few_exiters_are_not_shown_and_cannot_be_recovered_from_the_total(personas: Personas) -> None:
    ssns = _exiters(personas, 12, exited=dt.date(2023, 2, 15))
    # Three more exit in 2023 Q2: a cohort of 3.
    for i in range(12, 15):
        Participant.objects.create(
            partnership=personas.partnership_a,
            person_key=_key(SSNS[i]),
            enrolled_on=dt.date(2022, 1, 10),
            exited_on=dt.date(2023, 5, 1),
        )
    assert _import(HEADER + f"{ssns[0]},2024,4,A,100\n").ok
    summary = wioa_for_partnership(partnership=personas.partnership_a)
    first, second, total = summary.rows
    assert second.exiters is None and second.cells["employment_q2"].suppressed
    # The total (15) with the first cohort (12) would give the hidden 3: one of the two is hidden too.
    assert first.exiters is None or total.exiters is None


def test_pirl_rows_name_elements_and_carry_hashes_only(personas: Personas) -> None:
    ssns = _exiters(personas, 2, exited=dt.date(2023, 2, 15))
    assert _import(
        HEADER
        + f"{ssns[0]},2023,3,A,1000\n{ssns[0]},2023,3,B,234.5\n{ssns[0]},2024,1,B,1\n{ssns[1]},2024,1,C,5\n"
    ).ok
    header, rows = pirl_rows(partnership=personas.partnership_a)
    assert [column.split()[0] for column in header] == [
        "100",
        "900",
        "901",
        "802",
        "1602",
        "1606",
        "1704",
        "1618",
    ]
    by_key = {row[0]: row for row in rows}
    first, second = by_key[_key(ssns[0])], by_key[_key(ssns[1])]
    assert first[1:] == ["2022-01-10", "2023-02-15", "", 1, 1, Decimal("1234.50"), 1]
    assert second[1:] == ["2022-01-10", "2023-02-15", "", 0, 1, Decimal("0.00"), 0]


@pytest.mark.parametrize("person_key", ["212-34-5678", "212345678", "A" * 64, "g" * 64, "a" * 63, "a" * 65])
def test_the_database_refuses_a_person_key_that_is_not_a_hash(personas: Personas, person_key: str) -> None:
    # The check constraint refuses it (IntegrityError); PostgreSQL refuses one over 64 characters sooner, by
    # the column's length (DataError). SQLite has no length limit: the constraint decides there.
    refused = (IntegrityError, DataError)
    with pytest.raises(refused), transaction.atomic():
        WageRecord.objects.create(person_key=person_key, year=2024, quarter=1, employer_id="E", wages=1)
    with pytest.raises(refused), transaction.atomic():
        Participant.objects.create(
            partnership=personas.partnership_a, person_key=person_key, enrolled_on=dt.date(2024, 1, 1)
        )
    WageRecord.objects.create(person_key="0a" * 32, year=2024, quarter=1, employer_id="E", wages=1)
    Participant.objects.create(
        partnership=personas.partnership_a, person_key="0a" * 32, enrolled_on=dt.date(2024, 1, 1)
    )


def test_the_import_hashes_exactly_as_identifier_hash() -> None:
    ids = ["123-45-6789", "123456789", "d 1234-567", "S1234567X"]
    text = HEADER + "".join(f"{raw},2024,{i + 1},E,1\n" for i, raw in enumerate(ids))
    assert _import(text).ok
    stored = dict(WageRecord.objects.values_list("quarter", "person_key"))
    assert stored == {i + 1: identifier_hash(raw, pii_key()) for i, raw in enumerate(ids)}
    assert stored[1] == stored[2]  # with or without dashes
