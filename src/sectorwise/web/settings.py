"""The one settings module of the Sectorwise web application, driven by the environment.

Development defaults are safe and need nothing set (``DEBUG`` on, SQLite in ``SECTORWISE_DATA_DIR``).
Production (``SECTORWISE_DEBUG=false``) refuses to start without a real ``SECTORWISE_SECRET_KEY`` (or
``SECTORWISE_SECRET_KEY_FILE``) and turns on HSTS, secure cookies and the HTTPS redirect.

Variables: SECTORWISE_DEBUG, SECTORWISE_SECRET_KEY[_FILE], SECTORWISE_ALLOWED_HOSTS,
SECTORWISE_CSRF_TRUSTED_ORIGINS, DATABASE_URL[_FILE] (PostgreSQL; default SQLite
``$SECTORWISE_DATA_DIR/sectorwise.sqlite3``), SECTORWISE_DATA_DIR,
SECTORWISE_NODE_MODULES (where ``npm install`` put the front-end packages), SECTORWISE_STATIC_ROOT,
SECTORWISE_SECURE_SSL_REDIRECT, SECTORWISE_HSTS_SECONDS, SECTORWISE_LOG_LEVEL,
SECTORWISE_DASHBOARD_CACHE_SECONDS, DATABASE_CONN_MAX_AGE, SECTORWISE_TRUSTED_PROXY (number of reverse
proxies in front; 0 by default), SECTORWISE_MAX_UPLOAD_MB, SECTORWISE_MAX_BODY_KB, SECTORWISE_API_RATE_ANON,
SECTORWISE_API_RATE_USER.

Sign-in (README "Sign-in: local accounts, two-factor, single sign-on"):
- SECTORWISE_SESSION_HOURS (12): how long a session lasts. SECTORWISE_API_TOKEN_DAYS (90, at least 1): the
  default lifetime of new API tokens (``create_api_token --days 0`` makes one that never expires).
- SECTORWISE_REQUIRE_2FA_FOR_STAFF (false): state administrators and staff who sign in with a password must
  set up and use TOTP two-factor sign-in (/accounts/two-factor/) before any page or the admin.
  SECTORWISE_OTP_ISSUER ("Sectorwise"): the name authenticator apps show.
- OpenID Connect single sign-on, on when SECTORWISE_OIDC_CLIENT_ID, SECTORWISE_OIDC_CLIENT_SECRET[_FILE] and
  SECTORWISE_OIDC_ISSUER (endpoints discovered) or all four of SECTORWISE_OIDC_AUTHORIZATION_ENDPOINT,
  _TOKEN_ENDPOINT, _USERINFO_ENDPOINT, _JWKS_ENDPOINT are set. SECTORWISE_OIDC_PROVIDER_NAME (the button's
  "Sign in with ..."), SECTORWISE_OIDC_SIGN_ALGO (RS256), SECTORWISE_OIDC_SCOPES ("openid email profile").
  Claims: SECTORWISE_OIDC_ROLE_CLAIM ("roles"; one value or a list), SECTORWISE_OIDC_ROLE_MAP (JSON, claim
  value -> role, e.g. {"sectorwise-staff": "state_staff"}; unmapped values give no role, the highest mapped
  role wins, never a superuser), SECTORWISE_OIDC_ORG_CLAIM (an organisation id or exact name),
  SECTORWISE_OIDC_MATCH_EMAIL (false: link a first sign-on to an existing account with the same verified
  email, never to a superuser or state administrator).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from sectorwise.lmi.warehouse import data_dir
from sectorwise.web.env import (
    DEVELOPMENT_SECRET_KEY,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_proxy_count,
    env_str,
    proxy_settings,
)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PROJECT_ROOT = PACKAGE_DIR.parents[1]
DATA_DIR = data_dir()
# The LMI warehouse the pages read (core/warehouse_gateway.py). Unset: $SECTORWISE_DATA_DIR/warehouse.duckdb,
# looked up when read, the file the `sectorwise lmi` commands use by default.
SECTORWISE_WAREHOUSE = env_path("SECTORWISE_WAREHOUSE", Path()) if env_str("SECTORWISE_WAREHOUSE") else None
# LMI is public data: the intelligence pages are open to everyone signed in and, with SECTORWISE_PUBLIC_LMI,
# to anonymous visitors too. SECTORWISE_CLUSTERS: the Cluster Mapping definitions JSON (the ranking's cluster
# strength; unset, that indicator is left out with a note), as for `sectorwise lmi rank`.
SECTORWISE_PUBLIC_LMI = env_bool("SECTORWISE_PUBLIC_LMI", False)
SECTORWISE_CLUSTERS = env_path("SECTORWISE_CLUSTERS", Path()) if env_str("SECTORWISE_CLUSTERS") else None

DEBUG = env_bool("SECTORWISE_DEBUG", True)

SECRET_KEY = env_str("SECTORWISE_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECTORWISE_SECRET_KEY (or SECTORWISE_SECRET_KEY_FILE) is required when SECTORWISE_DEBUG is off"
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured("SECTORWISE_SECRET_KEY must be at least 50 random characters in production")

ALLOWED_HOSTS = env_list("SECTORWISE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SECTORWISE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "sectorwise.accounts.admin_config.SectorwiseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "sectorwise.core",
    "sectorwise.directory",
    "sectorwise.accounts",
    "sectorwise.partnerships",
    "sectorwise.planning",
    "sectorwise.outcomes",
    "sectorwise.surveys",
    "sectorwise.grants",
    "sectorwise.capacity",
    "sectorwise.intelligence",
    "sectorwise.reports",
    "django_tasks",
    "django_tasks_db",
]

# Background jobs (large imports): django-tasks' database backend; `sectorwise manage db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: an oversized request is answered 413 at once.
    "sectorwise.web.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session showed a TOTP code (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "sectorwise.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sectorwise.web.urls"
WSGI_APPLICATION = "sectorwise.web.wsgi.application"
ASGI_APPLICATION = "sectorwise.web.asgi.application"

# {{ form }} and {{ field.as_field_group }} render USWDS form groups (core/templates/core/forms/).
FORM_RENDERER = "sectorwise.core.forms.UswdsFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sectorwise.core.context_processors.access",
                "sectorwise.core.context_processors.navigation",
            ],
        },
    }
]

# Databases: SQLite in the data directory unless DATABASE_URL names another (PostgreSQL in production).
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "sectorwise.sqlite3"),
            "OPTIONS": {
                # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock at BEGIN so
                # two writers queue instead of failing with "database is locked" halfway through. The read
                # pragmas (memory-mapped file, 32 MB page cache per connection, temporary tables in memory)
                # keep a state-sized registry in memory once read.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA mmap_size=268435456; PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # One connection per worker thread, kept between requests (opening one and running the pragmas
            # cost about a millisecond per request); checked before reuse.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# A session lasts SECTORWISE_SESSION_HOURS (default 12: a working day, not Django's two weeks).
SESSION_COOKIE_AGE = env_int("SECTORWISE_SESSION_HOURS", 12) * 3600
if SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("SECTORWISE_SESSION_HOURS must be a positive number of hours")
# New API tokens expire after SECTORWISE_API_TOKEN_DAYS (default 90). A token that never expires is made
# only when asked for, one at a time (`create_api_token --days 0`), never by default: hence at least 1.
SECTORWISE_API_TOKEN_DAYS = env_int("SECTORWISE_API_TOKEN_DAYS", 90)
if SECTORWISE_API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured(
        "SECTORWISE_API_TOKEN_DAYS must be 1 or more (a token that never expires: create_api_token --days 0)"
    )

# Two-factor sign-in (TOTP, django-otp): anyone may turn it on at /accounts/two-factor/. With
# SECTORWISE_REQUIRE_2FA_FOR_STAFF, state administrators and staff signed in with a password must (the
# demo keeps it off).
SECTORWISE_REQUIRE_2FA_FOR_STAFF = env_bool("SECTORWISE_REQUIRE_2FA_FOR_STAFF", False)
OTP_TOTP_ISSUER = env_str("SECTORWISE_OTP_ISSUER", "Sectorwise") or "Sectorwise"

# OpenID Connect single sign-on (mozilla-django-oidc), beside local accounts, on when an issuer (or the four
# endpoints) and a client id and secret are set. The endpoints come from the issuer's discovery document
# unless given. Roles and the organisation come from claims (sectorwise.accounts.selectors.sso_*).
SECTORWISE_OIDC_ISSUER = (env_str("SECTORWISE_OIDC_ISSUER") or "").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("SECTORWISE_OIDC_CLIENT_ID") or ""
OIDC_RP_CLIENT_SECRET = env_str("SECTORWISE_OIDC_CLIENT_SECRET") or ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("SECTORWISE_OIDC_AUTHORIZATION_ENDPOINT") or ""
OIDC_OP_TOKEN_ENDPOINT = env_str("SECTORWISE_OIDC_TOKEN_ENDPOINT") or ""
OIDC_OP_USER_ENDPOINT = env_str("SECTORWISE_OIDC_USERINFO_ENDPOINT") or ""
OIDC_OP_JWKS_ENDPOINT = env_str("SECTORWISE_OIDC_JWKS_ENDPOINT") or ""
_oidc_endpoints = all(
    (OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT)
)
SECTORWISE_OIDC = bool(
    (SECTORWISE_OIDC_ISSUER or _oidc_endpoints) and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET
)
SECTORWISE_OIDC_PROVIDER_NAME = env_str("SECTORWISE_OIDC_PROVIDER_NAME", "single sign-on") or "single sign-on"
OIDC_RP_SIGN_ALGO = env_str("SECTORWISE_OIDC_SIGN_ALGO", "RS256") or "RS256"
OIDC_RP_SCOPES = env_str("SECTORWISE_OIDC_SCOPES", "openid email profile") or "openid email profile"
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
OIDC_TIMEOUT = 10
SECTORWISE_OIDC_ROLE_CLAIM = env_str("SECTORWISE_OIDC_ROLE_CLAIM", "roles") or "roles"
SECTORWISE_ROLE_VALUES = frozenset({"state_admin", "state_staff", "convener", "reviewer", "viewer"})
"""sectorwise.core.roles.Role's values (a test keeps them equal), which settings cannot import."""


