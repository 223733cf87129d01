"""Raw person identifiers never reach the database, its WAL or the logs (issue 12's privacy test), and
production refuses to start without the identifier key.

A fresh process with a real SQLite file (WAL mode, as deployed) and every log at DEBUG (Django logs each SQL
statement with its parameters then) migrates, imports participants through the import page (a file with a
bad row first, then a good one: the error path and the write path), enrols one through the form, reads the
participant list, and copies the WAL before it closes. The test then searches the bytes for every SSN, with
and without dashes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PII_KEY = "fedcba9876543210" * 4
# Valid-looking SSNs (not never-issued ones) used nowhere else; one invalid (group 00) for the error path.
SSNS = ["219-45-8812", "331-27-6650", "408-63-1297", "512-84-3306"]
INVALID = "287-00-5531"
FORM_SSN = "604-18-7742"

SCRIPT = textwrap.dedent(
    """
    import shutil, sys
    from pathlib import Path
    import logging
    import django
    django.setup()
    # Django's own "django" logger stops at INFO; the SQL with its parameters is logged at DEBUG.
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    from sectorwise.core.roles import Role
    from tests.web.factories import PartnershipFactory, UserFactory

    staff = UserFactory(username="staff", role=Role.STATE_STAFF, is_staff=True)
    partnership = PartnershipFactory(name="Privacy Partnership")
    client = Client()
    client.force_login(staff)
    ssns, invalid, form_ssn = sys.argv[1].split(","), sys.argv[2], sys.argv[3]

    def upload(rows):
        text = "partnership_id,person_id,enrolled_on\\n" + "".join(
            f"{partnership.pk},{ssn},2024-02-01\\n" for ssn in rows
        )
        return client.post(
            reverse("outcomes:import"),
            {"kind": "participants", "file": SimpleUploadedFile("p.csv", text.encode())},
        )

    refused = upload([ssns[0], invalid])
    assert refused.status_code == 400, refused.status_code
    assert invalid not in refused.content.decode()
    # Half with dashes, half without.
    done = upload([ssn if i % 2 else ssn.replace("-", "") for i, ssn in enumerate(ssns)])
    assert done.status_code == 302, done.content.decode()[:2000]
    enrolled = client.post(
        reverse("outcomes:participant_create", kwargs={"pk": partnership.pk}),
        {"person_id": form_ssn, "enrolled_on": "2024-03-01"},
    )
    assert enrolled.status_code == 302, enrolled.content.decode()[:3000]
    listing = client.get(reverse("outcomes:participant_list", kwargs={"pk": partnership.pk}))
    assert listing.status_code == 200
    database = Path(settings.DATABASES["default"]["NAME"])
    wal = Path(str(database) + "-wal")
    assert wal.exists(), "SQLite is expected in WAL mode"
    shutil.copyfile(wal, database.parent / "copy-of-wal")
    from sectorwise.outcomes.models import Participant
    print("PARTICIPANTS", Participant.objects.count())
    connection.close()
    """
)


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECTORWISE_", "DJANGO_")) and key != "DATABASE_URL"
    }
    return environment | {
        "SECTORWISE_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sectorwise.web.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        **extra,
    }


def _forms(ssn: str) -> list[bytes]:
    digits = ssn.replace("-", "")
    return [ssn.encode(), digits.encode(), ssn.encode("utf-16-le"), digits.encode("utf-16-le")]


def test_no_raw_identifier_in_the_database_its_wal_or_the_logs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, ",".join(SSNS), INVALID, FORM_SSN],
        env=_environment(tmp_path, SECTORWISE_PII_KEY=PII_KEY, SECTORWISE_LOG_LEVEL="DEBUG"),
        cwd=ROOT, capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    logs = result.stdout + result.stderr
    assert result.returncode == 0, logs.decode(errors="replace")[-4000:]
    assert b"PARTICIPANTS 5" in result.stdout
    assert b"INSERT INTO" in logs, "the SQL log was expected at DEBUG: the search would prove nothing"
    files = [path for path in tmp_path.iterdir() if path.is_file()]
    assert {"sectorwise.sqlite3", "copy-of-wal"} <= {path.name for path in files}
    haystacks = {path.name: path.read_bytes() for path in files} | {"logs": logs}
    for ssn in [*SSNS, INVALID, FORM_SSN]:
        for form in _forms(ssn):
            found = [name for name, data in haystacks.items() if form in data]
            assert not found, f"a raw identifier ({form!r}) is in {found}"


def test_production_refuses_to_start_without_the_identifier_key(tmp_path: Path) -> None:
    production = {
        "SECTORWISE_DEBUG": "false",
        "SECTORWISE_SECRET_KEY": "q" * 64,
        "SECTORWISE_ALLOWED_HOSTS": "sectorwise.example.gov",
    }
    refused = subprocess.run(
        [sys.executable, "-m", "sectorwise.web.manage", "check"],
        env=_environment(tmp_path, **production), cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "SECTORWISE_PII_KEY_FILE" in refused.stderr
    assert not (tmp_path / "pii.key").exists()  # no key made up on the spot
    key_file = tmp_path / "pii-key"
    key_file.write_text(PII_KEY + "\n", encoding="ascii")
    accepted = subprocess.run(
        [sys.executable, "-m", "sectorwise.web.manage", "check"],
        env=_environment(tmp_path, SECTORWISE_PII_KEY_FILE=str(key_file), **production),
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr
