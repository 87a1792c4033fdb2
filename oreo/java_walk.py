"""Walk a tree-sitter-java syntax tree and count Oreo's features per method.

Each handler below states which syntax counts toward which metric. The
rules follow Oreo's JavaParser visitor (Mondego/oreo, MethodVisitor.java),
with two of its quirks fixed. A call is external (XMET) only when it has a
receiver other than `this`. Annotations count toward nothing, so their
string arguments are not string literals.

Smaller differences from Oreo: EXCR counts the types in each catch clause
(Oreo counted `|` characters in the clause's text), an initializer's `=`
counts once (Oreo counted `=` characters in the declaration's text),
`assert` is one operator (Oreo counted it twice), and Java 16+ pattern
variables count as declared variables.
"""

from collections.abc import Callable

import tree_sitter_java
from tree_sitter import Language, Node, Tree, TreeCursor

from oreo.java_metrics import STOP_WORDS, MethodCounts, add

_LANGUAGE = Language(tree_sitter_java.language())


def _kind_ids(*names: str, named: bool = True) -> frozenset[int]:
    """Return every node kind id with one of these names (aliases share names)."""
    requested = set(names)
    ids = set()
    for kind_id in range(_LANGUAGE.node_kind_count):
        if _LANGUAGE.node_kind_is_named(kind_id) != named:
            continue
        if _LANGUAGE.node_kind_for_id(kind_id) in requested:
            ids.add(kind_id)
    missing = requested - {_LANGUAGE.node_kind_for_id(kind_id) for kind_id in ids}
    if missing:
        raise LookupError(f"tree-sitter-java has no node kinds {sorted(missing)}")
    return frozenset(ids)


METHOD_KINDS = _kind_ids(
    "method_declaration", "constructor_declaration", "compact_constructor_declaration"
)
BLOCK_KINDS = _kind_ids("block", "constructor_body")
_EXIT_KINDS = BLOCK_KINDS | METHOD_KINDS
_FIELD_ACCESS = _kind_ids("field_access")
_RECEIVER_PARENTS = _kind_ids("field_access", "method_invocation")
_DECLARATOR_PARENTS = _kind_ids(
    "variable_declarator", "enhanced_for_statement", "resource", "instanceof_expression"
)
_CATCH_PARAMETER = _kind_ids("catch_formal_parameter")
_PATTERN_PARENTS = _kind_ids("type_pattern", "record_pattern_component")
_METHOD_REFERENCE = _kind_ids("method_reference")
# Parents under which an identifier without a field name is a label, a
# parameter, a pattern variable or part of a qualified name, not a name
# expression.
_NON_EXPRESSION_PARENTS = _kind_ids(
    "labeled_statement",
    "break_statement",
    "continue_statement",
    "method_reference",
    "inferred_parameters",
    "type_pattern",
    "record_pattern_component",
    "scoped_identifier",
)
_NON_EXPRESSION_FIELDS = frozenset(
    _LANGUAGE.field_id_for_name(name)
    for name in ("name", "field", "parameters", "label", "key")
)
_NAME_FIELD = _LANGUAGE.field_id_for_name("name")
_OBJECT_FIELD = _LANGUAGE.field_id_for_name("object")
_CONSTRUCTOR_FIELD = _LANGUAGE.field_id_for_name("constructor")
_STATEMENT_CONTAINERS = _kind_ids(
    "block",
    "constructor_body",
    "switch_block_statement_group",
    "switch_rule",
    "labeled_statement",
    "if_statement",
    "while_statement",
    "for_statement",
    "enhanced_for_statement",
    "do_statement",
)
_EMPTY_STATEMENT_PARENTS = _kind_ids(
    "block", "constructor_body", "switch_block_statement_group"
)
_CONDITION_PARENTS = _kind_ids(
    "if_statement",
    "while_statement",
    "do_statement",
    "switch_expression",
    "synchronized_statement",
)
_OWN_PARAMETER_KINDS = _kind_ids("formal_parameter", "spread_parameter")
_ANNOTATION_KINDS = _kind_ids("annotation", "marker_annotation")


