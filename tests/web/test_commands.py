"""`sectorwise demo` refuses production settings; `sectorwise manage` reaches Django's commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _sectorwise(
    args: list[str], extra_env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("SECTORWISE_") and k != "DATABASE_URL"
    }
    environment |= {"SECTORWISE_DATA_DIR": str(tmp_path)} | extra_env
    return subprocess.run(
        [sys.executable, "-c", "from sectorwise.cli import main; main()", *args],
        env=environment, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def test_the_demo_refuses_to_run_with_debug_off(tmp_path: Path) -> None:
    result = _sectorwise(
        ["demo", "--no-serve"],
        {
            "SECTORWISE_DEBUG": "false",
            "SECTORWISE_SECRET_KEY": "p" * 60,
            "SECTORWISE_PII_KEY": "ab" * 32,  # else the outcomes app refuses first
            "SECTORWISE_ALLOWED_HOSTS": "x.example",
        },
        tmp_path,
    )
    assert result.returncode == 1
    assert "runs only in development" in result.stdout
    assert not (tmp_path / "sectorwise.sqlite3").exists()


def test_manage_runs_django_commands(tmp_path: Path) -> None:
    result = _sectorwise(["manage", "showmigrations", "partnerships"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0001_initial" in result.stdout
