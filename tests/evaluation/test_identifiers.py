"""Keyed identifier hashes: HMAC-SHA256 of the normalised SSN or state ID; the raw value never shows."""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import traceback

import pytest

from sectorwise.evaluation import (
    IdentifierKind,
    InvalidIdentifier,
    PiiKey,
    RawIdentifier,
    generate_key_text,
    identifier_hash,
    is_identifier_hash,
    key_from_bytes,
    key_from_file,
)

KEY = bytes(range(32))


def test_hash_is_hmac_sha256_of_the_normalised_value() -> None:
    expected = hmac.new(KEY, b"123456789", hashlib.sha256).hexdigest()
    assert identifier_hash("123-45-6789", KEY) == expected
    assert identifier_hash(" 123 45 6789 ", PiiKey(KEY)) == expected
    assert identifier_hash(RawIdentifier("123456789"), KEY) == expected
    assert identifier_hash("d123-4567-89x", KEY) == hmac.new(KEY, b"D123456789X", hashlib.sha256).hexdigest()
    assert is_identifier_hash(expected)
    assert identifier_hash("123-45-6789", bytes(range(1, 33))) != expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("000-12-3456", "first three"),
        ("666-12-3456", "first three"),
        ("912-34-5678", "first three"),
        ("123-00-4567", "middle two"),
        ("123-45-0000", "last four"),
        ("", "empty"),
        ("12-34", "9 digits"),
    ],
)
def test_invalid_ssns_are_refused_without_the_value(raw: str, reason: str) -> None:
    kind = IdentifierKind.SSN if raw == "12-34" else IdentifierKind.AUTO
    with pytest.raises(InvalidIdentifier, match=reason) as caught:
        identifier_hash(raw, KEY, kind)
    digits = raw.replace("-", "")
    text = "".join(traceback.format_exception(caught.value))
    assert digits == "" or digits not in text
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_a_nine_digit_state_id_can_be_hashed_as_a_state_id() -> None:
    with pytest.raises(InvalidIdentifier):
        identifier_hash("900123456", KEY)
    assert is_identifier_hash(identifier_hash("900123456", KEY, IdentifierKind.STATE_ID))
    with pytest.raises(InvalidIdentifier, match="letters, digits") as caught:
        identifier_hash("AB/12345", KEY)
    assert "AB/12345" not in str(caught.value) and "AB12345" not in str(caught.value)


def test_raw_values_and_keys_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    raw = RawIdentifier("123-45-6789")
    key = PiiKey(KEY)
    logging.getLogger("test").warning("participant %s %r %s", raw, raw, key)
    shown = f"{raw} {raw!r} {raw:>20} {[raw]} {key!r} {key}"
    for text in (shown, caplog.text):
        assert "6789" not in text and "123" not in text
        assert KEY.hex() not in text
    with pytest.raises(TypeError):
        pickle.dumps(raw)
    with pytest.raises(TypeError):
        pickle.dumps(key)
    assert raw == RawIdentifier("123-45-6789") and raw.reveal() == "123-45-6789"


def test_keys_from_bytes_and_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = generate_key_text()
    assert len(text.strip()) == 64
    assert key_from_bytes(text).reveal() == bytes.fromhex(text.decode())
    assert key_from_bytes(b"  " + KEY.hex().encode() + b"\n").reveal() == KEY
    assert key_from_bytes(KEY).reveal() == KEY  # raw bytes that are not hex text
    with pytest.raises(ValueError, match="at least 32 bytes, got 5"):
        key_from_bytes(b"short")
    path = tmp_path / "pii.key"
    path.write_bytes(text)
    assert key_from_file(path).reveal() == bytes.fromhex(text.decode())
    with pytest.raises(ValueError, match="cannot read the identifier key file"):
        key_from_file(tmp_path / "missing.key")
    path.write_bytes(b"secret-but-too-short")
    with pytest.raises(
        ValueError, match=r"pii\.key: the identifier key must have at least 32 bytes"
    ) as caught:
        key_from_file(path)
    assert "secret" not in str(caught.value)
