"""Validators shared by models, forms, the API and imports."""

from __future__ import annotations

import re
from typing import Final

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# C0 and C1 control characters (Unicode category Cc) and lone surrogates. NUL is refused by PostgreSQL in
# text; the others are invisible in the pages and break the files the registry exports.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_EXCEPT_LINES: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _refuse(value: str, pattern: re.Pattern[str]) -> None:
    found = pattern.search(value)
    if found is not None:
        raise ValidationError(
            "contains a control character (U+%(code)04X) at position %(position)d; remove it",
            code="control_character",
            params={"code": ord(found.group()), "position": found.start() + 1},
        )


def no_control_characters(value: str) -> None:
    """For one-line text (names, codes, addresses): no control character at all, tab and newline included."""
    _refuse(value, _CONTROL)


def no_control_characters_multiline(value: str) -> None:
    """For free text (descriptions, goals): tab, newline and carriage return allowed, other controls not."""
    _refuse(value, _CONTROL_EXCEPT_LINES)


# \A...\Z and [0-9]: "$" would let a trailing line break through and "\d" any script's digits.
county_fips_validator = RegexValidator(r"\A[0-9]{5}\Z", "A county FIPS code is five digits, e.g. 50007.")
naics_validator = RegexValidator(r"\A[0-9]{2,6}\Z", "A NAICS code is 2 to 6 digits, e.g. 31 or 336411.")

SINGLE_LINE: Final = [no_control_characters]
MULTI_LINE: Final = [no_control_characters_multiline]
