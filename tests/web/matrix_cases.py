"""What every permission-matrix fragment is made of: ``Case`` and the persona sets.

Personas: admin, staff (state program staff), convener_a (convenes partnership A), convener_b (convenes B),
reviewer, viewer, outsider (signed in, no role), anonymous. See ``tests/web/personas.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.web.personas import PERSONA_NAMES, Personas

EVERYONE = frozenset(PERSONA_NAMES)
SIGNED_IN = EVERYONE - {"anonymous"}
WITH_ROLE = SIGNED_IN - {"outsider"}
STATE = frozenset({"admin", "staff"})
ADMIN_ONLY = frozenset({"admin"})
CAN_CHANGE_A = STATE | {"convener_a"}
CAN_CHANGE_B = STATE | {"convener_b"}
CONVENERS_AND_STATE = STATE | {"convener_a", "convener_b"}
NOBODY: frozenset[str] = frozenset()
REDIRECTED = frozenset({302})


def no_kwargs(_: Personas) -> dict[str, Any]:
    return {}


def partnership_a(p: Personas) -> dict[str, Any]:
    return {"pk": p.partnership_a.pk}


def partnership_b(p: Personas) -> dict[str, Any]:
    return {"pk": p.partnership_b.pk}


@dataclass(frozen=True)
class Case:
    allowed: frozenset[str]
    kwargs: Callable[[Personas], dict[str, Any]] = no_kwargs
    method: str = "get"
    data: Callable[[Personas], Mapping[str, Any]] | None = None
    """Form data (pages) or a JSON body (API) for methods that send one."""
    allowed_status: frozenset[int] = frozenset({200})
    """What an allowed persona gets (e.g. 302 after a successful POST)."""
    note: str = ""


Fragment = dict[str, list[Case]]
"""URL name -> its cases: what one app contributes to the matrix."""


def posted(
    allowed: frozenset[str],
    kwargs: Callable[[Personas], dict[str, Any]] = no_kwargs,
    data: Callable[[Personas], Mapping[str, Any]] | None = None,
) -> Case:
    """A form POST (with ``data``, or none) that an allowed persona sees succeed with a redirect."""
    return Case(allowed=allowed, kwargs=kwargs, method="post", data=data, allowed_status=REDIRECTED)


def each_partnership(allowed: frozenset[str] | None = None) -> list[Case]:
    """A partnership page (``pk``) opened for partnership A and for B: allowed to ``allowed``, by default to
    the state and each partnership's own convener."""
    return [
        Case(allowed=CAN_CHANGE_A if allowed is None else allowed, kwargs=partnership_a),
        Case(allowed=CAN_CHANGE_B if allowed is None else allowed, kwargs=partnership_b),
    ]
