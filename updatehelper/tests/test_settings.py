"""Settings read in a fresh interpreter, as a deployment would read them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE']); print(s.STORAGES['default']['BACKEND'])"
)


def read_settings(**environment: str) -> subprocess.CompletedProcess:
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MYSQL_", "AWS_", "SQS_", "DEBUG", "SECRET_KEY"))
    }
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=BASE_DIR,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "updatehelper.settings",
            **environment,
        },
        capture_output=True,
        text=True,
    )


def test_settings_default_to_sqlite_and_local_files():
    result = read_settings()

    assert result.returncode == 0, result.stderr
    engine, storage = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert storage == "metrics.storage.AtomicFileSystemStorage"


def test_settings_use_mysql_when_host_set():
    result = read_settings(MYSQL_HOST="127.0.0.1")

    assert result.stdout.split()[0] == "django.db.backends.mysql"


def test_settings_use_s3_when_bucket_set():
    result = read_settings(AWS_STORAGE_BUCKET_NAME="update-helper")

    assert result.stdout.split()[1] == "storages.backends.s3.S3Storage"


@pytest.mark.parametrize(
    ("name", "value"),
    [("MYSQL_PORT", "abc"), ("DEBUG", "maybe"), ("SQS_VISIBILITY_TIMEOUT", "1.5")],
)
def test_malformed_variable_names_itself(name, value):
    result = read_settings(**{name: value, "MYSQL_HOST": "127.0.0.1"})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Invalid value {value!r} for {name}" in result.stderr


def test_production_requires_secret_key():
    result = read_settings(DEBUG="false")

    assert "SECRET_KEY is missing" in result.stderr


def test_empty_variable_counts_as_unset():
    result = read_settings(MYSQL_HOST="", SQLITE_PATH="")

    assert result.stdout.split()[0] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("name", "value"),
    [("API_PAGE_SIZE", "0"), ("GIT_TIMEOUT", "-1"), ("MYSQL_PORT", "70000")],
)
def test_out_of_range_variable_names_itself(name, value):
    result = read_settings(**{name: value, "MYSQL_HOST": "127.0.0.1"})

    assert f"Invalid value {value} for {name}: it must be" in result.stderr
