"""The clone classifier: a small neural network over two metric vectors.

Inference uses numpy only. The weights live in `model.npz` next to this
module and come from `python manage.py trainclonemodel` (see
`oreo.training`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from oreo.blocks import METRIC_NAMES

DEFAULT_MODEL_PATH = Path(__file__).with_name("model.npz")
FEATURE_COUNT = 2 * len(METRIC_NAMES)


def pair_features(
    left: np.ndarray, right: np.ndarray, *, dtype: type = np.float64
) -> np.ndarray:
    """Compute symmetric features for rows of metric vectors.

    Per metric, the first feature is the difference relative to the sum: 0
    for equal values, near 1 for very different ones. The second is the log
    of the mean, so that the network can accept larger differences in larger
    methods. Swapping `left` and `right` gives the same features.
    """
    # The arrays are copies, so the in-place steps leave the inputs alone.
    left = np.maximum(np.array(left, dtype=dtype), 0.0)
    right = np.maximum(np.array(right, dtype=dtype), 0.0)
    features = np.empty((len(left), 2 * left.shape[1]), dtype=dtype)
    difference = features[:, : left.shape[1]]
    mean = features[:, left.shape[1] :]
    np.subtract(left, right, out=difference)
    np.abs(difference, out=difference)
    np.add(left, right, out=mean)
    difference /= mean + 1.0
    mean *= 0.5
    np.log1p(mean, out=mean)
    return features


@dataclass(frozen=True)
class CloneClassifier:
    """A one-hidden-layer network that scores how likely a pair is a clone."""

    mean: np.ndarray
    scale: np.ndarray
    hidden_weights: np.ndarray
    hidden_bias: np.ndarray
    output_weights: np.ndarray
    output_bias: float
    threshold: float

    def predict(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Return the clone probability of each pair of metric-vector rows."""
        if len(left) == 0:
            return np.zeros(0)
        features = pair_features(left, right, dtype=np.float32)
        weights, bias = self._input_layer
        hidden = features @ weights
        hidden += bias
        np.maximum(hidden, 0.0, out=hidden)
        logits = hidden @ self.output_weights.astype(np.float32) + self.output_bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -40.0, 40.0)))

    @cached_property
    def _input_layer(self) -> tuple[np.ndarray, np.ndarray]:
        # Standardizing the features is folded into the first layer, which
        # saves two passes over every batch.
        weights = self.hidden_weights / self.scale[:, np.newaxis]
        bias = self.hidden_bias - (self.mean / self.scale) @ self.hidden_weights
        return weights.astype(np.float32), bias.astype(np.float32)

    def save(self, path: Path) -> None:
        """Write the weights to an .npz file."""
        np.savez_compressed(
            path,
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            hidden_weights=self.hidden_weights.astype(np.float32),
            hidden_bias=self.hidden_bias.astype(np.float32),
            output_weights=self.output_weights.astype(np.float32),
            output_bias=np.float32(self.output_bias),
            threshold=np.float32(self.threshold),
        )

    @classmethod
    def load(cls, path: Path) -> "CloneClassifier":
        """Read weights written by `save`."""
        try:
            with np.load(path) as data:
                arrays = {name: data[name].astype(np.float64) for name in data.files}
        except FileNotFoundError:
            raise FileNotFoundError(
                f"Clone model {path} not found. Train one with "
                "`python manage.py trainclonemodel PAIRS`."
            ) from None
        return cls(
            mean=arrays["mean"],
            scale=arrays["scale"],
            hidden_weights=arrays["hidden_weights"],
            hidden_bias=arrays["hidden_bias"],
            output_weights=arrays["output_weights"],
            output_bias=float(arrays["output_bias"]),
            threshold=float(arrays["threshold"]),
        )


@lru_cache(maxsize=1)
def default_classifier() -> CloneClassifier:
    """Load the committed model once per process."""
    return CloneClassifier.load(DEFAULT_MODEL_PATH)


def metric_rows(blocks: Sequence) -> np.ndarray:
    """Stack the metric vectors of blocks into a float array."""
    if not blocks:
        return np.zeros((0, len(METRIC_NAMES)))
    return np.array([block.metrics for block in blocks], dtype=np.float64)
