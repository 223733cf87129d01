"""API tokens expire by default (SECTORWISE_API_TOKEN_DAYS); one that never expires must be asked for."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from sectorwise.accounts.models import ApiToken
from sectorwise.accounts.services import NEVER, api_token_create
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _days_left(token: ApiToken) -> float:
    assert token.expires_at is not None, "the token never expires"
    return (token.expires_at - timezone.now()) / dt.timedelta(days=1)


def test_a_token_expires_after_90_days_unless_told_otherwise(personas: Personas) -> None:
    token, _ = api_token_create(user=personas.viewer, name="export")
    assert 89.9 < _days_left(token) <= 90
    with override_settings(SECTORWISE_API_TOKEN_DAYS=7):
        token, _ = api_token_create(user=personas.viewer, name="export")
    assert 6.9 < _days_left(token) <= 7


def test_a_token_that_never_expires_is_only_made_when_asked_for(personas: Personas) -> None:
    token, _ = api_token_create(user=personas.viewer, name="forever", expires_at=NEVER)
    assert token.expires_at is None
    with pytest.raises(ValueError, match="NEVER"):
        api_token_create(user=personas.viewer, name="typo", expires_at="never ever")


def test_the_command_uses_the_setting_and_days_0_means_never(personas: Personas) -> None:
    with override_settings(SECTORWISE_API_TOKEN_DAYS=30):
        call_command("create_api_token", "viewer", "--name", "default", stdout=StringIO())
    assert 29.9 < _days_left(ApiToken.objects.get(name="default")) <= 30
    call_command("create_api_token", "viewer", "--name", "forever", "--days", "0", stdout=StringIO())
    assert ApiToken.objects.get(name="forever").expires_at is None


def _settings_in_a_fresh_process(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SECTORWISE_")}
    environment |= {"SECTORWISE_DATA_DIR": str(tmp_path), **env}
    code = "import sectorwise.web.settings as s; print(s.SESSION_COOKIE_AGE, s.SECTORWISE_API_TOKEN_DAYS)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_settings_read_the_lifetimes_from_the_environment(tmp_path: Path) -> None:
    assert _settings_in_a_fresh_process(tmp_path).stdout.split() == [str(12 * 3600), "90"]
    configured = _settings_in_a_fresh_process(
        tmp_path, SECTORWISE_SESSION_HOURS="8", SECTORWISE_API_TOKEN_DAYS="30"
    )
    assert configured.stdout.split() == [str(8 * 3600), "30"]
    refused = _settings_in_a_fresh_process(tmp_path, SECTORWISE_API_TOKEN_DAYS="0")
    assert refused.returncode != 0 and "SECTORWISE_API_TOKEN_DAYS" in refused.stderr
