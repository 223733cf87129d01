from django.urls import path

from sectorwise.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    # Single sign-on (404 unless configured): start at the provider, and its way back.
    path("sso/start/", oidc.oidc_start, name="oidc_start"),
    path("sso/callback/", oidc.oidc_callback, name="oidc_callback"),
]