def _is_capitalized(text: bytes) -> bool:
    """Apply Oreo's heuristic that a name starting in upper case is a class."""
    if not text:
        return False
    first = text[0]
    if first < 0x80:
        return 0x41 <= first <= 0x5A
    return text.decode("utf-8", "replace")[:1].isupper()


def count_syntax_errors(tree: Tree) -> int:
    """Count the ERROR and MISSING nodes that tree-sitter put in the tree."""
    errors = 0
    cursor = tree.walk()
    while True:
        node = cursor.node
        if node.is_error or node.is_missing:
            errors += 1
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return errors


Handler = Callable[["MethodWalker", Node, TreeCursor], bool]


class MethodWalker:
    """Walk one syntax tree and collect a `MethodCounts` per method with a body.

    Methods come out in the order they end, so a local or anonymous class's
    methods come before the method that contains them.
    """

    def __init__(self) -> None:
        self.methods: list[MethodCounts] = []
        # Byte ranges of the comments inside methods, in source order.
        self.comments: list[tuple[int, int]] = []
        self.current: MethodCounts | None = None
        self._open: list[MethodCounts] = []
        self._parents: list[int] = []
        self._block_depth = 0
        # Outside methods only method declarations, blocks, annotations and
        # comments need handling.
        self._handlers = _OUTSIDE_HANDLERS

    def walk(self, tree: Tree) -> list[MethodCounts]:
        cursor = tree.walk()
        # Bound methods in locals: this loop runs once per syntax node.
        goto_first_child = cursor.goto_first_child
        goto_next_sibling = cursor.goto_next_sibling
        goto_parent = cursor.goto_parent
        push_parent = self._parents.append
        pop_parent = self._parents.pop
        handlers = self._handlers
        while True:
            node = cursor.node
            kind = node.kind_id
            handler = handlers.get(kind)
            descend = True
            if handler is not None:
                descend = handler(self, node, cursor)
                handlers = self._handlers
            if descend and goto_first_child():
                push_parent(kind)
                continue
            while not goto_next_sibling():
                if not goto_parent():
                    return self.methods
                ended = pop_parent()
                if ended in _EXIT_KINDS:
                    if ended in BLOCK_KINDS:
                        self._block_depth -= 1
                    else:
                        self._end_method(cursor.node)
                        handlers = self._handlers

    def _start_method(self, node: Node) -> bool:
        """Open a method's counts; one without a body is not a block."""
        if node.child_by_field_name("body") is None:
            return self.current is not None
        name = node.child_by_field_name("name")
        counts = MethodCounts(
            name=name.text.decode() if name is not None else "",
            start_byte=node.start_byte,
            end_byte=node.end_byte,
            start_line=node.start_point.row + 1,
            end_line=node.end_point.row + 1,
            base_depth=self._block_depth,
            tree_depth=len(self._parents),
            has_syntax_error=node.has_error,
        )
        counts.max_depth = self._block_depth
        if self.current is not None:
            self._open.append(self.current)
        self.current = counts
        self._handlers = _INSIDE_HANDLERS
        return True

    def _end_method(self, node: Node) -> None:
        counts = self.current
        if counts is None or counts.start_byte != node.start_byte:
            return
        if counts.end_byte != node.end_byte:
            return
        self.methods.append(counts)
        self.current = self._open.pop() if self._open else None
        if self.current is not None:
            self.current.absorb(counts)
        else:
            self._handlers = _OUTSIDE_HANDLERS


# Handlers return whether the walk descends into the node's children.


def _is_own_header(walker: MethodWalker, node: Node) -> bool:
    """Tell whether a node is a direct child of the current method's node.

    A method without a body inside the current method (in a local abstract
    class, say) has header nodes too, but they are not the current method's.
    """
    return len(walker._parents) == walker.current.tree_depth + 1


