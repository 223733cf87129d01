"""Two-factor sign-in with TOTP (django-otp): set-up, the second sign-in step, replay, lockout, and the
SECTORWISE_REQUIRE_2FA_FOR_STAFF rule. Codes are computed from the device's key, as an app would."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sectorwise.accounts.models import User
from sectorwise.accounts.services import totp_device_confirm, totp_device_start
from tests.web.accounts.factories import TEST_PASSWORD
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    drift = device.drift + steps_ahead
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:06d}"


def _with_totp(user: User) -> TOTPDevice:
    device = totp_device_start(user=user)
    assert totp_device_confirm(user=user, token=_code(device)) is not None
    device.refresh_from_db()
    return device


def _password_step(client: Client, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_code")
    assert "_auth_user_id" not in client.session


def test_set_up_shows_a_qr_code_and_the_secret_and_turns_on_only_after_a_code(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.viewer)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    device = TOTPDevice.objects.get(user=personas.viewer)
    assert not device.confirmed
    assert "<svg" in page and "otpauth://totp/" in page
    from base64 import b32encode

    assert b32encode(device.bin_key).decode()[:4] in page
    client.post(reverse("accounts:two_factor"), {"action": "confirm", "token": "000000"})
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()
    client.post(reverse("accounts:two_factor"), {"action": "confirm", "token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert "is <strong>on</strong>" in client.get(reverse("accounts:two_factor")).content.decode()


def test_without_a_device_the_password_alone_signs_in(personas: Personas) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(personas.viewer.pk)


def test_with_a_device_sign_in_needs_the_current_code_and_refuses_it_twice(personas: Personas) -> None:
    device = _with_totp(personas.viewer)
    client = Client()
    _password_step(client, "viewer")
    code = _code(device, steps_ahead=1)  # the next step's code: the set-up used the current one
    response = client.post(reverse("accounts:login_code"), {"token": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.viewer.pk)
    client.post(reverse("accounts:logout"))
    # Replayed: the same code again is refused (django-otp keeps the last step used).
    _password_step(client, "viewer")
    response = client.post(reverse("accounts:login_code"), {"token": code})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused_and_counts_towards_the_lockout(personas: Personas) -> None:
    device = _with_totp(personas.viewer)
    client = Client()
    _password_step(client, "viewer")
    right = _code(device, steps_ahead=1)
    wrong = "000000" if right != "000000" else "111111"
    statuses = []
    for _ in range(5):
        device.throttle_reset()  # django-otp's own back-off would also refuse; here axes is tested
        statuses.append(client.post(reverse("accounts:login_code"), {"token": wrong}).status_code)
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    assert "_auth_user_id" not in client.session
    # Locked out: even the right password and code no longer sign in.
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_the_code_step_without_a_password_first_goes_back_to_the_login(personas: Personas) -> None:
    _with_totp(personas.viewer)
    response = Client().post(reverse("accounts:login_code"), {"token": "123456"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_turning_it_off_needs_a_current_code(personas: Personas) -> None:
    device = _with_totp(personas.viewer)
    client = Client()
    client.force_login(personas.viewer)
    client.post(reverse("accounts:two_factor"), {"action": "disable", "token": "999999x"})
    assert TOTPDevice.objects.filter(user=personas.viewer, confirmed=True).exists()
    device.throttle_reset()
    client.post(reverse("accounts:two_factor"), {"action": "disable", "token": _code(device, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=personas.viewer).exists()


@override_settings(SECTORWISE_REQUIRE_2FA_FOR_STAFF=True)
def test_staff_without_a_device_are_sent_to_set_up_before_anything_else(personas: Personas) -> None:
    for user in (personas.staff, personas.admin):
        client = Client()
        client.force_login(user)
        for path in ("/", "/admin/", "/partnerships/"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response["Location"].startswith(reverse("accounts:two_factor")), response["Location"]
        assert client.get(reverse("accounts:two_factor")).status_code == 200
    # Others are not held back.
    client = Client()
    client.force_login(personas.viewer)
    assert client.get("/").status_code == 200


@override_settings(SECTORWISE_REQUIRE_2FA_FOR_STAFF=True)
def test_staff_with_a_verified_session_reach_the_admin(personas: Personas) -> None:
    device = _with_totp(personas.staff)
    client = Client()
    _password_step(client, "staff")
    client.post(reverse("accounts:login_code"), {"token": _code(device, steps_ahead=1)})
    assert client.get("/admin/").status_code == 200
    # A session that signed in without the code (before the rule applied) must sign in again.
    other = Client()
    other.force_login(personas.staff)
    response = other.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in other.session


def test_the_rule_is_off_by_default(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.staff)
    assert client.get("/admin/").status_code == 200
