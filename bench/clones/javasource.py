"""Read Java methods from the JDK sources for the clone benchmarks."""

import textwrap
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tree_sitter_java
from tree_sitter import Language, Node, Parser

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")
JAVA = Language(tree_sitter_java.language())
METHOD_TYPES = ("method_declaration", "constructor_declaration")
# Modules of hand-written Java. Others, such as jdk.localedata, are mostly
# generated tables.
MODULES = (
    "java.base",
    "java.desktop",
    "java.xml",
    "java.management",
    "java.naming",
    "java.net.http",
    "java.sql",
    "java.logging",
    "java.prefs",
    "jdk.compiler",
    "jdk.javadoc",
    "jdk.jfr",
)
# One file in TRAIN_MODULUS goes to the training split and the rest to the
# evaluation split, so no method is in both.
TRAIN_MODULUS = 5


@dataclass(frozen=True)
class Method:
    """A method or constructor cut out of a JDK source file, dedented."""

    file: str
    name: str
    text: str


def make_parser() -> Parser:
    """Return a tree-sitter parser for Java."""
    return Parser(JAVA)


def parses(parser: Parser, source: str) -> bool:
    """Return whether `source` parses as Java without syntax errors."""
    tree = parser.parse(source.encode())
    return not tree.root_node.has_error


def wrap_method(text: str) -> str:
    """Wrap a method in a class, so that it forms a compilation unit."""
    body = textwrap.indent(text, "    ")
    return f"class Sample {{\n{body}\n}}\n"


def split_of(path: str) -> str:
    """Return "train" or "eval" for a JDK file, from a checksum of its path."""
    return "train" if zlib.crc32(path.encode()) % TRAIN_MODULUS == 0 else "eval"


def iter_java_files(*, split: str | None = None) -> Iterator[tuple[str, bytes]]:
    """Yield (path, content) for the JDK source files of MODULES, sorted."""
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        names = sorted(
            name
            for name in archive.namelist()
            if name.endswith(".java")
            and name.split("/", 1)[0] in MODULES
            and not name.endswith(("module-info.java", "package-info.java"))
        )
        for name in names:
            if split is None or split_of(name) == split:
                yield name, archive.read(name)


def _dedent(node: Node, source: bytes) -> str:
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    indent = source[line_start : node.start_byte]
    text = source[line_start : node.end_byte].decode("utf-8", errors="replace")
    if indent.strip():
        return text[len(indent) :]
    return textwrap.dedent(text)


def _iter_method_nodes(root: Node) -> Iterator[Node]:
    # Methods of local and anonymous classes stay inside their enclosing
    # method, so the walk does not descend into method nodes.
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in METHOD_TYPES:
            yield node
        else:
            stack.extend(reversed(node.children))


def methods_in_file(
    parser: Parser, path: str, source: bytes, *, min_lines: int, max_lines: int
) -> list[Method]:
    """Return the methods of one file that span min_lines to max_lines lines."""
    tree = parser.parse(source)
    methods = []
    for node in _iter_method_nodes(tree.root_node):
        body = node.child_by_field_name("body")
        lines = node.end_point[0] - node.start_point[0] + 1
        if body is None or node.has_error or not min_lines <= lines <= max_lines:
            continue
        name_node = node.child_by_field_name("name")
        name = name_node.text.decode() if name_node is not None else ""
        methods.append(Method(file=path, name=name, text=_dedent(node, source)))
    return methods


def load_methods(
    *, split: str, min_lines: int = 6, max_lines: int = 80, limit: int | None = None
) -> list[Method]:
    """Return JDK methods of one split, in file order, at most `limit` of them."""
    parser = make_parser()
    methods: list[Method] = []
    for path, source in iter_java_files(split=split):
        methods.extend(
            methods_in_file(
                parser, path, source, min_lines=min_lines, max_lines=max_lines
            )
        )
        if limit is not None and len(methods) >= limit:
            return methods[:limit]
    return methods
