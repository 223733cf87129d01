"""The command line starts without the heavy libraries, and its lazy command lists tell the truth."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import typer.main

from sectorwise.cli import app
from sectorwise.lmi.commands.lazy import LazyGroup

HEAVY = ("ibis", "pandas", "scipy", "pyarrow", "duckdb", "django", "openpyxl", "vl_convert")


def _imported_by(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stderr
    return {name.split(".")[0] for name in out.split()}


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _imported_by("import sectorwise.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_lmi_help_loads_no_heavy_library() -> None:
    code = (
        "from sectorwise.cli import app\nimport typer.main\n"
        "try:\n    typer.main.get_command(app)(['lmi', '--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = _imported_by(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_command_help_loads_neither_ibis_nor_pandas_nor_scipy() -> None:
    code = (
        "from sectorwise.cli import app\nimport typer.main\n"
        "try:\n    typer.main.get_command(app)(['lmi', 'measures', '--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = _imported_by(code)
    assert not loaded & {"ibis", "pandas", "scipy", "django"}, sorted(loaded & {"ibis", "pandas", "scipy"})


def _lazy_groups(group: Any) -> list[LazyGroup]:
    found = [group] if isinstance(group, LazyGroup) else []
    for name in group.list_commands(None):
        sub = group.get_command(None, name)
        if hasattr(sub, "list_commands"):
            found += _lazy_groups(sub)
    return found


def test_every_lazy_one_liner_is_the_command_s_own_help() -> None:
    groups = _lazy_groups(typer.main.get_command(app))
    assert len(groups) == 2  # `sectorwise` and `sectorwise lmi`
    for group in groups:
        for name, entry in group.lazy.items():
            command = group.get_command(None, name)
            assert command is not None, name
            first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
            assert entry.help == first_paragraph, name


def test_the_demo_port_can_come_from_sectorwise_port(monkeypatch: Any) -> None:
    monkeypatch.setenv("SECTORWISE_PORT", "8001")
    demo = typer.main.get_command(app).get_command(None, "demo")  # type: ignore[attr-defined]
    assert demo.make_context("demo", []).params["port"] == 8001
