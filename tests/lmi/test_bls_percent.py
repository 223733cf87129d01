"""BLS's one-decimal percent change, computed exactly: half to even, as its published files round it."""

from __future__ import annotations

from fractions import Fraction

import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorwise.lmi.measures import _bls_percent

changes = st.integers(min_value=-(10**12), max_value=10**12)
earlier_values = st.integers(min_value=-(10**6), max_value=10**12).filter(lambda value: value != 0)


def _percents(pairs: list[tuple[int, int]]) -> list[float | None]:
    table = ibis.memtable(
        {"change": [c for c, _ in pairs], "earlier": [e for _, e in pairs]},
        schema={"change": "int64", "earlier": "int64"},
    )
    result = table.select(percent=_bls_percent(table.change, table.earlier))
    return list(ibis.duckdb.connect().to_pyarrow(result).column("percent").to_pylist())


def test_true_halves_go_to_the_even_tenth_as_bls_publishes_them() -> None:
    # Vermont 2016: 7 / 112 = 6.25 % and 45 / 144 = 31.25 % are published 6.2 and 31.2; -2 / 32 as -6.2.
    pairs = [(7, 112), (45, 144), (-2, 32), (9, 16), (7, 80), (1, 3), (0, 5), (3, 0)]
    assert _percents(pairs) == [6.2, 31.2, -6.2, 56.2, 8.8, 33.3, 0.0, None]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(changes, earlier_values), min_size=1, max_size=40))
def test_equals_exact_rational_rounding_half_to_even(pairs: list[tuple[int, int]]) -> None:
    expected = [float(round(Fraction(100 * change, earlier), 1)) for change, earlier in pairs]
    assert _percents(pairs) == expected
