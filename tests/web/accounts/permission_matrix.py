"""The accounts app's rows of the permission matrix: sign-in, two-factor, single sign-on, and the admin
pages about users whose allowed personas differ from the admin's default."""

from __future__ import annotations

from tests.web.matrix_cases import ADMIN_ONLY, EVERYONE, SIGNED_IN, STATE, Case, Fragment

ROUTES: Fragment = {
    # Signed-in users are sent on from the login page (redirect_authenticated_user).
    "accounts:login": [
        Case(allowed=EVERYONE, allowed_status=frozenset({200, 302})),
        Case(
            allowed=EVERYONE,
            method="post",
            data=lambda _: {"username": "nobody", "password": "wrong"},
            allowed_status=frozenset({200, 302}),
        ),
    ],
    "accounts:logout": [Case(allowed=EVERYONE, method="post", allowed_status=frozenset({302}))],
    # The second sign-in step sends anyone without a pending password check back to the login page.
    "accounts:login_code": [Case(allowed=EVERYONE, allowed_status=frozenset({302}))],
    "accounts:two_factor": [Case(allowed=SIGNED_IN)],
    # Single sign-on is not configured in the tests' settings: 404 for everyone (see security/test_sso.py).
    "accounts:oidc_start": [Case(allowed=EVERYONE, allowed_status=frozenset({404}))],
    "accounts:oidc_callback": [Case(allowed=EVERYONE, allowed_status=frozenset({404}))],
}

ADMIN_ROUTE_ALLOWED = {
    # Another user's password (the viewer's): administrators only (AccountAction.SET_PASSWORD).
    "admin:auth_user_password_change": ADMIN_ONLY,
    # Staff revoke their own tokens and those of users below them; the record walked is staff's own token.
    "admin:accounts_apitoken_delete": STATE,
}
