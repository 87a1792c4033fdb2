"""Fixtures that run S3 and SQS tests against a moto server on 127.0.0.1.

boto3 reaches the server over HTTP, as it reaches AWS in production, so
worker subprocesses can share it. Each test gets its own bucket and queue
names, so tests never see each other's objects or messages.

Import the fixtures a test module needs from this module.
"""

import json
import logging
import os
import subprocess
import uuid
from pathlib import Path

import boto3
import pytest
from django.db import connection
from moto.server import ThreadedMotoServer

from jobs.sqs import ensure_queues

REGION = "us-east-1"
# Fake credentials for the moto server, which accepts any.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


@pytest.fixture(scope="session")
def moto_endpoint():
    """Start one moto server for the test session and return its URL."""
    # The server logs every request at INFO, which buries the test's own logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_environment(monkeypatch):
    """Point boto3 at fake credentials so no real account is ever used."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def sqs_settings(settings, moto_endpoint, aws_environment):
    """Configure SQS with a fresh queue name on the moto server; the queue
    itself is left for the test (or setupaws) to create."""
    settings.SQS_QUEUE_NAME = unique_name("update-helper_job")
    settings.AWS_SQS_ENDPOINT_URL = moto_endpoint
    settings.AWS_SQS_REGION_NAME = REGION
    settings.SQS_VISIBILITY_TIMEOUT = 1800
    settings.SQS_DEAD_LETTER_QUEUE_NAME = ""
    return settings


@pytest.fixture
def sqs_queue_name(sqs_settings):
    """Create the configured queue and return its name."""
    ensure_queues(
        queue_name=sqs_settings.SQS_QUEUE_NAME,
        visibility_timeout=sqs_settings.SQS_VISIBILITY_TIMEOUT,
        endpoint_url=sqs_settings.AWS_SQS_ENDPOINT_URL,
        region_name=REGION,
    )
    return sqs_settings.SQS_QUEUE_NAME


@pytest.fixture
def sqs_client(moto_endpoint, aws_environment):
    return boto3.client("sqs", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture
def s3_client(moto_endpoint, aws_environment):
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)


def s3_storages_setting(*, bucket: str, endpoint: str, key_prefix: str) -> dict:
    """Build STORAGES as the settings do when AWS_STORAGE_BUCKET_NAME is set."""
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "region_name": REGION,
                "endpoint_url": endpoint,
                "location": key_prefix,
                "file_overwrite": True,
                "default_acl": None,
            },
        },
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def s3_settings(settings, moto_endpoint, aws_environment):
    """Switch the default storage to S3 on the moto server with a fresh
    bucket name and key prefix; the bucket is left for the test to create."""
    settings.AWS_STORAGE_BUCKET_NAME = unique_name("update-helper")
    settings.STORAGES = s3_storages_setting(
        bucket=settings.AWS_STORAGE_BUCKET_NAME,
        endpoint=moto_endpoint,
        key_prefix="data",
    )
    return settings


@pytest.fixture
def s3_bucket(s3_settings, s3_client):
    """Create the configured bucket and return its name."""
    s3_client.create_bucket(Bucket=s3_settings.AWS_STORAGE_BUCKET_NAME)
    return s3_settings.AWS_STORAGE_BUCKET_NAME


def database_environment() -> dict[str, str]:
    """Return the variables that point a subprocess at the test database.

    Only a database on a server (MariaDB, MySQL) or an SQLite file can be
    shared; pytest-django's in-memory SQLite test database cannot, so the
    test is skipped there.
    """
    database = connection.settings_dict
    if connection.vendor == "mysql":
        return {
            "MYSQL_HOST": database["HOST"],
            "MYSQL_PORT": str(database["PORT"] or 3306),
            "MYSQL_USER": database["USER"],
            "MYSQL_PASSWORD": database["PASSWORD"],
            "MYSQL_DATABASE": database["NAME"],
        }
    name = str(database["NAME"])
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return {"SQLITE_PATH": name}
    pytest.skip(
        "Worker subprocesses cannot open the in-memory SQLite test database. "
        "Run with MYSQL_HOST=127.0.0.1 to use the MariaDB test database."
    )


def worker_environment(
    *, settings, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Build the environment of a `manage.py` subprocess that uses the same
    database, bucket and queue as the test."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MYSQL_", "SQLITE_", "AWS_", "SQS_"))
    }
    environment.update(FAKE_CREDENTIALS)
    environment.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "DJANGO_SETTINGS_MODULE": "updatehelper.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    environment.update(database_environment())
    if settings.SQS_QUEUE_NAME:
        environment.update(
            {
                "SQS_QUEUE_NAME": settings.SQS_QUEUE_NAME,
                "AWS_SQS_ENDPOINT_URL": settings.AWS_SQS_ENDPOINT_URL,
                "AWS_SQS_REGION_NAME": settings.AWS_SQS_REGION_NAME,
                "SQS_VISIBILITY_TIMEOUT": str(settings.SQS_VISIBILITY_TIMEOUT),
                "QUEUE_MAX_RECEIVES": str(settings.QUEUE_MAX_RECEIVES),
            }
        )
    if settings.AWS_STORAGE_BUCKET_NAME:
        options = settings.STORAGES["default"]["OPTIONS"]
        environment.update(
            {
                "AWS_STORAGE_BUCKET_NAME": settings.AWS_STORAGE_BUCKET_NAME,
                "AWS_S3_ENDPOINT_URL": options["endpoint_url"],
                "AWS_S3_REGION_NAME": options["region_name"],
                "AWS_S3_KEY_PREFIX": options["location"],
            }
        )
    environment.update(extra or {})
    return environment


GIT_ENVIRONMENT = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId>
  <artifactId>{artifact}</artifactId>
  <version>1.0</version>
  <dependencies>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
      <version>{guava_version}</version>
    </dependency>
  </dependencies>
</project>
"""

