"""Make controlled textual edits to Java methods: layout, renames, statements.

Every function takes a method wrapped in a class (see `wrap_method`) and
returns the edited compilation unit, or None when the edit could not be made
so that the result still parses.
"""

import difflib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tree_sitter import Node, Parser

from bench.clones.javasource import parses

# Nodes kept whole when the code is split into tokens, because their text
# contains spaces or because tree-sitter splits them into parts.
ATOMIC_TYPES = frozenset(
    {"string_literal", "character_literal", "text_block", "integral_type"}
    | {"floating_point_type", "boolean_type", "void_type"}
)
COMMENT_TYPES = frozenset({"line_comment", "block_comment"})
LITERAL_TYPES = frozenset(
    {"decimal_integer_literal", "decimal_floating_point_literal"}
    | {"string_literal", "character_literal", "hex_integer_literal"}
)
DECLARATION_TYPES = frozenset(
    {"formal_parameter", "spread_parameter", "catch_formal_parameter"}
    | {"variable_declarator", "enhanced_for_statement", "resource"}
)
SIMPLE_STATEMENT_TYPES = frozenset(
    {"expression_statement", "local_variable_declaration", "return_statement"}
    | {"throw_statement", "break_statement", "continue_statement"}
)
STATEMENT_PARENTS = frozenset(
    {"block", "constructor_body", "switch_block_statement_group"}
)
PRIMITIVE_SWAPS = {
    "int": "long",
    "long": "int",
    "short": "int",
    "byte": "short",
    "float": "double",
    "double": "float",
}
OPERATOR_SWAPS = {
    "+": "-",
    "-": "+",
    "<": "<=",
    "<=": "<",
    ">": ">=",
    ">=": ">",
    "==": "!=",
    "!=": "==",
    "&&": "||",
    "||": "&&",
    "*": "/",
}
NEW_NAMES = (
    "value item entry count total index result buffer element target source "
    "current next previous limit offset length cursor node key data state"
).split()
NEW_TYPES = ("Object", "CharSequence", "Number", "Runnable", "Comparable")
# Maximum length, in bytes, of a statement that type-3 edits insert. Most added
# statements in real code are short, and long ones would soon push a small
# method past the size filter.
MAX_DONOR_LENGTH = 60
COMMENTS = (
    "check the input first",
    "the common case",
    "see the caller for the contract",
    "keep the order stable",
    "nothing to do here",
)
# Tokens after which the compact layout puts no space.
NO_SPACE_AFTER = frozenset({"(", "[", ".", "@", "::"})
# Tokens before which the compact layout puts no space.
NO_SPACE_BEFORE = frozenset({")", "]", ";", ",", ".", "::"})
# Tokens that follow a closing brace on the same line.
SAME_LINE_AFTER_BRACE = frozenset(
    {"else", "catch", "finally", "while", ")", ",", ";", "."}
)


@dataclass(frozen=True)
class Token:
    """A leaf of the syntax tree with the context the edits need."""

    kind: str
    text: str
    node: Node


@dataclass(frozen=True)
class Layout:
    """Spacing, indentation and comment style for `render`."""

    indent: str
    allman: bool
    compact: bool
    comment_rate: float


def random_layout(rng: random.Random) -> Layout:
    """Draw a layout style."""
    return Layout(
        indent=rng.choice(["  ", "    ", "\t", "        "]),
        allman=rng.random() < 0.5,
        compact=rng.random() < 0.5,
        comment_rate=rng.choice([0.0, 0.05, 0.15]),
    )


