import json
import random

import numpy as np
import pytest

from oreo.blocks import METRIC_NAMES, Block
from oreo.detect import (
    ACTION_THRESHOLD,
    MIN_TOKENS,
    CloneIndex,
    ClonePair,
    find_clone_pairs,
    passes_action_filter,
    passes_size_filter,
)
from oreo.model import CloneClassifier, default_classifier, pair_features
from oreo.training import main_block, read_labelled_pairs, train_classifier


def constant_classifier(probability: float) -> CloneClassifier:
    """Build a classifier that gives every pair the same probability."""
    features = 2 * len(METRIC_NAMES)
    return CloneClassifier(
        mean=np.zeros(features),
        scale=np.ones(features),
        hidden_weights=np.zeros((features, 1)),
        hidden_bias=np.zeros(1),
        output_weights=np.zeros(1),
        output_bias=float(np.log(probability / (1 - probability))),
        threshold=0.5,
    )


ACCEPT_ALL = constant_classifier(0.9)
REJECT_ALL = constant_classifier(0.1)


def make_block(
    name: str = "run",
    *,
    tokens: int = 40,
    actions: dict[str, int] | None = None,
    metrics_hash: str = "",
    metrics: tuple[float, ...] | None = None,
) -> Block:
    return Block(
        folder="project",
        file=f"src/{name}.java",
        start_line=1,
        end_line=10,
        name=name,
        tokens=tokens,
        unique_tokens=tokens // 2,
        metrics_hash=metrics_hash or f"hash-{name}",
        metrics=metrics or tuple(float(i) for i in range(len(METRIC_NAMES))),
        action_tokens={"append()": 2, "size()": 1} if actions is None else actions,
    )


def test_size_filter_accepts_ratio_boundary():
    assert passes_size_filter(60, 100)


def test_size_filter_rejects_below_ratio():
    assert not passes_size_filter(59, 100)


def test_action_filter_counts_smaller_count():
    # Shared: min(10, 1) + min(1, 1) = 2 of a larger total of 11.
    left = {"append()": 10, "size()": 1}
    right = {"append()": 1, "size()": 1, "get()": 1}
    assert not passes_action_filter(left, right)


def share_of(percent: int) -> tuple[dict[str, int], dict[str, int]]:
    """Build two action-token maps of 100 tokens that share `percent` of them."""
    left = {f"m{i}()": 1 for i in range(100)}
    shared = {f"m{i}()": 1 for i in range(percent)}
    right = shared | {f"other{i}()": 1 for i in range(100 - percent)}
    return left, right


def test_action_filter_accepts_threshold_share():
    percent = round(ACTION_THRESHOLD * 100)
    assert passes_action_filter(*share_of(percent))


def test_action_filter_rejects_below_threshold():
    percent = round(ACTION_THRESHOLD * 100) - 1
    assert not passes_action_filter(*share_of(percent))


def test_action_filter_accepts_two_blocks_without_actions():
    assert passes_action_filter({}, {})


def test_action_filter_rejects_one_block_without_actions():
    assert not passes_action_filter({}, {"read()": 1})


def test_find_equal_hash_is_clone_without_classifier():
    index = CloneIndex([make_block("a", metrics_hash="same")], classifier=REJECT_ALL)
    found = index.find(make_block("b", metrics_hash="same"))
    assert found == [(0, 1.0)]


def test_find_uses_classifier_for_different_hashes():
    index = CloneIndex([make_block("a")], classifier=ACCEPT_ALL)
    found = index.find(make_block("b"))
    assert [i for i, _ in found] == [0]
    assert found[0][1] == pytest.approx(0.9)


def test_find_drops_pairs_classifier_rejects():
    index = CloneIndex([make_block("a")], classifier=REJECT_ALL)
    assert index.find(make_block("b")) == []


def test_find_ignores_small_query():
    index = CloneIndex([make_block("a", metrics_hash="same")], classifier=ACCEPT_ALL)
    query = make_block("b", tokens=MIN_TOKENS - 1, metrics_hash="same")
    assert index.find(query) == []


