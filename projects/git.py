"""Read git repositories: clone or fetch, check out tags and commits, list
Java files.

Every git command runs without a terminal prompt, so a private or vanished
repository fails at once instead of waiting for a password, and clone and
fetch stop after settings.GIT_TIMEOUT seconds or once the repository grows
beyond settings.GIT_MAX_REPOSITORY_MB.
"""

import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import git
from django.conf import settings

logger = logging.getLogger(__name__)

# Git skips an empty askpass program and then, with terminal prompts off,
# fails at once with "terminal prompts disabled" (checked with git 2.39.5).
GIT_ENVIRONMENT = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
}
# Seconds between two checks of a running clone's time and size.
SIZE_CHECK_SECONDS = 0.5
# Maximum length of the readable part of a cache folder name.
MAX_SAFE_NAME_LENGTH = 80
CREDENTIALS_PATTERN = re.compile(r"([a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


class GitError(Exception):
    """A git operation failed: the message names the source or ref and what
    to do next."""


def redact_source(text: str) -> str:
    """Remove user names and passwords from the URLs in `text`, so it can be
    logged."""
    return CREDENTIALS_PATTERN.sub(r"\1", text)


def safe_name(source: str) -> str:
    """Build a folder name for a source: readable, free of path separators,
    and unique through a hash of the full source."""
    digest = hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", redact_source(source)).strip("-.")
    readable = readable[-MAX_SAFE_NAME_LENGTH:].lstrip("-.") or "repository"
    return f"{readable}-{digest[:12]}"


def clone_or_fetch(source: str, *, destination: Path | None = None) -> Path:
    """Clone a git URL or local repository, or fetch its branches and tags
    when the clone already exists, and return the clone's folder.

    Without `destination`, clones are cached under settings.REPOSITORIES_DIR
    in a folder named after the source. A file lock on that folder keeps two
    processes on one machine from cloning or fetching it at once.
    """
    source = _validate_source(source)
    if destination is None:
        destination = Path(settings.REPOSITORIES_DIR) / safe_name(source)
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)

    with _folder_lock(destination):
        if (destination / ".git").is_dir():
            _fetch(source, destination)
        else:
            _clone(source, destination)
    return destination


def checkout(repo_dir: Path, ref: str) -> str:
    """Check out a tag, branch or commit as a detached HEAD, drop files the
    previous checkout left behind, and return the commit's SHA-1."""
    repo = _open_repo(repo_dir)
    sha = resolve_commit(repo, ref)
    try:
        repo.git.checkout("--force", "--detach", sha)
        repo.git.clean("-ffdx")
    except git.GitCommandError as error:
        raise GitError(
            f"Checkout of {ref!r} in {repo_dir} failed: {_stderr(error)}. "
            "Check that the folder is not in use and the disk is not full."
        ) from error
    return sha


def resolve_commit(repo: git.Repo, ref: str) -> str:
    """Return the SHA-1 of the commit a tag, branch or commit id names."""
    if not ref or ref.startswith("-"):
        raise GitError(f"Invalid git ref {ref!r}: give a tag name or commit id.")
    try:
        return repo.commit(f"{ref}^{{commit}}").hexsha
    except (git.BadName, git.BadObject, ValueError) as error:
        raise GitError(
            f"Ref {ref!r} not found in {repo.working_dir}. Check the tag or "
            "commit id, and fetch the repository again if it is new."
        ) from error


def list_tags(repo_dir: Path) -> list[str]:
    """Return the names of the repository's tags, sorted by name."""
    repo = _open_repo(repo_dir)
    output = repo.git.tag("--list")
    return sorted(line for line in output.splitlines() if line)


def list_java_files(root: Path) -> list[str]:
    """Return the `.java` files under `root` as sorted relative POSIX paths.

    Skips `.git`, nested repositories and submodules (folders with their own
    `.git`), and symbolic links that point outside `root`. A name that is not
    valid UTF-8 is kept with surrogate escapes, as os.fsdecode returns it.
    """
    root = Path(root)
    real_root = root.resolve()
    found = []
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(
            name
            for name in folders
            if name != ".git" and not _is_nested_repository(Path(directory, name))
        )
        for name in files:
            if not name.endswith(".java"):
                continue
            path = Path(directory, name)
            if path.is_symlink() and not _is_inside(path.resolve(), real_root):
                logger.info("Skipped %s: symbolic link outside %s", path, root)
                continue
            if not path.is_file():
                continue
            found.append(path.relative_to(root).as_posix())
    return sorted(found)


