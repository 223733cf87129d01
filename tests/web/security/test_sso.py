"""OpenID Connect single sign-on against a FAKE PROVIDER in the test process.

The provider is an RSA key and three HTTP answers (token, userinfo, JWKS) given to mozilla-django-oidc in
place of ``requests``; everything else is the real flow: the start view puts state and nonce in the session
and redirects, the callback view checks them, the backend verifies the signed ID token and maps the claims.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, override_settings
from django.urls import reverse

from sectorwise.accounts.models import User
from sectorwise.core.roles import Role
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

ISSUER = "https://idp.example.gov"
CLIENT_ID = "sectorwise-test"
SSO_SETTINGS: dict[str, Any] = {
    "SECTORWISE_OIDC": True,
    "SECTORWISE_OIDC_ISSUER": ISSUER,
    "SECTORWISE_OIDC_PROVIDER_NAME": "State ID",
    "OIDC_RP_CLIENT_ID": CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": "client-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/token",
    "OIDC_OP_USER_ENDPOINT": f"{ISSUER}/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/jwks",
    "SECTORWISE_OIDC_ROLE_CLAIM": "groups",
    "SECTORWISE_OIDC_ROLE_MAP": {
        "sectorwise-staff": "state_staff",
        "sectorwise-convener": "convener",
        "sectorwise-viewer": "viewer",
    },
    "SECTORWISE_OIDC_ORG_CLAIM": "organization",
    "AUTHENTICATION_BACKENDS": [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "sectorwise.accounts.oidc.SectorwiseOIDCBackend",
    ],
}


class _Response:
    def __init__(self, body: dict[str, Any], url: str) -> None:
        self.status_code = 200
        self.url = url
        self.headers = {"content-type": "application/json"}
        self._body = body
        self.text = json.dumps(body)

    def json(self) -> dict[str, Any]:
        return self._body

    def raise_for_status(self) -> None:
        return None


class FakeProvider:
    """Answers the token, userinfo and JWKS requests the library makes, signing with its own key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict[str, Any] = {}
        self.nonce = ""
        self.token_requests: list[dict[str, Any]] = []
        self.id_token_overrides: dict[str, Any] = {}

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    def id_token(self) -> str:
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.claims,
            **self.id_token_overrides,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "k1"})

    def post(self, url: str, data: dict[str, Any], **_: Any) -> _Response:
        assert url == f"{ISSUER}/token"
        self.token_requests.append(data)
        return _Response({"access_token": "at", "id_token": self.id_token(), "token_type": "Bearer"}, url)

    def get(self, url: str, **_: Any) -> _Response:
        if url == f"{ISSUER}/jwks":
            return _Response(self.jwks(), url)
        assert url == f"{ISSUER}/userinfo"
        return _Response({key: value for key, value in self.claims.items() if key != "groups"}, url)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    import mozilla_django_oidc.auth

    fake = FakeProvider()
    monkeypatch.setattr(mozilla_django_oidc.auth, "requests", fake)
    return fake


def _sign_on(client: Client, provider: FakeProvider, claims: dict[str, Any]) -> Any:
    start = client.get(reverse("accounts:oidc_start"))
    assert start.status_code == 302 and start["Location"].startswith(f"{ISSUER}/authorize?")
    query = parse_qs(urlparse(start["Location"]).query)
    assert query["client_id"] == [CLIENT_ID] and "code_challenge" in query
    provider.nonce = query["nonce"][0]
    provider.claims = claims
    return client.get(reverse("accounts:oidc_callback"), {"code": "the-code", "state": query["state"][0]})


