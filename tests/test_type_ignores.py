"""Every ``# type: ignore`` in the source names its error code and says why, in a comment after it.

mypy (``enable_error_code = ["ignore-without-code"]``) and ruff (PGH003) refuse an ignore without a code;
neither asks for the reason, so this test does: ``# type: ignore[attr-defined]  # simple-history adds it``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<rest>.*)$")
EXPLAINED = re.compile(r"^\[[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*\]\s+#\s*\S")


def unexplained(line: str) -> bool:
    """True for a line whose type-ignore lacks an error code or a reason after it."""
    found = IGNORE.search(line)
    return found is not None and not EXPLAINED.match(found["rest"])


@pytest.mark.parametrize(
    ("line", "refused"),
    [
        ("x = f()  # type: ignore", True),
        ("x = f()  # type: ignore  # the stub is wrong", True),
        ("x = f()  # type: ignore[attr-defined]", True),
        ("x = f()  # type: ignore[attr-defined]  #", True),
        ("x = f()  # type: ignore[attr-defined]  # simple-history adds it", False),
        ("class F(form_class):  # type: ignore[misc, valid-type]  # made at run time", False),
        ("x = f()  # an ordinary comment", False),
    ],
)
def test_the_check_tells_explained_ignores_from_bare_ones(line: str, refused: bool) -> None:
    assert unexplained(line) is refused


def test_every_type_ignore_names_its_code_and_reason() -> None:
    offenders = [
        f"{path}:{number}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts  # generated, and outside mypy's files: an ignore there does nothing
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if unexplained(line)
    ]
    assert not offenders, "type: ignore without [code]  # reason:\n" + "\n".join(offenders)