def _validate_source(source: str) -> str:
    source = source.strip()
    if not source or source.startswith("-"):
        raise GitError(
            f"Invalid repository source {source!r}: give a git URL or the path "
            "of a local repository."
        )
    try:
        git.Git.check_unsafe_protocols(source)
    except git.UnsafeProtocolError as error:
        raise GitError(
            f"Unsupported protocol in repository source {redact_source(source)!r}: "
            "use an https://, ssh://, git:// or file URL, or a local path."
        ) from error
    if "://" not in source and not _looks_like_scp(source):
        path = Path(source).expanduser()
        if not path.exists():
            raise GitError(
                f"Local repository {source!r} not found. Check the path, or give "
                "a git URL."
            )
        return str(path.resolve())
    return source


def _looks_like_scp(source: str) -> bool:
    # git's scp-like syntax, user@host:path, has a colon before any slash.
    head = source.split("/", 1)[0]
    return ":" in head and not Path(source).exists()


def _clone(source: str, destination: Path) -> None:
    """Clone into a temporary folder beside `destination`, then rename it, so
    an interrupted clone never looks like a finished one."""
    if destination.exists() and any(destination.iterdir()):
        raise GitError(
            f"Cannot clone {redact_source(source)} into {destination}: the "
            "folder exists and is not a git repository. Remove it or choose "
            "another destination."
        )
    logger.info("Cloning %s into %s", redact_source(source), destination)
    temporary = Path(tempfile.mkdtemp(dir=destination.parent, prefix=".clone-"))
    try:
        _run_network_command(
            ["git", "clone", "--no-checkout", "--", source, str(temporary)],
            source=source,
            action="Clone",
            watched=temporary,
        )
        if destination.exists():
            destination.rmdir()
        temporary.rename(destination)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)


def _fetch(source: str, destination: Path) -> None:
    logger.info("Fetching %s in %s", redact_source(source), destination)
    _run_network_command(
        ["git", "fetch", "--tags", "--force", "--prune", "origin"],
        source=source,
        action="Fetch",
        working_dir=destination,
    )


def _run_network_command(
    command: list[str],
    *,
    source: str,
    action: str,
    working_dir: Path | None = None,
    watched: Path | None = None,
) -> None:
    """Run a git command that reads from the network, killing it when it
    runs longer than GIT_TIMEOUT or grows `watched` beyond GIT_MAX_REPOSITORY_MB.
    """
    timeout = settings.GIT_TIMEOUT
    max_bytes = settings.GIT_MAX_REPOSITORY_MB * 1024 * 1024
    folder = watched or working_dir
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command,
            cwd=working_dir,
            env={**os.environ, **GIT_ENVIRONMENT},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        too_large = (
            f"{action} of {redact_source(source)} stopped: the repository is "
            f"larger than {settings.GIT_MAX_REPOSITORY_MB} MB. Raise "
            "GIT_MAX_REPOSITORY_MB to allow it."
        )
        problem = ""
        pause = 0.02
        while process.poll() is None:
            if time.monotonic() > deadline:
                problem = (
                    f"{action} of {redact_source(source)} timed out after "
                    f"{timeout} s. Check the network or raise GIT_TIMEOUT."
                )
            elif folder is not None and _folder_size(folder) > max_bytes:
                problem = too_large
            if problem:
                process.kill()
                process.wait()
                raise GitError(problem)
            # Short pauses first, so a quick command costs no extra wait.
            time.sleep(pause)
            pause = min(pause * 2, SIZE_CHECK_SECONDS)
        stderr.seek(0)
        output = stderr.read().decode("utf-8", "replace").strip()
    if process.returncode == 0 and folder is not None:
        # A quick command can finish between two checks.
        if _folder_size(folder) > max_bytes:
            raise GitError(too_large)
    if process.returncode != 0:
        raise GitError(
            f"{action} of {redact_source(source)} failed: "
            f"{redact_source(output) or f'exit status {process.returncode}'}. Check "
            "that the repository exists, is a git repository and is public."
        )


def _folder_size(folder: Path) -> int:
    total = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                continue
    return total


def _open_repo(repo_dir: Path) -> git.Repo:
    try:
        return git.Repo(repo_dir)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
        raise GitError(
            f"{repo_dir} is not a git repository. Clone it with clone_or_fetch first."
        ) from error


@contextmanager
def _folder_lock(destination: Path) -> Iterator[None]:
    lock_path = destination.with_name(f".{destination.name}.lock")
    with open(lock_path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _is_nested_repository(folder: Path) -> bool:
    return (folder / ".git").exists() or (folder / ".git").is_symlink()


def _is_inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _stderr(error: git.GitCommandError) -> str:
    text = error.stderr if isinstance(error.stderr, str) else str(error.stderr)
    text = text.strip().removeprefix("stderr:").strip().strip("'").strip()
    lines = [line for line in text.splitlines() if not line.startswith("Cloning into")]
    message = " ".join(" ".join(lines).split())
    return redact_source(message) or f"exit status {error.status}"