def iter_tokens(node: Node) -> Iterator[Token]:
    """Yield the code tokens under `node` in order, leaving out comments."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in COMMENT_TYPES:
            continue
        if current.type in ATOMIC_TYPES or not current.children:
            yield Token(current.type, current.text.decode(), current)
        else:
            stack.extend(reversed(current.children))


def _separator(previous: str, token: str, layout: Layout) -> str:
    if not layout.compact:
        return " "
    # A parenthesis opens a call right after a name or a closing parenthesis,
    # and a group or cast anywhere else.
    if token == "(" and not previous.isidentifier() and previous != ")":
        return " "
    if previous in NO_SPACE_AFTER or token in NO_SPACE_BEFORE or token in ("(", "["):
        return ""
    return " "


def render(texts: Sequence[str], layout: Layout, rng: random.Random) -> str:
    """Lay out a token sequence with one statement a line and new comments."""
    lines: list[str] = []
    current: list[str] = []
    depth = 0
    parens = 0

    def end_line() -> None:
        if current:
            text = "".join(current).strip()
            if rng.random() < layout.comment_rate:
                text += "  // " + rng.choice(COMMENTS)
            lines.append(layout.indent * depth + text)
            current.clear()

    for position, token in enumerate(texts):
        following = texts[position + 1] if position + 1 < len(texts) else ""
        if token == "{":
            if layout.allman and parens == 0:
                end_line()
            current.append(" " + token)
            end_line()
            depth += 1
            continue
        if token == "}":
            end_line()
            depth = max(depth - 1, 0)
            current.append(token)
            if following not in SAME_LINE_AFTER_BRACE:
                end_line()
            continue
        previous = current[-1].strip() if current else ""
        current.append((_separator(previous, token, layout) if current else "") + token)
        parens += token.count("(") - token.count(")")
        if token == ";" and parens == 0:
            end_line()
            if rng.random() < layout.comment_rate / 2:
                lines.append(
                    layout.indent * depth + "/* " + rng.choice(COMMENTS) + " */"
                )
    end_line()
    return "\n".join(lines) + "\n"


def _method_node(root: Node) -> Node:
    class_body = root.children[0].child_by_field_name("body")
    for child in class_body.children:
        if child.type in ("method_declaration", "constructor_declaration"):
            return child
    raise ValueError("the class contains no method")


def _relayout(parser: Parser, texts: Sequence[str], rng: random.Random) -> str | None:
    result = render(texts, random_layout(rng), rng)
    return result if parses(parser, result) else None


def layout_change(parser: Parser, unit: str, rng: random.Random) -> str | None:
    """Return `unit` with a new layout and new comments (type 1)."""
    tree = parser.parse(unit.encode())
    texts = [token.text for token in iter_tokens(tree.root_node)]
    return _relayout(parser, texts, rng)


def _declared_names(method: Node) -> set[str]:
    names = set()
    stack = [method]
    while stack:
        node = stack.pop()
        if node.type in DECLARATION_TYPES:
            name = node.child_by_field_name("name")
            if name is not None:
                names.add(name.text.decode())
        elif node.type == "inferred_parameters" or (
            node.type == "lambda_expression"
            and node.child_by_field_name("parameters") is not None
            and node.child_by_field_name("parameters").type == "identifier"
        ):
            for child in node.children:
                if child.type == "identifier":
                    names.add(child.text.decode())
        stack.extend(node.children)
    return names


def _is_member_name(node: Node) -> bool:
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "field_access":
        return parent.child_by_field_name("field") == node
    if parent.type == "method_invocation":
        return parent.child_by_field_name("name") == node
    return False


def _new_literal(token: Token, rng: random.Random) -> str:
    if token.kind == "string_literal":
        return '"' + rng.choice(COMMENTS) + '"'
    if token.kind == "character_literal":
        return "'" + rng.choice("abcxyz") + "'"
    if token.kind == "decimal_floating_point_literal":
        return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}"
    if token.kind == "hex_integer_literal":
        return hex(rng.randint(1, 0xFFFF))
    return str(rng.randint(2, 999))


def rename_tokens(
    tokens: Sequence[Token], method: Node, rng: random.Random
) -> list[str]:
    """Rename variables, the method and some types, and change literals."""
    locals_ = sorted(_declared_names(method))
    fresh = rng.sample(NEW_NAMES, len(NEW_NAMES))
    renames = {
        name: f"{fresh[i % len(fresh)]}{i // len(fresh) or ''}"
        for i, name in enumerate(locals_)
    }
    method_name = method.child_by_field_name("name")
    types = sorted({t.text for t in tokens if t.kind == "type_identifier"})
    type_renames = {name: rng.choice(NEW_TYPES) for name in types if rng.random() < 0.5}
    texts = []
    for token in tokens:
        text = token.text
        if token.node == method_name:
            text = text + "Copy"
        elif token.kind == "identifier" and text in renames:
            if not _is_member_name(token.node):
                text = renames[text]
        elif token.kind in LITERAL_TYPES and rng.random() < 0.7:
            text = _new_literal(token, rng)
        elif token.kind == "integral_type" or token.kind == "floating_point_type":
            text = PRIMITIVE_SWAPS.get(text, text) if rng.random() < 0.5 else text
        elif token.kind == "type_identifier" and text in type_renames:
            text = type_renames[text]
        texts.append(text)
    return texts


def rename_change(parser: Parser, unit: str, rng: random.Random) -> str | None:
    """Return `unit` with renamed identifiers, other literals and types (type 2)."""
    tree = parser.parse(unit.encode())
    tokens = list(iter_tokens(tree.root_node))
    texts = rename_tokens(tokens, _method_node(tree.root_node), rng)
    return _relayout(parser, texts, rng)


_NORMAL_LINE = re.compile(r"\s+")


def code_lines(unit: str) -> list[str]:
    """Return the method's code lines with spaces removed, comments left out."""
    lines = []
    for line in unit.splitlines()[1:-1]:
        text = _NORMAL_LINE.sub("", line)
        if text and not text.startswith(("//", "/*", "*")):
            lines.append(text)
    return lines


