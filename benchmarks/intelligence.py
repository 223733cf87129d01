"""Warm page times of the intelligence pages on the synthetic demo warehouse, with Django's test client.

A fresh process with its own data directory: the demo warehouse is built there (``prepare_demo_lmi``, ~15 s),
the database migrated, one user signed in. Each page is requested once to warm it (Ibis builds and compiles
its queries, the ranking's candidates are computed) and then ``REPEATS`` times; the median and the worst
are reported against the issue's target (300 ms). DEBUG off (no query log), and no test-environment
instrumentation of the templates (``setup_test_environment`` would copy every template context).

    python -m benchmarks --only intelligence
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.table import Table

REPEATS: Final = 15
TARGET_SECONDS: Final = 0.3
#: The demo's largest labour market, Alder Valley's core counties (the demo region is drawn from them).
COUNTIES: Final = ("91001", "91003", "91005")


def _pages() -> list[tuple[str, str]]:
    counties = "&".join(f"counties={c}" for c in COUNTIES)
    return [
        ("explorer, sectors", f"/intelligence/?{counties}&level=sector"),
        ("explorer, 4-digit industries", f"/intelligence/?{counties}&level=naics4"),
        ("explorer, 6-digit industries", f"/intelligence/?{counties}&level=naics6"),
        ("ranking, default weights", f"/intelligence/ranking/?{counties}&level=naics4"),
        ("ranking, a weight moved (htmx)", f"/intelligence/ranking/?{counties}&level=naics4&w_size=3"),
    ]


def _child(work: Path) -> dict[str, Any]:
    import time

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from rich.console import Console as Quiet

    from sectorwise.demo.lmi_demo import prepare_demo_lmi

    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    warehouse = prepare_demo_lmi(data_dir=work, console=Quiet(quiet=True))
    settings.SECTORWISE_WAREHOUSE = warehouse
    from sectorwise.accounts.models import User

    user = User.objects.create_user("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    results: dict[str, Any] = {}
    for name, url in _pages():
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ranking-results"} if "htmx" in name else {}
        started = time.perf_counter()
        first = client.get(url, **headers)
        cold = time.perf_counter() - started
        assert first.status_code == 200, (url, first.status_code)
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            response = client.get(url, **headers)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        results[name] = {
            "url": url,
            "first_seconds": round(cold, 3),
            "warm_median_seconds": round(statistics.median(times), 3),
            "warm_max_seconds": round(max(times), 3),
            "bytes": len(response.content),
        }
    return results


def run(console: Console) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sectorwise-intelligence-") as work:
        env = {**os.environ, "SECTORWISE_DATA_DIR": work, "DJANGO_SETTINGS_MODULE": "sectorwise.web.settings"}
        env.pop("DATABASE_URL", None)
        env.pop("SECTORWISE_WAREHOUSE", None)
        load_before = os.getloadavg()[0]
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.intelligence", "--child", work],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pages = json.loads(output.strip().splitlines()[-1])
    load_after = os.getloadavg()[0]
    table = Table(title=f"Intelligence pages, demo warehouse, {len(COUNTIES)} counties", header_style="bold")
    for column in ("page", "first request", "warm median", "warm worst", "target"):
        table.add_column(column)
    for name, figure in pages.items():
        table.add_row(
            name,
            f"{figure['first_seconds']:.3f} s",
            f"{figure['warm_median_seconds']:.3f} s",
            f"{figure['warm_max_seconds']:.3f} s",
            "met" if figure["warm_median_seconds"] <= TARGET_SECONDS else "MISSED",
        )
    table.caption = (
        f"Django test client, {REPEATS} warm requests each; target <= {TARGET_SECONDS * 1000:.0f} ms warm; "
        f"load average {load_before:.1f} -> {load_after:.1f}"
    )
    console.print(table)
    return {"pages": pages, "load_average_at_start": load_before, "load_average_at_end": load_after}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_child(Path(sys.argv[2]))))
    else:
        run(Console())
