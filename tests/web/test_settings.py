"""The settings module: environment helpers fail loudly; production refuses unsafe configurations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sectorwise.web import env

PRODUCTION_KEY = "k" * 20 + "-production-secret-for-the-settings-tests-only-" + "z" * 20


def _run_manage(
    args: list[str], extra_env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if (not key.startswith("SECTORWISE_") or key == "SECTORWISE_NODE_MODULES")
        and key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment |= {"SECTORWISE_DATA_DIR": str(tmp_path)} | extra_env
    return subprocess.run(
        [sys.executable, "-m", "sectorwise.web.manage", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("raw", ["ture", "2", "enabled"])
def test_a_mistyped_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("SECTORWISE_SOMETHING", raw)
    with pytest.raises(ImproperlyConfigured, match="SECTORWISE_SOMETHING"):
        env.env_bool("SECTORWISE_SOMETHING", False)


def test_booleans_integers_and_lists_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A_BOOL", "Off")
    monkeypatch.setenv("AN_INT", "42")
    monkeypatch.setenv("A_LIST", "a.example, b.example,,")
    assert env.env_bool("A_BOOL", True) is False
    assert env.env_int("AN_INT", 0) == 42
    assert env.env_list("A_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("AN_INT", "forty")
    with pytest.raises(ImproperlyConfigured, match="AN_INT"):
        env.env_int("AN_INT", 0)


def test_a_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.delenv("MY_SECRET", raising=False)
    monkeypatch.setenv("MY_SECRET_FILE", str(secret))
    assert env.env_str("MY_SECRET") == "s3cret"
    monkeypatch.setenv("MY_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="MY_SECRET_FILE"):
        env.env_str("MY_SECRET")


def test_argon2_hashes_passwords_first() -> None:
    import sectorwise.web.settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sqlite_runs_in_wal_mode_by_default() -> None:
    import sectorwise.web.settings as production_settings

    if production_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("DATABASE_URL names another database")
    assert "journal_mode=WAL" in production_settings.DATABASES["default"]["OPTIONS"]["init_command"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _run_manage(["check"], {"SECTORWISE_DEBUG": "false"}, tmp_path)
    assert result.returncode != 0
    assert "SECTORWISE_SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = _run_manage(["check"], {"SECTORWISE_DEBUG": "false", "SECTORWISE_SECRET_KEY": "short"}, tmp_path)
    assert result.returncode != 0
    assert "at least 50" in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = _run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "SECTORWISE_DEBUG": "false",
            "SECTORWISE_SECRET_KEY": PRODUCTION_KEY,
            "SECTORWISE_PII_KEY": "ab" * 32,  # the outcomes app refuses to start without it
            "SECTORWISE_ALLOWED_HOSTS": "sectorwise.example.gov",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
