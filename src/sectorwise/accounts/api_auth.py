"""API authentication: the browser session (CSRF-checked by django-ninja) or a bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from sectorwise.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(key=token)
        if user is not None:
            request.user = user
        return user


# The token first: the session check refuses a write without a CSRF token outright, before any other
# method is tried, and a bearer-token client has no CSRF token to send.
API_AUTH = [TokenAuth(), SessionAuth()]