def _role_map(name: str) -> dict[str, str]:
    """A JSON object from claim value to Sectorwise role; any other role name stops the process."""
    raw = env_str(name) or "{}"
    try:
        mapping = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: not JSON ({error})") from error
    if not isinstance(mapping, dict):
        raise ImproperlyConfigured(f"{name}: expected a JSON object of claim value -> role")
    for claim_value, role in mapping.items():
        if role not in SECTORWISE_ROLE_VALUES:
            raise ImproperlyConfigured(
                f"{name}: {claim_value!r} -> {role!r} is not a role (one of {sorted(SECTORWISE_ROLE_VALUES)})"
            )
    return {str(key): str(value) for key, value in mapping.items()}


SECTORWISE_OIDC_ROLE_MAP = _role_map("SECTORWISE_OIDC_ROLE_MAP")
SECTORWISE_OIDC_ORG_CLAIM = env_str("SECTORWISE_OIDC_ORG_CLAIM") or ""
SECTORWISE_OIDC_MATCH_EMAIL = env_bool("SECTORWISE_OIDC_MATCH_EMAIL", False)
if SECTORWISE_OIDC:
    AUTHENTICATION_BACKENDS.append("sectorwise.accounts.oidc.SectorwiseOIDCBackend")

# django-axes: lock a username+address pair after 5 failures for an hour.
AXES_FAILURE_LIMIT = env_int("SECTORWISE_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = False
USE_TZ = True

# E-mail (the employer surveys' invitations): the console in development, SMTP (Django's EMAIL_HOST etc.)
# otherwise; SECTORWISE_EMAIL_BACKEND overrides. Tests use Django's locmem outbox.
EMAIL_BACKEND = env_str("SECTORWISE_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("SECTORWISE_DEFAULT_FROM_EMAIL") or "sectorwise@localhost"

# Static files come straight from the npm packages `make install` put in node_modules: nothing is vendored.
NODE_MODULES = env_path("SECTORWISE_NODE_MODULES", PROJECT_ROOT / "node_modules")
STATIC_URL = "/static/"
# Where `collectstatic` gathers files for production; development serves them from the finders instead (and
# whitenoise would warn about a root that was never collected).
STATIC_ROOT = (
    env_path("SECTORWISE_STATIC_ROOT", PROJECT_ROOT / "staticfiles")
    if not DEBUG or "SECTORWISE_STATIC_ROOT" in os.environ
    else None
)
STATICFILES_DIRS = [
    ("uswds", str(NODE_MODULES / "@uswds" / "uswds" / "dist")),
    ("htmx", str(NODE_MODULES / "htmx.org" / "dist")),
    ("vega", str(NODE_MODULES / "vega" / "build")),
    ("vega-lite", str(NODE_MODULES / "vega-lite" / "build")),
    ("vega-embed", str(NODE_MODULES / "vega-embed" / "build")),
    ("us-atlas", str(NODE_MODULES / "us-atlas")),
]
STATICFILES_FINDERS = [
    "sectorwise.web.staticfinders.NodePackageFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
SECTORWISE_STATIC_INCLUDE = {
    # USWDS: its CSS, JS, the fonts and icons the CSS refers to (not the 2,000 Material icons). Source maps
    # stay: the built files name them, and the manifest storage refuses a reference to a missing file.
    "uswds": [
        "css/*.css", "css/*.map", "js/*.js", "js/*.map", "fonts/*/*",
        "img/*", "img/usa-icons/*", "img/usa-icons-bg/*", "img/favicons/*",
    ],
    "htmx": ["htmx.min.js", "htmx.min.js.map", "ext/*.js"],
    "vega": ["vega.min.js", "vega.min.js.map"],
    "vega-lite": ["vega-lite.min.js", "vega-lite.min.js.map"],
    "vega-embed": ["vega-embed.min.js", "vega-embed.min.js.map"],
    "us-atlas": ["counties-10m.json"],  # the dashboard map's geometry; the other atlases are unused
}  # fmt: skip
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # whitenoise's compressed manifest storage; a missing source map leaves its reference as it was
            # instead of failing collectstatic (see sectorwise.web.staticstorage).
            else "sectorwise.web.staticstorage.SourceMapTolerantStorage"
        )
    },
}
# Source maps are fetched by developer tools only: not worth compressing (they are a third of the bytes).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# Without collectstatic (development, tests) whitenoise serves the finders' files directly.
WHITENOISE_USE_FINDERS = DEBUG
# Look files up per request in development instead of scanning every package at start-up (fixed here, not
# derived later from DEBUG, which the test runner turns off).
WHITENOISE_AUTOREFRESH = DEBUG

