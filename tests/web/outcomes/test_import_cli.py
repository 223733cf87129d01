"""`sectorwise import KIND FILE --user NAME`: the registered importers from the command line, as a user, all
or nothing, bad rows printed by row and field, no identifier printed, exit status 1 on a refused file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sectorwise.cli import app
from sectorwise.directory.models import Organization
from sectorwise.outcomes.models import Participant, WageRecord
from sectorwise.web.import_command import mask_identifiers
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

SSN_A, SSN_B = "212-34-5678", "345-67-8912"


def _run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", *arguments])
    return result.exit_code, result.output


def test_participants_then_wage_records_import_as_the_named_user(personas: Personas, tmp_path: Path) -> None:
    participants = tmp_path / "participants.csv"
    participants.write_text(
        "partnership_id,person_id,enrolled_on,exited_on\n"
        f"{personas.partnership_a.pk},{SSN_A},2023-01-05,2023-06-30\n"
        f"{personas.partnership_a.pk},{SSN_B.replace('-', '')},2023-02-01,\n"
    )
    code, output = _run("participants", str(participants), "--user", "staff")
    assert code == 0, output
    assert "2 created, 0 updated" in output
    history = Participant.history.all()
    assert {record.history_user_id for record in history} == {personas.staff.pk}

    wages = tmp_path / "wages.csv"
    wages.write_text(f"person_id,year,quarter,employer_id,wages\n{SSN_A},2023,4,UI-1,4200.00\n")
    code, output = _run("wage_records", str(wages), "--user", "admin")
    assert code == 0, output
    assert WageRecord.objects.get().wages == 4200


def test_a_refused_file_prints_each_bad_row_and_no_identifier(personas: Personas, tmp_path: Path) -> None:
    del personas
    wages = tmp_path / "wages.csv"
    wages.write_text(
        "person_id,year,quarter,employer_id,wages\n"
        f"{SSN_A},2023,4,UI-1,100\n"
        "666-12-3456,2023,4,UI-1,100\n"  # never issued
        f"{SSN_B},2023,7,{SSN_B},abc\n"  # quarter and wages; an SSN in the employer column is not echoed
    )
    code, output = _run("wage_records", str(wages), "--user", "staff")
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("row ")]
    assert [line.split(":")[0] for line in lines] == ["row 3, person_id", "row 4, quarter", "row 4, wages"]
    for ssn in (SSN_A, SSN_B, "666-12-3456"):
        assert ssn not in output and ssn.replace("-", "") not in output
    assert not WageRecord.objects.exists()


def test_the_registry_kinds_run_too_and_unknown_kinds_or_users_are_refused(
    personas: Personas, tmp_path: Path
) -> None:
    organizations = tmp_path / "organizations.csv"
    organizations.write_text("name,type\nCommand-line Works,employer\n")
    assert _run("organizations", str(organizations), "--user", "staff")[0] == 0
    assert Organization.objects.filter(name="Command-line Works").exists()
    code, output = _run("nonsense", str(organizations), "--user", "staff")
    assert code == 2 and "wage_records" in output and "participants" in output
    assert _run("organizations", str(organizations), "--user", "nobody")[0] == 2
    assert _run("wage_records", str(organizations), "--user", personas.viewer.username)[0] == 2


def test_masking_hides_nine_digit_identifiers_only() -> None:
    assert mask_identifiers("'123-45-6789' is not a date") == "'[identifier hidden]' is not a date"
    assert mask_identifiers("123456789 and 2024-01-02 and 1234567890") == (
        "[identifier hidden] and 2024-01-02 and 1234567890"
    )
