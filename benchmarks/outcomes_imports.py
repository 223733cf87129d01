"""Outcomes at a state's scale: import 100,000 participants and 1,000,000 UI wage records, then compute the
WIOA-style indicators of every partnership from the database.

``python -m benchmarks --only outcomes`` (or ``python -m benchmarks.outcomes_imports [participants wages]``).
The files are generated in a temp directory (synthetic SSNs, 200 partnerships, exits spread over 2021-2023,
ten quarters of wages per person at a main employer, a second employer for one person in five) and imported
into a scratch SQLite database there (Django in a child process, DEBUG off, like ``benchmarks/imports.py``)
through the same code as the pages and ``sectorwise import``: reading, every check, hashing, the writes and
a history record per row. Targets (issue 12): imports at >= 50,000 rows/s; indicators in <= 5 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.table import Table

PARTICIPANTS: Final = 100_000
WAGES: Final = 1_000_000
PARTNERSHIPS: Final = 200


def _ssn(i: int) -> str:
    # Valid-looking (area 100-599, group 10-98, serial from 1001), unique for i < 44,500 * 8,999.
    return f"{100 + i % 500:03d}-{10 + (i // 500) % 89:02d}-{1001 + i // 44_500:04d}"


def _files(participants: int, wages: int, partnership_ids: list[int]) -> tuple[bytes, bytes]:
    rows = ["partnership_id,person_id,enrolled_on,exited_on,demographics_consent,low_income_at_entry"]
    for i in range(participants):
        exit_month = 1 + i % 36
        year, month = 2021 + (exit_month - 1) // 12, 1 + (exit_month - 1) % 12
        rows.append(
            f"{partnership_ids[i % len(partnership_ids)]},{_ssn(i)},2020-{1 + i % 12:02d}-15,"
            f"{year}-{month:02d}-20,yes,{'yes' if i % 3 == 0 else 'no'}"
        )
    participant_file = ("\n".join(rows) + "\n").encode()
    lines = ["person_id,year,quarter,employer_id,wages"]
    per_person = max(1, wages // participants)
    written = 0
    i = 0
    while written < wages:
        person = i % participants
        start = 2021 * 4 + (person % 36) // 3 + (i // participants) * per_person
        ssn = _ssn(person)
        for k in range(min(per_person, wages - written)):
            index = start + k
            employer = f"UI{person % 5_000:06d}" if (person + k) % 5 else f"UI{(person + 7) % 5_000:06d}"
            amount = 3000 + (person * 37 + k * 11) % 9000
            lines.append(f"{ssn},{index // 4},{index % 4 + 1},{employer},{amount}.{k:02d}")
            written += 1
        i += 1
    return participant_file, ("\n".join(lines) + "\n").encode()


def _child(work: Path, participants: int, wages: int) -> dict[str, Any]:
    import time

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    from sectorwise.accounts.models import User
    from sectorwise.core.roles import Role
    from sectorwise.directory.models import Organization
    from sectorwise.outcomes.importing import IMPORTERS, OutcomeImportKind
    from sectorwise.outcomes.wages import COMMAND_LIMITS, wage_records_import, wioa_frame
    from sectorwise.partnerships.models import Region, SectorPartnership

    user = User.objects.create(username="bench", role=Role.STATE_STAFF)
    region = Region.objects.create(name="Benchmark region")
    convener = Organization.objects.create(name="Benchmark board", type="workforce_board")
    partnerships = SectorPartnership.objects.bulk_create(
        SectorPartnership(
            name=f"Benchmark partnership {n}", region=region, convener=convener, stage="exploring"
        )
        for n in range(PARTNERSHIPS)
    )
    started = time.perf_counter()
    participant_file, wage_file = _files(participants, wages, [p.pk for p in partnerships])
    generate = time.perf_counter() - started
    results: dict[str, Any] = {"generate_files_s": round(generate, 2)}

    started, cpu = time.perf_counter(), time.process_time()
    result = IMPORTERS[OutcomeImportKind.PARTICIPANTS].run(  # what the pages and `sectorwise import` run
        filename="participants.csv", content=participant_file, user=user, limits=COMMAND_LIMITS
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.ok, result.errors[:5]
    results["participants"] = {
        "rows": participants, "bytes": len(participant_file), "seconds": round(seconds, 2),
        "rows_per_s": round(participants / seconds), "created": result.created, "cpu_s": round(cpu, 2),
        "rows_per_cpu_s": round(participants / cpu),
    }  # fmt: skip

    started, cpu = time.perf_counter(), time.process_time()
    result = wage_records_import(filename="wages.csv", content=wage_file, user=user, limits=COMMAND_LIMITS)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.ok, result.errors[:5]
    results["wage_records"] = {
        "rows": wages, "bytes": len(wage_file), "seconds": round(seconds, 2),
        "rows_per_s": round(wages / seconds), "created": result.created, "cpu_s": round(cpu, 2),
        "rows_per_cpu_s": round(wages / cpu),
    }  # fmt: skip

    timings, cpu_times = [], []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        frame = wioa_frame()
        timings.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
    results["indicators"] = {
        "seconds": [round(t, 2) for t in timings],
        "median_s": round(sorted(timings)[1], 2),
        "cpu_s": [round(t, 2) for t in cpu_times],
        "rows": len(frame),
        "partnerships": int(frame["partnership_id"].nunique()),
    }
    return results


def run(console: Console, *, participants: int = PARTICIPANTS, wages: int = WAGES) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sectorwise-outcomes-") as work:
        env = {
            **os.environ,
            "SECTORWISE_DATA_DIR": work,
            "DJANGO_SETTINGS_MODULE": "sectorwise.web.settings",
            "SECTORWISE_PII_KEY": "ab" * 32,
        }
        env.pop("DATABASE_URL", None)
        load_before = os.getloadavg()[0]
        output = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.outcomes_imports",
                "--child",
                work,
                str(participants),
                str(wages),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(output.strip().splitlines()[-1])
    figures["load_average_at_start"] = load_before
    figures["load_average_at_end"] = os.getloadavg()[0]
    figures["cpus"] = os.cpu_count()
    table = Table(
        title=f"Outcomes: {participants:,} participants, {wages:,} wage records", header_style="bold"
    )
    for column in ("measurement", "seconds (CPU)", "rows/s (per CPU second)", "target"):
        table.add_column(column)
    for name in ("participants", "wage_records"):
        figure = figures[name]
        met = "met" if figure["rows_per_s"] >= 50_000 else "missed at this load"
        table.add_row(
            f"import {name}",
            f"{figure['seconds']} ({figure['cpu_s']})",
            f"{figure['rows_per_s']:,} ({figure['rows_per_cpu_s']:,})",
            f">= 50,000 ({met})",
        )
    indicators = figures["indicators"]
    met = "met" if indicators["median_s"] <= 5 else "missed at this load"
    table.add_row(
        f"indicators, every partnership ({indicators['rows']:,} rows)",
        f"{indicators['median_s']} (median of {', '.join(map(str, indicators['seconds']))}; CPU "
        f"{', '.join(map(str, indicators['cpu_s']))})",
        "",
        f"<= 5 s ({met})",
    )
    table.caption = (
        f"{figures['cpus']} CPUs, load average {load_before:.1f} -> {figures['load_average_at_end']:.1f}"
    )
    console.print(table)
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
    else:
        arguments = [int(value) for value in sys.argv[1:3]]
        run(Console(), **dict(zip(("participants", "wages"), arguments, strict=False)))
