"""Find clones between blocks the way Oreo does: filters, then a classifier.

Both blocks of a clone pair have at least MIN_TOKENS tokens, and the pair
passes the size filter and the action filter. Pairs with equal metric hashes
are clones outright. For the rest, the classifier in `oreo.model` decides.
"""

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oreo.blocks import Block
from oreo.model import CloneClassifier, default_classifier, metric_rows

MIN_TOKENS = 15
# Two blocks are compared only when the smaller token count is at least this
# share of the larger one.
SIZE_RATIO = 0.6
# Shared action tokens, each counted with the smaller of its two counts, must
# reach this share of the larger block's action-token total. Oreo uses about
# 0.54. At 0.3, 94% of the type-3 clones with 70-90% of lines kept in the
# training split of bench/clones pass, against 79% at 0.54, and the
# classifier rejects the unrelated pairs that the lower value lets through.
ACTION_THRESHOLD = 0.3
# Pairs scored per classifier call, which bounds the memory of the features.
SCORE_BATCH = 200_000


@dataclass(frozen=True)
class ClonePair:
    """A query block and an indexed block that the detector found to be clones."""

    query: int
    candidate: int
    similarity: float


def passes_size_filter(left_tokens: int, right_tokens: int) -> bool:
    """Return whether two token counts are within SIZE_RATIO of each other."""
    small, large = sorted((left_tokens, right_tokens))
    return small >= SIZE_RATIO * large


def shared_actions(left: dict[str, int], right: dict[str, int]) -> int:
    """Count shared action tokens, each with the smaller of its two counts."""
    if len(left) > len(right):
        left, right = right, left
    return sum(min(count, right.get(token, 0)) for token, count in left.items())


def passes_action_filter(left: dict[str, int], right: dict[str, int]) -> bool:
    """Return whether the shared action tokens reach ACTION_THRESHOLD.

    Two blocks without action tokens pass, because they share all of none.
    """
    total = max(sum(left.values()), sum(right.values()))
    return shared_actions(left, right) >= ACTION_THRESHOLD * total


def _prefix_length(total: int) -> int:
    # Any block pair that passes the action filter shares a token within
    # these first items of both blocks, when every block lists its tokens
    # (each repeated by its count) in one global order.
    return max(total - math.ceil(ACTION_THRESHOLD * total) + 1, 1)


class _Postings:
    """Indexed blocks that contain one token, sorted by token count."""

    __slots__ = ("sizes", "ids")

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.ids: list[int] = []

    def within_size(self, tokens: int) -> list[int]:
        """Return the ids whose token count can pass the size filter."""
        # The bounds are widened a little so that rounding never drops a
        # pair, and CloneIndex._verify applies the exact filter afterwards.
        low = bisect_left(self.sizes, SIZE_RATIO * tokens - 1e-9)
        high = bisect_right(self.sizes, tokens / SIZE_RATIO + 1e-9)
        return self.ids[low:high]


