"""Generate labelled clone pairs from JDK methods by controlled edits.

Each output line is a JSON object with these keys:

- `type`: T1, T2, VST3, ST3, MT3 or NEG;
- `left` and `right`: two Java compilation units with one method each;
- `origin`: the source file and method of each side;
- `line_similarity`, for type 3: the share of code lines kept, measured
  before renames and layout changes;
- `negative`, for NEG: which picker chose the pair.

The detector reads only `left` and `right`. Only methods whose
block has at least MIN_TOKENS tokens are used, because smaller methods are
outside the scope of clone detection.

    python -m bench.clones.generate --split eval --seed 1 --per-type 500 \
        --negatives 2500 --output var/bench/clones-eval.jsonl
"""

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from tree_sitter import Parser

from bench.clones.edits import (
    donor_statements,
    gapped_change,
    iter_tokens,
    layout_change,
    line_similarity,
    normalized_lines,
    rename_change,
)
from bench.clones.javasource import Method, load_methods, make_parser, wrap_method
from oreo.detect import MIN_TOKENS, passes_size_filter
from oreo.training import main_block

BANDS = {"VST3": (0.9, 1.0), "ST3": (0.7, 0.9), "MT3": (0.5, 0.7)}
CLONE_TYPES = ("T1", "T2", *BANDS)
# Ratio of token counts that the detector's size filter accepts.
SIZE_RATIO = 0.6
# Negatives must share less than this of their normalized lines, so that
# two near-identical JDK methods are never labelled as unrelated.
NEGATIVE_MAX_SIMILARITY = 0.3


class MethodFacts:
    """Token count and called names of each method, for picking negatives."""

    def __init__(self, parser: Parser, methods: Sequence[Method]) -> None:
        self.tokens: list[int] = []
        self.calls: list[Counter[str]] = []
        self.by_call: dict[str, list[int]] = defaultdict(list)
        for index, method in enumerate(methods):
            tree = parser.parse(wrap_method(method.text).encode())
            tokens = list(iter_tokens(tree.root_node))
            calls: Counter[str] = Counter(
                token.text
                for token in tokens
                if token.kind == "identifier"
                and token.node.parent is not None
                and token.node.parent.type in ("method_invocation", "field_access")
                and token.node.parent.child_by_field_name("name") == token.node
            )
            self.tokens.append(len(tokens))
            self.calls.append(calls)
            for name in calls:
                self.by_call[name].append(index)

    def sizes_match(self, left: int, right: int) -> bool:
        """Return whether two methods pass the size filter."""
        small, large = sorted((self.tokens[left], self.tokens[right]))
        return small >= SIZE_RATIO * large

    def call_overlap(self, left: int, right: int) -> float:
        """Return shared calls, by the smaller count, over the larger total."""
        shared = sum((self.calls[left] & self.calls[right]).values())
        total = max(sum(self.calls[left].values()), sum(self.calls[right].values()))
        return shared / total if total else 0.0


def _unrelated(methods: Sequence[Method], left: int, right: int) -> bool:
    if methods[left].file == methods[right].file:
        return False
    if methods[left].name == methods[right].name:
        return False
    similarity = line_similarity(
        normalized_lines(wrap_method(methods[left].text)),
        normalized_lines(wrap_method(methods[right].text)),
    )
    return similarity < NEGATIVE_MAX_SIMILARITY


def random_negative(
    methods: Sequence[Method], facts: MethodFacts, left: int, rng: random.Random
) -> int | None:
    """Pick an unrelated method of similar size."""
    for _ in range(200):
        right = rng.randrange(len(methods))
        if facts.sizes_match(left, right) and _unrelated(methods, left, right):
            return right
    return None


def hard_negative(
    methods: Sequence[Method], facts: MethodFacts, left: int, rng: random.Random
) -> int | None:
    """Pick an unrelated method of similar size that calls the same methods."""
    candidates = {
        right
        for name in facts.calls[left]
        for right in facts.by_call[name][:2000]
        if right != left
    }
    ordered = sorted(candidates)
    rng.shuffle(ordered)
    best, best_overlap = None, 0.5
    for right in ordered[:400]:
        if not facts.sizes_match(left, right):
            continue
        overlap = facts.call_overlap(left, right)
        if overlap >= best_overlap and _unrelated(methods, left, right):
            best, best_overlap = right, overlap
    return best


def in_scope(unit: str) -> bool:
    """Return whether the method is large enough for clone detection at all."""
    block = main_block(unit)
    return block is not None and block.tokens >= MIN_TOKENS


