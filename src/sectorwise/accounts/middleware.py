"""``SECTORWISE_REQUIRE_2FA_FOR_STAFF``: state administrators and staff reach nothing but the two-factor
set-up page (and signing out) until their session is verified with a TOTP code."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from sectorwise.accounts.selectors import session_needs_second_factor, totp_device_confirmed


class RequireTwoFactorMiddleware:
    """After django-otp's ``OTPMiddleware`` (which tells whether the session is verified)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if session_needs_second_factor(request) and not self._exempt(request.path):
            if totp_device_confirmed(user=request.user) is None:
                return redirect(reverse("accounts:two_factor") + "?required=1")
            # A device, but this session never showed its code (signed in before the rule applied):
            # sign in again, through the code step.
            path = request.get_full_path()
            logout(request)
            return redirect_to_login(path)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("accounts:two_factor"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            reverse("accounts:login_code"),
        )
        return path in allowed or path.startswith(settings.STATIC_URL or "/static/")
