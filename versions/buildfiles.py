"""Read which version of a library a project's build files declare.

Maven POMs are read by ``versions.pom`` and Gradle build scripts and
version catalogs by ``versions.gradle``. Every build file that declares
the library gives one finding. When findings disagree, the most common
version wins, and the highest of equally common versions breaks a tie.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from versions.maven import InvalidVersion, parse_version

logger = logging.getLogger(__name__)

LIBRARY_PATTERN = re.compile(r"([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)")

# Build outputs, dependency caches and test fixtures hold build files that
# do not describe the project's own build.
SKIPPED_FOLDERS = frozenset({"target", "build", "node_modules", "archetype-resources"})
SKIPPED_SUBTREES = (("src", "test"), ("src", "it"))
MAX_BUILD_FILE_BYTES = 5 * 1024 * 1024


class BuildFileError(ValueError):
    """A build file that cannot be read: malformed, unsafe or too large."""


@dataclass
class DeclaredVersion:
    """The library version that a project's build files declare."""

    version: str | None
    source: str
    problems: list[str] = field(default_factory=list)


@dataclass
class Finding:
    """One build file's declaration of the library, resolved or not."""

    path: str
    version: str | None
    source: str


def parse_library(library: str) -> tuple[str, str]:
    """Split ``groupId:artifactId``, raising ValueError with the expected form."""
    match = LIBRARY_PATTERN.fullmatch(library.strip()) if library else None
    if match is None:
        raise ValueError(
            f"Invalid library {library!r}: expected groupId:artifactId, "
            "such as com.google.guava:guava."
        )
    return match.group(1), match.group(2)


def iter_build_files(
    root: Path, names: frozenset[str], *, suffixes: tuple[str, ...] = ()
) -> Iterator[Path]:
    """Yield files named one of ``names`` or ending in ``suffixes``, in a stable order.

    Hidden folders, build outputs and test fixture folders are skipped,
    and symbolic links to folders are not followed.
    """
    for folder, subfolders, files in os.walk(root):
        parts = Path(folder).relative_to(root).parts
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".")
            and name not in SKIPPED_FOLDERS
            and (*parts[-1:], name) not in SKIPPED_SUBTREES
        )
        for name in sorted(files):
            if name in names or (suffixes and name.endswith(suffixes)):
                yield Path(folder) / name


def read_bytes(path: Path, *, root: Path) -> bytes:
    """Read a build file, raising BuildFileError when it is missing or too large."""
    relative = relative_path(path, root=root)
    try:
        size = path.stat().st_size
        if size > MAX_BUILD_FILE_BYTES:
            raise BuildFileError(
                f"{relative}: file is {size} bytes, more than the "
                f"{MAX_BUILD_FILE_BYTES} bytes read from one build file"
            )
        return path.read_bytes()
    except OSError as error:
        raise BuildFileError(f"{relative}: cannot be read: {error.strerror}") from error


def read_text(path: Path, *, root: Path) -> str:
    """Read a build file as UTF-8, raising BuildFileError with the reason."""
    content = read_bytes(path, root=root)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildFileError(
            f"{relative_path(path, root=root)}: invalid UTF-8 at byte "
            f"{error.start}; save it as UTF-8"
        ) from error


def relative_path(path: Path, *, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_declared_version(root: Path, library: str) -> DeclaredVersion | None:
    """Read the version of ``library`` that the build files under ``root`` declare.

    Returns None when no build file declares the library. One malformed
    build file never stops the others: its path and reason go to
    ``problems``. Raises ValueError for a malformed ``library`` and
    NotADirectoryError when ``root`` is not a folder.
    """
    # Imported here because both modules import BuildFileError and Finding.
    from versions import gradle, pom

    group_id, artifact_id = parse_library(library)
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(
            f"Project folder {str(root)!r} is not a folder; give the path of a "
            "checked-out repository."
        )

    problems: list[str] = []
    findings = pom.find_declarations(
        root, group_id=group_id, artifact_id=artifact_id, problems=problems
    )
    findings += gradle.find_declarations(
        root, group_id=group_id, artifact_id=artifact_id, problems=problems
    )
    for problem in problems:
        logger.warning("Skipped build file while reading %s: %s", library, problem)

    if not findings:
        if problems:
            return DeclaredVersion(version=None, source="", problems=problems)
        return None
    version, source = choose_version(findings)
    return DeclaredVersion(version=version, source=source, problems=problems)


def choose_version(findings: list[Finding]) -> tuple[str | None, str]:
    """Pick the most common resolved version, ties broken by the highest.

    Unresolved findings are left out of the vote, and the returned source
    is the first finding of the chosen version with the vote added.
    """
    resolved = [finding for finding in findings if finding.version is not None]
    if not resolved:
        return None, findings[0].source

    counts = Counter(finding.version for finding in resolved)
    best = max(counts, key=lambda version: (counts[version], parse_version(version)))
    chosen = next(finding for finding in resolved if finding.version == best)
    if len(findings) == 1:
        return best, chosen.source
    return best, f"{chosen.source} ({describe_vote(counts, best, len(findings))})"


def describe_vote(counts: Counter, best: str, total: int) -> str:
    """Describe how many build files gave each version, for ``source``."""
    if len(counts) == 1:
        vote = f"same in {counts[best]} of {total} build files"
    else:
        tied = sum(1 for count in counts.values() if count == counts[best]) > 1
        label = "highest of the most common" if tied else "most common"
        others = ", ".join(
            f"{version} in {count}"
            for version, count in counts.most_common()
            if version != best
        )
        vote = f"{label}: {best} in {counts[best]} of {total} build files; {others}"

    unresolved = total - sum(counts.values())
    if unresolved:
        vote += f"; unresolved in {unresolved}"
    return vote


def checked_version(text: str) -> tuple[str | None, str]:
    """Return ``(text, "")`` for a valid version, else ``(None, reason)``."""
    try:
        parse_version(text)
    except InvalidVersion as error:
        return None, str(error)
    return text, ""
