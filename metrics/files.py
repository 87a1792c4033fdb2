"""Read stored metric files and source archives."""

import logging
import zipfile
from typing import IO

from django.core.files.storage import default_storage

from oreo.blocks import Block
from oreo.metricfile import read_metric_file

logger = logging.getLogger(__name__)


class MetricFileMissing(Exception):
    """A metric file or source archive is not in storage."""


def load_blocks(name: str) -> list[Block]:
    """Read the blocks of a stored metric file.

    Lines that cannot be parsed are logged and left out.
    """
    # The binary stream is decoded line by line, so a line of invalid UTF-8
    # loses only itself.
    with _open_stored(name) as stored:
        blocks, problems = read_metric_file(stored)
    if problems:
        logger.warning(
            "Left out %d unreadable lines of %s; first: %s",
            len(problems),
            name,
            problems[0],
        )
    return list(blocks)


class SourceArchive:
    """A stored sources.zip, opened for reading Java files by path."""

    def __init__(self, name: str):
        self.name = name
        self._stored: IO[bytes] | None = None
        self._zip: zipfile.ZipFile | None = None
        self._texts: dict[str, str] = {}

    def __enter__(self) -> "SourceArchive":
        self._stored = _open_stored(self.name)
        try:
            self._zip = zipfile.ZipFile(self._stored)
        except zipfile.BadZipFile as error:
            self._stored.close()
            raise MetricFileMissing(
                f"Source archive {self.name} is not a valid zip file. Run "
                "`manage.py preparedata --reextract` for its project to rebuild it."
            ) from error
        return self

    def __exit__(self, *exc_info) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._stored is not None:
            self._stored.close()
        self._texts.clear()

    def text(self, path: str) -> str:
        """Return the decoded text of the file at `path`.

        Raises KeyError when the archive has no such file, which happens for
        files in which extraction found no methods.
        """
        if self._zip is None:
            raise RuntimeError("Use SourceArchive in a `with` statement.")
        if path not in self._texts:
            try:
                data = self._zip.read(path)
            except KeyError:
                raise KeyError(
                    f"{path} is not in source archive {self.name}: only files "
                    "with extracted methods are stored."
                ) from None
            self._texts[path] = decode_source(data)
        return self._texts[path]

    def lines(self, path: str, start: int, end: int) -> str:
        """Return lines `start` to `end` (1-based, inclusive) of a file,
        joined with LF."""
        if start < 1 or end < start:
            raise ValueError(
                f"Invalid line range {start}-{end} for {path}: lines start at 1 "
                "and the end must not be before the start."
            )
        # Block line numbers come from tree-sitter, which counts LF only, so a
        # lone CR does not start a line here either.
        selected = self.text(path).split("\n")[start - 1 : end]
        return "\n".join(line.removesuffix("\r") for line in selected)


def decode_source(data: bytes) -> str:
    """Decode Java source as oreo.extract does: UTF-8 without a byte order
    mark, or ISO-8859-1 when it is not valid UTF-8, so every file has a
    text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("iso-8859-1")


def _open_stored(name: str) -> IO[bytes]:
    if not name or not default_storage.exists(name):
        raise MetricFileMissing(_missing_message(name))
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError as error:
        raise MetricFileMissing(_missing_message(name)) from error


def _missing_message(name: str) -> str:
    return (
        f"Stored file {name!r} not found. Run `manage.py preparedata` for its "
        "project again to rebuild it."
    )
