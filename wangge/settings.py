"""Wangge's settings, read from the environment (see README, "Configuration")."""

from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from wangge.lib import secrets as local_secrets
from wangge.lib.env import envbool, envint, envlist, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("WANGGE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
# The demo may invent its own secrets under var/; production must be given them.
DEMO = envbool("WANGGE_DEMO", False)

_generated = local_secrets.load_or_create(VAR_DIR / "secrets.json") if DEMO else {}


def _secret(name: str) -> str:
    value = envstr(name, "") or _generated.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Production refuses to start without it; "
            "the demo (WANGGE_DEMO=true) generates one under var/."
        )
    return value


SECRET_KEY = _secret("SECRET_KEY")
# AEAD keys for ID numbers and phones: "id:base64" items, the first encrypts, all decrypt.
WANGGE_DATA_KEYS = _secret("WANGGE_DATA_KEYS")
# Keys of the keyed blind index (HMAC) that finds a person by exact ID number or phone.
WANGGE_INDEX_KEYS = _secret("WANGGE_INDEX_KEYS")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    # Listed so that the API docs page serves Swagger UI from local static files
    # (nothing may load from the internet, and the CSP allows only 'self').
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "wangge.core",
    "wangge.audit",
    "wangge.areas",
    "wangge.residents",
    "wangge.accounts",
    "wangge.events",
    "wangge.notifications",
    "wangge.workforce",
    "wangge.risk",
    "wangge.testing",
    "wangge.dispatch",
    "wangge.incidents",
    "wangge.keypersons",
    "wangge.tracing",
    "wangge.checkpoints",
    "wangge.duty",
    "wangge.services",
    "wangge.snapshots",
    "wangge.docking",
    "wangge.dashboard",
    "wangge.bulletins",
    "wangge.workbench",
    "wangge.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wangge.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "wangge.core.middleware.AdminEmptyToFieldMiddleware",
]

