"""The key for participants' identifier hashes, and hashing a raw identifier as it arrives.

The raw SSN or state ID exists only between a form's or an import's field and ``person_key_of``: it is
wrapped in a ``RawIdentifier`` (masked ``repr``, never pickled) and hashed at once, so that it never reaches
the database, the logs, an export, an error message or the history tables.

The key comes from ``SECTORWISE_PII_KEY_FILE`` (a file) or ``SECTORWISE_PII_KEY`` (64+ hex digits or 32+
bytes). In development (DEBUG on) without either, a key is generated once into the data directory
(``pii.key``, mode 600); production refuses to start without one (``OutcomesConfig.ready``). A new key
unlinks every hash made with the old one, so the key is kept and backed up like the database.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sectorwise.evaluation.identifiers import (
    IdentifierKind,
    PiiKey,
    RawIdentifier,
    generate_key_text,
    identifier_hash,
    key_from_bytes,
    key_from_file,
)

DEMO_KEY_NAME: Final = "pii.key"


def key_configured() -> bool:
    return bool(
        getattr(settings, "SECTORWISE_PII_KEY", "") or getattr(settings, "SECTORWISE_PII_KEY_FILE", None)
    )


def pii_key() -> PiiKey:
    """The identifier key from the settings (see the module's notes); ImproperlyConfigured without one."""
    return _key(
        str(getattr(settings, "SECTORWISE_PII_KEY_FILE", None) or ""),
        bool(getattr(settings, "SECTORWISE_PII_KEY", "")),
        bool(getattr(settings, "SECTORWISE_PII_DEMO_KEY", False)),
        str(settings.DATA_DIR),
    )


@functools.lru_cache(maxsize=4)
def _key(key_file: str, from_environment: bool, demo: bool, data_dir: str) -> PiiKey:
    # The key text itself is not an argument: lru_cache would keep it in its table of arguments.
    if from_environment:
        try:
            return key_from_bytes(str(settings.SECTORWISE_PII_KEY).encode())
        except ValueError as error:
            raise ImproperlyConfigured(f"SECTORWISE_PII_KEY: {error}") from None
    if key_file:
        try:
            return key_from_file(Path(key_file))
        except ValueError as error:
            raise ImproperlyConfigured(f"SECTORWISE_PII_KEY_FILE: {error}") from None
    if not demo:
        raise ImproperlyConfigured(
            "SECTORWISE_PII_KEY_FILE (or SECTORWISE_PII_KEY) is required when SECTORWISE_DEBUG is off: "
            "participants' identifiers are stored only as hashes under that key"
        )
    return key_from_file(_demo_key_file(Path(data_dir)))


def _demo_key_file(data_dir: Path) -> Path:
    path = data_dir / DEMO_KEY_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path
        with os.fdopen(descriptor, "wb") as file:
            file.write(generate_key_text())
    return path


def person_key_of(raw: str | RawIdentifier, kind: IdentifierKind = IdentifierKind.AUTO) -> str:
    """The stored identifier of a participant: HMAC-SHA256 of the normalised SSN or state ID under the
    key. Raises ``InvalidIdentifier`` (its message never holds the value)."""
    return identifier_hash(raw, pii_key(), kind)
