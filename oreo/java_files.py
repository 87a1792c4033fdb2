"""Find the Java files to extract under files and folders given by a user."""

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class JavaFile:
    """A Java file found on disk, with the names its blocks get."""

    path: Path
    # The folder given by the user (or the file's own folder), and the
    # file's path relative to it, with `/` separators.
    folder: str
    relative_path: str


def find_java_files(paths: Iterable[Path]) -> tuple[list[JavaFile], list[str]]:
    """List the `.java` files under the given files and folders, and one
    message per path that was skipped or looks wrong.

    Folders are searched recursively without following symbolic links, so a
    link to a folder or file inside them is skipped. A path given directly
    is used even when it is a link, or when its name does not end in
    `.java`, which gets a warning. A missing path, or a folder that cannot
    be listed, is skipped with a message. Files come in sorted order per
    folder.
    """
    found = []
    problems = []
    for path in paths:
        if path.is_dir():
            found.extend(_walk_folder(path, problems))
        elif not path.exists():
            problems.append(f"{_printable(path)}: path not found; skipped.")
        else:
            if not path.name.endswith(".java"):
                problems.append(
                    f"{_printable(path)}: warning: the file name does not end in "
                    ".java; it is parsed as Java anyway."
                )
            found.append(JavaFile(path, str(path.parent), path.name))
    return found, problems


def _walk_folder(root: Path, problems: list[str]) -> list[JavaFile]:
    def report(error: OSError) -> None:
        name = _printable(Path(error.filename or root))
        problems.append(f"{name}: listing folder failed: {error.strerror}; skipped.")

    found = []
    for folder, subfolders, names in os.walk(root, onerror=report, followlinks=False):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if not name.endswith(".java") or path.is_symlink():
                continue
            relative = path.relative_to(root).as_posix()
            found.append(JavaFile(path, str(root), relative))
    return found


def _printable(path: Path) -> str:
    """Return the path with bytes that are not UTF-8 written as escapes."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")
