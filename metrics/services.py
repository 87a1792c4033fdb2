"""Extract the blocks of a source tree and store them with the sources."""

import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from metrics.files import load_blocks
from oreo.blocks import Block
from oreo.extract import extract_source
from oreo.metricfile import MetricFileError, format_block
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
    # `git hash-object` sha of the bytes extracted: the commit's blob sha,
    # unless .gitattributes rewrites the file on export. Empty when the file
    # was not read.
    blob: str = ""


@dataclass
class ReusableFile:
    """An earlier extraction of a file, valid for any file with the same
    path and blob sha."""

    extracted: ExtractedFile
    blocks: list[Block]


@dataclass
class TreeExtraction:
    """The blocks of a source tree and the outcome for each of its files."""

    blocks: list[Block] = field(default_factory=list)
    files: list[ExtractedFile] = field(default_factory=list)
    # The metric-file line of each block, in the order of `blocks`.
    lines: list[str] = field(default_factory=list)
    reused_files: int = 0

    def add(
        self, extracted: ExtractedFile, blocks: list[Block], lines: list[str]
    ) -> None:
        self.files.append(extracted)
        self.blocks.extend(blocks)
        self.lines.extend(lines)

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
    reusable: Mapping[str, ReusableFile] | None = None,
) -> TreeExtraction:
    """Extract the blocks of every Java file under `root`.

    A file whose path and blob sha match an entry of `reusable` takes that
    entry's outcome and blocks instead of being extracted again.
    A file that cannot be read, or whose name is not valid UTF-8, is recorded
    with an error and yields no blocks, so it never stops the other files.
    `progress` is called with (files done, files total) after each file.
    """
    paths = list_java_files(root)
    extraction = TreeExtraction()
    for done, path in enumerate(paths, start=1):
        _add_file(extraction, root, path, folder, reusable or {})
        if progress is not None:
            progress(done, len(paths))
    if reusable is not None:
        logger.info(
            "Reused %d of %d files under %s from an earlier extraction",
            extraction.reused_files,
            len(paths),
            root,
        )
    return extraction


def load_reusable_files(
    *, metric_file: str, files: Iterable[ExtractedFile]
) -> dict[str, ReusableFile]:
    """Pair the recorded outcome of each file of an earlier extraction with
    its blocks from that extraction's stored metric file.

    A file without a blob sha, or whose block count in the metric file
    differs from its recorded methods count (lines left out as unreadable),
    is not returned, so it is extracted again. Raises MetricFileMissing when
    the metric file is not in storage.
    """
    blocks_by_file: dict[str, list[Block]] = {}
    for block in load_blocks(metric_file):
        blocks_by_file.setdefault(block.file, []).append(block)

    reusable = {}
    for extracted in files:
        blocks = blocks_by_file.get(extracted.path, [])
        if extracted.blob and len(blocks) == extracted.methods_count:
            reusable[extracted.path] = ReusableFile(extracted, blocks)
    return reusable


def git_blob_sha(data: bytes) -> str:
    """Return the sha git gives a blob of these bytes (`git hash-object`)."""
    header = f"blob {len(data)}\0".encode()
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


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


def _add_file(
    extraction: TreeExtraction,
    root: Path,
    path: str,
    folder: str,
    reusable: Mapping[str, ReusableFile],
) -> None:
    source, extracted = _read_file(root, path)
    if source is None:
        extraction.add(extracted, [], [])
        return

    earlier = reusable.get(path)
    if earlier is not None and earlier.extracted.blob == extracted.blob:
        reused = _reuse_file(earlier, folder)
        if reused is not None:
            extraction.add(*reused)
            extraction.reused_files += 1
            return

    extraction.add(*_extract_file(source, extracted, folder))


def _read_file(root: Path, path: str) -> tuple[bytes | None, ExtractedFile]:
    """Read a file, or record why it cannot be read."""
    printable = _printable_path(path)
    if printable != path:
        error = "File name is not valid UTF-8; the file was skipped."
        logger.warning("Skipped %s under %s: %s", printable, root, error)
        return None, ExtractedFile(printable, 0, 0, error)

    try:
        source = (Path(root) / path).read_bytes()
    except OSError as error:
        message = f"Reading the file failed: {error.strerror or error}."
        logger.warning("Skipped %s under %s: %s", path, root, message)
        return None, ExtractedFile(path, 0, 0, message)
    return source, ExtractedFile(path, 0, 0, "", blob=git_blob_sha(source))


def _extract_file(
    source: bytes, extracted: ExtractedFile, folder: str
) -> tuple[ExtractedFile, list[Block], list[str]]:
    result = extract_source(source, path=extracted.path, folder=folder)
    blocks, lines, unwritable = _writable_blocks(result.blocks)
    errors = [result.error, *unwritable]
    extracted.methods_count = len(blocks)
    extracted.syntax_errors = result.syntax_errors
    extracted.error = "; ".join(error for error in errors if error)
    return extracted, blocks, lines


def _reuse_file(
    earlier: ReusableFile, folder: str
) -> tuple[ExtractedFile, list[Block], list[str]] | None:
    """Return the earlier outcome of a file with its blocks moved to `folder`,
    or None when a block can no longer be written, so the file is extracted
    again."""
    for block in earlier.blocks:
        block.folder = folder
    blocks, lines, unwritable = _writable_blocks(earlier.blocks)
    if unwritable:
        return None
    extracted = ExtractedFile(
        path=earlier.extracted.path,
        methods_count=earlier.extracted.methods_count,
        syntax_errors=earlier.extracted.syntax_errors,
        error=earlier.extracted.error,
        blob=earlier.extracted.blob,
    )
    return extracted, blocks, lines


def _writable_blocks(
    blocks: list[Block],
) -> tuple[list[Block], list[str], list[str]]:
    """Format each block as its metric-file line, leaving out the blocks a
    metric file cannot hold, so one odd method name or token never fails a
    whole tree. Return the kept blocks, their lines and the reason for each
    block left out."""
    writable, lines, problems = [], [], []
    for block in blocks:
        try:
            line = format_block(block)
        except MetricFileError as error:
            problems.append(f"Left out a method: {error}")
        else:
            writable.append(block)
            lines.append(line)
    return writable, lines, problems


def _printable_path(path: str) -> str:
    """Return `path` unchanged when it is valid UTF-8, or with its invalid
    bytes written as backslash escapes."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def _metric_file_bytes(extraction: TreeExtraction) -> bytes:
    # The same bytes as oreo.metricfile.write_metric_file, from the lines that
    # TreeExtraction.add received when each block was checked. A
    # TreeExtraction built without add() has no lines, so its blocks are
    # formatted here.
    lines = extraction.lines
    if len(lines) != len(extraction.blocks):
        lines = [format_block(block) for block in extraction.blocks]
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def _write_source_archive(archive, *, root: Path, paths: list[str]) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as output:
        for path in paths:
            output.write(Path(root) / path, arcname=path)
