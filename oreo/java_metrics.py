"""Per-method counters of Oreo's features and their conversion to metric values.

The definitions follow the Java extractor of Oreo (Saini et al., FSE 2018,
Mondego/oreo, java-parser/src/uci/mondego: MethodVisitor.java and
MetricCollector.java), mapped from JavaParser nodes to tree-sitter-java nodes. `oreo.java_walk`
walks the syntax tree and fills a `MethodCounts` per method, and each
counting rule is stated once, at the handler there that applies it. This
module computes the derived metrics.
"""

import hashlib
import math
from dataclasses import dataclass, field

from oreo.blocks import METRIC_NAMES

# Oreo's stop words (java-parser/res/stopwordsActionTokens.txt): action
# tokens too common to say anything about what a method does.
STOP_WORDS = frozenset({b"length", b"println()"})

# Tokens that Oreo counts as operators rather than operands
# (KeywordsJava.operators).
OPERATOR_KEYWORDS = (b"new", b"assert", b"return")

# Java reserved words, which never count as referenced variables
# (KeywordsJava.reserved).
RESERVED_WORDS = frozenset(
    b"abstract continue for new switch assert default goto package synchronized "
    b"boolean do if private this break double implements protected throw byte "
    b"else import public throws case enum instanceof return transient catch "
    b"extends int short try char final interface static void class finally "
    b"long strictfp volatile const float native super while".split()
)

_INTEGER_COUNTS = (
    "comp",
    "nos",
    "cref",
    "xmet",
    "lmet",
    "vdec",
    "exct",
    "excr",
    "cast",
    "nopr",
    "nexp",
    "loop",
    "nbltrl",
    "ncltrl",
    "nnltrl",
    "nnulltrl",
    "nsltrl",
)

_TOKEN_MAPS = (
    "tokens",
    "operators",
    "removed_operands",
    "literals",
    "types",
    "declared",
    "call_tokens",
    "field_tokens",
    "array_tokens",
    "binary_array_tokens",
    "stop_tokens",
    "inner_methods",
    "inner_parameters",
)


def add(counts: dict[bytes, int], key: bytes, amount: int = 1) -> None:
    counts[key] = counts.get(key, 0) + amount


def _add_all(target: dict[bytes, int], source: dict[bytes, int]) -> None:
    for key, amount in source.items():
        target[key] = target.get(key, 0) + amount


def _subtract(target: dict[bytes, int], source: dict[bytes, int]) -> None:
    """Subtract counts in place and drop keys that reach zero, as Oreo does."""
    if not source:
        return
    for key, amount in source.items():
        remaining = target.get(key)
        if remaining is None:
            continue
        if remaining > amount:
            target[key] = remaining - amount
        else:
            del target[key]


@dataclass(slots=True)
class MethodCounts:
    """Raw counts gathered while walking one method or constructor.

    Everything in the walked subtree counts, including the methods of local
    and anonymous classes declared inside it, as in Oreo. The fields under
    "own declaration" describe only this method's header and do not pass to
    an enclosing method.
    """

    # Own declaration.
    name: str
    start_byte: int
    end_byte: int
    start_line: int
    end_line: int
    # Blocks around the method, and ancestors of its node in the syntax tree.
    base_depth: int
    tree_depth: int
    has_syntax_error: bool
    modifiers: list[bytes] = field(default_factory=list)
    has_throws: bool = False
    parameter_count: int = 0
    parameters: dict[bytes, int] = field(default_factory=dict)

    # Counts that an enclosing method inherits.
    max_depth: int = 0
    comp: int = 0
    nos: int = 0
    cref: int = 0
    xmet: int = 0
    lmet: int = 0
    vdec: int = 0
    exct: int = 0
    excr: int = 0
    cast: int = 0
    nopr: int = 0
    nexp: int = 0
    loop: int = 0
    nbltrl: int = 0
    ncltrl: int = 0
    nnltrl: int = 0
    nnulltrl: int = 0
    nsltrl: int = 0
    tokens: dict[bytes, int] = field(default_factory=dict)
    operators: dict[bytes, int] = field(default_factory=dict)
    removed_operands: dict[bytes, int] = field(default_factory=dict)
    literals: dict[bytes, int] = field(default_factory=dict)
    types: dict[bytes, int] = field(default_factory=dict)
    declared: dict[bytes, int] = field(default_factory=dict)
    call_tokens: dict[bytes, int] = field(default_factory=dict)
    field_tokens: dict[bytes, int] = field(default_factory=dict)
    array_tokens: dict[bytes, int] = field(default_factory=dict)
    binary_array_tokens: dict[bytes, int] = field(default_factory=dict)
    stop_tokens: dict[bytes, int] = field(default_factory=dict)
    inner_methods: dict[bytes, int] = field(default_factory=dict)
    inner_parameters: dict[bytes, int] = field(default_factory=dict)

    def absorb(self, inner: "MethodCounts") -> None:
        """Add the counts of a method declared inside this one."""
        self.max_depth = max(self.max_depth, inner.max_depth)
        for name in _INTEGER_COUNTS:
            setattr(self, name, getattr(self, name) + getattr(inner, name))
        for name in _TOKEN_MAPS:
            _add_all(getattr(self, name), getattr(inner, name))
        add(self.inner_methods, inner.name.encode())
        _add_all(self.inner_parameters, inner.parameters)


@dataclass(slots=True)
class MethodFeatures:
    """Oreo's features of one method, ready to become a `Block`."""

    tokens: int
    unique_tokens: int
    metrics: tuple[float, ...]
    action_tokens: dict[str, int]
    stop_tokens: dict[str, int]


