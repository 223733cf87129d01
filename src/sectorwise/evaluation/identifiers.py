"""Protected person identifiers: a keyed hash of the SSN or state ID, never the number itself.

Participants and UI wage records are linked by ``identifier_hash(raw, key)``: HMAC-SHA256 (RFC 2104,
FIPS 198-1) of the normalised identifier under a secret key, as a 64-character hex digest. Without the key
the hash cannot be reversed by trying all 10^9 SSNs, which a plain SHA-256 could. The same key must hash both
sides; a new key unlinks everything hashed before.

The raw value is kept out of sight on the way: :class:`RawIdentifier` wraps it with a masked ``repr`` and
``str`` and refuses to be pickled, errors (:class:`InvalidIdentifier`) say what is wrong without the value,
and nothing here logs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Final, NoReturn

#: Bytes in a generated key (256 bits, the HMAC-SHA256 block's recommended minimum is the hash length).
KEY_BYTES: Final = 32
_HASH_PATTERN: Final = re.compile(r"[0-9a-f]{64}")
_STRIPPED: Final = str.maketrans("", "", "- \t")
_STATE_ID_MAX: Final = 25
_NEVER_AREAS: Final = frozenset({"000", "666"})


class IdentifierKind(StrEnum):
    """What a raw identifier is: an SSN, a state ID, or ``auto`` (nine digits is an SSN, else a state ID)."""

    SSN = "ssn"
    STATE_ID = "state_id"
    AUTO = "auto"


class InvalidIdentifier(ValueError):
    """A raw identifier that cannot be hashed; the message never contains the value."""


class RawIdentifier:
    """A raw SSN or state ID in memory: its ``repr`` and ``str`` are masked and it cannot be pickled, so it
    does not end up in a log line, a traceback's locals, an error page or a cache by accident."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a raw identifier is a string")
        self._value = value

    def reveal(self) -> str:
        """The raw value, for hashing only."""
        return self._value

    def __repr__(self) -> str:
        return "RawIdentifier(<redacted>)"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a raw identifier is never pickled")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawIdentifier):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((RawIdentifier, self._value))


