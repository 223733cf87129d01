"""Sign in and out with Django's own views (USWDS templates); django-axes guards the password check."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from sectorwise.core.access import allow
from sectorwise.core.permissions import Action

login = allow(Action.VIEW_PUBLIC)(
    auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
)
logout = allow(Action.VIEW_PUBLIC)(auth_views.LogoutView.as_view())