class CloneIndex:
    """An index of blocks that finds the clones of one query block at a time.

    Blocks with action tokens are indexed by the rarest tokens of their
    prefix (see `_prefix_length`), so a query looks at few candidates.
    Blocks without action tokens pass the action filter only with each
    other, so they share one posting list of their own.
    """

    def __init__(
        self, blocks: Sequence[Block], *, classifier: CloneClassifier | None = None
    ) -> None:
        self._blocks = list(blocks)
        self._classifier = classifier or default_classifier()
        self._metrics = metric_rows(self._blocks)
        self._totals = [sum(block.action_tokens.values()) for block in self._blocks]
        self._sizes = [block.tokens for block in self._blocks]
        self._hashes = [block.metrics_hash for block in self._blocks]
        self._item_ids: dict[tuple[str, int], int] = {}
        self._items = [self._action_items(block, add=True) for block in self._blocks]
        self._rank = self._token_ranks()
        self._postings: dict[str, _Postings] = defaultdict(_Postings)
        self._actionless = _Postings()
        self._build()

    def _action_items(self, block: Block, *, add: bool) -> frozenset[int]:
        # The action tokens as a set of (token, occurrence) ids, so that
        # set intersection counts each token with the smaller count. Query
        # tokens that no indexed block contains get no id, since no
        # candidate can share them.
        items = []
        for token, count in block.action_tokens.items():
            for occurrence in range(count):
                key = (token, occurrence)
                item = self._item_ids.get(key)
                if item is None and add:
                    item = self._item_ids[key] = len(self._item_ids)
                if item is not None:
                    items.append(item)
        return frozenset(items)

    def _token_ranks(self) -> dict[str, int]:
        frequency: dict[str, int] = defaultdict(int)
        for block in self._blocks:
            if block.tokens >= MIN_TOKENS:
                for token in block.action_tokens:
                    frequency[token] += 1
        ordered = sorted(frequency, key=lambda token: (frequency[token], token))
        return {token: rank for rank, token in enumerate(ordered)}

    def _prefix_tokens(self, block: Block, total: int) -> list[str]:
        # Tokens missing from the index rank first, and they cannot be shared.
        ordered = sorted(
            block.action_tokens,
            key=lambda token: (self._rank.get(token, -1), token),
        )
        length = _prefix_length(total)
        prefix = []
        covered = 0
        for token in ordered:
            if covered >= length:
                break
            prefix.append(token)
            covered += block.action_tokens[token]
        return prefix

    def _build(self) -> None:
        order = sorted(range(len(self._blocks)), key=lambda i: self._blocks[i].tokens)
        for index in order:
            block = self._blocks[index]
            if block.tokens < MIN_TOKENS:
                continue
            if self._totals[index] == 0:
                postings = [self._actionless]
            else:
                tokens = self._prefix_tokens(block, self._totals[index])
                postings = [self._postings[token] for token in tokens]
            for posting in postings:
                posting.sizes.append(block.tokens)
                posting.ids.append(index)

    def __len__(self) -> int:
        return len(self._blocks)

    def filtered_candidates(self, block: Block) -> tuple[list[int], list[int]]:
        """Return indexed blocks that pass both filters, split by metric hash.

        The first list contains candidates with the query's metric hash,
        which are clones outright. The classifier decides on the second.
        """
        if block.tokens < MIN_TOKENS:
            return [], []
        total = sum(block.action_tokens.values())
        seen: set[int] = set()
        if total == 0:
            seen.update(self._actionless.within_size(block.tokens))
        for token in self._prefix_tokens(block, total):
            posting = self._postings.get(token)
            if posting is not None:
                seen.update(posting.within_size(block.tokens))
        return self._verify(block, total, seen)

    def _verify(
        self, block: Block, total: int, seen: set[int]
    ) -> tuple[list[int], list[int]]:
        # This loop runs once per candidate pair, so it reads plain lists and
        # inlines both filters, which must stay equal to passes_size_filter
        # and passes_action_filter.
        items = self._action_items(block, add=False)
        size = block.tokens
        sizes, totals, hashes = self._sizes, self._totals, self._hashes
        equal, other = [], []
        for index in seen:
            other_size = sizes[index]
            if other_size < size:
                if other_size < SIZE_RATIO * size:
                    continue
            elif size < SIZE_RATIO * other_size:
                continue
            larger = totals[index] if totals[index] > total else total
            if len(items & self._items[index]) < ACTION_THRESHOLD * larger:
                continue
            if hashes[index] == block.metrics_hash:
                equal.append(index)
            else:
                other.append(index)
        return equal, other

    def score(self, queries: np.ndarray, candidates: Sequence[int]) -> np.ndarray:
        """Return clone probabilities of metric rows against indexed blocks."""
        return self._classifier.predict(queries, self._metrics[list(candidates)])

    @property
    def threshold(self) -> float:
        """Classifier probability at or above which a pair is a clone."""
        return self._classifier.threshold

    def find(self, block: Block) -> list[tuple[int, float]]:
        """Return (index, similarity) of the indexed clones of `block`.

        The similarity is 1.0 for equal metric hashes and the classifier's
        probability otherwise. Results are sorted by index.
        """
        equal, other = self.filtered_candidates(block)
        found = [(index, 1.0) for index in equal]
        if other:
            query = metric_rows([block])
            rows = np.repeat(query, len(other), axis=0)
            probabilities = self.score(rows, other)
            found.extend(
                (index, float(probability))
                for index, probability in zip(other, probabilities, strict=True)
                if probability >= self.threshold
            )
        return sorted(found)


def find_clone_pairs(
    queries: Sequence[Block],
    candidates: Sequence[Block],
    *,
    classifier: CloneClassifier | None = None,
) -> list[ClonePair]:
    """Return every clone pair between two block lists, sorted by indexes.

    A block that is in both lists is reported as its own clone, so callers
    that search one list against itself drop those pairs. `classifier`
    defaults to the committed model.
    """
    index = CloneIndex(candidates, classifier=classifier)
    query_metrics = metric_rows(queries)
    pairs: list[ClonePair] = []
    pending_queries: list[int] = []
    pending_candidates: list[int] = []
    for query_index, block in enumerate(queries):
        equal, other = index.filtered_candidates(block)
        pairs.extend(ClonePair(query_index, i, 1.0) for i in equal)
        pending_queries.extend([query_index] * len(other))
        pending_candidates.extend(other)
        if len(pending_queries) >= SCORE_BATCH:
            pairs.extend(
                _classify(index, query_metrics, pending_queries, pending_candidates)
            )
            pending_queries, pending_candidates = [], []
    pairs.extend(_classify(index, query_metrics, pending_queries, pending_candidates))
    pairs.sort(key=lambda pair: (pair.query, pair.candidate))
    return pairs


def _classify(
    index: CloneIndex,
    query_metrics: np.ndarray,
    query_ids: list[int],
    candidate_ids: list[int],
) -> list[ClonePair]:
    if not query_ids:
        return []
    probabilities = index.score(query_metrics[query_ids], candidate_ids)
    accepted = np.flatnonzero(probabilities >= index.threshold)
    return [
        ClonePair(query_ids[i], candidate_ids[i], float(probabilities[i]))
        for i in accepted
    ]