ROOT_URLCONF = "wangge.urls"
WSGI_APPLICATION = "wangge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wangge" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wangge.core.nav.navigation",
                "wangge.notifications.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wangge.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a station's batch is written; the pragmas are
    # applied to every new connection by init_command. The log is copied back into the
    # database (a checkpoint) inside the commit that grows it past wal_autocheckpoint
    # pages, while other writers wait: a batch of registrations dirties ~1,200 pages, so
    # SQLite's default of 1,000 checkpointed in nearly every batch's commit; 16,384 pages
    # (64 MB of log) do it every ~13 batches (1.3× the ingestion rate, docs/benchmarks.md).
    # A connection drops its page cache whenever another process has written, so each
    # worker rereads the pages a batch touches; mapped into memory (mmap_size, up to
    # 1 GB of the file) they are read without a copy (1.1–1.3× the ingestion rate).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384; "
            "PRAGMA mmap_size=1073741824;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # Accounts carry their person's name as the display name, not first/last name.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ("username", "display_name", "first_name", "last_name", "email")
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# The same client address as the audit log's "from where" (honours the proxy's header
# only when BEHIND_TLS_PROXY says there is one).
AXES_CLIENT_IP_CALLABLE = "wangge.core.http.client_ip"

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = envbool("SECURE_COOKIES", not (DEBUG or DEMO))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent on HTTPS responses only; production (secure cookies) assumes HTTPS, so browsers
# are told to keep to it for a year unless configured otherwise.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_COOKIES else 0)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "wangge" / "static", ("vendor", BASE_DIR / "var" / "vendor")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Spreadsheet imports keep their pending rows here between upload and confirmation.
WANGGE_IMPORT_DIR = VAR_DIR / "imports"
# What reading an uploaded sheet may cost (wangge.lib.spreadsheets.Limits; operations.md).
WANGGE_SHEET_MAX_UNCOMPRESSED_MB = envint("WANGGE_SHEET_MAX_UNCOMPRESSED_MB", 256)
WANGGE_SHEET_MAX_SHARED_STRINGS_MB = envint("WANGGE_SHEET_MAX_SHARED_STRINGS_MB", 64)
WANGGE_SHEET_MAX_COMPRESSION_RATIO = envint("WANGGE_SHEET_MAX_COMPRESSION_RATIO", 100)
WANGGE_SHEET_MAX_ROWS = envint("WANGGE_SHEET_MAX_ROWS", 200_000)
WANGGE_SHEET_MAX_COLUMNS = envint("WANGGE_SHEET_MAX_COLUMNS", 200)
WANGGE_SHEET_MAX_CELL_CHARS = envint("WANGGE_SHEET_MAX_CELL_CHARS", 5_000)
WANGGE_SHEET_MAX_SECONDS = envint("WANGGE_SHEET_MAX_SECONDS", 600)
# An uploaded register larger than this (bytes) is checked by the background worker, its
# page showing the progress; a smaller one within the upload's request.
WANGGE_IMPORT_BACKGROUND_BYTES = envint("WANGGE_IMPORT_BACKGROUND_BYTES", 1024 * 1024)
# Testing and checkpoint records of closed rounds older than this are purged (days).
WANGGE_RETENTION_DAYS = envint("WANGGE_RETENTION_DAYS", 180)
# Device tokens of sampling stations and checkpoint phones expire after this (hours).
WANGGE_DEVICE_TOKEN_HOURS = envint("WANGGE_DEVICE_TOKEN_HOURS", 72)
# How far ahead of the server's clock a device's time may be (seconds); an item timed
# later than that, or earlier than its round's start by more, is refused (docs/api.md).
WANGGE_CLOCK_SKEW_SECONDS = envint("WANGGE_CLOCK_SKEW_SECONDS", 300)
# Checkpoints (卡口): a person at or above this temperature (°C, one decimal) is an alert:
# placed under home health monitoring and reported as an incident (docs/architecture.md).
WANGGE_FEVER_THRESHOLD = Decimal(envstr("WANGGE_FEVER_THRESHOLD", "37.3"))
if not Decimal("35.0") <= WANGGE_FEVER_THRESHOLD <= Decimal("42.0"):
    raise ImproperlyConfigured("WANGGE_FEVER_THRESHOLD must be a temperature from 35.0 to 42.0")