def test_find_ignores_small_indexed_block():
    small = make_block("a", tokens=MIN_TOKENS - 1, metrics_hash="same")
    index = CloneIndex([small], classifier=ACCEPT_ALL)
    query = make_block("b", tokens=MIN_TOKENS, metrics_hash="same")
    assert index.find(query) == []


def test_find_applies_size_filter_to_equal_hashes():
    index = CloneIndex([make_block("a", tokens=100, metrics_hash="same")])
    assert index.find(make_block("b", tokens=59, metrics_hash="same")) == []


def test_find_applies_action_filter_to_equal_hashes():
    indexed = make_block("a", actions={"read()": 1, "close()": 1}, metrics_hash="h")
    index = CloneIndex([indexed], classifier=ACCEPT_ALL)
    query = make_block("b", actions={"write()": 1, "flush()": 1}, metrics_hash="h")
    assert index.find(query) == []


def test_find_actionless_equal_hash_is_clone():
    blocks = [
        make_block("a", actions={}, metrics_hash="same"),
        make_block("b", actions={}, metrics_hash="other"),
    ]
    index = CloneIndex(blocks, classifier=REJECT_ALL)
    found = index.find(make_block("c", actions={}, metrics_hash="same"))
    assert found == [(0, 1.0)]


def test_find_actionless_blocks_go_to_classifier():
    blocks = [
        make_block("a", actions={}, metrics_hash="same"),
        make_block("b", actions={}, metrics_hash="other"),
        make_block("c", actions={"read()": 1}, metrics_hash="third"),
    ]
    index = CloneIndex(blocks, classifier=ACCEPT_ALL)
    found = index.find(make_block("d", actions={}, metrics_hash="same"))
    assert [i for i, _ in found] == [0, 1]


def test_find_matches_unknown_tokens_to_nothing():
    index = CloneIndex([make_block("a")], classifier=ACCEPT_ALL)
    assert index.find(make_block("b", actions={"unknown()": 5})) == []


def random_blocks(rng: random.Random, count: int) -> list[Block]:
    vocabulary = [f"call{i}()" for i in range(12)]
    blocks = []
    for number in range(count):
        chosen = rng.sample(vocabulary, rng.randint(0, 5))
        actions = {token: rng.randint(1, 3) for token in chosen}
        blocks.append(
            make_block(
                f"m{number}",
                tokens=rng.randint(10, 60),
                actions=actions,
                metrics_hash=rng.choice(["h1", "h2", f"u{number}"]),
            )
        )
    return blocks


def brute_force_pairs(queries: list[Block], candidates: list[Block]) -> set:
    expected = set()
    for i, query in enumerate(queries):
        for j, candidate in enumerate(candidates):
            if min(query.tokens, candidate.tokens) < MIN_TOKENS:
                continue
            if not passes_size_filter(query.tokens, candidate.tokens):
                continue
            if passes_action_filter(query.action_tokens, candidate.action_tokens):
                expected.add((i, j))
    return expected


def test_find_clone_pairs_equals_brute_force():
    rng = random.Random(3)
    queries = random_blocks(rng, 150)
    candidates = random_blocks(rng, 150)
    pairs = find_clone_pairs(queries, candidates, classifier=ACCEPT_ALL)
    found = {(pair.query, pair.candidate) for pair in pairs}
    assert found == brute_force_pairs(queries, candidates)


def test_find_clone_pairs_sorted_by_indexes():
    rng = random.Random(4)
    blocks = random_blocks(rng, 80)
    pairs = find_clone_pairs(blocks, blocks, classifier=ACCEPT_ALL)
    keys = [(pair.query, pair.candidate) for pair in pairs]
    assert keys == sorted(keys)


def test_find_clone_pairs_returns_clone_pairs():
    pairs = find_clone_pairs(
        [make_block("a", metrics_hash="same")], [make_block("b", metrics_hash="same")]
    )
    assert pairs == [ClonePair(query=0, candidate=0, similarity=1.0)]


def test_find_clone_pairs_empty_inputs():
    assert find_clone_pairs([], []) == []


