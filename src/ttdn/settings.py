"""Settings of the TTĐN platform, read from environment variables.

One module for every environment (see docs/adr/0001): ``TTDN_ENV=production`` switches on
the production hardening; everything else comes from the variables documented in
docs/deployment.md. The embedded default needs none of them: an SQLite file under
``TTDN_DATA_DIR`` and the database-backed job worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def _env(name: str, default: str = "") -> str:
    return (os.environ.get(name) or default).strip()


def _env_bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(_env("TTDN_HOME", str(Path.cwd()))).resolve()
DATA_DIR = Path(_env("TTDN_DATA_DIR", str(BASE_DIR / "var"))).resolve()

TTDN_ENV = _env("TTDN_ENV", "development")
if TTDN_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"TTDN_ENV must be development, production or test, not {TTDN_ENV!r}"
    )
PRODUCTION = TTDN_ENV == "production"

DEBUG = _env_bool("TTDN_DEBUG", default=not PRODUCTION and TTDN_ENV != "test")

SECRET_KEY = _env("TTDN_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("TTDN_SECRET_KEY must be set when TTDN_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 32

ALLOWED_HOSTS = _env_list(
    "TTDN_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = _env_list("TTDN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_tasks_rq",
    "django_rq",
    # TTĐN apps, one per domain area
    "ttdn.core",
    "ttdn.audit",
    "ttdn.accounts",
    "ttdn.directory",
    "ttdn.plans",
    "ttdn.reporting",
    "ttdn.monitoring",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ttdn.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ttdn.audit.middleware.AuditContextMiddleware",
    # axes must be last: it answers locked-out sign-ins
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ttdn.urls"
WSGI_APPLICATION = "ttdn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ttdn.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
_default_sqlite = f"sqlite:///{DATA_DIR / 'ttdn.sqlite3'}"
if not os.environ.get("DATABASE_URL"):
    # the embedded default keeps its file in the data folder: make it on first use
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = _env("DATABASE_URL", _default_sqlite)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the job worker writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": _env("TTDN_TEST_SQLITE", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when given, local memory otherwise) --------------------------
REDIS_URL = _env("TTDN_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs (django.tasks API through the django-tasks backport) ------
# "db": embedded worker on the database (default); "rq": Redis-based distributed workers;
# "immediate": run in-process (tests that do not exercise a worker).
TASKS_BACKEND = _env("TTDN_TASKS_BACKEND", "db")
RQ_REDIS_URL = _env("TTDN_RQ_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TTDN_TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
RQ_QUEUES = {"default": {"URL": RQ_REDIS_URL, "DEFAULT_TIMEOUT": 600}}

# --- Authentication -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failures (django-axes): per user name and address.
AXES_FAILURE_LIMIT = int(_env("TTDN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(_env("TTDN_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie

# --- Security headers -----------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = _env_bool("TTDN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(_env("TTDN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _env_bool("TTDN_HSTS_PRELOAD", False)

# --- E-mail -----------------------------------------------------------------------
EMAIL_URL = _env("TTDN_EMAIL_URL")
if EMAIL_URL.startswith(("smtp://", "smtps://")):
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _env_bool("TTDN_EMAIL_STARTTLS", False)
elif EMAIL_URL == "locmem":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = _env("TTDN_FROM_EMAIL", "ttdn@localhost")
# The platform's public address, for links in e-mails.
TTDN_BASE_URL = _env("TTDN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Press monitoring -------------------------------------------------------------
# Options of the polite HTTP client (ttdn.monitoring.fetch.http.Fetcher) and of the
# article extractor (trafilatura); see docs/deployment.md.
TTDN_FETCHER_OPTIONS: dict = {}
TTDN_EXTRACT_OPTIONS: dict = {}
# How long a worker holds a batch of items; after a crash they are taken up again then.
TTDN_MONITOR_LEASE_SECONDS = int(_env("TTDN_MONITOR_LEASE_SECONDS", "300"))

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": _env("TTDN_API_RATE", "5000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TTĐN API",
    "DESCRIPTION": "API của nền tảng quản lý công tác thông tin đối ngoại.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # several models have a "kind" or "status" field with different choices
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "ttdn.plans.models.PlanStatus",
        "PlanKindEnum": "ttdn.plans.models.PlanKind",
        "TaskStatusEnum": "ttdn.plans.models.TaskStatus",
        "PlanImportStatusEnum": "ttdn.plans.models.PlanImportStatus",
        "OrganisationKindEnum": "ttdn.directory.models.OrganisationKind",
        "SourceKindEnum": "ttdn.monitoring.models.Source.Kind",
        "ItemKindEnum": "ttdn.monitoring.models.Item.Kind",
        "AlertRuleKindEnum": "ttdn.monitoring.models.AlertRule.Kind",
        "CaseStatusEnum": "ttdn.monitoring.cases.CaseStatus",
        "CaseOutcomeEnum": "ttdn.monitoring.models.Case.Outcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("TTDN_LOG_LEVEL", "WARNING")},
    "loggers": {
        "ttdn": {
            "handlers": ["console"],
            "level": _env("TTDN_LOG_LEVEL", "INFO"),
            "propagate": False,
        }
    },
}
