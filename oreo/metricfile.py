"""Read and write blocks in the metric-file format of Oreo's Java extractor.

One line per block, six parts joined by `@#@`, fields inside a part joined
by commas (Mondego/oreo, java-parser CustomVisitor.generateInputForOreo):

1. metadata: folder, file, start line, end line, method name, token count,
   unique-token count, metrics hash, file id, method id;
2. the 24 metrics, in `METRIC_NAMES` order;
3. action tokens as `token:count`;
4. stop-word action tokens as `token:count`;
5. the method-name token `_@name@_:1`;
6. source lines of code (SLOC).

Oreo's clone detector reads the file id and method id as numbers, so they are
written: both are derived from the block's location, because a `Block` has no
ids. Lines without them (eight metadata fields) are read as well.

Folder and file names may contain characters that the format uses as
separators, so `%`, `,`, `@`, CR and LF in them are written as `%25`, `%2C`,
`%40`, `%0D` and `%0A`, and decoded again when read.
"""

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from oreo.blocks import METRIC_NAMES, Block
from oreo.java_metrics import format_metric

PART_SEPARATOR = "@#@"
FIELD_SEPARATOR = ","
_PART_COUNT = 6
_METADATA_FIELDS = 10
_METADATA_FIELDS_WITHOUT_IDS = 8

_NAME_ESCAPES = {"%": "%25", ",": "%2C", "@": "%40", "\r": "%0D", "\n": "%0A"}
_NAME_UNESCAPES = {escaped: raw for raw, escaped in _NAME_ESCAPES.items()}
_ESCAPE_TABLE = str.maketrans(_NAME_ESCAPES)


class MetricFileError(ValueError):
    """A metric-file line or a block that cannot be read or written."""


@dataclass
class MetricFileProblem:
    """A line of a metric file that was skipped, and why."""

    line_number: int
    message: str


def format_block(block: Block) -> str:
    """Format a block as one metric-file line, without a line break."""
    _check_writable(block)
    file_id, method_id = _block_ids(block)
    metadata = [
        _escape_name(block.folder),
        _escape_name(block.file),
        str(block.start_line),
        str(block.end_line),
        block.name,
        str(block.tokens),
        str(block.unique_tokens),
        block.metrics_hash,
        str(file_id),
        str(method_id),
    ]
    parts = [
        FIELD_SEPARATOR.join(metadata),
        FIELD_SEPARATOR.join(format_metric(value) for value in block.metrics),
        _format_token_counts(block.action_tokens),
        _format_token_counts(block.stop_tokens),
        f"_@{block.name}@_:1",
        str(block.sloc),
    ]
    return PART_SEPARATOR.join(parts)


def write_metric_file(blocks: Iterable[Block], stream: TextIO) -> int:
    """Write one line per block and return the number of lines written.

    Raises MetricFileError, before writing that block, for a block whose
    method name, tokens or metrics cannot be written.
    """
    written = 0
    for block in blocks:
        stream.write(format_block(block))
        stream.write("\n")
        written += 1
    return written


def parse_block(line: str) -> Block:
    """Parse one metric-file line; raise MetricFileError naming what is wrong."""
    parts = line.rstrip("\r\n").split(PART_SEPARATOR)
    if len(parts) != _PART_COUNT:
        raise MetricFileError(
            f"expected {_PART_COUNT} parts separated by {PART_SEPARATOR!r}, "
            f"found {len(parts)}"
        )
    metadata, metrics, actions, stops, name_token, sloc = parts
    block = _parse_metadata(metadata)
    block.metrics = _parse_metrics(metrics)
    block.action_tokens = _parse_token_counts(actions, part="action tokens")
    block.stop_tokens = _parse_token_counts(stops, part="stop-word tokens")
    _check_name_token(name_token, block.name)
    block.sloc = _parse_int(sloc, "SLOC")
    return block


def read_metric_file(
    stream: TextIO | BinaryIO,
) -> tuple[list[Block], list[MetricFileProblem]]:
    """Read every valid line; skip and report each invalid one.

    A binary stream is decoded as UTF-8 line by line, so a line that is not
    UTF-8 is reported and skipped alone. Empty lines are ignored.
    """
    blocks = []
    problems = []
    for line_number, line in enumerate(stream, start=1):
        try:
            text = _decode_line(line)
            if not text.strip():
                continue
            blocks.append(parse_block(text))
        except MetricFileError as exc:
            problems.append(MetricFileProblem(line_number, str(exc)))
    return blocks, problems


def _decode_line(line: str | bytes) -> str:
    if isinstance(line, str):
        return line
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MetricFileError(
            f"invalid UTF-8 at byte {error.start + 1} of the line; metric files "
            "must be written in UTF-8"
        ) from None


