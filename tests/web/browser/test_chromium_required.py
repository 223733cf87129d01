"""Without Debian's Chromium the browser tests skip locally, naming the package, and fail under CI=true
(`make install` installs the package where it can)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import conftest


def test_missing_chromium_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install Debian's `chromium` package"):
        conftest._require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="install Debian's `chromium` package"):
        conftest._require_chromium()


def test_make_install_provides_chromium() -> None:
    makefile = (Path(__file__).resolve().parents[3] / "Makefile").read_text(encoding="utf-8")
    install = next(line for line in makefile.splitlines() if line.startswith("install:"))
    assert "chromium" in install.split()
    assert "apt-get install -y -qq chromium" in makefile
