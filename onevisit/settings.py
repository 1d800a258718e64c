"""The one settings file. Everything that varies between installations comes from the environment.

SQLite under ONEVISIT_DATA_DIR by default; PostgreSQL when DATABASE_URL is set.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from onevisit.lib.security import POLICY

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DATA_DIR = Path(env_str("ONEVISIT_DATA_DIR", str(Path.cwd() / "var"))).resolve()
# The data folder holds password hashes, contacts and signing keys: every file onevisit writes
# there is readable by its own user only (the database, uploads, keys, documents).
os.umask(0o077)
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
for _private in DATA_DIR.glob("onevisit.sqlite3*"):
    _private.chmod(0o600)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else from the data folder, created on first run."""
    given = os.environ.get("SECRET_KEY")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "onevisit.operations",  # first: its makemessages is the one `onevisit makemessages` runs
    "onevisit.accounts",
    "onevisit.registry",
    "onevisit.audit",
    "onevisit.versions",
    "onevisit.imports",
    "onevisit.workdays",
    "onevisit.catalog",
    "onevisit.planning",
    "onevisit.draws",
    "onevisit.monitoring",
    "onevisit.inspections",
    "onevisit.oversight",
    "onevisit.tips",
    "onevisit.rectification",
    "onevisit.campaigns",
    "onevisit.penalties",
    "onevisit.evaluation",
    "onevisit.assessments",
    "onevisit.liaison",
    "onevisit.scope",
    "onevisit.workbench",
    "django_tasks",
    "axes",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
]

MIDDLEWARE = [
    "onevisit.lib.limits.RequestSizeLimit",
    "django.middleware.security.SecurityMiddleware",
    "onevisit.lib.security.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onevisit.lib.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "onevisit.lib.security.DropControlCharacters",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "onevisit.lib.security.NumbersBeyondTheDatabase",
]

ROOT_URLCONF = "onevisit.urls"
WSGI_APPLICATION = "onevisit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "onevisit.workbench.menu.menu",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_onevisit")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "onevisit.sqlite3"),
            # Immediate transactions and a busy timeout keep the web process and the worker
            # from failing each other with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                ),
            },
        }
    }

