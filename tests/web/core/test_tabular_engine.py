"""A new app's import is a ``TableImporter``: the engine gives it the header check, row errors by
spreadsheet row, all-or-nothing writes with history and the background job, with nothing copied."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from sectorwise.core.tabular.engine import (
    FieldChecks,
    ImportResult,
    Progress,
    RowError,
    TableImporter,
    WritePlan,
    importer_for,
    register_importer,
)
from sectorwise.directory.models import Person
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


class PersonImporter(TableImporter):
    """What another app would write: columns, required ones, and the per-row parse and check."""

    kind = "test-people"
    columns = ("first_name", "last_name", "email")
    required = frozenset({"first_name", "last_name"})

    def plan(
        self,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        result: ImportResult,
        *,
        progress: Progress | None,
    ) -> WritePlan:
        checks = FieldChecks(Person)
        plan = WritePlan()
        for row, values in records:
            errors = self.control_errors(row, values)
            person = Person(**values)
            errors += [
                RowError(row, name, message)
                for name, messages in checks.errors(person).items()
                for message in messages
            ]
            result.errors += errors
            if not errors:
                plan.to_create.append(person)
        return plan


@pytest.fixture
def people_importer() -> Iterator[TableImporter]:
    from sectorwise.core.tabular import engine

    yield register_importer(PersonImporter())
    engine._IMPORTERS.pop(PersonImporter.kind)  # the registry is the process's; leave it as found


def test_a_new_importer_gets_header_checks_row_errors_and_all_or_nothing(
    personas: Personas, people_importer: TableImporter
) -> None:
    header = people_importer.run(filename="p.csv", content=b"first_name,shoe_size\nAda,7\n", user=None)
    assert header.errors == [
        RowError(1, "shoe_size", "unknown column; expected some of: first_name, last_name, email"),
        RowError(1, "last_name", "required column is missing"),
    ]
    content = b"first_name,last_name,email\nAda,Lovelace,ada@example.org\nBad\x00,Row,not-an-email\n"
    refused = people_importer.run(filename="p.csv", content=content, user=personas.staff)
    assert [(error.row, error.field) for error in refused.errors] == [(3, "email"), (3, "first_name")]
    assert not Person.objects.filter(last_name="Lovelace").exists()  # nothing written

    good = b"first_name,last_name\nAda,Lovelace\nGrace,Hopper\n"
    result = people_importer.run(filename="p.xlsx", content=_xlsx(good), user=personas.staff)
    assert result.ok and (result.rows, result.created) == (2, 2)
    ada = Person.objects.get(last_name="Lovelace")
    (record,) = ada.history.all()
    assert (record.history_type, record.history_user) == ("+", personas.staff)


def test_a_registered_importer_runs_as_a_background_job(
    personas: Personas, people_importer: TableImporter
) -> None:
    from sectorwise.partnerships.import_jobs import ImportJob, import_job_run

    assert importer_for("test-people") is people_importer
    job = ImportJob.objects.create(
        user=personas.staff,
        kind="test-people",
        file_name="p.csv",
        content=b"first_name,last_name\nAlan,Turing\n",
    )
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == ("succeeded", 1)
    assert Person.objects.filter(last_name="Turing").exists()


def test_an_unknown_kind_names_the_registered_ones() -> None:
    with pytest.raises(LookupError, match="organizations"):
        importer_for("grants-that-do-not-exist")


def _xlsx(csv_content: bytes) -> bytes:
    import csv
    import io

    from sectorwise.core.tabular.writer import table_to_xlsx

    rows = list(csv.reader(io.StringIO(csv_content.decode())))
    return table_to_xlsx(rows[0], rows[1:], sheet="people")


def test_validation_errors_name_the_row_and_field() -> None:
    from sectorwise.core.tabular.engine import validation_errors

    error = ValidationError({"__all__": ["Two conveners."], "name": ["Blank."]})
    assert sorted(validation_errors(7, error)) == [
        RowError(7, "name", "Blank."),
        RowError(7, "row", "Two conveners."),
    ]
