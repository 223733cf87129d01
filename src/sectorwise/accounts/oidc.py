"""OpenID Connect single sign-on: mozilla-django-oidc's backend and views, adapted.

- Users are found by the provider's ``sub`` (``User.oidc_subject``), by email only when
  ``SECTORWISE_OIDC_MATCH_EMAIL`` allows; role and organisation come from the claims
  (``accounts.selectors.sso_*``, written by ``accounts.services.user_sync_from_sso``).
- The ID token's audience must be our client id and its issuer the configured issuer (the library checks
  neither); userinfo must describe the same ``sub``.
- Endpoints come from the settings, else from the issuer's discovery document, fetched when a sign-on
  starts (never at start-up or during a password sign-in, so an unreachable provider cannot block local
  accounts) and kept per process.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from sectorwise.accounts.models import User
from sectorwise.accounts.selectors import sso_users_for_claims
from sectorwise.accounts.services import user_sync_from_sso
from sectorwise.core.access import allow
from sectorwise.core.permissions import Action

LOGGER = logging.getLogger(__name__)

_ENDPOINT_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


@functools.cache
def _discovery(issuer: str) -> dict[str, Any]:
    url = f"{issuer}/.well-known/openid-configuration"
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ImproperlyConfigured(f"{url}: names issuer {document.get('issuer')!r}, not {issuer!r}")
    return document


def oidc_setting(name: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting; an endpoint not set is read from the issuer's discovery document."""
    value = getattr(settings, name, None)
    if name in _ENDPOINT_SETTINGS and not value and settings.SECTORWISE_OIDC_ISSUER:
        value = _discovery(settings.SECTORWISE_OIDC_ISSUER).get(_ENDPOINT_SETTINGS[name])
    if value is None or value == "":
        if default:
            return default[0]
        raise ImproperlyConfigured(f"{name} is not set (single sign-on)")
    return value


class SectorwiseOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads every endpoint at once, and Django builds each backend for
        # every password sign-in too. Endpoints are read when a sign-on actually happens (properties).
        ModelBackend.__init__(self)
        self.UserModel = User
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # the library's attribute names
        return str(oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return str(oidc_setting("OIDC_OP_USER_ENDPOINT"))

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return str(oidc_setting("OIDC_OP_JWKS_ENDPOINT"))

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback's call (nonce, no password) is a sign-on; a password sign-in is not ours.
        if not settings.SECTORWISE_OIDC or request is None or "password" in kwargs or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as error:
            # A token that fails a check is a failed sign-on (the login page says so), not a 400 page.
            LOGGER.warning("single sign-on refused: %s", error)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token: not issued to this client (aud)")
        issuer = settings.SECTORWISE_OIDC_ISSUER
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("ID token: from another issuer (iss)")
        if "exp" not in payload or not payload.get("sub"):
            raise SuspiciousOperation("ID token: no expiry or subject")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo describes another subject than the ID token")
        # Claims the provider puts in the ID token only (often the roles) count too.
        return {**payload, **userinfo}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return sso_users_for_claims(claims=claims)

    def create_user(self, claims: dict[str, Any]) -> User:
        return user_sync_from_sso(user=None, claims=claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user_sync_from_sso(user=user, claims=claims)


class _RequestView(OIDCAuthenticationRequestView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)


class _CallbackView(OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)


def _when_enabled(view: Any) -> Any:
    def guarded(request: HttpRequest) -> HttpResponse:
        if not settings.SECTORWISE_OIDC:
            raise Http404("single sign-on is not configured")
        response: HttpResponse = view(request)
        return response

    return guarded


oidc_start = allow(Action.VIEW_PUBLIC)(_when_enabled(_RequestView.as_view()))
oidc_callback = allow(Action.VIEW_PUBLIC)(_when_enabled(_CallbackView.as_view()))
