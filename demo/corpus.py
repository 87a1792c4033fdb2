"""Build the demo corpus: git repositories of Java projects with tagged releases.

Each repository is generated from demo.specs with a fixed author and fixed
dates, so every build yields the same commits. A repository that already
exists with the expected tags and the same content fingerprint is reused.

Usage: python -m demo.corpus [--rebuild] [--dest FOLDER]
"""

import argparse
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from demo.specs import CORPUS_PROJECTS, USER_APP, PomStyle, ProjectSpec, Release

logger = logging.getLogger(__name__)

# The folder that `python -m demo.run` uses, unless VAR_DIR is set only in .env.
DEFAULT_DEST = (
    Path(os.environ.get("VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    / "demo"
    / "repos"
)
AUTHOR_NAME = "Update Helper Demo"
AUTHOR_EMAIL = "demo@updatehelper.invalid"
# Git config key that stores the fingerprint of the content a repository was
# built from, so a changed generator rebuilds it.
FINGERPRINT_KEY = "demo.fingerprint"
GIT_TIMEOUT_SECONDS = 60


class CorpusError(Exception):
    """A demo repository could not be generated."""


@dataclass(frozen=True)
class Snapshot:
    """The full file tree of one release, ready to commit and tag."""

    tag: str
    date: str
    message: str
    files: Mapping[str, str]


@dataclass(frozen=True)
class BuiltRepository:
    """A demo repository on disk and whether this build created it."""

    name: str
    path: Path
    tags: tuple[str, ...]
    created: bool


def build_corpus(*, dest: Path, rebuild: bool = False) -> list[BuiltRepository]:
    """Create every corpus repository and the user repository under `dest`.

    Repositories that exist with the expected tags and content are kept
    unless `rebuild` is set.
    """
    dest.mkdir(parents=True, exist_ok=True)
    built = []
    for spec in (*CORPUS_PROJECTS, USER_APP):
        built.append(
            build_repository(spec=spec, path=dest / spec.name, rebuild=rebuild)
        )
    return built


def build_repository(
    *, spec: ProjectSpec, path: Path, rebuild: bool
) -> BuiltRepository:
    """Create one repository at `path`, or reuse it when it is up to date.

    The repository is built in a sibling temporary folder and renamed into
    place, so an interrupted build never leaves a half-made repository.
    """
    snapshots = release_snapshots(spec)
    fingerprint = snapshots_fingerprint(snapshots)
    tags = tuple(snapshot.tag for snapshot in snapshots)
    if not rebuild and is_up_to_date(path=path, tags=tags, fingerprint=fingerprint):
        logger.info("Reusing demo repository %s", path)
        return BuiltRepository(name=spec.name, path=path, tags=tags, created=False)

    staging = path.with_name(f".{path.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        run_git(["init", "--quiet", "--initial-branch=main"], cwd=staging)
        for snapshot in snapshots:
            commit_snapshot(repository=staging, snapshot=snapshot)
        run_git(["config", FINGERPRINT_KEY, fingerprint], cwd=staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if path.exists():
        shutil.rmtree(path)
    staging.rename(path)
    logger.info("Built demo repository %s with tags %s", path, ", ".join(tags))
    return BuiltRepository(name=spec.name, path=path, tags=tags, created=True)


def release_snapshots(spec: ProjectSpec) -> list[Snapshot]:
    """Apply each release's edits in order and return the file tree of every tag."""
    java_files = dict(spec.files)
    snapshots = []
    for release in spec.releases:
        java_files = apply_release(spec=spec, files=java_files, release=release)
        files = {
            ".gitignore": "target/\n",
            **render_poms(spec=spec, release=release),
            **java_files,
        }
        snapshots.append(
            Snapshot(
                tag=release.tag,
                date=release.date,
                message=f"Release {release.tag.removeprefix('v')}\n\n"
                f"Build with Guava {release.guava_version}.\n",
                files=files,
            )
        )
    return snapshots


def apply_release(
    *, spec: ProjectSpec, files: Mapping[str, str], release: Release
) -> dict[str, str]:
    """Return the Java files of `release`, given those of the release before it."""
    updated = dict(files)
    for path, text in release.added_files.items():
        if path in updated:
            raise CorpusError(
                f"{spec.name} {release.tag}: added file {path} already exists. "
                "Change it with an Edit instead."
            )
        updated[path] = text
    for edit in release.edits:
        text = updated.get(edit.path)
        if text is None:
            raise CorpusError(
                f"{spec.name} {release.tag}: edit targets missing file {edit.path}. "
                "Add the file first or fix the path."
            )
        if edit.old not in text:
            raise CorpusError(
                f"{spec.name} {release.tag}: text {edit.old!r} not found in "
                f"{edit.path}. Fix the edit to match the file of the previous release."
            )
        updated[edit.path] = text.replace(edit.old, edit.new)
    return updated


def render_poms(*, spec: ProjectSpec, release: Release) -> dict[str, str]:
    """Return the pom.xml files of a release, keyed by path, in the spec's style."""
    version = release.tag.removeprefix("v")
    if spec.pom_style is PomStyle.DIRECT:
        dependency = guava_dependency(release.guava_version)
        return {"pom.xml": project_pom(spec=spec, version=version, body=dependency)}
    if spec.pom_style is PomStyle.PROPERTY:
        body = properties(release.guava_version) + guava_dependency("${guava.version}")
        return {"pom.xml": project_pom(spec=spec, version=version, body=body)}
    return parent_poms(spec=spec, version=version, guava_version=release.guava_version)


def project_pom(*, spec: ProjectSpec, version: str, body: str) -> str:
    """Return a jar project's pom.xml with `body` after its coordinates."""
    return (
        POM_HEADER + f"  <groupId>{spec.group_id}</groupId>\n"
        f"  <artifactId>{spec.name}</artifactId>\n"
        f"  <version>{version}</version>\n"
        "  <packaging>jar</packaging>\n\n" + body + "</project>\n"
    )


def parent_poms(
    *, spec: ProjectSpec, version: str, guava_version: str
) -> dict[str, str]:
    """Return a parent pom that manages the Guava version and its module's pom."""
    if not spec.module:
        raise CorpusError(
            f"{spec.name}: PomStyle.PARENT needs a module folder. "
            "Set ProjectSpec.module."
        )
    parent = (
        POM_HEADER + f"  <groupId>{spec.group_id}</groupId>\n"
        f"  <artifactId>{spec.name}</artifactId>\n"
        f"  <version>{version}</version>\n"
        "  <packaging>pom</packaging>\n\n"
        "  <modules>\n"
        f"    <module>{spec.module}</module>\n"
        "  </modules>\n\n"
        + properties(guava_version)
        + "  <dependencyManagement>\n"
        + indent(guava_dependency("${guava.version}"), "  ")
        + "  </dependencyManagement>\n"
        "</project>\n"
    )
    module = (
        POM_HEADER + "  <parent>\n"
        f"    <groupId>{spec.group_id}</groupId>\n"
        f"    <artifactId>{spec.name}</artifactId>\n"
        f"    <version>{version}</version>\n"
        "  </parent>\n\n"
        f"  <artifactId>{spec.module}</artifactId>\n\n"
        + guava_dependency(None)
        + "</project>\n"
    )
    return {"pom.xml": parent, f"{spec.module}/pom.xml": module}


def properties(guava_version: str) -> str:
    """Return a <properties> section with the Guava version and Java 8."""
    return (
        "  <properties>\n"
        f"    <guava.version>{guava_version}</guava.version>\n"
        "    <maven.compiler.source>1.8</maven.compiler.source>\n"
        "    <maven.compiler.target>1.8</maven.compiler.target>\n"
        "  </properties>\n\n"
    )


def guava_dependency(version: str | None) -> str:
    """Return a <dependencies> section with Guava, at `version` unless it is None."""
    version_line = f"      <version>{version}</version>\n" if version else ""
    return (
        "  <dependencies>\n"
        "    <dependency>\n"
        "      <groupId>com.google.guava</groupId>\n"
        "      <artifactId>guava</artifactId>\n" + version_line + "    </dependency>\n"
        "  </dependencies>\n"
    )


def indent(text: str, prefix: str) -> str:
    return "".join(prefix + line for line in text.splitlines(keepends=True))


POM_HEADER = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 \
https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>

"""


def snapshots_fingerprint(snapshots: Sequence[Snapshot]) -> str:
    """Return a SHA-256 over every tag, date, message and file of a repository."""
    content = [
        [snapshot.tag, snapshot.date, snapshot.message, sorted(snapshot.files.items())]
        for snapshot in snapshots
    ]
    encoded = json.dumps([AUTHOR_NAME, AUTHOR_EMAIL, content]).encode()
    return hashlib.sha256(encoded).hexdigest()


def is_up_to_date(*, path: Path, tags: Sequence[str], fingerprint: str) -> bool:
    """Return whether `path` is a repository built from this content with all tags."""
    if not (path / ".git").is_dir():
        return False
    try:
        stored = run_git(["config", "--get", FINGERPRINT_KEY], cwd=path)
        existing = set(run_git(["tag", "--list"], cwd=path).split())
    except CorpusError:
        return False
    return stored == fingerprint and existing.issuperset(tags)


def commit_snapshot(*, repository: Path, snapshot: Snapshot) -> None:
    """Write a release's files, commit them with its date and tag the commit."""
    for relative, text in snapshot.files.items():
        target = repository / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    run_git(["add", "--all"], cwd=repository)
    run_git(
        ["commit", "--quiet", "--no-verify", "--message", snapshot.message],
        cwd=repository,
        date=snapshot.date,
    )
    run_git(["tag", snapshot.tag], cwd=repository)


def run_git(args: list[str], *, cwd: Path, date: str | None = None) -> str:
    """Run git isolated from the user's and system's git config, return stdout."""
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": AUTHOR_NAME,
        "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
        "GIT_COMMITTER_NAME": AUTHOR_NAME,
        "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
    }
    if date:
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
    command = ["git", "-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", *args]
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as error:
        raise CorpusError("git not found. Install git and put it on PATH.") from error
    except subprocess.TimeoutExpired as error:
        raise CorpusError(
            f"git {' '.join(args)} timed out after {GIT_TIMEOUT_SECONDS} s in {cwd}."
        ) from error
    if completed.returncode != 0:
        raise CorpusError(
            f"git {' '.join(args)} failed in {cwd} with exit code "
            f"{completed.returncode}: {completed.stderr.strip()}"
        )
    return completed.stdout.strip()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.corpus", description="Build the demo git repositories."
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEFAULT_DEST,
        help=f"Folder for the repositories, one per project (default {DEFAULT_DEST}).",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="Recreate every repository even when it is up to date.",
    )
    options = parser.parse_args(argv)
    try:
        built = build_corpus(dest=options.dest, rebuild=options.rebuild)
    except (CorpusError, OSError) as error:
        print(f"Building the demo corpus failed: {error}", file=sys.stderr)
        return 1
    for repository in built:
        action = "created" if repository.created else "reused"
        print(f"{action} {repository.path} ({', '.join(repository.tags)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
