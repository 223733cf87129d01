"""Small hand-made QCEW tables in the warehouse schema, for tests of measures, regions and shift-share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from sectorwise.lmi import warehouse

AGGLVL_TENS = {"US000": 1}


@dataclass(frozen=True)
class Cell:
    """One cell; employment is the same in every month unless months are given."""

    area: str
    own: int
    industry: str
    year: int
    qtr: str
    employment: int
    estabs: int = 1
    wages: int = 0
    disclosure: str | None = None
    months: tuple[int, int, int] | None = None


def agglvl(area: str, own: int, industry: str) -> int:
    tens = AGGLVL_TENS.get(area, 5 if area.endswith("000") else 7)
    if industry == "10":
        units = 0 if own == 0 else 1
    elif industry in ("1011", "1012", "1013", "1021", "1022", "1023", "1024", "1025", "1026", "1027", "1029"):
        units = 3
    elif len(industry) == 2 or "-" in industry:
        units = 4
    else:
        units = len(industry) + 2
    return tens * 10 + units


def _keys(cell: Cell) -> dict[str, object]:
    return {
        "area_fips": cell.area,
        "own_code": cell.own,
        "industry_code": cell.industry,
        "agglvl_code": agglvl(cell.area, cell.own, cell.industry),
        "size_code": 0,
        "year": cell.year,
        "qtr": cell.qtr,
        "disclosure_code": cell.disclosure,
    }


def _typed(rows: list[dict[str, object]], columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for name, sql_type in columns.items():
        if sql_type in ("SMALLINT", "BIGINT"):
            frame[name] = frame[name].astype("int16" if sql_type == "SMALLINT" else "int64")
        else:
            # None, not NaN, for a missing code: Spark would read NaN in a text column as the text 'NaN'.
            frame[name] = frame[name].astype("object").where(frame[name].notna(), None)
    return frame


def quarterly_frame(cells: Iterable[Cell]) -> pd.DataFrame:
    """``qcew_quarterly`` rows; a suppressed cell ('N') is published as zeros, as BLS does."""
    rows = []
    for cell in cells:
        hidden = cell.disclosure == "N"
        months = cell.months or (cell.employment,) * 3
        if hidden:
            months = (0, 0, 0)
        wages = 0 if hidden else cell.wages
        mean = sum(months) / 3
        rows.append(
            _keys(cell)
            | {
                "qtrly_estabs": 0 if hidden else cell.estabs,
                "month1_emplvl": months[0],
                "month2_emplvl": months[1],
                "month3_emplvl": months[2],
                "total_qtrly_wages": wages,
                "taxable_qtrly_wages": wages // 2,
                "qtrly_contributions": wages // 100,
                "avg_wkly_wage": round(wages / mean / 13) if mean else 0,
            }
        )
    return _typed(rows, warehouse.KEY_COLUMNS | warehouse.QUARTERLY_VALUE_COLUMNS)


def annual_frame(cells: Iterable[Cell]) -> pd.DataFrame:
    """``qcew_annual`` rows (qtr 'A')."""
    rows = []
    for cell in cells:
        hidden = cell.disclosure == "N"
        employment = 0 if hidden else cell.employment
        wages = 0 if hidden else cell.wages
        rows.append(
            _keys(cell)
            | {
                "annual_avg_estabs": 0 if hidden else cell.estabs,
                "annual_avg_emplvl": employment,
                "total_annual_wages": wages,
                "taxable_annual_wages": wages // 2,
                "annual_contributions": wages // 100,
                "annual_avg_wkly_wage": round(wages / employment / 52) if employment else 0,
                "avg_annual_pay": round(wages / employment) if employment else 0,
            }
        )
    return _typed(rows, warehouse.KEY_COLUMNS | warehouse.ANNUAL_VALUE_COLUMNS)
