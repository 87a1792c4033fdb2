"""Edit real Java files the way commits between releases do: add, remove and
change methods, move files to another package, and add members and imports.

Every edit parses the file with tree-sitter-java and returns None when the
file has nothing it can edit, so callers pick another file or edit.
"""

import random
import re

import tree_sitter_java
from tree_sitter import Language, Node, Parser

JAVA = Language(tree_sitter_java.language())
CLASS_TYPES = ("class_declaration", "enum_declaration")
METHOD_TYPES = ("method_declaration", "constructor_declaration")
STATEMENT_TYPES = ("expression_statement", "local_variable_declaration")
BLOCK_TYPES = ("block", "constructor_body")
# Literal kinds whose text can be replaced by another number.
NUMBER_TYPES = ("decimal_integer_literal",)
_PACKAGE = re.compile(rb"^package\s+([\w.]+)\s*;", re.MULTILINE)


def parse(source: bytes) -> Node:
    return Parser(JAVA).parse(source).root_node


def top_class_body(root: Node) -> Node | None:
    """Return the body of the first top-level class or enum, or None."""
    for child in root.children:
        if child.type in CLASS_TYPES:
            return child.child_by_field_name("body")
    return None


def methods_of(body: Node) -> list[Node]:
    """Return the methods declared directly in a class body that have a body."""
    return [
        child
        for child in body.children
        if child.type in METHOD_TYPES
        and child.child_by_field_name("body") is not None
        and not child.has_error
    ]


def instance_fields(source: bytes) -> list[str]:
    """Return the names of the non-static fields of the file's first class."""
    body = top_class_body(parse(source))
    if body is None:
        return []
    names = []
    for child in body.children:
        if child.type != "field_declaration" or b"static" in _modifiers(child):
            continue
        for declarator in child.children_by_field_name("declarator"):
            name = declarator.child_by_field_name("name")
            if name is not None and name.text.isascii():
                names.append(name.text.decode())
    return names


def add_members(source: bytes, members: str, imports: str) -> bytes | None:
    """Insert `members` at the end of the first class and `imports` after the
    package declaration."""
    body = top_class_body(parse(source))
    if body is None:
        return None
    closing = body.end_byte - 1
    # The class's closing brace keeps its own line, so removing a member's
    # lines later never removes the brace with it.
    text = members if members.endswith("\n") else members + "\n"
    edited = source[:closing] + b"\n" + text.encode() + source[closing:]
    return add_imports(edited, imports)


def add_imports(source: bytes, imports: str) -> bytes:
    """Insert import declarations after the package declaration, or at the top."""
    match = _PACKAGE.search(source)
    position = match.end() if match else 0
    return source[:position] + b"\n\n" + imports.encode() + source[position:]


def method_texts(source: bytes) -> list[str]:
    """Return the text of every method of the file's first class, indented as
    a member."""
    body = top_class_body(parse(source))
    if body is None:
        return []
    texts = []
    for method in methods_of(body):
        start = source.rfind(b"\n", 0, method.start_byte) + 1
        texts.append(source[start : method.end_byte].decode("utf-8", "replace"))
    return texts


def remove_method(source: bytes, rng: random.Random) -> bytes | None:
    """Delete one method of the first class, with its whole lines."""
    body = top_class_body(parse(source))
    methods = methods_of(body) if body is not None else []
    if len(methods) < 2:
        return None
    method = rng.choice(methods)
    start = source.rfind(b"\n", 0, method.start_byte) + 1
    end = source.find(b"\n", method.end_byte)
    end = len(source) if end < 0 else end + 1
    return source[:start] + source[end:]


def add_method(source: bytes, method_text: str, *, suffix: str) -> bytes | None:
    """Append a copy of a method from another file to the first class, its
    name followed by `suffix` so it does not clash with a method of the class."""
    renamed = _rename_first_method(method_text, suffix)
    if renamed is None:
        return None
    return add_members(source, renamed, imports="")


def change_statement(source: bytes, rng: random.Random) -> bytes | None:
    """Change one number in a method, or delete one of its statements when it
    has no number."""
    body = top_class_body(parse(source))
    methods = methods_of(body) if body is not None else []
    rng.shuffle(methods)
    for method in methods:
        numbers = list(_descendants(method, NUMBER_TYPES))
        if numbers:
            number = rng.choice(numbers)
            value = str(_next_number(number.text.decode(), rng)).encode()
            return source[: number.start_byte] + value + source[number.end_byte :]
        # Only statements directly in braces can go, because the init of a
        # for loop or the body of an unbraced if would leave invalid Java.
        statements = [
            statement
            for statement in _descendants(method, STATEMENT_TYPES)
            if statement.parent is not None and statement.parent.type in BLOCK_TYPES
        ]
        if len(statements) > 1:
            statement = rng.choice(statements)
            return source[: statement.start_byte] + source[statement.end_byte :]
    return None


def move_to_package(source: bytes, suffix: str) -> bytes | None:
    """Rewrite the package declaration to a subpackage named `suffix`, as a
    file moved into that folder has."""
    match = _PACKAGE.search(source)
    if match is None:
        return None
    package = match.group(1) + b"." + suffix.encode()
    return source[: match.start(1)] + package + source[match.end(1) :]


def _rename_first_method(method_text: str, suffix: str) -> str | None:
    wrapped = f"class Wrapper {{\n{method_text}\n}}\n".encode()
    body = top_class_body(parse(wrapped))
    methods = methods_of(body) if body is not None else []
    if not methods or methods[0].type != "method_declaration":
        return None
    name = methods[0].child_by_field_name("name")
    renamed = wrapped[: name.end_byte] + suffix.encode() + wrapped[name.end_byte :]
    start = len(b"class Wrapper {\n")
    return renamed[start : -len(b"\n}\n")].decode("utf-8", "replace")


def _modifiers(node: Node) -> bytes:
    for child in node.children:
        if child.type == "modifiers":
            return child.text
    return b""


def _descendants(node: Node, types: tuple[str, ...]):
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in types:
            yield current
        stack.extend(current.children)


def _next_number(text: str, rng: random.Random) -> int:
    digits = text.rstrip("lL").replace("_", "")
    try:
        value = int(digits)
    except ValueError:
        value = 0
    return value + rng.randint(1, 9)
