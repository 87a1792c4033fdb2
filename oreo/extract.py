"""Extract Oreo blocks (one per method and constructor) from Java source.

Parsing uses tree-sitter-java 0.23, which accepts Java 21 syntax (records,
sealed types, switch expressions and patterns, text blocks) except record
patterns with a qualified type name, handled by a rewrite (`_REWRITES`).
The syntax tree is walked once, iteratively, with a tree cursor, so deep
nesting cannot exhaust the Python stack.
"""

import bisect
import re
from dataclasses import dataclass

import tree_sitter_java
from tree_sitter import Language, Parser, Tree

from oreo.blocks import Block
from oreo.java_metrics import MethodCounts, compute_features, hash_metrics
from oreo.java_walk import MethodWalker, count_syntax_errors

# Stored with each extracted project version, so blocks extracted by an older
# version of the feature definitions can be found and extracted again.
EXTRACTOR_VERSION = "1"

JAVA_LANGUAGE = Language(tree_sitter_java.language())

_UTF8_BOM = b"\xef\xbb\xbf"

# A Unicode escape is a backslash that follows an even number of backslashes,
# then one or more `u` and four hex digits.
_UNICODE_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u+([0-9A-Fa-f]{4})")

# `case` or `instanceof`, a qualified type name, optional type arguments and
# the opening parenthesis of a record pattern.
_QUALIFIED_RECORD_PATTERN = re.compile(
    rb"(\b(?:case|instanceof)\s+)"
    rb"((?:[A-Za-z_$][\w$]*\s*\.\s*)+[A-Za-z_$][\w$]*)"
    rb"(\s*(?:<[^<>()]*(?:<[^<>()]*>[^<>()]*)*>\s*)?\()"
)


@dataclass
class FileExtraction:
    """The blocks of one Java file and what went wrong while reading it."""

    blocks: list[Block]
    # Number of ERROR and MISSING nodes in the syntax tree.
    syntax_errors: int
    # Why the file was not read as it is, for example because it is not
    # UTF-8. Blocks are extracted even when this is set.
    error: str = ""
    # Methods left out because their own syntax tree contains errors.
    skipped_methods: int = 0


def extract_source(source: bytes, *, path: str, folder: str = "") -> FileExtraction:
    """Extract one block per method and constructor that has a body.

    Abstract and interface methods without a body are not blocks. Methods
    whose syntax tree contains an error are left out, and the rest of the
    file is still used. A file with errors is parsed again after the
    rewrites in `_REWRITES`, for Java that tree-sitter-java rejects. Blocks
    come in the order their declarations start in the file.
    """
    source, error = _decode(source, path=path)
    source, tree, syntax_errors = _parse(source)

    walker = MethodWalker()
    methods = sorted(walker.walk(tree), key=lambda counts: counts.start_byte)
    blocks = []
    skipped = 0
    for counts in methods:
        if counts.has_syntax_error:
            skipped += 1
            continue
        sloc = _count_source_lines(source, counts, walker.comments)
        blocks.append(_make_block(counts, sloc=sloc, path=path, folder=folder))
    return FileExtraction(
        blocks=blocks,
        syntax_errors=syntax_errors,
        error=error,
        skipped_methods=skipped,
    )


def _parse(source: bytes) -> tuple[bytes, Tree, int]:
    """Parse the source, rewritten if that removes syntax errors.

    Returns the source that was parsed, its tree and its syntax error count.
    """
    parser = Parser(JAVA_LANGUAGE)
    tree = parser.parse(source)
    syntax_errors = count_syntax_errors(tree) if tree.root_node.has_error else 0
    for rewrite in _REWRITES:
        if not syntax_errors:
            break
        rewritten = rewrite(source)
        if rewritten == source:
            continue
        rewritten_tree = parser.parse(rewritten)
        rewritten_errors = count_syntax_errors(rewritten_tree)
        if rewritten_errors < syntax_errors:
            source, tree, syntax_errors = rewritten, rewritten_tree, rewritten_errors
    return source, tree, syntax_errors


def _decode(source: bytes, *, path: str) -> tuple[bytes, str]:
    """Return the source as UTF-8 without a byte order mark, and why it changed.

    A file that is not valid UTF-8 is decoded as ISO-8859-1, which accepts
    every byte, so its methods are still extracted.
    """
    if source.startswith(_UTF8_BOM):
        source = source[len(_UTF8_BOM) :]
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = (
            f"{path} is not valid UTF-8 (byte 0x{source[exc.start]:02x} at "
            f"offset {exc.start}); decoded as ISO-8859-1 instead"
        )
        return source.decode("iso-8859-1").encode("utf-8"), message
    return source, ""


# Rewrites of valid Java that tree-sitter-java 0.23 rejects, tried in order
# on a file with syntax errors. Each is kept only if it removes errors. None
# moves a line, so block lines stay those of the original file.
# NOTE: Java 22's unnamed variables and patterns (`case Foo _`) have no
# rewrite yet, so methods that use them are syntax errors and left out.


def _translate_unicode_escapes(source: bytes) -> bytes:
    """Replace Unicode escapes by the characters they stand for.

    tree-sitter-java accepts escapes only inside literals, but Java allows
    them anywhere, for example in identifiers. Escapes of line terminators
    and of lone surrogates stay as they are.
    """
    return _UNICODE_ESCAPE.sub(_replace_unicode_escape, source)


def _replace_unicode_escape(match: re.Match[bytes]) -> bytes:
    code_point = int(match.group(2), 16)
    if code_point in (0x0A, 0x0D) or 0xD800 <= code_point <= 0xDFFF:
        return match.group(0)
    return match.group(1) + chr(code_point).encode("utf-8")


def _join_qualified_record_patterns(source: bytes) -> bytes:
    """Write `Outer.Point` as `Outer_Point` in a record pattern after `case`
    or `instanceof`.

    tree-sitter-java 0.23 parses record patterns only with a simple type
    name, while Java 21 allows a qualified one (`case Shape.Circle(var r)`).
    The joined name counts as one type token and one class reference.
    """
    return _QUALIFIED_RECORD_PATTERN.sub(_join_qualified_name, source)


def _join_qualified_name(match: re.Match[bytes]) -> bytes:
    return match.group(1) + match.group(2).replace(b".", b"_") + match.group(3)


_REWRITES = (_translate_unicode_escapes, _join_qualified_record_patterns)


def _count_source_lines(
    source: bytes, counts: MethodCounts, comments: list[tuple[int, int]]
) -> int:
    """Count the method's lines that hold code outside comments (SLOC).

    `comments` must be in source order. Lines inside a text block that hold
    only whitespace do not count.
    """
    pieces = []
    position = counts.start_byte
    first = bisect.bisect_left(comments, (counts.start_byte, 0))
    for index in range(first, len(comments)):
        start, end = comments[index]
        if start >= counts.end_byte:
            break
        pieces.append(source[position:start])
        pieces.append(b"\n" * source.count(b"\n", start, end))
        position = end
    pieces.append(source[position : counts.end_byte])
    text = b"".join(pieces)
    return sum(1 for line in text.split(b"\n") if line.strip())


def _make_block(counts: MethodCounts, *, sloc: int, path: str, folder: str) -> Block:
    features = compute_features(counts)
    return Block(
        folder=folder,
        file=path,
        start_line=counts.start_line,
        end_line=counts.end_line,
        name=counts.name,
        tokens=features.tokens,
        unique_tokens=features.unique_tokens,
        metrics_hash=hash_metrics(features.metrics),
        metrics=features.metrics,
        action_tokens=features.action_tokens,
        stop_tokens=features.stop_tokens,
        sloc=sloc,
    )
