import os
import subprocess
from pathlib import Path

from versions.buildfiles import (
    MAX_BUILD_FILE_BYTES,
    BuildFileError,
    DeclaredVersion,
    read_declared_version,
)
from versions.tags import order_tags

GUAVA = "com.google.guava:guava"
POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>com.example</groupId><artifactId>{artifact}</artifactId><version>1.0</version>
  <dependencies><dependency>
    <groupId>com.google.guava</groupId><artifactId>guava</artifactId>
    <version>{version}</version>
  </dependency></dependencies>
</project>
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_read_declared_version_no_build_files(tmp_path):
    write(tmp_path, "README.md", "com.google.guava:guava:31.1-jre")

    assert read_declared_version(tmp_path, GUAVA) is None


def test_read_declared_maven_and_gradle(tmp_path):
    write(tmp_path, "pom.xml", POM.format(artifact="app", version="31.1-jre"))
    write(
        tmp_path,
        "android/build.gradle",
        "dependencies { implementation 'com.google.guava:guava:31.1-android' }",
    )
    write(
        tmp_path,
        "tools/build.gradle.kts",
        'dependencies { implementation("com.google.guava:guava:31.1-android") }',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "31.1-android"
    assert declared.source == (
        "android/build.gradle: version 31.1-android (most common: 31.1-android "
        "in 2 of 3 build files; 31.1-jre in 1)"
    )


def test_read_declared_version_every_file_malformed(tmp_path):
    write(tmp_path, "pom.xml", "<project>")
    write(tmp_path, "gradle/libs.versions.toml", "[libraries\n")

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert declared.source == ""
    assert [problem.split(":")[0] for problem in declared.problems] == [
        "pom.xml",
        "gradle/libs.versions.toml",
    ]


def test_read_declared_version_oversized_file_reported(tmp_path):
    write(tmp_path, "a/pom.xml", POM.format(artifact="a", version="20.0"))
    write(tmp_path, "b/pom.xml", " " * (MAX_BUILD_FILE_BYTES + 1))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "20.0"
    assert declared.problems == [
        f"b/pom.xml: file is {MAX_BUILD_FILE_BYTES + 1} bytes, more than the "
        f"{MAX_BUILD_FILE_BYTES} bytes read from one build file"
    ]


def test_read_declared_version_unreadable_file_reported(tmp_path):
    write(tmp_path, "a/pom.xml", POM.format(artifact="a", version="20.0"))
    os.symlink(tmp_path / "missing.xml", tmp_path / "pom.xml")

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "20.0"
    assert declared.problems == ["pom.xml: cannot be read: No such file or directory"]


def test_read_declared_version_accepts_string_root(tmp_path):
    write(tmp_path, "pom.xml", POM.format(artifact="app", version="r07"))

    assert read_declared_version(str(tmp_path), GUAVA).version == "r07"


def test_build_file_error_is_value_error():
    assert issubclass(BuildFileError, ValueError)


def git(repository: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(repository), *args],
        check=True,
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
        },
    )
    return completed.stdout


def test_read_declared_version_at_each_release_tag(tmp_path):
    repository = tmp_path / "project"
    repository.mkdir()
    git(repository, "init", "-q")
    history = [
        ("project-1.0", POM.format(artifact="app", version="r09")),
        ("nightly-7", POM.format(artifact="app", version="11.0-rc1")),
        ("project-1.1", POM.format(artifact="app", version="${guava.version}")),
        ("project-2.0", POM.format(artifact="app", version="23.0-android")),
    ]
    for tag, text in history:
        write(repository, "pom.xml", text)
        git(repository, "add", "pom.xml")
        git(repository, "commit", "-q", "-m", f"Prepare {tag}")
        git(repository, "tag", tag)

    declared = {}
    for tag in order_tags(git(repository, "tag", "--list").split()):
        git(repository, "checkout", "-q", tag)
        declared[tag] = read_declared_version(repository, GUAVA)

    assert list(declared) == ["project-1.0", "project-1.1", "project-2.0"]
    assert declared["project-1.0"].version == "r09"
    assert declared["project-1.1"] == DeclaredVersion(
        version=None,
        source=(
            "pom.xml: property guava.version is not defined in pom.xml "
            "or its parent POMs in the repository"
        ),
        problems=[],
    )
    assert declared["project-2.0"].version == "23.0-android"
