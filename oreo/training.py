"""Train the clone classifier on labelled pairs of Java methods.

A labelled pair is a JSON object with `type` (T1, T2, VST3, ST3, MT3 for
clones, NEG for unrelated methods), `left` and `right` (Java source, each
with one method at the top level of its class), as written by
`bench/clones/generate.py`. Only pairs that the classifier would see in
detection are used: both blocks large enough, through the size and action
filters, and with different metric hashes.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from oreo.blocks import Block
from oreo.detect import MIN_TOKENS, passes_action_filter, passes_size_filter
from oreo.extract import extract_source
from oreo.model import CloneClassifier, metric_rows, pair_features

CLONE_TYPES = frozenset({"T1", "T2", "VST3", "ST3", "MT3"})
NEGATIVE_TYPE = "NEG"


def read_labelled_pairs(lines: Iterable[str]) -> list[dict]:
    """Parse JSON lines of labelled pairs, rejecting malformed lines."""
    pairs = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pair = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"line {number}: invalid JSON ({error})") from None
        kind = pair.get("type") if isinstance(pair, dict) else None
        if kind not in CLONE_TYPES and kind != NEGATIVE_TYPE:
            raise ValueError(
                f"line {number}: unknown pair type {kind!r}; expected one of "
                f"{', '.join(sorted(CLONE_TYPES))} or {NEGATIVE_TYPE}"
            )
        if not isinstance(pair.get("left"), str) or not isinstance(
            pair.get("right"), str
        ):
            raise ValueError(f"line {number}: 'left' and 'right' must be strings")
        pairs.append(pair)
    return pairs


def main_block(source: str) -> Block | None:
    """Return the block of the top-level method in `source`, or None.

    Methods of anonymous and local classes are blocks of their own, so the
    top-level method is the block that spans the most lines.
    """
    blocks = extract_source(source.encode(), path="Sample.java").blocks
    if not blocks:
        return None
    return max(
        blocks, key=lambda block: (block.end_line - block.start_line, block.tokens)
    )


def reaches_classifier(left: Block, right: Block) -> bool:
    """Return whether detection would pass this pair to the classifier."""
    return (
        min(left.tokens, right.tokens) >= MIN_TOKENS
        and passes_size_filter(left.tokens, right.tokens)
        and passes_action_filter(left.action_tokens, right.action_tokens)
        and left.metrics_hash != right.metrics_hash
    )


@dataclass
class TrainingRows:
    """Metric vectors of the pairs that reach the classifier, and their labels."""

    left: np.ndarray
    right: np.ndarray
    labels: np.ndarray
    skipped: int


def training_rows(pairs: Sequence[dict]) -> TrainingRows:
    """Extract both sides of each pair and keep those that reach the classifier."""
    left_blocks, right_blocks, labels = [], [], []
    skipped = 0
    for pair in pairs:
        left = main_block(pair["left"])
        right = main_block(pair["right"])
        if left is None or right is None or not reaches_classifier(left, right):
            skipped += 1
            continue
        left_blocks.append(left)
        right_blocks.append(right)
        labels.append(1.0 if pair["type"] in CLONE_TYPES else 0.0)
    return TrainingRows(
        left=metric_rows(left_blocks),
        right=metric_rows(right_blocks),
        labels=np.array(labels),
        skipped=skipped,
    )


@dataclass(frozen=True)
class TrainingResult:
    """A trained classifier and its accuracy on the training pairs."""

    classifier: CloneClassifier
    positives: int
    negatives: int
    recall: float
    false_positive_rate: float


def train_classifier(
    left: np.ndarray,
    right: np.ndarray,
    labels: np.ndarray,
    *,
    seed: int,
    hidden_units: int = 32,
    epochs: int = 400,
    learning_rate: float = 0.01,
    weight_decay: float = 1e-4,
    threshold: float = 0.5,
) -> TrainingResult:
    """Train the network with full-batch Adam on a class-balanced log loss."""
    rng = np.random.default_rng(seed)
    features = pair_features(left, right)
    labels = np.asarray(labels, dtype=np.float64)
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    inputs = (features - mean) / scale
    weights = _class_weights(labels)
    params = _initial_parameters(rng, inputs.shape[1], hidden_units)
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    for step in range(1, epochs + 1):
        gradients = _gradients(params, inputs, labels, weights)
        for index, gradient in enumerate(gradients):
            gradient = gradient + weight_decay * params[index]
            moments[index] = 0.9 * moments[index] + 0.1 * gradient
            squares[index] = 0.999 * squares[index] + 0.001 * gradient**2
            corrected = moments[index] / (1 - 0.9**step)
            corrected_square = squares[index] / (1 - 0.999**step)
            params[index] -= (
                learning_rate * corrected / (np.sqrt(corrected_square) + 1e-8)
            )
    classifier = CloneClassifier(
        mean=mean,
        scale=scale,
        hidden_weights=params[0],
        hidden_bias=params[1],
        output_weights=params[2],
        output_bias=float(params[3][0]),
        threshold=threshold,
    )
    predicted = classifier.predict(left, right) >= threshold
    positive = labels == 1
    return TrainingResult(
        classifier=classifier,
        positives=int(positive.sum()),
        negatives=int((~positive).sum()),
        recall=float(predicted[positive].mean()) if positive.any() else 0.0,
        false_positive_rate=(
            float(predicted[~positive].mean()) if (~positive).any() else 0.0
        ),
    )


def _class_weights(labels: np.ndarray) -> np.ndarray:
    positives = max(labels.sum(), 1.0)
    negatives = max(len(labels) - labels.sum(), 1.0)
    weights = np.where(labels == 1, 0.5 / positives, 0.5 / negatives)
    return weights


def _initial_parameters(
    rng: np.random.Generator, inputs: int, hidden_units: int
) -> list[np.ndarray]:
    return [
        rng.normal(0.0, np.sqrt(2.0 / inputs), size=(inputs, hidden_units)),
        np.zeros(hidden_units),
        rng.normal(0.0, np.sqrt(1.0 / hidden_units), size=hidden_units),
        np.zeros(1),
    ]


def _gradients(
    params: list[np.ndarray],
    inputs: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
) -> list[np.ndarray]:
    hidden_weights, hidden_bias, output_weights, output_bias = params
    pre_activation = inputs @ hidden_weights + hidden_bias
    hidden = np.maximum(pre_activation, 0.0)
    logits = hidden @ output_weights + output_bias[0]
    probabilities = 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))
    # Gradient of the weighted log loss with respect to the logits.
    delta = weights * (probabilities - labels)
    hidden_delta = np.outer(delta, output_weights) * (pre_activation > 0)
    return [
        inputs.T @ hidden_delta,
        hidden_delta.sum(axis=0),
        hidden.T @ delta,
        np.array([delta.sum()]),
    ]
