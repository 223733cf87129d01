"""The explorer's rows built in Python format numbers exactly as the template filters they replace."""

from __future__ import annotations

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorwise.intelligence.rendering import decimals, profile_rows_html, whole
from sectorwise.intelligence.selectors import ProfileRow


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-9)
    | st.sampled_from([0.005, 1.005, 2.675, -0.4, -0.5, 0.5, 1.5, 2.5, -1234.5, 0.125]),
    places=st.sampled_from([0, 1, 2]),
)
def test_decimals_equal_floatformat_then_intcomma(value: float, places: int) -> None:
    assert decimals(value, places) == intcomma(floatformat(value, places))


@given(value=st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_equals_intcomma(value: int) -> None:
    assert whole(value) == intcomma(value)


@pytest.mark.parametrize("title", ["Bakeries & <tortillas>", 'Say "cheese"'])
def test_titles_are_escaped_and_withheld_is_never_zero(title: str) -> None:
    row = ProfileRow(
        code="3118",
        title=title,
        employment=None,
        establishments=4,
        avg_annual_pay=None,
        lq_state=None,
        lq_nation=1.005,
        change_pct=-0.04,
        estimated=False,
        incomplete=True,
    )
    html = str(profile_rows_html([row]))
    assert ("<tortillas>" not in html and "&lt;tortillas&gt;" in html) or "&quot;cheese&quot;" in html
    assert html.count("withheld") == 2 and ">0<" not in html
    assert ">1.01<" in html and ">0.0%<" in html and "(incomplete: a lower bound)" in html