# The cache holds the request limits and single-use form tokens, so every server process must
# share it: the database by default (its table is made by `onevisit migrate`), Redis when
# ONEVISIT_CACHE_URL=redis://host:6379/0 is set.
CACHE_URL = env_str("ONEVISIT_CACHE_URL", "")
CACHES: dict[str, dict[str, Any]]
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "onevisit_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Logins are throttled (django-axes): after ONEVISIT_LOGIN_FAILURES wrong passwords for one
# account from one address, that account waits ONEVISIT_LOGIN_LOCKOUT_MINUTES at that address
# only. Locking the pair, not the account or the address alone, means that nobody can lock out
# a colleague (wrong passwords for the supervisor's name from one place leave the supervisor
# free everywhere else) and that a name that does not exist locks out nobody. An address that
# sends more than ONEVISIT_LOGINS_PER_MINUTE login attempts is told to slow down for the rest of
# the minute. The client's address is the one the reverse proxy states (ONEVISIT_CLIENT_IP_HEADER,
# read by django-ipware), never the proxy's own. An admin lifts a lockout in /admin/axes/ or with
# `onevisit axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ONEVISIT_LOGIN_FAILURES", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ONEVISIT_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "onevisit.lib.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "onevisit.lib.ratelimit.login_name"
ONEVISIT_LOGINS_PER_MINUTE = env_int("ONEVISIT_LOGINS_PER_MINUTE", 30)
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["onevisit.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("ONEVISIT_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded and generated files (photos, evidence, PDFs, tip attachments) go to S3-compatible
# object storage when ONEVISIT_S3_BUCKET is set, so that any number of app nodes share them;
# otherwise to MEDIA_ROOT. Files are always served through onevisit's own views, after the
# permission check, never by a public bucket address.
ONEVISIT_S3_BUCKET = env_str("ONEVISIT_S3_BUCKET", "")
if ONEVISIT_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ONEVISIT_S3_BUCKET,
            "endpoint_url": env_str("ONEVISIT_S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("ONEVISIT_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("ONEVISIT_S3_SECRET_KEY", "") or None,
            "region_name": env_str("ONEVISIT_S3_REGION", "") or None,
            "location": env_str("ONEVISIT_S3_PREFIX", ""),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "onevisit.lib.limits.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The largest request body outside the import page: five 10 MB tip attachments and the form.
ONEVISIT_REQUEST_MAX_BYTES = env_int("ONEVISIT_REQUEST_MAX_BYTES", 60 * 1024 * 1024)
# A whole-city register of 600,000 enterprises is about 80 MB as CSV.
ONEVISIT_IMPORT_MAX_BYTES = env_int("ONEVISIT_IMPORT_MAX_BYTES", 200 * 1024 * 1024)

# Inspection codes (扫码入企): lookups of /v/<code> per client address and minute (0 = no limit),
# complaints per minute, and how many working days ahead an enterprise sees an announced visit.
ONEVISIT_CODE_LOOKUPS_PER_MINUTE = env_int("ONEVISIT_CODE_LOOKUPS_PER_MINUTE", 60)
# The body that keeps the business-scope catalogue and reviews regional entries (市场监管).
ONEVISIT_MARKET_BODY = os.environ.get("ONEVISIT_MARKET_BODY", "LC-SCJG")
# who answers for the Open311 endpoint, shown in its discovery document
ONEVISIT_OPEN311_CONTACT = env_str("ONEVISIT_OPEN311_CONTACT", "")
ONEVISIT_COMPLAINTS_PER_MINUTE = env_int("ONEVISIT_COMPLAINTS_PER_MINUTE", 3)
ONEVISIT_TIPS_PER_MINUTE = env_int("ONEVISIT_TIPS_PER_MINUTE", 3)
ONEVISIT_NOTICE_WORKING_DAYS = env_int("ONEVISIT_NOTICE_WORKING_DAYS", 3)
# Behind a reverse proxy: the header in which it states the client's address (HTTP_X_REAL_IP, or
# HTTP_X_FORWARDED_FOR with ONEVISIT_PROXY_COUNT, the number of proxies in front of onevisit).
ONEVISIT_CLIENT_IP_HEADER = env_str("ONEVISIT_CLIENT_IP_HEADER", "")
ONEVISIT_PROXY_COUNT = env_int("ONEVISIT_PROXY_COUNT", 0)
# Signed audit checkpoints (`onevisit audit checkpoint`): the signing key, kept apart from the
# database, and the file the checkpoints are appended to (write-once storage where there is one).
ONEVISIT_AUDIT_KEY = env_str("ONEVISIT_AUDIT_KEY", "")
# The code-signing and sealing keys (and the audit key unless ONEVISIT_AUDIT_KEY names one):
# the data folder's keys/ by default. Every app node of a cluster reads the same keys: make them
# once with `onevisit keys --create`, give each node a copy (or a read-only mount) and set
# ONEVISIT_CREATE_KEYS=false there, so that a node that misses them stops instead of making
# keys of its own that the other nodes' codes would not verify against.
ONEVISIT_KEYS_DIR = Path(env_str("ONEVISIT_KEYS_DIR", str(DATA_DIR / "keys"))).resolve()
ONEVISIT_CREATE_KEYS = env_bool("ONEVISIT_CREATE_KEYS", True)
# The crypto suite that signs new inspection codes: gm (SM2/SM3, GB/T 32918) or intl (Ed25519).
# Codes signed under the other suite, or by a retired key, keep verifying (docs/security.md).
ONEVISIT_CRYPTO_SUITE = env_str("ONEVISIT_CRYPTO_SUITE", "gm")
if ONEVISIT_CRYPTO_SUITE not in ("gm", "intl"):
    raise ImproperlyConfigured(
        f"ONEVISIT_CRYPTO_SUITE is gm or intl, not {ONEVISIT_CRYPTO_SUITE!r}"
    )
ONEVISIT_AUDIT_CHECKPOINTS = env_str("ONEVISIT_AUDIT_CHECKPOINTS", "")
# Further files each checkpoint is appended to (comma-separated): another machine's mount,
# write-once storage. `audit verify` reads them all and reports one that is missing or cut short.
ONEVISIT_AUDIT_CHECKPOINT_COPIES = env_str("ONEVISIT_AUDIT_CHECKPOINT_COPIES", "")
# How often the background worker writes a checkpoint (0: never; then run `audit checkpoint`).
ONEVISIT_AUDIT_CHECKPOINT_MINUTES = env_int("ONEVISIT_AUDIT_CHECKPOINT_MINUTES", 60)
# A font file with Chinese glyphs for PDFs (and its face in a .ttc collection); empty: the font
# that ships with onevisit (onevisit/fonts/).
ONEVISIT_PDF_FONT = env_str("ONEVISIT_PDF_FONT", "")
ONEVISIT_PDF_FONT_INDEX = env_int("ONEVISIT_PDF_FONT_INDEX", 0)

# Behind HTTPS (docs/reference.md, "Production"): secure cookies, HSTS, the redirect to HTTPS,
# and the header by which the reverse proxy says a request came over HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("ONEVISIT_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ONEVISIT_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("ONEVISIT_HSTS_PRELOAD", False)
# The browsers' HSTS preload list takes public hosts only: a government intranet host cannot be
# on it, so Django's reminder to ask for it (security.W021) does not apply unless preload is on.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_SSL_REDIRECT = env_bool("ONEVISIT_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # the balancer probes over plain HTTP
_proxy_ssl_header = env_str("ONEVISIT_PROXY_SSL_HEADER", "")  # e.g. HTTP_X_FORWARDED_PROTO
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
ONEVISIT_CSP = env_str("ONEVISIT_CSP", POLICY)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "quiet_forbidden": {
            "()": "django.utils.log.CallbackFilter",
            "callback": "ext://onevisit.lib.logs.quiet_forbidden",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["quiet_forbidden"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Background work (Django's tasks framework): a database-backed queue that `onevisit serve`
# works through with its own worker process; "immediate" runs each task on enqueue (tests).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env_str("ONEVISIT_TASK_BACKEND", "database")]}}