def _on_method(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    return walker._start_method(node)


def _on_block(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Track nesting depth (MDN): the method body is depth 1.

    Every block counts, including lambda bodies and the bodies of methods
    in local and anonymous classes. Switch bodies and class bodies do not.
    """
    walker._block_depth += 1
    counts = walker.current
    if counts is not None and walker._block_depth > counts.max_depth:
        counts.max_depth = walker._block_depth
    return True


def _on_annotation(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Skip annotations: they are metadata, so their names and values count
    toward no token or metric."""
    return False


def _skip(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    return False


def _on_comment(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    if walker.current is not None:
        walker.comments.append((node.start_byte, node.end_byte))
    return False


def _on_modifiers(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Record the method's own modifier keywords as tokens that are not operands.

    Modifiers of variables and nested declarations are not tokens, as in Oreo.
    """
    counts = walker.current
    if _is_own_header(walker, node):
        for child in node.children:
            if child.kind_id not in _ANNOTATION_KINDS:
                counts.modifiers.append(child.text)
    return False


def _on_throws(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count a `throws` clause as one `throws` token; its types count as types."""
    if _is_own_header(walker, node):
        walker.current.has_throws = True
    return True


def _on_formal_parameters(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count the method's own parameters (NOA); a receiver parameter is not one.

    A record's compact constructor declares no parameter list, so its NOA is 0.
    """
    if not _is_own_header(walker, node):
        return True
    counts = walker.current
    for child in node.named_children:
        if child.kind_id not in _OWN_PARAMETER_KINDS:
            continue
        counts.parameter_count += 1
        name = child.child_by_field_name("name")
        if name is None:
            declarator = child.named_children[-1]
            name = declarator.child_by_field_name("name") or declarator
        add(counts.parameters, name.text)
    return True


def _on_identifier(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count an identifier as a token (an operand) and classify it.

    An identifier in expression position is a name expression (NEXP). A
    capitalized receiver of a field access or call (`System.out`,
    `Math.max(...)`) or a capitalized method reference scope is a class
    reference (CREF). A declared local variable, enhanced-for variable,
    resource or pattern variable counts in VDEC.
    """
    counts = walker.current
    text = node.text
    tokens = counts.tokens
    tokens[text] = tokens.get(text, 0) + 1
    parent = walker._parents[-1]
    field_id = cursor.field_id
    if field_id is None:
        if parent in _PATTERN_PARENTS:
            counts.vdec += 1
            add(counts.declared, text)
        elif parent in _METHOD_REFERENCE:
            if node.prev_sibling is None and _is_capitalized(text):
                counts.cref += 1
                add(counts.types, text)
        elif parent not in _NON_EXPRESSION_PARENTS:
            counts.nexp += 1
        return False
    if field_id == _NAME_FIELD:
        if parent in _DECLARATOR_PARENTS:
            counts.vdec += 1
            add(counts.declared, text)
        elif parent in _CATCH_PARAMETER:
            add(counts.declared, text)
        return False
    if field_id in _NON_EXPRESSION_FIELDS:
        return False
    counts.nexp += 1
    if field_id == _OBJECT_FIELD and parent in _RECEIVER_PARENTS:
        if _is_capitalized(text):
            counts.cref += 1
            add(counts.types, text)
    return False


def _on_type_identifier(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count a type name as a token; a capitalized one is a class reference."""
    counts = walker.current
    text = node.text
    tokens = counts.tokens
    tokens[text] = tokens.get(text, 0) + 1
    if _is_capitalized(text):
        counts.cref += 1
        types = counts.types
        types[text] = types.get(text, 0) + 1
    return False


def _on_primitive_type(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    counts = walker.current
    text = node.text
    add(counts.tokens, text)
    add(counts.types, text)
    return False


def _on_void(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    add(walker.current.tokens, b"void")
    return False


def _literal_handler(metric: str) -> Handler:
    """Count a literal as an expression, a token and one of the literal metrics.

    A string literal (NSLTRL) includes text blocks. Numbers (NNLTRL) are
    integer and floating-point literals of every base.
    """

    def handle(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
        counts = walker.current
        text = node.text
        tokens = counts.tokens
        tokens[text] = tokens.get(text, 0) + 1
        literals = counts.literals
        literals[text] = literals.get(text, 0) + 1
        counts.nexp += 1
        setattr(counts, metric, getattr(counts, metric) + 1)
        return False

    return handle


def _on_this(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `this` as an expression and a token, except in `this(...)`."""
    if cursor.field_id == _CONSTRUCTOR_FIELD:
        return False
    counts = walker.current
    counts.nexp += 1
    add(counts.tokens, b"this")
    return False


def _on_super(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `super` as an expression, except in `super(...)`; it is no token."""
    if cursor.field_id != _CONSTRUCTOR_FIELD:
        walker.current.nexp += 1
    return False


def _expression(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count an expression (NEXP): array creation, array initializer, class
    literal, lambda, method reference or `instanceof`."""
    walker.current.nexp += 1
    return True


def _on_parenthesized(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count parentheses as an expression, except the ones around a
    statement's condition, which belong to the statement's syntax."""
    if walker._parents[-1] not in _CONDITION_PARENTS:
        walker.current.nexp += 1
    return True


def _operator(counts: MethodCounts, operator: bytes) -> None:
    operators = counts.operators
    operators[operator] = operators.get(operator, 0) + 1
    counts.nopr += 1


def _on_operator_expression(
    walker: MethodWalker, node: Node, cursor: TreeCursor
) -> bool:
    """Count a binary, assignment or unary expression and its operator (NOPR).

    `&&` and `||` are operators, not branch points: COMP counts only
    statements, as in Oreo.
    """
    counts = walker.current
    counts.nexp += 1
    operator = node.child_by_field_name("operator")
    if operator is None:
        operator = next(child for child in node.children if not child.is_named)
    _operator(counts, operator.type.encode())
    return True


def _on_ternary(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    counts = walker.current
    counts.nexp += 1
    _operator(counts, b"?:")
    return True


def _on_cast(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    counts = walker.current
    counts.nexp += 1
    counts.cast += 1
    return True


def _on_array_access(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `a[i]` as the `[]` operator and an action token.

    The token is `arrayBinaryAccess[]` when the array or the index is a
    binary expression (`a[i + 1]`), `arrayAccess[]` otherwise.
    """
    counts = walker.current
    counts.nexp += 1
    _operator(counts, b"[]")
    binary = any(child.type == "binary_expression" for child in node.named_children)
    if binary:
        add(counts.binary_array_tokens, b"arrayBinaryAccess[]")
    else:
        add(counts.array_tokens, b"arrayAccess[]")
    return True


def _on_field_access(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `x.f` as an expression and `f` as an action token.

    `length` is a stop word. `Outer.this` accesses no field.
    """
    counts = walker.current
    counts.nexp += 1
    accessed = node.child_by_field_name("field")
    if accessed is not None and accessed.type == "identifier":
        name = accessed.text
        if name in STOP_WORDS:
            add(counts.stop_tokens, name)
        else:
            add(counts.field_tokens, name)
    return True


def _is_local_receiver(receiver: Node | None) -> bool:
    """Tell whether a call's receiver is the current object.

    A call without a receiver, on `this` or on `Outer.this` is local.
    """
    if receiver is None or receiver.type == "this":
        return True
    if receiver.kind_id in _FIELD_ACCESS:
        accessed = receiver.child_by_field_name("field")
        return accessed is not None and accessed.type == "this"
    return False


def _on_method_invocation(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count a call: local (LMET) or external (XMET), and `name()` as a token.

    The call is external when its receiver is anything but `this`, including
    `super` and a class name. Only the receiver decides, so
    `run(job.callable)` is local. `println()` is a stop word. The called name
    counts as an operator and as a token that is not an operand.
    """
    counts = walker.current
    counts.nexp += 1
    if _is_local_receiver(node.child_by_field_name("object")):
        counts.lmet += 1
    else:
        counts.xmet += 1
    name = node.child_by_field_name("name").text
    action = name + b"()"
    actions = counts.stop_tokens if action in STOP_WORDS else counts.call_tokens
    actions[action] = actions.get(action, 0) + 1
    removed = counts.removed_operands
    removed[name] = removed.get(name, 0) + 1
    _operator(counts, name)
    return True


def _on_object_creation(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `new C(...)` as an expression and `new` as an operator token."""
    counts = walker.current
    counts.nexp += 1
    add(counts.tokens, b"new")
    _operator(counts, b"new")
    return True


def _on_assign_in_declaration(
    walker: MethodWalker, node: Node, cursor: TreeCursor
) -> bool:
    """Count the `=` of a variable or resource initializer as an operator."""
    parent = walker._parents[-1]
    if parent in _INITIALIZER_PARENTS:
        _operator(walker.current, b"=")
    return False


_INITIALIZER_PARENTS = _kind_ids("variable_declarator", "resource")


def _on_local_variable_declaration(
    walker: MethodWalker, node: Node, cursor: TreeCursor
) -> bool:
    """Count a local variable declaration as a statement and an expression."""
    counts = walker.current
    counts.nos += 1
    counts.nexp += 1
    return True


def _statement_handler(*keywords: bytes, branch: bool = False, loop: bool = False):
    """Count a statement (NOS) and its keywords as tokens.

    A loop counts in LOOP and COMP, an `if` in COMP.
    """

    def handle(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
        counts = walker.current
        counts.nos += 1
        for keyword in keywords:
            add(counts.tokens, keyword)
        if branch or loop:
            counts.comp += 1
        if loop:
            counts.loop += 1
        return True

    return handle


def _on_return(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `return` as a statement and as an operator token."""
    counts = walker.current
    counts.nos += 1
    add(counts.tokens, b"return")
    _operator(counts, b"return")
    return True


def _on_assert(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `assert` as a statement and as an operator token."""
    counts = walker.current
    counts.nos += 1
    add(counts.tokens, b"assert")
    _operator(counts, b"assert")
    return True


def _on_throw(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count `throw` as a statement and an exception thrown (EXCT)."""
    counts = walker.current
    counts.nos += 1
    counts.exct += 1
    add(counts.tokens, b"throw")
    return True


def _on_catch(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count a catch clause as a branch (COMP) and its exception types (EXCR).

    `catch (A | B e)` references two exceptions.
    """
    counts = walker.current
    counts.comp += 1
    add(counts.tokens, b"catch")
    for child in node.named_children:
        if child.type != "catch_formal_parameter":
            continue
        for part in child.named_children:
            if part.type == "catch_type":
                counts.excr += part.named_child_count
    return True


def _on_finally(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    add(walker.current.tokens, b"finally")
    return True


def _on_switch(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count a switch as a statement, or as an expression where it yields a
    value (`int x = switch (y) {...}`)."""
    counts = walker.current
    add(counts.tokens, b"switch")
    if walker._parents[-1] in _STATEMENT_CONTAINERS:
        counts.nos += 1
    else:
        counts.nexp += 1
    return True


def _on_switch_label(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count each `case` label as a branch (COMP); `default` is not one."""
    counts = walker.current
    first = node.child(0)
    if first is not None and first.type == "case":
        counts.comp += 1
        add(counts.tokens, b"case")
    else:
        add(counts.tokens, b"default")
    return True


def _on_empty_statement(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count a `;` that is a statement of its own (an empty statement)."""
    if walker._parents[-1] in _EMPTY_STATEMENT_PARENTS:
        walker.current.nos += 1
    return False


def _on_local_class(walker: MethodWalker, node: Node, cursor: TreeCursor) -> bool:
    """Count a class, record, enum or interface declared in a block as a
    statement; its methods are blocks of their own as well."""
    if walker._parents[-1] in BLOCK_KINDS:
        walker.current.nos += 1
    return True


def _handlers(table: dict[tuple[str, ...], Handler], named: bool = True):
    handlers: dict[int, Handler] = {}
    for names, handler in table.items():
        for kind_id in _kind_ids(*names, named=named):
            handlers[kind_id] = handler
    return handlers


_OUTSIDE_HANDLERS = _handlers(
    {
        tuple(_LANGUAGE.node_kind_for_id(k) for k in METHOD_KINDS): _on_method,
        ("block", "constructor_body"): _on_block,
        ("annotation", "marker_annotation"): _on_annotation,
        ("line_comment", "block_comment"): _on_comment,
        ("package_declaration", "import_declaration"): _skip,
    }
)

_INSIDE_HANDLERS = {
    **_OUTSIDE_HANDLERS,
    **_handlers(
        {
            ("modifiers",): _on_modifiers,
            ("throws",): _on_throws,
            ("formal_parameters",): _on_formal_parameters,
            ("identifier",): _on_identifier,
            ("type_identifier",): _on_type_identifier,
            (
                "integral_type",
                "floating_point_type",
                "boolean_type",
            ): _on_primitive_type,
            ("void_type",): _on_void,
            ("string_literal",): _literal_handler("nsltrl"),
            ("character_literal",): _literal_handler("ncltrl"),
            ("true", "false"): _literal_handler("nbltrl"),
            ("null_literal",): _literal_handler("nnulltrl"),
            (
                "decimal_integer_literal",
                "hex_integer_literal",
                "octal_integer_literal",
                "binary_integer_literal",
                "decimal_floating_point_literal",
                "hex_floating_point_literal",
            ): _literal_handler("nnltrl"),
            ("this",): _on_this,
            ("super",): _on_super,
            (
                "array_creation_expression",
                "array_initializer",
                "class_literal",
                "lambda_expression",
                "method_reference",
                "instanceof_expression",
            ): _expression,
            ("parenthesized_expression",): _on_parenthesized,
            (
                "binary_expression",
                "assignment_expression",
                "unary_expression",
                "update_expression",
            ): _on_operator_expression,
            ("ternary_expression",): _on_ternary,
            ("cast_expression",): _on_cast,
            ("array_access",): _on_array_access,
            ("field_access",): _on_field_access,
            ("method_invocation",): _on_method_invocation,
            ("object_creation_expression",): _on_object_creation,
            ("local_variable_declaration",): _on_local_variable_declaration,
            ("if_statement",): _statement_handler(b"if", branch=True),
            ("for_statement", "enhanced_for_statement"): _statement_handler(
                b"for", loop=True
            ),
            ("while_statement",): _statement_handler(b"while", loop=True),
            ("do_statement",): _statement_handler(b"do", b"while", loop=True),
            ("break_statement",): _statement_handler(b"break"),
            ("continue_statement",): _statement_handler(b"continue"),
            ("yield_statement",): _statement_handler(b"yield"),
            ("try_statement", "try_with_resources_statement"): _statement_handler(
                b"try"
            ),
            (
                "expression_statement",
                "labeled_statement",
                "synchronized_statement",
                "explicit_constructor_invocation",
                "switch_block_statement_group",
                "switch_rule",
            ): _statement_handler(),
            ("return_statement",): _on_return,
            ("assert_statement",): _on_assert,
            ("throw_statement",): _on_throw,
            ("catch_clause",): _on_catch,
            ("finally_clause",): _on_finally,
            ("switch_expression",): _on_switch,
            ("switch_label",): _on_switch_label,
            (
                "class_declaration",
                "record_declaration",
                "enum_declaration",
                "interface_declaration",
            ): _on_local_class,
        }
    ),
    **_handlers(
        {(";",): _on_empty_statement, ("=",): _on_assign_in_declaration}, False
    ),
}
