"""Settings of the baseline app: ombuds' own database settings, nothing else of ombuds.

``DATABASES`` is taken from ``ombuds.settings`` (so the same SQLite build, WAL mode,
``synchronous=FULL``, ``IMMEDIATE`` transactions and ``CONN_MAX_AGE=None``) with another file.
"""

import copy
import os
from pathlib import Path

from ombuds import settings as _ombuds

DATA_DIR = Path(os.environ.get("BASELINE_DATA_DIR", "."))
SECRET_KEY = "bench-baseline-only-not-a-secret"  # noqa: S105 - a throwaway benchmark app
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["intake_baseline"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "intake_baseline.urls"
WSGI_APPLICATION = "intake_baseline.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]


def with_synchronous(databases: dict) -> dict:
    """A copy of ``databases`` with ``PRAGMA synchronous`` from ``BENCH_SQLITE_SYNCHRONOUS``."""
    databases = copy.deepcopy(databases)
    level = os.environ.get("BENCH_SQLITE_SYNCHRONOUS", "FULL")
    options = databases["default"]["OPTIONS"]
    assert "synchronous=FULL" in options["init_command"], "ombuds' pragmas changed: update"
    options["init_command"] = options["init_command"].replace(
        "synchronous=FULL", f"synchronous={level}"
    )
    return databases


DATABASES = with_synchronous(_ombuds.DATABASES)
assert DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3", "bench runs on SQLite"
DATABASES["default"]["NAME"] = str(DATA_DIR / "baseline.sqlite3")
SQLITE_VERSION = _ombuds.SQLITE_VERSION
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
LOGGING_CONFIG = None
