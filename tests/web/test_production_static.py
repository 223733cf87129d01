"""Production static files: collectstatic succeeds with the production storage, a missing source map does
not break it, and `sectorwise serve` (gunicorn, DEBUG off) serves a page and a collected static file."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from sectorwise.web.staticstorage import SourceMapTolerantStorage

ROOT = Path(__file__).resolve().parents[2]


def _production_environment(tmp: Path, settings_module: str) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("SECTORWISE_") and k != "DATABASE_URL"
    }
    return environment | {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SECTORWISE_DEBUG": "false",
        "SECTORWISE_SECRET_KEY": secrets.token_urlsafe(64),
        "SECTORWISE_PII_KEY": secrets.token_hex(32),  # the outcomes app refuses to start without it
        "SECTORWISE_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "SECTORWISE_HSTS_SECONDS": "0",
        "SECTORWISE_DATA_DIR": str(tmp / "data"),
        "SECTORWISE_STATIC_ROOT": str(tmp / "static"),
        "SECTORWISE_NODE_MODULES": str(settings.NODE_MODULES),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages' and apps' static files collected with production settings (manifest, hashes)."""
    if not Path(settings.NODE_MODULES, "@uswds").exists():
        pytest.skip(f"{settings.NODE_MODULES} missing: run `make install`")
    tmp = tmp_path_factory.mktemp("production")
    result = subprocess.run(
        [sys.executable, "-m", "sectorwise.web.manage", "collectstatic", "--noinput"],
        env=_production_environment(tmp, "tests.web.production_collect_settings"),
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp


def test_collectstatic_succeeds_with_production_settings(collected: Path) -> None:
    manifest = (collected / "static" / "staticfiles.json").read_text(encoding="utf-8")
    assert '"uswds/css/uswds.min.css"' in manifest
    # The source maps are collected, and the built files name their hashed copies.
    css = next((collected / "static" / "uswds" / "css").glob("uswds.min.*.css")).read_text(encoding="utf-8")
    assert "sourceMappingURL=uswds.min.css." in css
    assert "sourceMappingURL=uswds.min.css.map " not in css


def test_a_missing_source_map_leaves_the_reference_and_collects(tmp_path: Path) -> None:
    storage = SourceMapTolerantStorage(location=tmp_path, base_url="/static/")
    storage.save("pkg/app.min.css", ContentFile(b"a{color:red}\n/*# sourceMappingURL=app.min.css.map */\n"))
    storage.save("pkg/app.min.js", ContentFile(b"var a=1;\n//# sourceMappingURL=app.min.js.map\n"))
    processed = list(storage.post_process({"pkg/app.min.css": (storage, "pkg/app.min.css"),
                                           "pkg/app.min.js": (storage, "pkg/app.min.js")}))  # fmt: skip
    assert not [error for _, _, error in processed if isinstance(error, Exception)]
    css = storage.open(storage.stored_name("pkg/app.min.css")).read().decode()
    assert "sourceMappingURL=app.min.css.map" in css


def test_a_missing_image_still_fails(tmp_path: Path) -> None:
    storage = SourceMapTolerantStorage(location=tmp_path, base_url="/static/")
    storage.save("pkg/site.css", ContentFile(b"a{background:url(missing.png)}\n"))
    processed = list(storage.post_process({"pkg/site.css": (storage, "pkg/site.css")}))
    assert any(isinstance(error, Exception) for _, _, error in processed)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(collected: Path) -> Iterator[str]:
    """`sectorwise serve` with production settings over the collected files (no migrations: the sign-in
    page reads no table)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from sectorwise.cli import main; main()",
         "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=_production_environment(collected, "sectorwise.web.settings"),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    host = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                # The first request waits for the worker to import Django and index the static files.
                urllib.request.urlopen(f"{host}/accounts/login/", timeout=20).close()
                break
            except OSError:  # refused while gunicorn binds, or a timeout on a busy machine
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield host
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_serve_answers_a_page_and_a_static_file(served: str) -> None:
    with urllib.request.urlopen(f"{served}/accounts/login/", timeout=10) as response:
        page = response.read().decode()
    assert response.status == 200
    css_url = next(part.split('"')[0] for part in page.split('href="') if "uswds.min." in part.split('"')[0])
    assert css_url.startswith("/static/uswds/css/uswds.min.") and css_url != "/static/uswds/css/uswds.min.css"
    request = urllib.request.Request(served + css_url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert "immutable" in response.headers.get("Cache-Control", "")  # whitenoise: hashed names
        assert len(response.read()) > 100_000