@override_settings(**SSO_SETTINGS)
def test_a_new_person_signs_on_with_the_mapped_role_and_organisation(
    personas: Personas, provider: FakeProvider
) -> None:
    client = Client()
    response = _sign_on(
        client,
        provider,
        {
            "sub": "abc-123",
            "email": "pat@board.example",
            "given_name": "Pat",
            "preferred_username": "pat",
            "groups": ["sectorwise-convener", "unrelated"],
            "organization": personas.board_a.name,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/", response.get("Location")
    user = User.objects.get(oidc_subject="abc-123")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.username, user.role, user.organization, user.is_staff, user.is_superuser) == (
        "pat",
        Role.CONVENER,
        personas.board_a,
        False,
        False,
    )
    assert not user.has_usable_password()
    assert provider.token_requests[0]["code"] == "the-code"
    assert user.history.order_by("-history_id").first().history_change_reason == "single sign-on claims"


@override_settings(**SSO_SETTINGS)
def test_role_changes_at_the_provider_follow_and_are_recorded(
    personas: Personas, provider: FakeProvider
) -> None:
    claims = {"sub": "s-1", "groups": "sectorwise-viewer"}
    _sign_on(Client(), provider, claims)
    user = User.objects.get(oidc_subject="s-1")
    assert user.role == Role.VIEWER
    _sign_on(Client(), provider, {**claims, "groups": ["sectorwise-staff"]})
    user.refresh_from_db()
    assert user.role == Role.STATE_STAFF and user.is_staff
    roles = [record.role for record in user.history.order_by("history_id")]
    assert roles == [Role.VIEWER, Role.STATE_STAFF]
    _sign_on(Client(), provider, {**claims, "groups": []})
    user.refresh_from_db()
    assert user.role == "" and not user.is_staff


@override_settings(**SSO_SETTINGS)
def test_an_unmapped_claim_gives_no_role(personas: Personas, provider: FakeProvider) -> None:
    _sign_on(Client(), provider, {"sub": "s-2", "groups": ["admins", "sectorwise-admin", "superuser"]})
    user = User.objects.get(oidc_subject="s-2")
    assert user.role == "" and not user.is_staff and not user.is_superuser


@override_settings(**SSO_SETTINGS)
def test_no_claim_makes_a_superuser(personas: Personas, provider: FakeProvider) -> None:
    _sign_on(
        Client(),
        provider,
        {"sub": "s-3", "groups": ["sectorwise-staff"], "is_superuser": True, "role": "state_admin"},
    )
    user = User.objects.get(oidc_subject="s-3")
    assert not user.is_superuser and user.role == Role.STATE_STAFF


@override_settings(**{**SSO_SETTINGS, "SECTORWISE_OIDC_ROLE_MAP": {"sectorwise-admins": "state_admin"}})
def test_state_admin_only_from_an_explicit_map_entry(personas: Personas, provider: FakeProvider) -> None:
    _sign_on(Client(), provider, {"sub": "s-4", "groups": ["sectorwise-admins"]})
    user = User.objects.get(oidc_subject="s-4")
    assert user.role == Role.STATE_ADMIN and not user.is_superuser


@override_settings(**SSO_SETTINGS)
def test_a_token_for_another_client_is_refused(personas: Personas, provider: FakeProvider) -> None:
    provider.id_token_overrides = {"aud": "some-other-app"}
    response = _sign_on(Client(), provider, {"sub": "s-5", "groups": ["sectorwise-staff"]})
    assert response.status_code == 302 and "sso=failed" in response["Location"]
    assert not User.objects.filter(oidc_subject="s-5").exists()


@override_settings(**SSO_SETTINGS)
def test_no_email_takeover_of_a_local_account(personas: Personas, provider: FakeProvider) -> None:
    personas.admin.email = "boss@state.example"
    personas.admin.save()
    _sign_on(Client(), provider, {"sub": "s-6", "email": "boss@state.example", "email_verified": True})
    assert User.objects.get(oidc_subject="s-6").pk != personas.admin.pk
    personas.admin.refresh_from_db()
    assert personas.admin.oidc_subject is None and personas.admin.role == Role.STATE_ADMIN


@override_settings(**SSO_SETTINGS)
def test_the_login_page_offers_the_provider(personas: Personas) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Sign in with State ID" in page


def test_without_configuration_there_is_no_single_sign_on(personas: Personas) -> None:
    assert "Sign in with" not in Client().get(reverse("accounts:login")).content.decode()
    assert Client().get(reverse("accounts:oidc_start")).status_code == 404


def test_the_settings_know_every_role() -> None:
    from django.conf import settings

    assert frozenset(Role.values) == settings.SECTORWISE_ROLE_VALUES
