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


def find_java_files(paths: Iterable[Path]) -> list[JavaFile]:
    """List the `.java` files under the given files and folders.

    Folders are searched recursively without following symbolic links, so a
    link to a folder or file inside them is skipped. A path given directly
    is used even when it is a link. Files come in sorted order per folder.
    """
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(_walk_folder(path))
        else:
            found.append(JavaFile(path, str(path.parent), path.name))
    return found


def _walk_folder(root: Path) -> list[JavaFile]:
    found = []
    for folder, subfolders, names in os.walk(root, followlinks=False):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if not name.endswith(".java") or path.is_symlink():
                continue
            relative = path.relative_to(root).as_posix()
            found.append(JavaFile(path, str(root), relative))
    return found
