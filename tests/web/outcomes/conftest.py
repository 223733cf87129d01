"""A fixed identifier key for the outcomes tests (no demo key written into anyone's data directory)."""

from __future__ import annotations

from typing import Any

import pytest

TEST_PII_KEY = "0123456789abcdef" * 4


@pytest.fixture(autouse=True)
def _pii_key(settings: Any) -> None:
    settings.SECTORWISE_PII_KEY = TEST_PII_KEY
    settings.SECTORWISE_PII_KEY_FILE = None
