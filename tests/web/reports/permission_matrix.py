"""The reports app's rows of the permission matrix."""

from __future__ import annotations

from tests.web.matrix_cases import Fragment

ROUTES: Fragment = {}
