"""Copy the files of one commit out of a repository without touching its
work tree, so several workers can read different commits of one clone at
the same time."""

import logging
import tarfile
import tempfile
from pathlib import Path

import git

from projects.git import GitError, redact_source

logger = logging.getLogger(__name__)


class SnapshotError(GitError):
    """A commit or tag could not be read from a repository."""


def resolve_commit(repo_dir: Path, ref: str) -> str:
    """Return the full sha of `ref` (a tag, branch or commit) in the repository.

    Branches are read from the remote first, because a fetch updates
    `origin/<branch>` but not the local branch of an earlier clone.
    """
    if not ref or ref.startswith("-"):
        raise SnapshotError(f"Invalid git ref {ref!r}: give a tag name or commit id.")
    repo = git.Repo(repo_dir)
    for candidate in (f"refs/remotes/origin/{ref}", f"refs/tags/{ref}", ref):
        try:
            return repo.commit(candidate).hexsha
        except (git.BadName, ValueError, git.GitCommandError):
            continue
    raise SnapshotError(
        f"Commit or tag {ref!r} not found in {_origin(repo)}. "
        "Check the name, or push it to the repository."
    )


def _origin(repo: git.Repo) -> str:
    """Return the repository's origin URL without credentials, for messages."""
    try:
        return redact_source(repo.remotes.origin.url)
    except (AttributeError, IndexError, ValueError):
        return Path(repo.working_dir).name


def export_commit(repo_dir: Path, ref: str, destination: Path) -> str:
    """Write the files of `ref` into `destination` and return its commit sha.

    Submodules are left out, because `git archive` does not include them,
    and so are symlinks and paths that would point outside `destination`.
    """
    sha = resolve_commit(repo_dir, ref)
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        try:
            git.Repo(repo_dir).archive(archive, treeish=sha, format="tar")
        except git.GitCommandError as error:
            raise SnapshotError(
                f"Reading commit {sha[:12]} of {_origin(git.Repo(repo_dir))} failed: "
                f"{error.stderr.strip() or error}"
            ) from error
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(destination, filter=_skip_unsafe_member)
    return sha


def _skip_unsafe_member(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    if member.issym() or member.islnk():
        return None
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError as error:
        logger.warning("Skipped archive member %s: %s", member.name, error)
        return None
