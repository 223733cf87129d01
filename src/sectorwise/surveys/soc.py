"""Standard Occupational Classification (SOC 2018) codes as employers name them in the demand questions.

The LMI library holds no occupation titles of its own (``sectorwise.lmi.sources.oews`` reads BLS's
``oe.occupation`` only from a loaded OEWS directory, which the web does not configure), so a code is
validated by its form, ``##-####``, and its major group (the 23 groups of SOC 2018, ``11``–``55``); a title
is shown when it is one of the major groups or one of the detailed occupations below (titles as published in
the 2018 SOC manual, public domain), else the code alone.
"""

from __future__ import annotations

import re
from typing import Final

from django.core.exceptions import ValidationError

SOC_PATTERN: Final = re.compile(r"^\d{2}-\d{4}$")

MAJOR_GROUPS: Final[dict[str, str]] = {
    "11": "Management Occupations",
    "13": "Business and Financial Operations Occupations",
    "15": "Computer and Mathematical Occupations",
    "17": "Architecture and Engineering Occupations",
    "19": "Life, Physical, and Social Science Occupations",
    "21": "Community and Social Service Occupations",
    "23": "Legal Occupations",
    "25": "Educational Instruction and Library Occupations",
    "27": "Arts, Design, Entertainment, Sports, and Media Occupations",
    "29": "Healthcare Practitioners and Technical Occupations",
    "31": "Healthcare Support Occupations",
    "33": "Protective Service Occupations",
    "35": "Food Preparation and Serving Related Occupations",
    "37": "Building and Grounds Cleaning and Maintenance Occupations",
    "39": "Personal Care and Service Occupations",
    "41": "Sales and Related Occupations",
    "43": "Office and Administrative Support Occupations",
    "45": "Farming, Fishing, and Forestry Occupations",
    "47": "Construction and Extraction Occupations",
    "49": "Installation, Maintenance, and Repair Occupations",
    "51": "Production Occupations",
    "53": "Transportation and Material Moving Occupations",
    "55": "Military Specific Occupations",
}

DETAILED_TITLES: Final[dict[str, str]] = {
    "11-1021": "General and Operations Managers",
    "15-1211": "Computer Systems Analysts",
    "15-1212": "Information Security Analysts",
    "15-1232": "Computer User Support Specialists",
    "15-1244": "Network and Computer Systems Administrators",
    "15-1252": "Software Developers",
    "17-2071": "Electrical Engineers",
    "17-2112": "Industrial Engineers",
    "17-2141": "Mechanical Engineers",
    "17-3026": "Industrial Engineering Technologists and Technicians",
    "29-1141": "Registered Nurses",
    "29-1171": "Nurse Practitioners",
    "29-2034": "Radiologic Technologists and Technicians",
    "29-2052": "Pharmacy Technicians",
    "29-2061": "Licensed Practical and Licensed Vocational Nurses",
    "31-1131": "Nursing Assistants",
    "31-9092": "Medical Assistants",
    "35-1012": "First-Line Supervisors of Food Preparation and Serving Workers",
    "35-2014": "Cooks, Restaurant",
    "37-2012": "Maids and Housekeeping Cleaners",
    "43-4081": "Hotel, Motel, and Resort Desk Clerks",
    "43-4171": "Receptionists and Information Clerks",
    "43-5071": "Shipping, Receiving, and Inventory Clerks",
    "47-2031": "Carpenters",
    "47-2061": "Construction Laborers",
    "47-2111": "Electricians",
    "47-2152": "Plumbers, Pipefitters, and Steamfitters",
    "49-3023": "Automotive Service Technicians and Mechanics",
    "49-3031": "Bus and Truck Mechanics and Diesel Engine Specialists",
    "49-9021": "Heating, Air Conditioning, and Refrigeration Mechanics and Installers",
    "49-9041": "Industrial Machinery Mechanics",
    "49-9051": "Electrical Power-Line Installers and Repairers",
    "51-1011": "First-Line Supervisors of Production and Operating Workers",
    "51-2092": "Team Assemblers",
    "51-3011": "Bakers",
    "51-3022": "Meat, Poultry, and Fish Cutters and Trimmers",
    "51-4011": "Computer Numerically Controlled Tool Operators",
    "51-4012": "Computer Numerically Controlled Tool Programmers",
    "51-4041": "Machinists",
    "51-4121": "Welders, Cutters, Solderers, and Brazers",
    "51-8013": "Power Plant Operators",
    "51-9061": "Inspectors, Testers, Sorters, Samplers, and Weighers",
    "51-9111": "Packaging and Filling Machine Operators and Tenders",
    "53-3032": "Heavy and Tractor-Trailer Truck Drivers",
    "53-7051": "Industrial Truck and Tractor Operators",
    "53-7062": "Laborers and Freight, Stock, and Material Movers, Hand",
}


def soc_code_error(code: str) -> str | None:
    """Why ``code`` is not a SOC 2018 occupation code, or None."""
    if not SOC_PATTERN.match(code):
        return f"{code!r} is not a SOC code: write it as ##-#### (for example 51-4041)."
    if code[:2] not in MAJOR_GROUPS:
        return f"{code} is not a SOC code: no SOC 2018 major group {code[:2]}."
    return None


def validate_soc_code(code: str) -> None:
    error = soc_code_error(code)
    if error is not None:
        raise ValidationError(error)


def soc_title(code: str) -> str | None:
    """The occupation's title when known: a detailed occupation listed above or a major group (XX-0000)."""
    if code in DETAILED_TITLES:
        return DETAILED_TITLES[code]
    if code.endswith("-0000"):
        return MAJOR_GROUPS.get(code[:2])
    return None


def parse_soc_codes(text: str) -> tuple[list[str], list[str]]:
    """Codes separated by commas, semicolons, spaces or lines: (distinct valid codes in order, errors)."""
    codes: list[str] = []
    errors: list[str] = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        error = soc_code_error(token)
        if error is not None:
            errors.append(error)
        elif token not in codes:
            codes.append(token)
    return codes, errors