def line_similarity(left: Sequence[str], right: Sequence[str]) -> float:
    """Return the share of lines the two sides have in common, by the longer."""
    if not left or not right:
        return 0.0
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return kept / max(len(left), len(right))


_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|\b\d[\w.]*')


def normalized_lines(unit: str) -> list[str]:
    """Return code lines with identifiers and literals replaced by placeholders."""
    return [_IDENTIFIER.sub("i", _LITERAL.sub("0", line)) for line in code_lines(unit)]


def _simple_statements(method: Node) -> list[Node]:
    found = []
    stack = [method]
    while stack:
        node = stack.pop()
        if (
            node.type in SIMPLE_STATEMENT_TYPES
            and node.parent is not None
            and node.parent.type in STATEMENT_PARENTS
            and node.end_point[0] - node.start_point[0] < 3
        ):
            found.append(node)
            continue
        stack.extend(node.children)
    return found


def donor_statements(parser: Parser, unit: str) -> list[str]:
    """Return the short one-line statements of a method, to insert elsewhere."""
    tree = parser.parse(unit.encode())
    return [
        node.text.decode()
        for node in _simple_statements(_method_node(tree.root_node))
        if node.start_point[0] == node.end_point[0]
        and len(node.text) <= MAX_DONOR_LENGTH
    ]


def _line_bounds(source: bytes, node: Node) -> tuple[int, int, bytes]:
    start = source.rfind(b"\n", 0, node.start_byte) + 1
    end = source.find(b"\n", node.end_byte)
    end = len(source) if end < 0 else end + 1
    return start, end, source[start : node.start_byte]


def _delete(source: bytes, node: Node) -> bytes:
    start, end, prefix = _line_bounds(source, node)
    if prefix.strip() or source[node.end_byte : end].strip():
        return source[: node.start_byte] + source[node.end_byte :]
    return source[:start] + source[end:]


def _insert(source: bytes, node: Node, statement: str) -> bytes:
    _, end, prefix = _line_bounds(source, node)
    indent = prefix if not prefix.strip() else b""
    return source[:end] + indent + statement.encode() + b"\n" + source[end:]


def _change(source: bytes, node: Node, rng: random.Random) -> bytes | None:
    leaves = [
        token
        for token in iter_tokens(node)
        if token.kind in LITERAL_TYPES
        or token.text in OPERATOR_SWAPS
        or (token.kind == "identifier" and not _is_member_name(token.node))
    ]
    if not leaves:
        return None
    token = rng.choice(leaves)
    if token.kind in LITERAL_TYPES:
        new = _new_literal(token, rng)
    elif token.text in OPERATOR_SWAPS:
        new = OPERATOR_SWAPS[token.text]
    else:
        new = rng.choice(NEW_NAMES) + "2"
    return (
        source[: token.node.start_byte] + new.encode() + source[token.node.end_byte :]
    )


def statement_edit(
    parser: Parser, unit: str, donors: Sequence[str], rng: random.Random
) -> str | None:
    """Delete, insert or change one simple statement of the method."""
    source = unit.encode()
    tree = parser.parse(source)
    statements = _simple_statements(_method_node(tree.root_node))
    if not statements:
        return None
    node = rng.choice(statements)
    action = rng.choice(("delete", "insert", "change"))
    if action == "delete" and len(statements) > 1:
        edited = _delete(source, node)
    elif action == "insert" and donors:
        edited = _insert(source, node, rng.choice(donors))
    else:
        edited = _change(source, node, rng)
    if edited is None:
        return None
    result = edited.decode("utf-8", errors="replace")
    return result if parses(parser, result) else None


def gapped_change(
    parser: Parser,
    unit: str,
    *,
    band: tuple[float, float],
    donors: Sequence[str],
    rng: random.Random,
    max_edits: int = 80,
) -> tuple[str, float] | None:
    """Edit statements until the kept share of lines falls in `band` (type 3).

    Return the edited unit and the share, which is `line_similarity` of the
    code lines, so it counts each changed line as not kept. Renames or a new
    layout are added afterwards, each with probability 1/2 or 1/4, and the
    share is measured before them because they change no statement.
    """
    low, high = band
    original = code_lines(unit)
    target = rng.uniform(low, high)
    current = unit
    for _ in range(max_edits):
        edited = statement_edit(parser, current, donors, rng)
        if edited is None:
            continue
        similarity = line_similarity(original, code_lines(edited))
        if similarity < low:
            continue
        current = edited
        if similarity <= target and similarity < high:
            return _finish_gapped(parser, current, rng), similarity
    return None


def _finish_gapped(parser: Parser, unit: str, rng: random.Random) -> str | None:
    result = unit
    if rng.random() < 0.5:
        result = rename_change(parser, result, rng) or result
    elif rng.random() < 0.5:
        result = layout_change(parser, result, rng) or result
    return result
