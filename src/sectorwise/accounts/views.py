"""Sign in and out with Django's own views (USWDS templates); django-axes guards the password check.

Two-factor sign-in: when a user has a confirmed TOTP device, a correct password does not sign them in; it
opens a second step (``login_code``) that asks for the app's code. A wrong code counts as a failed sign-in
for django-axes (the same lockout as wrong passwords) and django-otp throttles and refuses a used code.
"""

from __future__ import annotations

import time
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import login as otp_login

from sectorwise.accounts.models import User
from sectorwise.accounts.selectors import totp_device_confirmed
from sectorwise.accounts.services import (
    totp_device_confirm,
    totp_device_disable,
    totp_device_start,
    totp_verify,
)
from sectorwise.core.access import allow
from sectorwise.core.permissions import Action

PENDING_KEY = "sectorwise_2fa_pending"
PENDING_SECONDS = 300
"""How long a correct password waits for its code before the sign-in starts over."""


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_provider_name"] = (
            settings.SECTORWISE_OIDC_PROVIDER_NAME if settings.SECTORWISE_OIDC else ""
        )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if totp_device_confirmed(user=user) is None:
            return super().form_valid(form)
        # The password was right, but the session stays signed out until the code is too.
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "started": time.time(),
        }
        return redirect("accounts:login_code")


login = allow(Action.VIEW_PUBLIC)(LoginView.as_view())
logout = allow(Action.VIEW_PUBLIC)(auth_views.LogoutView.as_view())


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("started", 0)) > PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):  # the session holds what login stored: the user's integer key
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, pending) if user is not None else None


@allow(Action.VIEW_PUBLIC)
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a two-factor sign-in: the code from the authenticator app."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    user, pending = found
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return get_lockout_response(request, None, credentials)
    error = ""
    if request.method == "POST":
        device = totp_device_confirmed(user=user)
        if device is not None and totp_verify(device=device, token=request.POST.get("token", "")):
            request.session.pop(PENDING_KEY, None)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return HttpResponseRedirect(pending["next"])
        # Counted by django-axes like a wrong password: the lockout covers both steps.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
            return get_lockout_response(request, None, credentials)
        error = "That code is not right (or was already used). Enter the current code from your app."
    return render(request, "accounts/login_code.html", {"error": error}, status=200)


@allow(Action.VIEW_PUBLIC)
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up two-factor sign-in (QR code and secret; on only after a correct code) or turn it off."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    assert isinstance(user, User)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "")
        if request.POST.get("action") == "disable":
            if totp_device_disable(user=user, token=token):
                messages.success(request, "Two-factor sign-in is off.")
                return redirect("accounts:two_factor")
            error = "That code is not right (or was already used)."
        else:
            device = totp_device_confirm(user=user, token=token)
            if device is not None:
                otp_login(request, device)
                messages.success(request, "Two-factor sign-in is on: you will be asked for a code each time.")
                return redirect("accounts:two_factor")
            error = "That code is not right. Check the app shows Sectorwise and enter its current code."
    confirmed = totp_device_confirmed(user=user)
    context: dict[str, Any] = {"enabled": confirmed is not None, "error": error}
    if confirmed is None:
        device = totp_device_start(user=user)
        from base64 import b32encode

        secret = b32encode(device.bin_key).decode()
        context |= {
            "config_url": device.config_url,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                scale=4, title="Two-factor QR code"
            ),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": request.GET.get("required") == "1",
        }
    return render(request, "accounts/two_factor.html", context)


def two_factor_url(*, required: bool = False) -> str:
    return reverse("accounts:two_factor") + ("?required=1" if required else "")
