"""The explorer's long tables as HTML rows, built in Python.

A 6-digit profile has ~500 industry rows and as many shift-share rows; rendering their ~8,000 cells
through the template language (a node, a lookup and a ``floatformat``/``intcomma`` filter per figure) cost
about a fifth of the page's CPU time. The rows here are the same markup, with the numbers formatted as those
filters format them (half up, thousands separated with commas, no sign on a rounded zero); every text is
escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sectorwise.intelligence.selectors import ProfileRow, ShiftShareRow

APPROX = "≈&nbsp;"
DASH = "—"


def decimals(value: float, places: int) -> str:
    """``value|floatformat:places|intcomma``: half up on the decimal text, commas, no '-0'."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{places}f}"


def whole(value: int) -> str:
    return f"{value:,}"


def _cell(label: str, content: str) -> str:
    return f'<td data-label="{escape(label)}" class="text-right">{content}</td>'


def profile_rows_html(rows: Iterable[ProfileRow]) -> SafeString:
    """The industry table's body rows (the empty-table row when there are none)."""
    out = []
    for row in rows:
        approx = APPROX if row.estimated else ""
        title: str = str(escape(row.title))
        if row.incomplete:
            title += ' <span class="text-base-dark">(incomplete: a lower bound)</span>'
        if row.employment is None:
            employment = "withheld"
        elif row.employment_estimated:
            shown = row.employment_shown
            assert shown is not None and row.employment_low is not None and row.employment_high is not None
            employment = (
                f'{APPROX}{whole(shown)} <span class="text-base-dark">(estimated, '
                f"{whole(row.employment_low)}–{whole(row.employment_high)})</span>"
            )
        else:
            employment = whole(row.employment)
        if row.avg_annual_pay is None:
            pay = "withheld" if row.employment is None else DASH
        else:
            pay = f"{approx}${whole(row.avg_annual_pay)}"
        cells = [
            f'<th scope="row" data-label="Industry">{title}</th>',
            _cell("Employment", employment),
            _cell("Establishments", DASH if row.establishments is None else whole(row.establishments)),
            _cell("Average annual pay", pay),
            _cell("LQ vs the state", DASH if row.lq_state is None else approx + decimals(row.lq_state, 2)),
            _cell("LQ vs the nation", DASH if row.lq_nation is None else approx + decimals(row.lq_nation, 2)),
            _cell(
                "Change over the year",
                DASH if row.change_pct is None else f"{approx}{decimals(row.change_pct, 1)}%",
            ),
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    if not out:
        out.append('<tr><td colspan="7">No industries at this level.</td></tr>')
    return mark_safe("\n".join(out))


def shift_share_rows_html(rows: Iterable[ShiftShareRow], *, year: int, base_year: int | None) -> SafeString:
    """The shift-share table's body rows."""
    start_label = f"Jobs {base_year}"
    out = []
    for row in rows:
        title = escape(row.title) + (" ≈" if row.estimated else "")
        cells = [f'<th scope="row" data-label="Industry">{title}</th>']
        if row.incomplete:
            start = DASH if row.start_value is None else whole(row.start_value)
            cells.append(_cell(start_label, start))
            cells.append(
                '<td colspan="7" data-label="Decomposition">'
                "not computed: a figure is withheld or missing</td>"
            )
        else:
            cells += [
                _cell(start_label, _int_or_blank(row.start_value)),
                _cell(f"Jobs {year}", _int_or_blank(row.end_value)),
                _cell("Change", _int_or_blank(row.actual_change)),
                _cell("National growth", _float_or_blank(row.national_growth)),
                _cell("Industry mix", _float_or_blank(row.industry_mix)),
                _cell("Competitive effect", _float_or_blank(row.competitive_effect)),
                _cell("Homothetic competitive (E-M)", _float_or_blank(row.homothetic_competitive_effect)),
                _cell("Allocation (E-M)", _float_or_blank(row.allocation_effect)),
            ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))


def _int_or_blank(value: int | None) -> str:
    return DASH if value is None else whole(value)


def _float_or_blank(value: float | None) -> str:
    return DASH if value is None else decimals(value, 0)
