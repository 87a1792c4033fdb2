"""Fixtures for job tests: real git repositories and corpus rows."""

import os
import subprocess
from pathlib import Path

import pytest

from jobs.models import Job, JobComponent, Result, Status
from projects.models import Project, ProjectVersion

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class GitRepository:
    """A git repository made by a test, written one commit at a time."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **GIT_ENV},
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def commit(self, files: dict[str, str], *, message: str = "Change", tag: str = ""):
        """Write `files` (path to text, None deletes), commit, and tag."""
        for name, text in files.items():
            target = self.path / name
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        if tag:
            self.git("tag", tag)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def make_repository(tmp_path):
    def make(name: str) -> GitRepository:
        return GitRepository(tmp_path / "repos" / name)

    return make


@pytest.fixture
def storage_in_tmp(settings, tmp_path):
    """Keep metric files and clones of this test in its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "metrics.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "storage")},
        },
    }
    settings.REPOSITORIES_DIR = tmp_path / "clones"
    return tmp_path / "storage"


def pom(guava_version: str) -> str:
    """Return a minimal pom.xml that depends on Guava `guava_version`."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId>
  <artifactId>example</artifactId>
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


@pytest.fixture
def finished_job(db):
    """A finished job with one component and two results, made directly."""
    project = Project.objects.create(source="https://example.com/lib.git", name="lib")
    clone_version = ProjectVersion.objects.create(
        project=project,
        tag="v1.0",
        library="com.google.guava:guava",
        declared_version="18.0",
    )
    upgraded_version = ProjectVersion.objects.create(
        project=project,
        tag="v2.0",
        library="com.google.guava:guava",
        declared_version="21.0",
    )
    job = Job.objects.create(
        source="https://example.com/app.git",
        commit="abc123",
        library="com.google.guava:guava",
        source_version="18.0",
        target_version="21.0",
        status=Status.FINISHED,
    )
    component = JobComponent.objects.create(
        job=job,
        project=project,
        clone_version=clone_version,
        upgraded_version=upgraded_version,
        status=Status.FINISHED,
    )
    for number in range(2):
        Result.objects.create(
            job=job,
            component=component,
            original_path=f"src/App{number}.java",
            original_method="describe",
            original_start_line=10,
            original_end_line=14,
            original_code="String describe() {\n  return Objects.toStringHelper(this).toString();\n}",
            clone_path="src/Lib.java",
            clone_method="toString",
            clone_start_line=20,
            clone_end_line=23,
            clone_code="public String toString() {\n  return Objects.toStringHelper(this).toString();\n}",
            upgraded_path="src/Lib.java",
            upgraded_method="toString",
            upgraded_start_line=21,
            upgraded_end_line=24,
            upgraded_code="public String toString() {\n  return MoreObjects.toStringHelper(this).toString();\n}",
            similarity=0.9,
        )
    return job
