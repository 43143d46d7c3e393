"""Settings for the CRM, read from the environment (see .env.example for every variable)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"

env = environ.Env()
# Real environment variables win over the file; ENV_FILE points elsewhere (tests use an empty one).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="" if not DEBUG else "insecure-dev-key-change-me")
if not SECRET_KEY:
    # Fail loudly rather than run production with a guessable key; make run sets DEBUG=1.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "crm.apps.CrmAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "phonenumber_field",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "axes",
    "django_ratelimit",
    "csp",
    "crm.apps.CrmConfig",
    "customers",
    "segmentation",
    "prediction",
    "acquisition",
    "loyalty",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Early (after the language is known, for its 400 page): NUL bytes, huge numbers and
    # overlong values never reach a view.
    "crm.odd_input.OddInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.tenancy.middleware.TenantMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.tenant_navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Form widgets are drawn with the Jinja2 copies of Django's widget templates (crm/form_renderer.py
# says why); pages and crispy-forms' field templates stay on the Django template language.
FORM_RENDERER = "crm.form_renderer.WidgetRenderer"

# Database: DATABASE_URL when given; otherwise the embedded PostgreSQL under .data/postgres.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from crm.embedded_postgres import embedded_database_settings

    DATABASES = {"default": embedded_database_settings()}
# Parallel test runs on one server each name their own test database.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
# Row-level security (crm/rls.py): the backend works as the app role, with the tenant of the
# django-scopes scope in force set on the connection before each statement.
DATABASES["default"]["ENGINE"] = "crm.database"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed sign-ins (the admin's too) and locks out a username, and separately a
# client address, after CRM_LOGIN_FAILURE_LIMIT failures; the lock ends CRM_LOGIN_LOCKOUT_MINUTES
# after the last attempt. An operator unlocks at once by deleting the "access attempts" in the
# admin (or `manage.py axes_reset_username <name>`). A successful sign-in clears the counters.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("CRM_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("CRM_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "crm.accounts.client_ip"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the client
# connects directly); the client's address for lockouts and rate limits is read accordingly.
CRM_TRUSTED_PROXY_COUNT = env.int("CRM_TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "crm.accounts.client_ip"
# Password reset mails (django-ratelimit, fixed windows): per address asked for, per client.
CRM_PASSWORD_RESET_RATE_PER_ADDRESS = env.str("CRM_PASSWORD_RESET_RATE_PER_ADDRESS", default="3/h")
CRM_PASSWORD_RESET_RATE_PER_IP = env.str("CRM_PASSWORD_RESET_RATE_PER_IP", default="20/h")
# Invitations sent per administrator and per client address (and invitation links opened per
# client address).
CRM_INVITATION_RATE_PER_USER = env.str("CRM_INVITATION_RATE_PER_USER", default="30/h")
CRM_INVITATION_RATE_PER_IP = env.str("CRM_INVITATION_RATE_PER_IP", default="60/h")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tenant_pick"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Turkish first, English second.
LANGUAGE_CODE = "tr"
LANGUAGES = [("tr", _("Turkish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Istanbul")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
MEDIA_URL = "media/"
# Uploaded CSV files above this size are refused with a clear message.
CRM_MAX_UPLOAD_BYTES = env.int("CRM_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Longest query parameter or url-encoded form value accepted (crm.odd_input); longer: 400.
CRM_MAX_PARAMETER_LENGTH = env.int("CRM_MAX_PARAMETER_LENGTH", default=2000)
# Days an import's uploaded file and its rejected rows (personal data) are kept after it ends.
CRM_IMPORT_RETENTION_DAYS = env.int("CRM_IMPORT_RETENTION_DAYS", default=30)
# Days a record of the row-level security bypass (crm.CrossTenantAccess) is kept: the campaign
# tick alone writes one a minute, so the table is purged nightly.
CRM_CROSS_TENANT_ACCESS_RETENTION_DAYS = env.int(
    "CRM_CROSS_TENANT_ACCESS_RETENTION_DAYS", default=180
)
# Longest a single statement of a score recompute may run (seconds); past it the run fails with
# that reason, the previous scores stay and the tenant's lock is released.
CRM_RECOMPUTE_STATEMENT_TIMEOUT = env.int("CRM_RECOMPUTE_STATEMENT_TIMEOUT", default=30 * 60)
if CRM_RECOMPUTE_STATEMENT_TIMEOUT < 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CRM_RECOMPUTE_STATEMENT_TIMEOUT must be at least 1 (seconds).")
# Campaign messages: the site's public address for the links in them (click tracking,
# unsubscribe), and the SMS backend (campaigns/sms.py).
CRM_SITE_URL = env.str("CRM_SITE_URL", default="http://localhost:8000")
CRM_SMS_BACKEND = env.str("CRM_SMS_BACKEND", default="campaigns.sms.ConsoleSmsBackend")

PHONENUMBER_DEFAULT_REGION = "TR"
PHONENUMBER_DB_FORMAT = "E164"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console by default so password resets work on a fresh machine.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CRM <noreply@localhost>")

# The cache holds the rate limit counters: Redis when REDIS_URL is set (atomic increments,
# shared by every process); otherwise files under .data/cache, shared by the processes of one
# machine but with increments that can lose a count under concurrent requests.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "KEY_PREFIX": "crm",
        }
    }
    # django-ratelimit lists only the third-party django-redis as supported; Django's own Redis
    # cache increments atomically too (INCR).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    # Without Redis (make run on one machine) the file cache's non-atomic increments are the
    # trade-off: a limit may let a request or two more through under concurrent requests.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport under .data/celery,
# so worker and beat run for real on a machine with no Redis server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DATA_DIR = DATA_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    for folder in ("queue", "processed", "results", "control"):
        (CELERY_DATA_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        # Broadcast/exchange tables; kombu's default is ./control in the working directory.
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Fan-out jobs: the beat task runs every quarter hour and picks the tenants whose local time
# has reached their nightly slot, so every tenant is scored at 02:00 in its own timezone.
CELERY_BEAT_SCHEDULE = {
    "customers-import-files-purge": {
        "task": "customers.tasks.purge_import_files_everywhere",
        "schedule": crontab(hour=3, minute=30),
    },
    "crm-cross-tenant-access-purge": {
        "task": "crm.tasks.purge_cross_tenant_access",
        "schedule": crontab(hour=3, minute=45),
    },
    "customers-activity-refresh": {
        "task": "customers.tasks.refresh_customer_activity_everywhere",
        "schedule": crontab(hour=1, minute=15),
    },
    "segmentation-nightly-fan-out": {
        "task": "segmentation.tasks.schedule_nightly_recomputes",
        "schedule": crontab(minute="*/15"),
    },
    # After the night's scores: earning catch-up, refunds, release, expiry, cashback per tenant.
    "loyalty-nightly-fan-out": {
        "task": "loyalty.tasks.nightly_everywhere",
        "schedule": crontab(hour=1, minute=30),
    },
    # After the night's scores (02:00 local in Turkey): lead conversions missed, summaries.
    "acquisition-nightly-fan-out": {
        "task": "acquisition.tasks.schedule_nightly_acquisition",
        "schedule": crontab(hour=1, minute=30),
    },
    "prediction-nightly-fan-out": {
        "task": "prediction.tasks.schedule_nightly_predictions",
        "schedule": crontab(minute="*/15"),
    },
    # Campaigns: start, send and finish every minute; event triggers every quarter hour.
    "campaigns-tick": {
        "task": "campaigns.tasks.campaigns_tick_everywhere",
        "schedule": crontab(),
    },
    "campaigns-triggers": {
        "task": "campaigns.tasks.campaigns_triggers_everywhere",
        "schedule": crontab(minute="*/15"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}

# HTTPS. In production (DEBUG off) every protection is on by default; each can be switched off
# by its variable for a plain-HTTP intranet (then turn off all four: redirect, HSTS, cookies).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container's health check asks over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading commits the domain to HTTPS in browsers for good, and anyone may submit a domain
# whose header asks for it: only the site's owner decides that, so it is off unless set.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
# Sessions are read from the cache (Redis, or the file cache without it) and written through to
# the database: every page saves the query that loaded the session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Only behind a proxy that sets this header itself (and strips it from clients): trusting it
# otherwise lets any client claim HTTPS. E.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
if _proxy_header := env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # see SECURE_HSTS_PRELOAD above

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own static
# files only (Bootstrap and htmx come from Python packages, no CDN); an inline <script> or
# <style> needs the request's nonce: <script nonce="{{ CSP_NONCE }}">. No inline event
# handlers (onclick=...) and no style="..." attributes: put them in static/js/crm.js and
# static/css/crm.css. Bootstrap's CSS draws its icons with data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
