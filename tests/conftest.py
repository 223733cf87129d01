"""Shared fixtures: real public data read in place from ../shared/data, and a per-test data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_path(*parts: str) -> Path:
    """A path under ../shared/data; skips the test locally when it is missing, fails it under CI=true."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"real data not found: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_data() -> Path:
    return shared_data_path()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own SECTORWISE_DATA_DIR: nothing leaks into the user's real warehouse."""
    data_dir = tmp_path_factory.mktemp("sectorwise-data")
    monkeypatch.setenv("SECTORWISE_DATA_DIR", str(data_dir))
    return data_dir


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test`` runs two workers), keep together what shares a costly start-up:
    the Spark tests (one JVM per worker otherwise) and the accessibility walk (its personas skip the pages
    another persona of the same kind has checked, which only works within one process)."""
    for item in items:
        if item.get_closest_marker("spark"):
            item.add_marker(pytest.mark.xdist_group("spark"))
        elif item.path.name == "test_accessibility.py":
            item.add_marker(pytest.mark.xdist_group("accessibility"))
