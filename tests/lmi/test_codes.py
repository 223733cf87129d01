import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorwise.lmi import codes


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("10", "total"),
        ("101", "domain"),
        ("1013", "supersector"),
        ("31-33", "sector"),
        ("62", "sector"),
        ("311", "naics3"),
        ("3111", "naics4"),
        ("31111", "naics5"),
        ("311111", "naics6"),
    ],
)
def test_naics_level(code: str, level: str) -> None:
    assert codes.naics_level(code) == level


def test_naics_parent_walks_up_to_the_range_sector() -> None:
    assert codes.naics_parent("336411") == "33641"
    assert codes.naics_parent("336") == "31-33"
    assert codes.naics_parent("31-33") is None


@given(st.from_regex(r"(11|2[1-3]|[3-9][0-9])[0-9]{1,4}", fullmatch=True))
def test_every_naics_code_reaches_a_sector(code: str) -> None:
    current: str | None = code
    while current is not None and codes.naics_level(current) != "sector":
        current = codes.naics_parent(current)
    assert current == codes.naics_sector(code)


def test_bad_code_is_refused() -> None:
    with pytest.raises(ValueError, match="not a QCEW industry code"):
        codes.naics_level("abc")