class PiiKey:
    """The secret key for identifier hashes (at least :data:`KEY_BYTES` bytes), with a masked ``repr``."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError(f"the identifier key must have at least {KEY_BYTES} bytes, got {len(key)}")
        self._key = bytes(key)

    def reveal(self) -> bytes:
        """The key bytes, for HMAC only."""
        return self._key

    def __repr__(self) -> str:
        return "PiiKey(<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("the identifier key is never pickled")


def generate_key_text() -> bytes:
    """A new random key as the text a key file holds: 64 hex digits and a newline (``secrets``)."""
    return secrets.token_hex(KEY_BYTES).encode("ascii") + b"\n"


def key_from_bytes(data: bytes) -> PiiKey:
    """The key from a key file's or an environment variable's bytes.

    Hex text (at least 64 hex digits, surrounding whitespace ignored; what :func:`generate_key_text`
    writes) is decoded; anything else is taken as raw key bytes (e.g. ``head -c 32 /dev/urandom``), which
    must be at least :data:`KEY_BYTES` long. Errors give lengths, never key material.
    """
    text = data.strip()
    if len(text) >= 2 * KEY_BYTES and len(text) % 2 == 0 and all(chr(b) in string.hexdigits for b in text):
        return PiiKey(bytes.fromhex(text.decode("ascii")))
    return PiiKey(data)


def key_from_file(path: Path) -> PiiKey:
    """The key from a key file (see :func:`key_from_bytes`); the error names the file, not its content."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read the identifier key file {path}: {error.strerror}") from None
    try:
        return key_from_bytes(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def _normalised(raw: str, kind: IdentifierKind) -> str:
    value = raw.translate(_STRIPPED).upper()
    if not value:
        raise InvalidIdentifier("empty identifier")
    if kind is IdentifierKind.AUTO:
        kind = IdentifierKind.SSN if len(value) == 9 and value.isdigit() else IdentifierKind.STATE_ID
    if kind is IdentifierKind.SSN:
        _check_ssn(value)
    elif not (value.isascii() and value.isalnum()) or len(value) > _STATE_ID_MAX:
        raise InvalidIdentifier(
            f"a state ID has only letters, digits, dashes and spaces, at most {_STATE_ID_MAX} characters "
            f"(this one has {len(value)} after removing dashes and spaces)"
        )
    return value


def _check_ssn(value: str) -> None:
    """SSA's never-issued numbers: area 000, 666 or 900-999, group 00, serial 0000 (SSA, "Social Security
    Number Randomization", 2011)."""
    if len(value) != 9 or not value.isdigit():
        raise InvalidIdentifier(f"an SSN has 9 digits (this one has {len(value)} characters)")
    area, group, serial = value[:3], value[3:5], value[5:]
    if area in _NEVER_AREAS or area.startswith("9"):
        raise InvalidIdentifier("not a valid SSN: the first three digits are 000, 666 or 900-999")
    if group == "00":
        raise InvalidIdentifier("not a valid SSN: the middle two digits are 00")
    if serial == "0000":
        raise InvalidIdentifier("not a valid SSN: the last four digits are 0000")


def normalise_identifier(
    raw: str | RawIdentifier, kind: IdentifierKind = IdentifierKind.AUTO
) -> RawIdentifier:
    """The identifier as hashed: dashes and spaces removed, upper-case; SSNs checked (see
    :class:`IdentifierKind`; a nine-digit state ID must be passed with ``kind=STATE_ID``)."""
    value = raw.reveal() if isinstance(raw, RawIdentifier) else raw
    if not isinstance(value, str):
        raise TypeError("an identifier is a string")
    return RawIdentifier(_normalised(value, IdentifierKind(kind)))


def identifier_hash(
    raw: str | RawIdentifier, key: bytes | PiiKey, kind: IdentifierKind = IdentifierKind.AUTO
) -> str:
    """HMAC-SHA256 of the normalised identifier (:func:`normalise_identifier`) under ``key``, hex digest.

    Reference: RFC 2104 / FIPS 198-1 (HMAC), FIPS 180-4 (SHA-256). Raises :class:`InvalidIdentifier` (its
    message never holds the value) for an empty identifier, an SSN SSA never issues, or a state ID with
    other characters than letters and digits.
    """
    secret = key.reveal() if isinstance(key, PiiKey) else PiiKey(key).reveal()
    normalised = normalise_identifier(raw, kind).reveal()
    return hmac.new(secret, normalised.encode("ascii"), hashlib.sha256).hexdigest()


def identifier_hasher(key: bytes | PiiKey) -> Callable[[str], str]:
    """:func:`identifier_hash` under one ``key`` (kind ``auto``) for hashing many identifiers: the same
    normalisation and errors, and the HMAC's inner and outer SHA-256 states (RFC 2104:
    ``H(K ^ opad || H(K ^ ipad || text))``, the key hashed first when longer than the block) computed once
    and copied per identifier instead of the key schedule per call. The same digests (tests/evaluation)."""
    secret = key.reveal() if isinstance(key, PiiKey) else PiiKey(key).reveal()
    block = hashlib.sha256().block_size
    if len(secret) > block:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in secret))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in secret))
    del secret
    auto = IdentifierKind.AUTO

    def hash_of(raw: str) -> str:
        if not isinstance(raw, str):
            raise TypeError("an identifier is a string")
        value = raw.translate(_STRIPPED).upper()
        # What _normalised accepts unchanged, inlined: an SSN SSA issues, or a state ID of at most 25 ASCII
        # letters and digits (not nine digits); anything else through _normalised, which says what is wrong.
        if not (
            value.isascii()
            and value.isalnum()
            and len(value) <= _STATE_ID_MAX
            and (
                len(value) != 9
                or not value.isdigit()
                or (
                    value[:3] not in _NEVER_AREAS
                    and value[0] != "9"
                    and value[3:5] != "00"
                    and value[5:] != "0000"
                )
            )
        ):
            value = _normalised(raw, auto)
        text = inner.copy()
        text.update(value.encode("ascii"))
        keyed = outer.copy()
        keyed.update(text.digest())
        return keyed.hexdigest()

    return hash_of


def is_identifier_hash(value: str) -> bool:
    """True when ``value`` looks like an :func:`identifier_hash` (64 lower-case hex digits)."""
    return bool(_HASH_PATTERN.fullmatch(value))