def _check_writable(block: Block) -> None:
    if not _is_plain_name(block.name):
        raise MetricFileError(
            f"method name {block.name!r} in {block.file} cannot be written: it "
            f"must be non-empty and contain no ',', ':', '@' or line break"
        )
    if len(block.metrics) != len(METRIC_NAMES):
        raise MetricFileError(
            f"block {block.name} in {block.file} has {len(block.metrics)} "
            f"metrics; expected {len(METRIC_NAMES)}"
        )
    for token in (*block.action_tokens, *block.stop_tokens):
        if not token or any(mark in token for mark in ",:@\r\n"):
            raise MetricFileError(
                f"token {token!r} of {block.name} in {block.file} cannot be "
                f"written: it must be non-empty and contain no ',', ':', '@' "
                f"or line break"
            )


def _is_plain_name(name: str) -> bool:
    return bool(name) and not any(mark in name for mark in ",:@\r\n")


def _block_ids(block: Block) -> tuple[int, int]:
    """Derive stable numeric ids, below 2**60 so Java reads them as a long."""
    file_key = f"{block.folder}\n{block.file}".encode()
    method_key = f"{block.folder}\n{block.file}\n{block.start_line}\n{block.end_line}"
    file_digest = hashlib.md5(file_key, usedforsecurity=False).hexdigest()
    method_digest = hashlib.md5(method_key.encode(), usedforsecurity=False)
    return int(file_digest[:15], 16), int(method_digest.hexdigest()[:15], 16)


def _escape_name(name: str) -> str:
    return name.translate(_ESCAPE_TABLE)


def _unescape_name(name: str) -> str:
    if "%" not in name:
        return name
    pieces = name.split("%")
    result = [pieces[0]]
    for piece in pieces[1:]:
        raw = _NAME_UNESCAPES.get("%" + piece[:2].upper())
        if raw is None:
            result.append("%" + piece)
        else:
            result.append(raw + piece[2:])
    return "".join(result)


def _format_token_counts(counts: dict[str, int]) -> str:
    return FIELD_SEPARATOR.join(f"{token}:{count}" for token, count in counts.items())


def _parse_metadata(text: str) -> Block:
    fields = text.split(FIELD_SEPARATOR)
    if len(fields) not in (_METADATA_FIELDS, _METADATA_FIELDS_WITHOUT_IDS):
        raise MetricFileError(
            f"metadata has {len(fields)} fields; expected {_METADATA_FIELDS} "
            f"(folder, file, start line, end line, name, tokens, unique tokens, "
            f"metrics hash, file id, method id) or the first 8 of them. A comma "
            f"in a folder or file name must be written as %2C"
        )
    folder, file, start, end, name, tokens, unique, metrics_hash = fields[:8]
    if len(fields) == _METADATA_FIELDS:
        _parse_int(fields[8], "file id")
        _parse_int(fields[9], "method id")
    if not _is_plain_name(name):
        raise MetricFileError(f"invalid method name {name!r}")
    if not metrics_hash:
        raise MetricFileError("missing metrics hash")
    return Block(
        folder=_unescape_name(folder),
        file=_unescape_name(file),
        start_line=_parse_int(start, "start line"),
        end_line=_parse_int(end, "end line"),
        name=name,
        tokens=_parse_int(tokens, "token count"),
        unique_tokens=_parse_int(unique, "unique-token count"),
        metrics_hash=metrics_hash,
        metrics=(),
    )


def _parse_metrics(text: str) -> tuple[float, ...]:
    values = text.split(FIELD_SEPARATOR)
    if len(values) != len(METRIC_NAMES):
        raise MetricFileError(
            f"expected {len(METRIC_NAMES)} metrics, found {len(values)}"
        )
    metrics = []
    for name, value in zip(METRIC_NAMES, values, strict=True):
        try:
            number = float(value)
        except ValueError:
            raise MetricFileError(f"metric {name} is {value!r}, not a number") from None
        # The clone classifier takes the metrics as its input, and no real
        # method has a NaN, infinite or negative count or Halstead measure.
        if not math.isfinite(number):
            raise MetricFileError(f"metric {name} is {value!r}, not a finite number")
        if number < 0:
            raise MetricFileError(
                f"metric {name} is {value!r}, negative; every metric is a count "
                "or a Halstead measure, so it is 0 or more"
            )
        metrics.append(number)
    return tuple(metrics)


def _parse_token_counts(text: str, *, part: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not text:
        return counts
    for entry in text.split(FIELD_SEPARATOR):
        token, separator, count = entry.rpartition(":")
        if not separator or not token:
            raise MetricFileError(
                f"{part} entry {entry!r} is not in the form token:count"
            )
        if token in counts:
            raise MetricFileError(f"{part} entry {token!r} appears twice")
        counts[token] = _parse_int(count, f"count of {part} entry {token!r}")
    return counts


def _check_name_token(text: str, name: str) -> None:
    expected = f"_@{name}@_:1"
    if text != expected:
        raise MetricFileError(
            f"method-name token is {text!r}; expected {expected!r} to match "
            f"the method name in the metadata"
        )


def _parse_int(text: str, field_name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise MetricFileError(f"{field_name} is {text!r}, not an integer") from None
