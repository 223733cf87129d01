"""Rate limits: django-ninja's anonymous and per-user API throttles, and the anonymous submissions of a public
form (:class:`PublicFormThrottle`). Rates are read from the settings on every request (so
``override_settings`` and a changed environment apply) and no per-request state is kept on the throttle
object, which is shared between the threads of a worker."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle, AuthRateThrottle, SimpleRateThrottle


class _SettingsRateMixin(SimpleRateThrottle):
    rate_setting: str

    def __init__(self) -> None:
        super().__init__(rate=getattr(settings, self.rate_setting))
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        num_requests, duration = self.parse_rate(getattr(settings, self.rate_setting))
        self._local.wait = None
        key = self.get_cache_key(request)
        if key is None or num_requests is None or duration is None:
            return True
        now = time.time()
        history: list[float] = [moment for moment in self.cache.get(key, []) if moment > now - duration]
        if len(history) >= num_requests:
            self._local.wait = duration - (now - history[-1])
            return False
        self.cache.set(key, [now, *history], duration)
        return True

    def wait(self) -> float | None:
        wait: float | None = getattr(self._local, "wait", None)
        return wait


class AnonymousRateThrottle(_SettingsRateMixin, AnonRateThrottle):
    """Requests without credentials, per client address (``NINJA_NUM_PROXIES`` says which one)."""

    rate_setting = "SECTORWISE_API_RATE_ANON"


class UserRateThrottle(_SettingsRateMixin, AuthRateThrottle):
    """Requests with a session or token, per user."""

    rate_setting = "SECTORWISE_API_RATE_USER"


class PublicFormThrottle(_SettingsRateMixin):
    """Anonymous submissions of one public form, per client address (the same address the API throttles and
    django-axes use: ``NINJA_NUM_PROXIES``). Signed-in users are not counted: their rights are checked and
    their actions recorded."""

    def __init__(self, *, scope: str, rate_setting: str) -> None:
        self.scope = scope
        self.rate_setting = rate_setting
        super().__init__()

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
