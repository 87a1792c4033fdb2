"""Settings for Update Helper, read from the environment or a `.env` file.

With nothing set, the service runs on embedded defaults: SQLite and metric
files under `var/`, and the job queue in the database. `.env.example` lists
every variable.
"""

import os
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def parse_bool(text: str) -> bool:
    """Parse a boolean variable, rejecting anything but the usual spellings."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


_KINDS = {
    int: "a whole number",
    parse_bool: "true or false",
    list: "a comma-separated list",
}


def read_env(name, cast, default, *, minimum=None, maximum=None):
    """Read one variable, raising ImproperlyConfigured that names it when
    its value cannot be converted or is out of range. An empty value counts
    as unset."""
    if not os.environ.get(name, "").strip():
        return default
    try:
        value = env.get_value(name, cast=cast, default=default)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"Invalid value {env.str(name)!r} for {name}: {error}. "
            f"Set it to {_KINDS.get(cast, 'a valid value')} or unset it."
        ) from error
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        limits = f"at least {minimum}" if maximum is None else f"{minimum} to {maximum}"
        raise ImproperlyConfigured(
            f"Invalid value {value!r} for {name}: it must be {limits}."
        )
    return value


DEBUG = read_env("DEBUG", parse_bool, True)
SECRET_KEY = read_env("SECRET_KEY", str, "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is missing. Set it when DEBUG=false.")
    SECRET_KEY = "development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = read_env(
    "ALLOWED_HOSTS", list, ["127.0.0.1", "localhost", "testserver"]
)
VAR_DIR = Path(read_env("VAR_DIR", str, str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "projects",
    "versions",
    "jobs",
    "metrics",
    "oreo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "updatehelper.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "updatehelper.wsgi.application"

# Database: MySQL/MariaDB when MYSQL_HOST is set, SQLite under VAR_DIR otherwise.
MYSQL_HOST = read_env("MYSQL_HOST", str, "")
if MYSQL_HOST:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "HOST": MYSQL_HOST,
            "PORT": read_env("MYSQL_PORT", int, 3306, minimum=1, maximum=65535),
            "USER": read_env("MYSQL_USER", str, "root"),
            "PASSWORD": read_env("MYSQL_PASSWORD", str, ""),
            "NAME": read_env("MYSQL_DATABASE", str, "updatehelper"),
            "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
            "TEST": {
                "CHARSET": "utf8mb4",
                "COLLATION": "utf8mb4_bin",
                # Lets several test runs share one server.
                "NAME": read_env("MYSQL_TEST_DATABASE", str, None),
            },
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    SQLITE_PATH = Path(
        read_env("SQLITE_PATH", str, str(VAR_DIR / "updatehelper.sqlite3"))
    )
    # SQLite creates the file but not its folder.
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # Writers take the lock when their transaction starts, so two
            # workers wait for each other instead of failing to upgrade a
            # read lock; WAL lets readers go on meanwhile.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Object storage for metric files and source archives: S3 when
# AWS_STORAGE_BUCKET_NAME is set, a local folder otherwise.
AWS_STORAGE_BUCKET_NAME = read_env("AWS_STORAGE_BUCKET_NAME", str, "")
if AWS_STORAGE_BUCKET_NAME:
    _data_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": read_env("AWS_S3_REGION_NAME", str, None),
            "endpoint_url": read_env("AWS_S3_ENDPOINT_URL", str, None),
            "location": read_env("AWS_S3_KEY_PREFIX", str, ""),
            "file_overwrite": True,
            "default_acl": None,
        },
    }
else:
    _data_storage = {
        "BACKEND": "metrics.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "data")},
    }

STORAGES = {
    "default": _data_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Queue: SQS when SQS_QUEUE_NAME is set, a table in the database otherwise.
# QUEUE_BACKEND, the dotted path of a class with the jobs.queue.Queue
# methods, overrides both.
QUEUE_BACKEND = read_env("QUEUE_BACKEND", str, "")
SQS_QUEUE_NAME = read_env("SQS_QUEUE_NAME", str, "")
AWS_SQS_ENDPOINT_URL = read_env("AWS_SQS_ENDPOINT_URL", str, None)
AWS_SQS_REGION_NAME = read_env("AWS_SQS_REGION_NAME", str, None)
SQS_VISIBILITY_TIMEOUT = read_env(
    "SQS_VISIBILITY_TIMEOUT", int, 1800, minimum=0, maximum=43200
)
SQS_DEAD_LETTER_QUEUE_NAME = read_env("SQS_DEAD_LETTER_QUEUE_NAME", str, "")
# A message delivered more than this many times marks its job or component
# ERROR and is deleted.
QUEUE_MAX_RECEIVES = read_env("QUEUE_MAX_RECEIVES", int, 5, minimum=1)
# Seconds before a message claimed from the database queue can be claimed
# again, when its worker died without deleting it.
DB_QUEUE_VISIBILITY_TIMEOUT = read_env(
    "DB_QUEUE_VISIBILITY_TIMEOUT", int, 1800, minimum=1
)

# Folder for clones of corpus and client repositories.
REPOSITORIES_DIR = Path(read_env("REPOSITORIES_DIR", str, str(VAR_DIR / "repos")))
# Whether a job's `source` may be a path on the worker's disk. Off in
# production, where a client could otherwise read any repository the
# worker can see.
JOBS_ALLOW_LOCAL_SOURCES = read_env("JOBS_ALLOW_LOCAL_SOURCES", parse_bool, DEBUG)
# Maximum seconds for one git clone or fetch.
GIT_TIMEOUT = read_env("GIT_TIMEOUT", int, 600, minimum=1)
# Maximum size in MB of one clone on disk; a larger clone or fetch is stopped.
GIT_MAX_REPOSITORY_MB = read_env("GIT_MAX_REPOSITORY_MB", int, 2048, minimum=1)

# libraries.io API, used by `fetchprojects` to find a library's dependents.
LIBRARIESIO_URL = read_env("LIBRARIESIO_URL", str, "https://libraries.io/api")
LIBRARIESIO_KEY = read_env("LIBRARIESIO_KEY", str, "")

# Regular expression of tag names that are not releases (nightly, test...),
# searched in each tag; such tags are never prepared.
# Empty means the default of versions.tags.DEFAULT_SKIP_PATTERN.
RELEASE_TAG_SKIP_PATTERN = read_env("RELEASE_TAG_SKIP_PATTERN", str, "")
try:
    re.compile(RELEASE_TAG_SKIP_PATTERN)
except re.error as error:
    raise ImproperlyConfigured(
        f"Invalid RELEASE_TAG_SKIP_PATTERN {RELEASE_TAG_SKIP_PATTERN!r}: {error}. "
        "Give a Python regular expression."
    ) from error

DEFAULT_LIBRARY = read_env("DEFAULT_LIBRARY", str, "com.google.guava:guava")
# Java package prefixes that count as using a library, by group:artifact.
# A library missing here is matched by its group id.
LIBRARY_PACKAGES = {
    "com.google.guava:guava": ["com.google.common"],
    "com.google.guava:guava-jdk5": ["com.google.common"],
    "com.google.collections:google-collections": ["com.google.common"],
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": read_env("API_PAGE_SIZE", int, 50, minimum=1, maximum=500),
    "EXCEPTION_HANDLER": "jobs.errors.api_exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Update Helper API",
    "DESCRIPTION": "Migration examples mined from open-source library upgrades.",
    "VERSION": "1.0.0",
}

LOG_LEVEL = read_env("LOG_LEVEL", str, "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": "INFO"},
        "git": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