# The background worker (`wangge worker`, docs/operations.md): its task queue is a table of
# the same database, so enqueuing a task commits or rolls back with the change behind it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
# A worker holds an event or a message it took for this long (seconds); if it dies, another
# worker takes the row over after that.
WANGGE_WORKER_LEASE_SECONDS = envint("WANGGE_WORKER_LEASE_SECONDS", 120)
# Dispatched events, scheduler slots and finished task results are kept this long (days).
WANGGE_WORKER_KEEP_DAYS = envint("WANGGE_WORKER_KEEP_DAYS", 14)
# A recall still open this long (hours) is reported to the grid leader, once.
WANGGE_RECALL_OVERDUE_HOURS = envint("WANGGE_RECALL_OVERDUE_HOURS", 24)
# Incidents (docs/architecture.md, "Incidents"): the largest photo accepted (MB); a grid's
# coverage "stalls" when, past this share of an open round's window (percent), it is below
# this coverage (percent) and has not grown since the check before, checked this often
# (minutes); incidents escalated per worker pass at most; a clock about to run out within
# this many minutes shows as an alarm on the assignee's workbench.
WANGGE_INCIDENT_PHOTO_MAX_MB = envint("WANGGE_INCIDENT_PHOTO_MAX_MB", 8)
WANGGE_INCIDENT_STALL_AFTER_PERCENT = envint("WANGGE_INCIDENT_STALL_AFTER_PERCENT", 75)
WANGGE_INCIDENT_STALL_BELOW_PERCENT = envint("WANGGE_INCIDENT_STALL_BELOW_PERCENT", 90)
WANGGE_INCIDENT_STALL_CHECK_MINUTES = envint("WANGGE_INCIDENT_STALL_CHECK_MINUTES", 30)
WANGGE_INCIDENT_ESCALATION_BATCH = envint("WANGGE_INCIDENT_ESCALATION_BATCH", 20_000)
WANGGE_INCIDENT_WARN_MINUTES = envint("WANGGE_INCIDENT_WARN_MINUTES", 5)
# Duty posts (值守): a shift's worker not checked in this many minutes after its start leaves
# the post unmanned (an incident).
WANGGE_DUTY_LATE_MINUTES = envint("WANGGE_DUTY_LATE_MINUTES", 15)
# The daily cycle: the worker freezes each day's figures at this local time (HH:MM); units
# confirm or correct them by the deadline (HH:MM, the same day); later ones raise an incident.
WANGGE_SNAPSHOT_AT = envstr("WANGGE_SNAPSHOT_AT", "18:00")
WANGGE_DOCKING_DEADLINE = envstr("WANGGE_DOCKING_DEADLINE", "20:00")
# When a day is made, the worker makes the bulletins of the run's root and of this many
# levels below it (2: a district, its streets and their communities); deeper areas get
# theirs when first downloaded.
WANGGE_BULLETIN_LEVELS = envint("WANGGE_BULLETIN_LEVELS", 2)
# The map draws areas on a blank ground; a tile server's URL template
# ("https://tiles.example/{z}/{x}/{y}.png") puts a street map under them.
WANGGE_MAP_TILE_URL = envstr("WANGGE_MAP_TILE_URL", "")
# The attribution the tile server's licence asks for, shown in the map's corner.
WANGGE_MAP_TILE_ATTRIBUTION = envstr("WANGGE_MAP_TILE_ATTRIBUTION", "")
# An imported outline may lie this many percent of its area outside its parent's (sources
# drawn at different precision disagree a little along shared edges); more is refused.
WANGGE_BOUNDARY_TOLERANCE_PERCENT = envint("WANGGE_BOUNDARY_TOLERANCE_PERCENT", 1)
# Outbound notifications: "log" (default), "webhook" or "sms" (README, configuration).
WANGGE_NOTIFY_CHANNEL = envstr("WANGGE_NOTIFY_CHANNEL", "log")
WANGGE_WEBHOOK_URL = envstr("WANGGE_WEBHOOK_URL", "")
WANGGE_WEBHOOK_SECRET = envsecret("WANGGE_WEBHOOK_SECRET")
WANGGE_SMS_GATEWAY_URL = envstr("WANGGE_SMS_GATEWAY_URL", "")
WANGGE_SMS_GATEWAY_TOKEN = envsecret("WANGGE_SMS_GATEWAY_TOKEN")
WANGGE_NOTIFY_TIMEOUT_SECONDS = envint("WANGGE_NOTIFY_TIMEOUT_SECONDS", 10)
# A failed send is tried again after 1, 2, 4 … minutes (capped at a day), at most this often.
WANGGE_NOTIFY_MAX_ATTEMPTS = envint("WANGGE_NOTIFY_MAX_ATTEMPTS", 8)
WANGGE_NOTIFY_BACKOFF_SECONDS = envint("WANGGE_NOTIFY_BACKOFF_SECONDS", 60)

# Nothing personal in logs: every handler masks ID numbers and phones (wangge.core.logging),
# and Django's own loggers are pointed at that handler instead of the unfiltered ones of
# Django's default configuration. Log records carry the message and the traceback only,
# never the request's body.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "wangge.core.logging.PersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # runserver's request lines include query strings (?q=<an ID number>).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The task library announces each task the worker runs; only its problems matter.
        "django_tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
# Error reports (the DEBUG page, mails to ADMINS) mask numbers in POST data and locals.
DEFAULT_EXCEPTION_REPORTER_FILTER = "wangge.core.errors.PersonalDataExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "wangge.core.errors.PersonalDataExceptionReporter"
