"""Production fails closed: `sectorwise serve` refuses DEBUG and the development key; forwarded headers are
believed only behind a declared proxy; oversized requests get 413; the API is rate-limited."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from sectorwise.web.commands import _is_loopback_bind, gunicorn_command
from sectorwise.web.env import proxy_settings
from tests.web.factories import TEST_PASSWORD
from tests.web.personas import Personas

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_KEY = "k" * 20 + "-production-secret-for-the-serve-tests-only-" + "z" * 20


def _clean_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any Sectorwise or Django setting: what a fresh shell has."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECTORWISE_", "DJANGO_")) and key != "DATABASE_URL"
    }
    return environment | {"SECTORWISE_DATA_DIR": str(tmp_path)} | extra


def _sectorwise(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The timeout only stops a test that failed by starting a server: a refusal returns in a few seconds.
    return subprocess.run(
        [sys.executable, "-c", "from sectorwise.cli import main; main()", *args],
        env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- `sectorwise serve` ---------------------------------------------------------------------------------


def test_serve_refuses_to_start_with_nothing_set(tmp_path: Path) -> None:
    """The reported fail-open: no SECTORWISE_DEBUG meant DEBUG on with the public key, served to anyone."""
    port = _free_port()
    result = _sectorwise(["serve", "--bind", f"127.0.0.1:{port}"], _clean_environment(tmp_path))
    assert result.returncode != 0
    assert "refuses to start" in result.stderr
    assert "DEBUG is on" in result.stderr and "development one" in result.stderr
    assert "sectorwise demo" in result.stderr and "--local-trial" in result.stderr
    assert "Listening at" not in result.stdout + result.stderr  # gunicorn never started


def test_serve_refuses_debug_even_with_a_real_key(tmp_path: Path) -> None:
    environment = _clean_environment(tmp_path, SECTORWISE_SECRET_KEY=PRODUCTION_KEY)
    result = _sectorwise(["serve", "--bind", f"127.0.0.1:{_free_port()}"], environment)
    assert result.returncode != 0
    assert "DEBUG is on" in result.stderr and "development one" not in result.stderr


def test_a_local_trial_refuses_an_address_other_machines_reach(tmp_path: Path) -> None:
    result = _sectorwise(
        ["serve", "--local-trial", "--bind", f"0.0.0.0:{_free_port()}"], _clean_environment(tmp_path)
    )
    assert result.returncode != 0
    assert "--local-trial serves only on this machine" in result.stderr


@pytest.mark.parametrize(
    ("bind", "loopback"),
    [
        ("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True), ("127.0.0.2:80", True),
        ("unix:/run/sectorwise.sock", True), ("0.0.0.0:8000", False), ("[::]:8000", False),
        (":8000", False), ("192.0.2.10:8000", False), ("sectorwise.example.gov:80", False), ("", False),
    ],
)  # fmt: skip
def test_only_loopback_binds_count_as_local(bind: str, loopback: bool) -> None:
    assert _is_loopback_bind(bind) is loopback


def test_a_local_trial_serves_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    environment = _clean_environment(tmp_path) | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from sectorwise.cli import main; main()",
         "serve", "--local-trial", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=environment, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=20
                ) as response:
                    assert response.status == 200
                    assert "Content-Security-Policy" in response.headers
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_gunicorn_limits_the_request_head_and_time() -> None:
    command = gunicorn_command(bind="127.0.0.1:8000", workers=1, threads=1, timeout=45)
    options = dict(zip(command[4::2], command[5::2], strict=False))
    assert options["--timeout"] == "45"
    assert options["--limit-request-line"] == "4094"
    assert options["--limit-request-fields"] == "100"
    assert options["--limit-request-field_size"] == "8190"


# --- forwarded headers ---------------------------------------------------------------------------------


def _production_check(tmp_path: Path, code: str, **extra: str) -> str:
    environment = _clean_environment(
        tmp_path,
        SECTORWISE_DEBUG="false",
        SECTORWISE_SECRET_KEY=PRODUCTION_KEY,
        SECTORWISE_PII_KEY="ab" * 32,  # the outcomes app refuses to start without its identifier key
        SECTORWISE_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="sectorwise.web.settings",
        **extra,
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


_HTTPS_CLAIM = (
    "from django.test import Client, RequestFactory; "
    "claim = {'X-Forwarded-Proto': 'https'}; "
    "print(RequestFactory().get('/', headers=claim).is_secure(), "
    "Client().get('/accounts/login/', headers=claim).status_code)"
)


def test_a_client_cannot_claim_https_without_a_trusted_proxy(tmp_path: Path) -> None:
    """Production settings believed X-Forwarded-Proto from anyone: a plain-HTTP client could pass for HTTPS
    (and skip the redirect to it) by sending the header."""
    assert _production_check(tmp_path, _HTTPS_CLAIM) == "False 301"  # still redirected to HTTPS


def test_behind_a_declared_proxy_its_https_header_is_believed(tmp_path: Path) -> None:
    code = (
        "from django.test import RequestFactory; "
        "print(RequestFactory().get('/', headers={'X-Forwarded-Proto': 'https'}).is_secure())"
    )
    assert _production_check(tmp_path, code, SECTORWISE_TRUSTED_PROXY="1") == "True"


def test_a_mistyped_proxy_setting_stops_the_process(tmp_path: Path) -> None:
    environment = _clean_environment(tmp_path, SECTORWISE_TRUSTED_PROXY="nginx")
    result = _sectorwise(["manage", "check"], environment)
    assert result.returncode != 0
    assert "SECTORWISE_TRUSTED_PROXY" in result.stderr


def _fail_sign_ins(client: Client, times: int, forwarded_for: str) -> None:
    for attempt in range(times):
        client.post(
            reverse("accounts:login"),
            {"username": "viewer", "password": "wrong"},
            headers={"X-Forwarded-For": forwarded_for.format(attempt=attempt)},
        )


def _sign_in_status(client: Client, forwarded_for: str) -> int:
    response = client.post(
        reverse("accounts:login"),
        {"username": "viewer", "password": TEST_PASSWORD},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_change_the_lockout_key(personas: Personas) -> None:
    client = Client()
    _fail_sign_ins(client, 5, "198.51.100.{attempt}")  # a new address claimed for every attempt
    assert _sign_in_status(client, "203.0.113.99") == 429  # still locked: the key is REMOTE_ADDR


@pytest.mark.django_db
def test_behind_a_proxy_the_client_is_the_address_the_proxy_appended(personas: Personas) -> None:
    """One proxy (nginx appending to X-Forwarded-For): the right-most entry is the client; entries the
    client wrote in front of it are ignored."""
    with override_settings(**proxy_settings(1)):
        attacker = Client(REMOTE_ADDR="10.0.0.2")
        _fail_sign_ins(attacker, 5, "198.51.100.{attempt}, 203.0.113.7")
        assert _sign_in_status(attacker, "192.0.2.1, 203.0.113.7") == 429
        assert _sign_in_status(Client(REMOTE_ADDR="10.0.0.2"), "203.0.113.8") == 302  # another client


# --- request sizes -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversized_api_body_is_refused_with_413(personas: Personas, settings: object) -> None:
    from django.conf import settings as django_settings

    body = json.dumps({"name": "x" * django_settings.SECTORWISE_MAX_BODY_BYTES})
    response = Client().post(
        "/api/organizations",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {personas.staff_token}"},
    )
    assert response.status_code == 413
    assert "SECTORWISE_MAX_BODY_KB" in response.json()["detail"]


@pytest.mark.django_db
@override_settings(SECTORWISE_MAX_UPLOAD_BYTES=1024 * 1024)
def test_an_oversized_import_file_is_refused_with_413(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.staff)
    upload = SimpleUploadedFile("organizations.csv", b"name,type\n" + b"x,employer\n" * 100_000, "text/csv")
    response = client.post(reverse("partnerships:import"), {"kind": "organizations", "file": upload})
    assert response.status_code == 413
    assert b"SECTORWISE_MAX_UPLOAD_MB" in response.content


@pytest.mark.django_db
def test_a_form_with_too_many_fields_is_refused_with_400(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.staff)
    fields = {f"field{number}": "x" for number in range(1001)}
    response = client.post(reverse("partnerships:organization_create"), fields)
    assert response.status_code == 400


# --- API rate limits -----------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(SECTORWISE_API_RATE_USER="3/min")
def test_the_api_answers_429_beyond_the_rate(personas: Personas) -> None:
    cache.clear()
    staff = {"Authorization": f"Bearer {personas.staff_token}"}
    client = Client()
    statuses = [client.get("/api/partnerships", headers=staff).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Counted per user: another user's requests are not refused.
    other = Client()
    other.force_login(personas.viewer)
    assert other.get("/api/partnerships").status_code == 200
    cache.clear()
