"""Start-up of the command line: the median wall time of `sectorwise --help`, `sectorwise lmi --help` and
`sectorwise lmi measures --help`, each run in a fresh interpreter (issue 13's targets: 0.5 s, 0.5 s, 1 s).

A timing, so a benchmark and not a test; tests/lmi/test_cli_startup.py checks instead which heavy libraries
each of these imports (none for the first two; neither ibis nor pandas nor SciPy for a command's help).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any, Final

from rich.console import Console
from rich.table import Table

COMMANDS: Final = (
    (("--help",), 0.5),
    (("lmi", "--help"), 0.5),
    (("lmi", "measures", "--help"), 1.0),
)
_ENTRY: Final = "from sectorwise.cli import main; main()"


def _seconds(arguments: tuple[str, ...]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _ENTRY, *arguments], check=True, capture_output=True, env=None)
    return time.perf_counter() - started


def run(console: Console, *, runs: int = 7) -> dict[str, Any]:
    _seconds(("--help",))  # warm the file cache and the bytecode
    bare = statistics.median(_timed([sys.executable, "-c", "pass"]) for _ in range(runs))
    rows = []
    for arguments, target in COMMANDS:
        times = [_seconds(arguments) for _ in range(runs)]
        rows.append(
            {
                "command": "sectorwise " + " ".join(arguments),
                "median_s": round(statistics.median(times), 3),
                "min_s": round(min(times), 3),
                "target_s": target,
            }
        )
    table = Table(title=f"Command-line start-up, median of {runs} runs", header_style="bold")
    for column in ("command", "median s", "min s", "target s"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["command"], f"{row['median_s']:.2f}", f"{row['min_s']:.2f}", f"{row['target_s']:.1f}"
        )
    table.caption = f"a bare `python -c pass` takes {bare:.2f} s here"
    console.print(table)
    return {"runs": runs, "bare_python_s": round(bare, 3), "commands": rows}


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started
