"""Build real git repositories for tests."""

import os
import subprocess
import zipfile
from pathlib import Path

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}

POM_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId>
  <artifactId>{artifact}</artifactId>
  <version>1.0</version>
  <dependencies>
{dependencies}
  </dependencies>
</project>
"""

GUAVA_DEPENDENCY = """    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
      <version>{version}</version>
    </dependency>"""


def jdk_source(member: str) -> bytes:
    """Return one file of the JDK 17 sources, such as
    `java.base/java/util/Objects.java`."""
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        return archive.read(member)


def pom(*, artifact: str = "guava-user", guava_version: str | None = None) -> str:
    """Build a pom.xml that declares Guava at `guava_version`, or no
    dependency when it is None."""
    dependencies = (
        "" if guava_version is None else GUAVA_DEPENDENCY.format(version=guava_version)
    )
    return POM_TEMPLATE.format(artifact=artifact, dependencies=dependencies)


class Repository:
    """A git repository in a folder, changed through the git command line."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *arguments: str) -> str:
        completed = subprocess.run(
            ["git", "-c", "protocol.file.allow=always", *arguments],
            cwd=self.path,
            env={**GIT_IDENTITY, "PATH": "/usr/bin:/bin", "HOME": str(self.path)},
            check=True,
            capture_output=True,
        )
        return completed.stdout.decode("utf-8", "surrogateescape").strip()

    def write(self, relative: str | bytes, content: str | bytes) -> Path:
        """Write a file; a bytes `relative` writes a name that may not be
        valid UTF-8."""
        if isinstance(relative, bytes):
            relative = os.fsdecode(relative)
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    def commit(self, message: str = "Change files") -> str:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str) -> None:
        self.git("tag", name)


def guava_user(path: Path, *, tags: dict[str, str | None]) -> Repository:
    """Build a project with one commit and tag per entry of `tags`, each
    declaring that Guava version in its pom.xml (None: no Guava)."""
    repository = Repository(path)
    sources = [
        "java.base/java/util/Objects.java",
        "java.base/java/util/Optional.java",
        "java.base/java/util/StringJoiner.java",
    ]
    for index, (tag, guava_version) in enumerate(tags.items()):
        repository.write("pom.xml", pom(guava_version=guava_version))
        member = sources[index % len(sources)]
        repository.write(f"src/main/java/{member.split('/', 1)[1]}", jdk_source(member))
        repository.commit(f"Release {tag}")
        repository.tag(tag)
    return repository