def _origin(method: Method) -> str:
    return f"{method.file}#{method.name}"


def clone_pairs(
    parser: Parser,
    methods: Sequence[Method],
    order: Iterator[int],
    kind: str,
    count: int,
    rng: random.Random,
) -> list[dict]:
    """Make `count` clone pairs of one type from the methods in `order`."""
    donors = [
        statement
        for method in methods[:: max(len(methods) // 300, 1)]
        for statement in donor_statements(parser, wrap_method(method.text))
    ]
    pairs = []
    for index in order:
        unit = wrap_method(methods[index].text)
        if not in_scope(unit):
            continue
        pair = {"type": kind, "left": unit, "origin": [_origin(methods[index])] * 2}
        if kind == "T1":
            right = layout_change(parser, unit, rng)
        elif kind == "T2":
            right = rename_change(parser, unit, rng)
        else:
            edited = gapped_change(
                parser, unit, band=BANDS[kind], donors=donors, rng=rng
            )
            right = edited[0] if edited else None
            if edited:
                pair["line_similarity"] = round(edited[1], 3)
        if right is None or right == unit or not in_scope(right):
            continue
        pair["right"] = right
        pairs.append(pair)
        if len(pairs) == count:
            break
    return pairs


def negative_pairs(
    methods: Sequence[Method],
    facts: MethodFacts,
    order: Iterator[int],
    count: int,
    pick: Callable[..., int | None],
    rng: random.Random,
) -> list[dict]:
    """Make `count` pairs of unrelated methods with `pick` choosing the partner."""
    pairs = []
    for left in order:
        left_block = main_block(wrap_method(methods[left].text))
        if left_block is None or left_block.tokens < MIN_TOKENS:
            continue
        right = pick(methods, facts, left, rng)
        if right is None:
            continue
        right_block = main_block(wrap_method(methods[right].text))
        if right_block is None or right_block.tokens < MIN_TOKENS:
            continue
        # The pick compares tree-sitter token counts, and the size filter
        # uses the extractor's counts, which differ.
        if not passes_size_filter(left_block.tokens, right_block.tokens):
            continue
        pairs.append(
            {
                "type": "NEG",
                "negative": pick.__name__,
                "left": wrap_method(methods[left].text),
                "right": wrap_method(methods[right].text),
                "origin": [_origin(methods[left]), _origin(methods[right])],
            }
        )
        if len(pairs) == count:
            break
    return pairs


def generate(*, split: str, seed: int, per_type: int, negatives: int) -> list[dict]:
    """Return clone pairs of every type and negatives from one split."""
    rng = random.Random(seed)
    parser = make_parser()
    methods = load_methods(split=split)
    order = list(range(len(methods)))
    rng.shuffle(order)
    unused = iter(order)
    pairs: list[dict] = []
    for kind in CLONE_TYPES:
        pairs.extend(clone_pairs(parser, methods, unused, kind, per_type, rng))
        print(f"{kind}: {len(pairs)} pairs so far", file=sys.stderr)
    facts = MethodFacts(parser, methods)
    # Negatives may reuse the methods of clone pairs, but not each other's.
    negative_order = iter(rng.sample(range(len(methods)), len(methods)))
    half = negatives // 2
    pairs.extend(
        negative_pairs(methods, facts, negative_order, half, hard_negative, rng)
    )
    pairs.extend(
        negative_pairs(
            methods, facts, negative_order, negatives - half, random_negative, rng
        )
    )
    for number, pair in enumerate(pairs):
        pair["id"] = number
    return pairs


def main(argv: Sequence[str] | None = None) -> None:
    """Write the generated pairs as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("train", "eval"), required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument(
        "--per-type", type=int, default=400, help="clone pairs of each type"
    )
    parser.add_argument(
        "--negatives", type=int, default=2000, help="pairs of unrelated methods"
    )
    parser.add_argument("--output", type=Path, required=True)
    options = parser.parse_args(argv)
    pairs = generate(
        split=options.split,
        seed=options.seed,
        per_type=options.per_type,
        negatives=options.negatives,
    )
    options.output.parent.mkdir(parents=True, exist_ok=True)
    with options.output.open("w") as stream:
        for pair in pairs:
            stream.write(json.dumps(pair) + "\n")
    counts = Counter(pair["type"] for pair in pairs)
    print(f"wrote {len(pairs)} pairs to {options.output}: {dict(counts)}")


if __name__ == "__main__":
    main()
