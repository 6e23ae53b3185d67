"""Django settings for ombuds.

Configuration comes from the environment, so one build serves the embedded default (SQLite in
``OMBUDS_DATA_DIR``) and production (``DATABASE_URL=postgres://...``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO

from ombuds.staff.datafiles import private_data_folder

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("OMBUDS_DATA_DIR", Path.cwd() / "var")).resolve()
# Readable by the service's user only: the database, keys and secrets live here (the
# database files themselves are made 0600 as connections open: ombuds/staff/datafiles.py).
private_data_folder(DATA_DIR)

# The SQLite that CPython links here (3.40) predates the fix for the WAL-reset race, which can
# corrupt a database when several connections write and checkpoint one file at once (fixed in
# SQLite 3.51.3, backported to 3.50.7 and 3.44.6). The pysqlite3 wheel (>= 0.6.1) bundles a fixed
# SQLite; where it is installed, Django's sqlite backend uses it instead of the stdlib module.
# See docs/decisions/0002-sqlite-build-and-workers.md.
try:  # pragma: no cover - depends on the platform's wheels
    import pysqlite3
    import pysqlite3.dbapi2

    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2
except ImportError:  # pragma: no cover
    pass


def sqlite_has_wal_reset_fix(version: tuple[int, ...]) -> bool:
    """True if this SQLite version carries the fix for the WAL-reset corruption race."""
    return (
        version >= (3, 51, 3) or (3, 50, 7) <= version < (3, 51) or (3, 44, 6) <= version < (3, 45)
    )


import sqlite3  # noqa: E402 - after the swap above, so this is the module Django will use

SQLITE_VERSION: tuple[int, ...] = sqlite3.sqlite_version_info
SQLITE_WAL_RESET_FIXED = sqlite_has_wal_reset_fix(SQLITE_VERSION)

DEBUG = os.environ.get("OMBUDS_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("OMBUDS_SECRET_KEY", "")
if not SECRET_KEY:
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text().strip()
    else:
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        key_file.write_text(SECRET_KEY)
        key_file.chmod(0o600)

ALLOWED_HOSTS = [
    h for h in os.environ.get("OMBUDS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
# The deployment's public name: page titles carry this and nothing about the subject.
SITE_NAME = os.environ.get("OMBUDS_SITE_NAME", "")
#: Used when OMBUDS_SITE_NAME is not set: the default name in each page language.
SITE_NAMES = {"ru": "Рабочая группа", "en": "Working group"}
# (A language without its own default name, Chechen, shows the Russian one: intake/context.py.)

INSTALLED_APPS = [
    # First, so that its `changepassword` and `createsuperuser` replace Django's (they would
    # make accounts without keys): management commands of earlier apps win.
    "ombuds.staff",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ombuds.audit",
    "ombuds.intake",
    "ombuds.evidence",
    "ombuds.casework",
    "ombuds.analysis",
    "ombuds.reporting",
    "ombuds.monitoring",
]

MIDDLEWARE = [
    "ombuds.intake.middleware.ScrubClientMetadataMiddleware",
    # GET /healthz, answered before the HTTPS redirect and the host check (docs/deploy.md).
    "ombuds.monitoring.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ombuds.intake.middleware.SecurityHeadersMiddleware",
    "ombuds.intake.middleware.OnionLocationMiddleware",
    "ombuds.intake.middleware.ComplainantIdleClockMiddleware",
]

ROOT_URLCONF = "ombuds.urls"
WSGI_APPLICATION = "ombuds.wsgi.application"

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
                "ombuds.intake.context.site",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "ombuds.sqlite3"),
            # Persistent connections: one per worker process, opened once (see decision 0002).
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON; "
                    "PRAGMA secure_delete=ON;"
                ),
            },
            "TEST": {"NAME": str(DATA_DIR / "test-ombuds.sqlite3")},
        }
    }
    if not SQLITE_WAL_RESET_FIXED:
        # Loud on purpose: several processes writing this file can corrupt it. `ombuds serve`
        # falls back to a single worker unless OMBUDS_ALLOW_VULNERABLE_SQLITE=1 (decision 0002).
        import warnings

        warnings.warn(
            f"SQLite {'.'.join(map(str, SQLITE_VERSION))} has the WAL-reset corruption bug "
            "(fixed in 3.51.3): install the pysqlite3>=0.6.1 wheel, or use PostgreSQL "
            "(DATABASE_URL). See docs/decisions/0002-sqlite-build-and-workers.md.",
            RuntimeWarning,
            stacklevel=1,
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.StaffUser"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# Every path that sets a staff password (commands and pages) runs these (staff.services).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "staff:login"

# Sessions: staff sessions expire; public visitors get only a session cookie that dies with
# the browser and carries nothing that links one visit to another.
# Session rows hold no time of a visit: no timestamp in the data, and public-side sessions
# expire at a day boundary (ombuds/intake/sessions.py); expired rows go hourly (scheduler).
SESSION_ENGINE = "ombuds.intake.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("OMBUDS_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_AGE = None  # a browser-session cookie
CSRF_COOKIE_HTTPONLY = True
SECURE_HTTPS = os.environ.get("OMBUDS_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
if SECURE_HTTPS:
    # Behind a TLS-terminating proxy (nginx, an onion service front) that sets
    # X-Forwarded-Proto; without this Django would see plain HTTP and refuse every form post.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("OMBUDS_HSTS_SECONDS", 31536000))
    # The proxy (deploy/nginx/ombuds.conf) already answers plain HTTP with a redirect; this is
    # the second line for a request that reaches the app unproxied. The onion front sends
    # X-Forwarded-Proto: https (onion addresses are end-to-end encrypted), so it is not sent
    # to a clear-web name.
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("OMBUDS_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("OMBUDS_HSTS_PRELOAD", "") == "1"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OMBUDS_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_CONTENT_TYPE_NOSNIFF = True
# When the site is also served on a clear-web name: its onion address (http://<56 chars>.onion),
# sent as `Onion-Location` so Tor Browser offers the onion service (intake/middleware.py).
OMBUDS_ONION_LOCATION = os.environ.get("OMBUDS_ONION_LOCATION", "").rstrip("/")
# "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null` with form
# posts and CSRF checking refuses them. Other sites still receive no referrer.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "ombuds.intake.views.csrf_failure"

# Bounded input: a complaint is text; files go through the evidence app with their own limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Uploads stay in memory, so no plaintext temp file is ever written (threat model 2).
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English"), ("ce", "Нохчийн")]
# Languages of the public site only: staff pages stay Russian and English, and a staff address
# in one of these redirects to the Russian one (intake/languages.py). Where Chechen has no
# reviewed translation of a string, Django falls back to LANGUAGE_CODE's catalogue: the page
# shows that string in Russian (docs/languages.md).
OMBUDS_PUBLIC_ONLY_LANGUAGES = ("ce",)
# Django knows no Chechen: its name and direction, for get_language_info and the checks.
LANG_INFO.setdefault(
    "ce", {"bidi": False, "code": "ce", "name": "Chechen", "name_local": "Нохчийн"}
)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Logging: no request logging at all, but every unhandled error with its traceback
# (src/ombuds/logs.py says what is kept). Django's request logger would name the path of every
# 4xx and 5xx: only unhandled errors pass its filter, rewritten to the view's name and a
# traceback without exception messages. gunicorn's access log is off and its error log
# scrubbed (ombuds.staff.management.commands.serve). Silenced means a NullHandler: a logger
# with no handler at all is not silent in Python, its warnings and errors fall through to
# logging.lastResort and are printed to stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "ombuds.logs.ScrubbedFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {"server_errors": {"()": "ombuds.logs.ServerErrorFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "server_errors": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["server_errors"],
        },
        "null": {"class": "logging.NullHandler"},
    },
    "loggers": {
        "django.request": {"handlers": ["server_errors"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["null"], "propagate": False},
        "django.security": {"handlers": ["null"], "propagate": False},
        "ombuds": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    # Everything else (libraries, the task worker) at WARNING and above, through the same
    # formatter: a traceback never carries an exception's message.
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# /healthz and `ombuds status`: degraded when the worker's heartbeat is older than this.
OMBUDS_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("OMBUDS_HEARTBEAT_MAX_AGE_SECONDS", 600))
# The scheduler signs an audit checkpoint when the newest is this old and entries lie past it.
OMBUDS_AUDIT_ANCHOR_SECONDS = int(os.environ.get("OMBUDS_AUDIT_ANCHOR_SECONDS", 12 * 3600))
# Unknown codenames per minute (everyone together) answered "not found"; later misses in the
# minute get "wait a minute" (429). A right codename is always let in (decision 0003).
OMBUDS_RETURN_ATTEMPTS_PER_MINUTE = int(os.environ.get("OMBUDS_RETURN_ATTEMPTS_PER_MINUTE", 30))
# Look-ups of complaints for callers (staff hotline page) one member may make in ten minutes.
OMBUDS_CALLER_LOOKUPS_PER_10_MINUTES = int(
    os.environ.get("OMBUDS_CALLER_LOOKUPS_PER_10_MINUTES", 30)
)
# Where "leave this site quickly" goes: an everyday site that draws no attention.
OMBUDS_QUICK_EXIT_URL = os.environ.get("OMBUDS_QUICK_EXIT_URL", "https://ya.ru/")
# Uploads are refused while the data disk would have less than this many bytes free after
# keeping the file (issue 13): well before the disk fills. Default 2 GiB.
OMBUDS_MIN_FREE_BYTES = int(os.environ.get("OMBUDS_MIN_FREE_BYTES", 2 * 1024**3))
# The TrueType font of the prosecutor's case file (a PDF in Russian: it must cover Cyrillic).
# Empty: Debian's DejaVu Sans (package fonts-dejavu-core), found at run time (evidence/casefile.py).
OMBUDS_PDF_FONT = os.environ.get("OMBUDS_PDF_FONT", "")
# A complainant's return-visit session ends after this many idle seconds.
OMBUDS_COMPLAINANT_IDLE_SECONDS = int(os.environ.get("OMBUDS_COMPLAINANT_IDLE_SECONDS", 1800))
# Cost of Argon2id for staff passwords and the keys under them: "moderate" in production;
# the test settings lower it so the suite stays fast (never do that in a deployment).
OMBUDS_PASSWORD_COST = os.environ.get("OMBUDS_PASSWORD_COST", "moderate")
if OMBUDS_PASSWORD_COST == "minimum":  # noqa: S105 - a cost profile name
    PASSWORD_HASHERS = ["ombuds.staff.hashers.FastArgon2PasswordHasher"]
# Sign-in: after this many failures in a row an account asks for the password and the code
# together; after this many wrong codes with the right password, code checks pause (30 s,
# doubling up to the maximum). A wrong password never locks anything (staff/services.py).
OMBUDS_SIGN_IN_FREE_FAILURES = 3
OMBUDS_SIGN_IN_MAX_LOCK_SECONDS = 900
# Linkage runs (issue 13, docs/analysis.md "Limits"): a run whose blocking finds more
# candidate pairs than this stops before scoring (6 million took 139 s and 1.9 GB on a
# loaded 2-core machine: bench/RESULTS.md); runs older than this many days are deleted with
# their pairs by the scheduler.
OMBUDS_RUN_MAX_PAIRS = int(os.environ.get("OMBUDS_RUN_MAX_PAIRS", 2_000_000))
OMBUDS_RUN_RETENTION_DAYS = int(os.environ.get("OMBUDS_RUN_RETENTION_DAYS", 90))
# Public statistics: counts from 1 to this minus one are suppressed (threat model 10).
OMBUDS_PUBLISH_MIN_CELL = int(os.environ.get("OMBUDS_PUBLISH_MIN_CELL", 5))

# Anonymous intake's budget (issue 13): submissions (new complaints, follow-ups and files
# together) and bytes of files per clock hour, for everyone at once. Past it, a plain "try
# again later" page (503) and nothing kept (intake/budget.py). A real inquiry does not reach
# these by accident: 300 an hour is more than a year's complaints of many inquiries in a day.
OMBUDS_INTAKE_COMPLAINTS_PER_HOUR = int(os.environ.get("OMBUDS_INTAKE_COMPLAINTS_PER_HOUR", 300))
OMBUDS_INTAKE_BYTES_PER_HOUR = int(os.environ.get("OMBUDS_INTAKE_BYTES_PER_HOUR", 2 * 1000**3))

# Alerts without content (issue 12): on-duty staff are mailed that an urgent complaint arrived,
# or that intake refused something, and where to sign in; nothing else (staff/alerts.py).
# No alert is sent while OMBUDS_SMTP_HOST is empty.
OMBUDS_STAFF_URL = os.environ.get("OMBUDS_STAFF_URL", "")
OMBUDS_SMTP_HOST = os.environ.get("OMBUDS_SMTP_HOST", "")
# At most one alert of each kind per this many minutes; one mail says "one or more".
OMBUDS_ALERT_MINUTES = int(os.environ.get("OMBUDS_ALERT_MINUTES", 15))
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = OMBUDS_SMTP_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("OMBUDS_SMTP_PORT", 587))
EMAIL_HOST_USER = os.environ.get("OMBUDS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OMBUDS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("OMBUDS_SMTP_STARTTLS", "1") == "1"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("OMBUDS_SMTP_FROM", "ombuds@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
