"""Measure clone recall per type and precision on generated pairs.

For each pair, both code texts go through `extract_source`, and the block of
the top-level method on each side goes to `find_clone_pairs`. A clone pair
counts as found when that returns a pair, and a negative pair that returns
one is a false positive. Precision is found clones over all pairs reported.

    python -m bench.clones.evaluate var/bench/clones-eval.jsonl
"""

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from oreo.blocks import Block
from oreo.detect import (
    MIN_TOKENS,
    find_clone_pairs,
    passes_action_filter,
    passes_size_filter,
)
from oreo.training import CLONE_TYPES, main_block, read_labelled_pairs

TYPE_ORDER = ("T1", "T2", "VST3", "ST3", "MT3", "NEG")


def stage_of_loss(left: Block | None, right: Block | None) -> str:
    """Name the first pipeline stage that drops a pair, or "classifier"."""
    if left is None or right is None:
        return "no block extracted"
    if min(left.tokens, right.tokens) < MIN_TOKENS:
        return "fewer than MIN_TOKENS"
    if not passes_size_filter(left.tokens, right.tokens):
        return "size filter"
    no_actions = not left.action_tokens and not right.action_tokens
    if no_actions and left.metrics_hash != right.metrics_hash:
        return "different hashes without action tokens"
    if not no_actions and not passes_action_filter(
        left.action_tokens, right.action_tokens
    ):
        return "action filter"
    return "classifier"


def evaluate(pairs: Sequence[dict]) -> dict:
    """Run detection on every pair and count results by type and stage."""
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    losses: dict[str, Counter[str]] = {kind: Counter() for kind in TYPE_ORDER}
    negative_hits: Counter[str] = Counter()
    for pair in pairs:
        kind = pair["type"]
        total[kind] += 1
        left = main_block(pair["left"])
        right = main_block(pair["right"])
        detected = bool(
            left is not None and right is not None and find_clone_pairs([left], [right])
        )
        if detected:
            found[kind] += 1
            if kind == "NEG":
                negative_hits[pair.get("negative", "")] += 1
        elif kind in CLONE_TYPES:
            losses[kind][stage_of_loss(left, right)] += 1
    true_positives = sum(found[kind] for kind in CLONE_TYPES)
    reported = true_positives + found["NEG"]
    return {
        "pairs": dict(total),
        "found": dict(found),
        "recall": {
            kind: found[kind] / total[kind] for kind in CLONE_TYPES if total[kind]
        },
        "precision": true_positives / reported if reported else 1.0,
        "false_positives": dict(negative_hits),
        "losses": {kind: dict(counter) for kind, counter in losses.items() if counter},
    }


def format_report(result: dict) -> str:
    """Format the result as a Markdown table and a precision line."""
    lines = ["| type | pairs | found | recall |", "| --- | ---: | ---: | ---: |"]
    for kind in TYPE_ORDER[:-1]:
        pairs = result["pairs"].get(kind, 0)
        found = result["found"].get(kind, 0)
        recall = result["recall"].get(kind, 0.0)
        lines.append(f"| {kind} | {pairs} | {found} | {recall:.1%} |")
    negatives = result["pairs"].get("NEG", 0)
    lines.append(
        f"\nnegatives: {negatives}, reported as clones: "
        f"{result['found'].get('NEG', 0)} {result['false_positives']}; "
        f"precision {result['precision']:.2%}"
    )
    lines.append(f"missed clones by stage: {result['losses']}")
    return "\n".join(lines)


# Minimum recall per clone type and minimum precision the detector must reach.
RECALL_GOALS = {"T1": 0.99, "T2": 0.99, "VST3": 0.99, "ST3": 0.92, "MT3": 0.45}
PRECISION_GOAL = 0.95


def missed_goals(result: dict) -> list[str]:
    """Return a line for each goal the result does not reach."""
    missed = [
        f"{kind} recall {result['recall'].get(kind, 0.0):.1%} < {goal:.0%}"
        for kind, goal in RECALL_GOALS.items()
        if result["recall"].get(kind, 0.0) < goal
    ]
    if result["precision"] < PRECISION_GOAL:
        missed.append(f"precision {result['precision']:.1%} < {PRECISION_GOAL:.0%}")
    return missed


def main(argv: Sequence[str] | None = None) -> None:
    """Evaluate one pairs file and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", type=Path, help="JSON lines from generate.py")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument(
        "--check-goals",
        action="store_true",
        help="exit with status 1 when a recall or precision goal is missed",
    )
    options = parser.parse_args(argv)
    with options.pairs.open() as stream:
        pairs = read_labelled_pairs(stream)
    started = time.monotonic()
    result = evaluate(pairs)
    result["seconds"] = round(time.monotonic() - started, 1)
    print(format_report(result))
    print(f"evaluated {len(pairs)} pairs in {result['seconds']} s", file=sys.stderr)
    if options.json:
        options.json.write_text(json.dumps(result, indent=2) + "\n")
    if options.check_goals:
        missed = missed_goals(result)
        for line in missed:
            print(f"goal missed: {line}", file=sys.stderr)
        if missed:
            sys.exit(1)
        print("every recall and precision goal is met", file=sys.stderr)


if __name__ == "__main__":
    main()