def compute_features(counts: MethodCounts) -> MethodFeatures:
    """Turn raw counts into Oreo's token counts, 24 metrics and action tokens."""
    tokens = dict(counts.tokens)
    for modifier in counts.modifiers:
        add(tokens, modifier)
    if counts.has_throws:
        add(tokens, b"throws")

    operands = _operands(counts, tokens)
    variable_references = _variable_references(counts, operands)
    halstead = _halstead(counts, operands)
    values = {
        # One path through the method plus one per branch point.
        "COMP": counts.comp + 1,
        # The declaration itself counts as a statement.
        "NOS": counts.nos + 1,
        "HVOC": halstead.vocabulary,
        "HEFF": halstead.effort,
        "CREF": counts.cref,
        "XMET": counts.xmet,
        "LMET": counts.lmet,
        "NOA": counts.parameter_count,
        "HDIF": halstead.difficulty,
        "VDEC": counts.vdec,
        "EXCT": counts.exct,
        "EXCR": counts.excr,
        "CAST": counts.cast,
        "NAND": halstead.operand_count,
        "VREF": variable_references,
        "NOPR": counts.nopr,
        "MDN": max(counts.max_depth - counts.base_depth, 0),
        "NEXP": counts.nexp,
        "LOOP": counts.loop,
        "NBLTRL": counts.nbltrl,
        "NCLTRL": counts.ncltrl,
        "NNLTRL": counts.nnltrl,
        "NNULLTRL": counts.nnulltrl,
        "NSLTRL": counts.nsltrl,
    }
    return MethodFeatures(
        tokens=sum(tokens.values()),
        unique_tokens=len(tokens),
        metrics=tuple([float(values[name]) for name in METRIC_NAMES]),
        action_tokens=_action_tokens(counts),
        stop_tokens=_decode_keys(counts.stop_tokens),
    )


def _operands(counts: MethodCounts, tokens: dict[bytes, int]) -> dict[bytes, int]:
    """Return the operand counts: tokens that are not operators.

    Modifiers, the method's own name and the names of called methods are
    tokens but not operands.
    """
    operands = dict(tokens)
    for keyword in OPERATOR_KEYWORDS:
        operands.pop(keyword, None)
    removed = dict(counts.removed_operands)
    for modifier in counts.modifiers:
        add(removed, modifier)
    add(removed, counts.name.encode())
    _subtract(operands, removed)
    return operands


def _variable_references(counts: MethodCounts, operands: dict[bytes, int]) -> int:
    """Count operand occurrences that name a variable (VREF).

    An operand is a variable reference unless it is a declared local
    variable, a type, a literal, an accessed field, a parameter, a method
    declared inside the method or a parameter of one, or a reserved word.
    """
    references = dict(operands)
    for excluded in (
        counts.declared,
        counts.types,
        counts.literals,
        counts.field_tokens,
        counts.parameters,
        counts.inner_methods,
    ):
        _subtract(references, excluded)
    inner_parameters = dict(counts.inner_parameters)
    _subtract(inner_parameters, counts.parameters)
    _subtract(references, inner_parameters)
    for word in RESERVED_WORDS.intersection(references):
        del references[word]
    return sum(references.values())


@dataclass(slots=True)
class _Halstead:
    operand_count: int
    vocabulary: int
    difficulty: int
    effort: float


def _halstead(counts: MethodCounts, operands: dict[bytes, int]) -> _Halstead:
    """Compute Halstead's metrics as Oreo does.

    Oreo computes difficulty with integer division, (distinct operators // 2)
    * (operands // distinct operands), and effort as difficulty * volume with
    volume = (operands + operators) * log2(vocabulary). An empty vocabulary
    gives volume 0. Effort is rounded to two decimals, which keeps metric
    files short and the metrics hash independent of the last float digits.
    """
    operand_count = sum(operands.values())
    distinct_operands = len(operands)
    distinct_operators = len(counts.operators)
    vocabulary = distinct_operands + distinct_operators
    difficulty = 0
    if distinct_operands:
        difficulty = (distinct_operators // 2) * (operand_count // distinct_operands)
    volume = 0.0
    if vocabulary:
        volume = (operand_count + counts.nopr) * math.log2(vocabulary)
    return _Halstead(
        operand_count=operand_count,
        vocabulary=vocabulary,
        difficulty=difficulty,
        effort=round(difficulty * volume, 2),
    )


def _action_tokens(counts: MethodCounts) -> dict[str, int]:
    """Merge action tokens in Oreo's order: calls, fields, array accesses."""
    merged: dict[str, int] = {}
    for source in (
        counts.call_tokens,
        counts.field_tokens,
        counts.array_tokens,
        counts.binary_array_tokens,
    ):
        for key, amount in source.items():
            token = key.decode()
            merged[token] = merged.get(token, 0) + amount
    return merged


def _decode_keys(counts: dict[bytes, int]) -> dict[str, int]:
    return {key.decode(): amount for key, amount in counts.items()}


def format_metric(value: float) -> str:
    """Format a metric value as in metric files: integers without a fraction."""
    if value.is_integer():
        return str(int(value))
    return repr(value)


def hash_metrics(metrics: tuple[float, ...]) -> str:
    """Return the MD5 hex digest of the metric values (the repr of their tuple).

    Equal metric values give equal hashes, so clone detection can treat
    equal hashes as equal metrics. Oreo hashes only the first 19 metrics,
    concatenated without separators, so its hashes differ from these.
    """
    text = repr(tuple(metrics))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
