"""Small typed readers of the environment that fail loudly on bad values.

Every setting that depends on the environment goes through one of these, so that a typo in a deployment
(``DEBUG=ture``) stops the process with a message naming the variable instead of meaning something else.
A secret ``X`` may also come from the file named by ``X_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """``name`` from the environment, else the contents of the file ``name_FILE`` names, else ``default``."""
    value = os.environ.get(name)
    if value is not None:
        return value
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE={file_name}: cannot read the file ({error})") from error
    return default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from error


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser() if raw else default


#: The secret key development runs with when none is set: public (it is in this file), so `sectorwise serve`
#: and the production settings refuse it.
DEVELOPMENT_SECRET_KEY = "sectorwise-development-only-not-secret"


def env_proxy_count(name: str) -> int:
    """How many reverse proxies stand in front of the application (0: none, the default).

    Off (unset, blank, 0, false, no, off) or a whole number of proxies; anything else stops the process,
    because trusting forwarded headers by mistake lets any client choose its own address.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip().lower() in _FALSE:
        return 0
    try:
        count = int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected the number of reverse proxies in front of the application (0 = none)"
        ) from error
    if count < 0:
        raise ImproperlyConfigured(f"{name}={raw!r}: the number of proxies cannot be negative")
    return count


def proxy_settings(proxies: int) -> dict[str, Any]:
    """The settings that follow from the number of reverse proxies in front of the application.

    None (0): REMOTE_ADDR is the client for django-axes and django-ninja's throttle, and no header may say
    the request came over HTTPS. N proxies, each appending the address it received from to X-Forwarded-For
    (nginx's ``$proxy_add_x_forwarded_for``), the nearest setting X-Forwarded-Proto: the client is the entry
    the farthest proxy appended, the N-th from the right once REMOTE_ADDR (the nearest proxy) is counted.
    Entries further left were sent by the client and are not believed. python-ipware's strict mode would
    drop such a chain altogether and fall back to the proxy's own address, locking out everyone behind it,
    hence ``IPWARE_STRICT = False`` (the chain must still be long enough).
    """
    if proxies == 0:
        return {
            "SECURE_PROXY_SSL_HEADER": None,
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",),
            "NINJA_NUM_PROXIES": 0,
        }
    return {
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        # python-ipware counts the proxies inside the header; the nearest one is REMOTE_ADDR.
        "AXES_IPWARE_PROXY_COUNT": proxies - 1,
        "IPWARE_STRICT": False,
        "NINJA_NUM_PROXIES": proxies,
    }
