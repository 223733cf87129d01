"""Wage-record imports keep raw identifiers out of the database, its WAL and the logs too (issue 12).

Like ``test_outcomes_privacy``: a fresh process on a WAL-mode SQLite file with the SQL logged at DEBUG
imports participants, then wage records through the wage page (a refused file first: an SSN never issued, a
bad quarter; then a good one, half the SSNs without dashes) and through ``sectorwise import wage_records``
(a refused file and a good one), reads the WIOA page and downloads the PIRL export, and copies the WAL
before it closes. The test searches every byte for each SSN, with and without dashes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.web.security.test_outcomes_privacy import PII_KEY, ROOT, _environment, _forms

SSNS = ["226-41-9073", "337-52-1184", "448-63-2295", "559-74-3306"]
CLI_SSNS = ["661-85-4417", "172-96-5528"]
INVALID = "900-12-3456"  # area 9xx: never issued

SCRIPT = textwrap.dedent(
    """
    import shutil, sys
    from pathlib import Path
    import logging
    import django
    django.setup()
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from typer.testing import CliRunner

    call_command("migrate", verbosity=0)
    from sectorwise.cli import app
    from sectorwise.core.roles import Role
    from tests.web.factories import PartnershipFactory, UserFactory

    staff = UserFactory(username="staff", role=Role.STATE_STAFF, is_staff=True)
    partnership = PartnershipFactory(name="Wage Privacy Partnership")
    client = Client()
    client.force_login(staff)
    ssns, cli_ssns, invalid = sys.argv[1].split(","), sys.argv[2].split(","), sys.argv[3]
    everyone = ssns + cli_ssns
    text = "partnership_id,person_id,enrolled_on,exited_on\\n" + "".join(
        f"{partnership.pk},{ssn},2022-02-01,2022-11-30\\n" for ssn in everyone
    )
    participants_file = SimpleUploadedFile("p.csv", text.encode())
    done = client.post(reverse("outcomes:import"), {"kind": "participants", "file": participants_file})
    assert done.status_code == 302, done.status_code

    def wages(rows):
        return "person_id,year,quarter,employer_id,wages\\n" + "".join(rows)

    def upload(content):
        wage_file = SimpleUploadedFile("w.csv", content.encode())
        return client.post(reverse("outcomes:wages_import"), {"file": wage_file})

    refused = upload(
        wages([f"{ssns[0]},2023,2,UI-1,100\\n", f"{invalid},2023,2,UI-1,1\\n", f"{ssns[1]},2023,9,UI-1,1\\n"])
    )
    assert refused.status_code == 400, refused.status_code
    page = refused.content.decode()
    assert invalid not in page and ssns[0] not in page and ssns[1] not in page
    good = [f"{ssn if i % 2 else ssn.replace('-', '')},2023,{q},UI-{i},{1000 + i}.50\\n"
            for i, ssn in enumerate(ssns) for q in (2, 4)]
    done = upload(wages(good))
    assert done.status_code == 302, done.content.decode()[:2000]

    work = Path(settings.DATABASES["default"]["NAME"]).parent
    bad_file, good_file = work / "bad.csv", work / "good.csv"
    bad_file.write_text(wages([f"{cli_ssns[0]},2023,2,UI-9,5\\n", f"{invalid},2023,2,UI-9,5\\n"]))
    good_file.write_text(wages([f"{ssn},2023,3,UI-9,5\\n" for ssn in cli_ssns]))
    runner = CliRunner()
    outcome = runner.invoke(app, ["import", "wage_records", str(bad_file), "--user", "staff"])
    print(outcome.output)
    assert outcome.exit_code == 1, outcome.output
    outcome = runner.invoke(app, ["import", "wage_records", str(good_file), "--user", "staff"])
    print(outcome.output)
    assert outcome.exit_code == 0, outcome.output
    bad_file.unlink(); good_file.unlink()  # the inputs hold the SSNs, of course

    assert client.get(reverse("outcomes:partnership_wioa", kwargs={"pk": partnership.pk})).status_code == 200
    export = client.get(reverse("outcomes:pirl_export", kwargs={"pk": partnership.pk, "file_format": "csv"}))
    assert export.status_code == 200
    sys.stdout.write(export.content.decode())
    database = Path(settings.DATABASES["default"]["NAME"])
    wal = Path(str(database) + "-wal")
    assert wal.exists(), "SQLite is expected in WAL mode"
    shutil.copyfile(wal, database.parent / "copy-of-wal")
    from sectorwise.outcomes.models import WageRecord
    print("WAGE RECORDS", WageRecord.objects.count(), WageRecord.history.count())
    connection.close()
    """
)


def test_no_raw_identifier_after_wage_imports_in_the_database_its_wal_or_the_logs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, ",".join(SSNS), ",".join(CLI_SSNS), INVALID],
        env=_environment(tmp_path, SECTORWISE_PII_KEY=PII_KEY, SECTORWISE_LOG_LEVEL="DEBUG"),
        cwd=ROOT, capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    logs = result.stdout + result.stderr
    assert result.returncode == 0, logs.decode(errors="replace")[-4000:]
    assert b"WAGE RECORDS 10 10" in result.stdout
    assert b"INSERT INTO" in logs, "the SQL log was expected at DEBUG: the search would prove nothing"
    assert b"100 Unique individual identifier" in result.stdout  # the PIRL export was searched too
    files = [path for path in tmp_path.iterdir() if path.is_file()]
    assert {"sectorwise.sqlite3", "copy-of-wal"} <= {path.name for path in files}
    haystacks = {path.name: path.read_bytes() for path in files} | {"logs": logs}
    for ssn in [*SSNS, *CLI_SSNS, INVALID]:
        for form in _forms(ssn):
            found = [name for name, data in haystacks.items() if form in data]
            assert not found, f"a raw identifier ({form!r}) is in {found}"
