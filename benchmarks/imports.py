"""Import speed: 50,000 organisations and 50,000 memberships from CSV and XLSX into a scratch database.

``python -m benchmarks --only imports`` (or ``python -m benchmarks.imports``). The files are built in a temp
directory; the registry is a scratch SQLite file there (Django configured in a child process, like
``web_load_seed``). Each import is timed end to end (reading, checks, writes with history) with DEBUG off.
Target: >= 5,000 rows/s for organisations and memberships; the previous implementation took 41.8 s for
50,000 rows (1,196 rows/s) in one request.
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

ROWS: Final = 50_000
PARTNERSHIPS: Final = 100
OLD_SECONDS: Final = 41.8


def _child(work: Path, rows: int) -> dict[str, Any]:
    """Runs in a fresh process with SECTORWISE_DATA_DIR=work."""
    import csv
    import io
    import time

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # production measures: no query log
    call_command("migrate", verbosity=0, interactive=False)
    from sectorwise.core.tabular.writer import table_to_xlsx
    from sectorwise.directory.models import Organization
    from sectorwise.partnerships import importing
    from sectorwise.partnerships.models import Region, SectorPartnership

    header = ["name", "type", "city", "state", "county_fips", "naics_code", "size_band", "email", "website"]
    organizations = [
        [f"Benchmark Org {n}", "employer", "Columbus", "OH", f"39{(n % 88) * 2 + 1:03d}", "332710",
         str(n % 9 + 1), f"hr{n}@org{n}.example", f"https://org{n}.example"]
        for n in range(rows)
    ]  # fmt: skip
    region = Region.objects.create(name="Benchmark region")
    convener = Organization.objects.create(name="Benchmark board", type="workforce_board")
    partnerships = SectorPartnership.objects.bulk_create(
        SectorPartnership(
            name=f"Benchmark partnership {n}", region=region, convener=convener, stage="exploring"
        )
        for n in range(PARTNERSHIPS)
    )
    members = [
        [partnerships[n % PARTNERSHIPS].pk, f"Benchmark Org {n}", "employer_member", "2025-01-02"]
        for n in range(rows)
    ]
    member_header = ["partnership_id", "organization", "role", "joined_on"]
    files: dict[str, tuple[str, bytes]] = {}
    for kind, (columns, data) in {
        "organizations": (header, organizations),
        "memberships": (member_header, members),
    }.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(data)
        files[f"{kind}.csv"] = (kind, buffer.getvalue().encode())
        files[f"{kind}.xlsx"] = (kind, table_to_xlsx(columns, data, sheet=kind))
    results: dict[str, Any] = {}
    # CSV first (creates the records), then XLSX: the same rows again, so organisations are refused as
    # duplicate names after being read and checked (reading and checks, no writes) and memberships are
    # updated (their role and date written again, with history).
    order = ["organizations.csv", "memberships.csv", "organizations.xlsx", "memberships.xlsx"]
    for name in order:
        kind, content = files[name]
        (work / name).write_bytes(content)
        service = importing.organizations_import if kind == "organizations" else importing.memberships_import
        started = time.perf_counter()
        result = service(filename=name, content=content, user=None)
        seconds = time.perf_counter() - started
        results[name] = {
            "rows": rows,
            "bytes": len(content),
            "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds),
            "created": result.created,
            "updated": result.updated,
            "refused_rows": len({error.row for error in result.errors}),
        }
    return results


def run(console: Console, *, rows: int = ROWS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sectorwise-imports-") as work:
        env = {**os.environ, "SECTORWISE_DATA_DIR": work, "DJANGO_SETTINGS_MODULE": "sectorwise.web.settings"}
        env.pop("DATABASE_URL", None)
        load_before = os.getloadavg()[0]
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.imports", "--child", work, str(rows)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(output.strip().splitlines()[-1])
    table = Table(title=f"Imports, {rows:,} rows each", header_style="bold")
    for column in ("file", "size", "seconds", "rows/s", "result"):
        table.add_column(column)
    for name, figure in figures.items():
        outcome = (
            f"{figure['created']:,} created, {figure['updated']:,} updated"
            if not figure["refused_rows"]
            else f"{figure['refused_rows']:,} rows refused (duplicates: checks only)"
        )
        table.add_row(
            name, f"{figure['bytes']:,} B", str(figure["seconds"]), f"{figure['rows_per_s']:,}", outcome
        )
    table.caption = (
        f"target >= 5,000 rows/s; before: {OLD_SECONDS} s for 50,000 rows "
        f"({50_000 / OLD_SECONDS:,.0f} rows/s); load average {load_before:.1f} at start"
    )
    console.print(table)
    return {
        "rows": rows,
        "files": figures,
        "old_seconds_50k": OLD_SECONDS,
        "load_average_at_start": load_before,
    }


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        print(json.dumps(_child(Path(sys.argv[2]), int(sys.argv[3]))))
        return
    run(Console(), rows=int(sys.argv[1]) if len(sys.argv) > 1 else ROWS)


if __name__ == "__main__":
    main()