# Security: safe in development, strict in production (`manage.py check --deploy` is clean with DEBUG off).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; Django's default kept
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECTORWISE_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECTORWISE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Reverse proxies: forwarded headers (X-Forwarded-Proto for HTTPS, X-Forwarded-For for the address django-axes
# locks out and the API throttles) are believed only when SECTORWISE_TRUSTED_PROXY says how many proxies stand
# in front; otherwise any client could claim HTTPS or choose its own address. See env.proxy_settings.
SECTORWISE_TRUSTED_PROXY = env_proxy_count("SECTORWISE_TRUSTED_PROXY")
globals().update(proxy_settings(SECTORWISE_TRUSTED_PROXY))

# Request sizes: an import file may be SECTORWISE_MAX_UPLOAD_MB; any other body (forms, the API's JSON)
# SECTORWISE_MAX_BODY_KB. Larger requests are answered 413 before the body is read
# (sectorwise.web.middleware); Django's own limits below stay as a second line.
SECTORWISE_MAX_UPLOAD_BYTES = env_int("SECTORWISE_MAX_UPLOAD_MB", 20) * 1024 * 1024
SECTORWISE_MAX_BODY_BYTES = env_int("SECTORWISE_MAX_BODY_KB", 1024) * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = SECTORWISE_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploaded files go to a temporary file, not memory
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Content-Security-Policy (django-csp): scripts and styles from this site only, inline scripts only with the
# per-request nonce, no eval (Vega runs its expression interpreter: static/partnerships/charts.js), no
# framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
    }
}