def test_default_classifier_accepts_equal_vectors():
    metrics = np.array(
        [
            [3, 12, 25, 4000, 2, 5, 1, 2, 9, 4, 0, 1, 0, 30, 12]
            + [40, 2, 14, 1, 0, 0, 2, 1, 1]
        ],
        dtype=float,
    )
    classifier = default_classifier()
    assert classifier.predict(metrics, metrics)[0] >= classifier.threshold


def test_default_classifier_rejects_distant_vectors():
    small = np.array(
        [[1, 3, 8, 300, 1, 1, 0, 1, 3, 1, 0, 0, 0, 6, 3] + [8, 1, 3, 0, 0, 0, 1, 0, 0]],
        dtype=float,
    )
    large = np.array(
        [
            [12, 60, 90, 90000, 9, 30, 4, 4, 40, 20, 2, 3, 4, 200, 80]
            + [250, 5, 70, 6, 2, 1, 20, 4, 9]
        ],
        dtype=float,
    )
    classifier = default_classifier()
    assert classifier.predict(small, large)[0] < classifier.threshold


def test_pair_features_symmetric():
    rng = np.random.default_rng(1)
    left = rng.uniform(0, 50, size=(5, len(METRIC_NAMES)))
    right = rng.uniform(0, 50, size=(5, len(METRIC_NAMES)))
    assert np.allclose(pair_features(left, right), pair_features(right, left))


def test_pair_features_zero_difference_for_equal_rows():
    row = np.arange(len(METRIC_NAMES), dtype=float)[np.newaxis, :]
    features = pair_features(row, row)
    assert np.all(features[:, : len(METRIC_NAMES)] == 0)


def test_pair_features_leave_inputs_unchanged():
    left = np.full((2, len(METRIC_NAMES)), -3.0)
    right = np.ones((2, len(METRIC_NAMES)))
    pair_features(left, right)
    assert np.all(left == -3.0)


def test_classifier_save_load_round_trip(tmp_path):
    path = tmp_path / "model.npz"
    default_classifier().save(path)
    loaded = CloneClassifier.load(path)
    rows = np.arange(2 * len(METRIC_NAMES), dtype=float).reshape(2, -1)
    expected = default_classifier().predict(rows[:1], rows[1:])
    assert loaded.predict(rows[:1], rows[1:]) == pytest.approx(expected)


def test_classifier_load_missing_file_names_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="trainclonemodel"):
        CloneClassifier.load(tmp_path / "missing.npz")


def test_train_classifier_separates_near_and_far_pairs():
    rng = np.random.default_rng(2)
    base = rng.uniform(1, 40, size=(200, len(METRIC_NAMES)))
    near = base * rng.uniform(0.95, 1.05, size=base.shape)
    far = rng.uniform(1, 40, size=base.shape)
    left = np.vstack([base, base])
    right = np.vstack([near, far])
    labels = np.concatenate([np.ones(200), np.zeros(200)])
    result = train_classifier(left, right, labels, seed=3, epochs=200)
    assert result.recall > 0.95
    assert result.false_positive_rate < 0.05


def test_read_labelled_pairs_rejects_unknown_type():
    line = json.dumps({"type": "T4", "left": "", "right": ""})
    with pytest.raises(ValueError, match="line 1: unknown pair type 'T4'"):
        read_labelled_pairs([line])


def test_read_labelled_pairs_rejects_invalid_json():
    with pytest.raises(ValueError, match="line 2: invalid JSON"):
        read_labelled_pairs(["", "{"])


def test_read_labelled_pairs_rejects_missing_code():
    line = json.dumps({"type": "T1", "left": "class A {}"})
    with pytest.raises(ValueError, match="'left' and 'right' must be strings"):
        read_labelled_pairs([line])


def test_main_block_skips_anonymous_class_methods():
    source = """
class Sample {
    Runnable make(int count) {
        return new Runnable() {
            public void run() {
                System.out.println(count);
            }
        };
    }
}
"""
    assert main_block(source).name == "make"
