"""Extract the blocks of a source tree and store them with the sources."""

import io
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from oreo.blocks import Block
from oreo.extract import extract_source
from oreo.metricfile import MetricFileError, format_block, write_metric_file
from projects.git import list_java_files

logger = logging.getLogger(__name__)

METRIC_FILE_NAME = "blocks.metrics"
SOURCE_ARCHIVE_NAME = "sources.zip"


@dataclass
class ExtractedFile:
    """The extraction outcome of one Java file."""

    path: str
    methods_count: int
    syntax_errors: int
    error: str


@dataclass
class TreeExtraction:
    """The blocks of a source tree and the outcome for each of its files."""

    blocks: list[Block] = field(default_factory=list)
    files: list[ExtractedFile] = field(default_factory=list)

    @property
    def methods_count(self) -> int:
        return len(self.blocks)

    @property
    def syntax_errors(self) -> int:
        return sum(extracted.syntax_errors for extracted in self.files)

    @property
    def failed_files(self) -> int:
        return sum(1 for extracted in self.files if extracted.error)


def extract_tree(
    root: Path,
    *,
    folder: str,
    progress: Callable[[int, int], None] | None = None,
) -> TreeExtraction:
    """Extract the blocks of every Java file under `root`.

    A file that cannot be read, or whose name is not valid UTF-8, is recorded
    with an error and yields no blocks, so it never stops the other files.
    `progress` is called with (files done, files total) after each file.
    """
    paths = list_java_files(root)
    extraction = TreeExtraction()
    for done, path in enumerate(paths, start=1):
        extracted, blocks = _extract_file(root, path, folder)
        extraction.files.append(extracted)
        extraction.blocks.extend(blocks)
        if progress is not None:
            progress(done, len(paths))
    return extraction


def store_extraction(
    *, prefix: str, extraction: TreeExtraction, root: Path
) -> tuple[str, str]:
    """Write the metric file and the archive of the Java files that have
    blocks under `prefix` in default_storage, and return both storage
    names."""
    metric_name = default_storage.save(
        f"{prefix}/{METRIC_FILE_NAME}", ContentFile(_metric_file_bytes(extraction))
    )
    paths = sorted({block.file for block in extraction.blocks})
    with tempfile.TemporaryFile() as archive:
        _write_source_archive(archive, root=root, paths=paths)
        archive.seek(0)
        sources_name = default_storage.save(
            f"{prefix}/{SOURCE_ARCHIVE_NAME}", File(archive)
        )
    logger.info(
        "Stored %d blocks in %s and %d files in %s",
        len(extraction.blocks),
        metric_name,
        len(paths),
        sources_name,
    )
    return metric_name, sources_name


def _extract_file(
    root: Path, path: str, folder: str
) -> tuple[ExtractedFile, list[Block]]:
    printable = _printable_path(path)
    if printable != path:
        error = "File name is not valid UTF-8; the file was skipped."
        logger.warning("Skipped %s under %s: %s", printable, root, error)
        return ExtractedFile(printable, 0, 0, error), []

    try:
        source = (Path(root) / path).read_bytes()
    except OSError as error:
        message = f"Reading the file failed: {error.strerror or error}."
        logger.warning("Skipped %s under %s: %s", path, root, message)
        return ExtractedFile(path, 0, 0, message), []

    result = extract_source(source, path=path, folder=folder)
    blocks, unwritable = _writable_blocks(result.blocks)
    errors = [result.error, *unwritable]
    extracted = ExtractedFile(
        path=path,
        methods_count=len(blocks),
        syntax_errors=result.syntax_errors,
        error="; ".join(error for error in errors if error),
    )
    return extracted, blocks


def _writable_blocks(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    """Leave out the blocks a metric file cannot hold, so one odd method
    name or token never fails a whole tree. Return the kept blocks and the
    reason for each block left out."""
    writable, problems = [], []
    for block in blocks:
        try:
            format_block(block)
        except MetricFileError as error:
            problems.append(f"Left out a method: {error}")
        else:
            writable.append(block)
    return writable, problems


def _printable_path(path: str) -> str:
    """Return `path` unchanged when it is valid UTF-8, or with its invalid
    bytes written as backslash escapes."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def _metric_file_bytes(extraction: TreeExtraction) -> bytes:
    stream = io.StringIO()
    write_metric_file(extraction.blocks, stream)
    return stream.getvalue().encode("utf-8")


def _write_source_archive(archive, *, root: Path, paths: list[str]) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as output:
        for path in paths:
            output.write(Path(root) / path, arcname=path)