# API rate limits (django-ninja throttles in sectorwise.web.api, counted in Django's cache: per server
# process with the default local-memory cache).
SECTORWISE_API_RATE_ANON = env_str("SECTORWISE_API_RATE_ANON", "60/min") or "60/min"
SECTORWISE_API_RATE_USER = env_str("SECTORWISE_API_RATE_USER", "600/min") or "600/min"
# Anonymous registrations for a public event, per client address: without a limit one script could take
# every place of every public event (sectorwise.capacity.views.event_register_email).
SECTORWISE_PUBLIC_REGISTRATION_RATE = env_str("SECTORWISE_PUBLIC_REGISTRATION_RATE", "10/hour") or "10/hour"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SECTORWISE_LOG_LEVEL", "WARNING") or "WARNING"},
}

# Participants' SSNs and state IDs are stored only as keyed hashes (sectorwise.outcomes.pii): the key from
# SECTORWISE_PII_KEY_FILE or SECTORWISE_PII_KEY; with DEBUG on and neither, one is generated into the data
# directory (pii.key); with DEBUG off the outcomes app refuses to start without one.
SECTORWISE_PII_KEY_FILE = (
    env_path("SECTORWISE_PII_KEY_FILE", Path()) if os.environ.get("SECTORWISE_PII_KEY_FILE") else None
)
SECTORWISE_PII_KEY = os.environ.get("SECTORWISE_PII_KEY", "")
# Fixed here, not derived later from DEBUG (the test runner turns DEBUG off after loading the settings).
SECTORWISE_PII_DEMO_KEY = DEBUG
SECTORWISE_API_PAGE_SIZE_MAX = 200
# How long a server process may keep the dashboard's figures after another process wrote (its own writes drop
# them at once): sectorwise.partnerships.dashboard_cache. 0 turns the cache off.
SECTORWISE_DASHBOARD_CACHE_SECONDS = env_int("SECTORWISE_DASHBOARD_CACHE_SECONDS", 30)