# A class whose toString() moved from Objects.toStringHelper (Guava 18) to
# MoreObjects.toStringHelper (Guava 21), the change the corpus projects make.
REPORT_CLASS = """package {package};

import com.google.common.base.{helper};
import java.util.List;

public class {name} {{
    private final String title;
    private final List<String> items;

    public {name}(String title, List<String> items) {{
        this.title = title;
        this.items = items;
    }}

    @Override
    public String toString() {{
        return {helper}.toStringHelper(this)
            .add("title", title)
            .add("items", items)
            .add("size", items.size())
            .omitNullValues()
            .toString();
    }}
}}
"""

LIBRARY = "com.google.guava:guava"
SOURCE_VERSION = "18.0"
TARGET_VERSION = "21.0"


def git(path: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", *arguments],
        cwd=path,
        env={**os.environ, **GIT_ENVIRONMENT},
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout.strip()


def commit_files(path: Path, files: dict[str, str], *, tag: str = "") -> str:
    """Write `files` into the repository at `path`, commit them, tag the
    commit when `tag` is given, and return its SHA."""
    if not (path / ".git").exists():
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main")
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", f"Release {tag or 'change'}")
    if tag:
        git(path, "tag", tag)
    return git(path, "rev-parse", "HEAD")


def report_files(*, artifact: str, guava_version: str, helper: str) -> dict:
    package = artifact.replace("-", "")
    return {
        "pom.xml": POM.format(artifact=artifact, guava_version=guava_version),
        f"src/main/java/{package}/Report.java": REPORT_CLASS.format(
            package=package, name="Report", helper=helper
        ),
    }


def build_corpus(root: Path, *, projects: int) -> Path:
    """Build `projects` git repositories, each tagged v1 on Guava 18 and v2
    on Guava 21 with the toString() change, and return a projects file
    listing them."""
    lines = []
    for number in range(projects):
        artifact = f"corpus-{number:03d}"
        path = root / artifact
        commit_files(
            path,
            report_files(
                artifact=artifact, guava_version=SOURCE_VERSION, helper="Objects"
            ),
            tag="v1",
        )
        commit_files(
            path,
            report_files(
                artifact=artifact, guava_version=TARGET_VERSION, helper="MoreObjects"
            ),
            tag="v2",
        )
        lines.append(json.dumps({"source": str(path)}))
    projects_file = root / "projects.jsonl"
    projects_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return projects_file


def build_client(root: Path) -> tuple[Path, str]:
    """Build the client's repository on Guava 18 and return its path and
    commit."""
    path = root / "client"
    sha = commit_files(
        path,
        report_files(artifact="client", guava_version=SOURCE_VERSION, helper="Objects"),
    )
    return path, sha
