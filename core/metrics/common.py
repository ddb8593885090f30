"""What the metrics share: their result, the scored output, and the project's one correlation.

Correlation rule (one for the whole project): Pearson over the kept entries; Spearman is Pearson
of ranks where tied values share their mean rank; NaN where either side is constant (a caller
that wants another value for flat maps says so, e.g. ``np.nan_to_num``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.explain.backends import Engine, engine_for
from core.explain.common import DEFAULT_BATCH_SIZE, row_chunks
from core.explain.targets import resolve_targets
from core.inputs.preprocess import to_model_input


@dataclass
class MetricResult:
    """One metric on one method's maps.

    ``summary`` holds the table's numbers (means over images), ``better`` says for each
    whether "higher" or "lower" is better (the only place that knows it), ``per_image`` the
    values they average and ``curves`` what the pages plot (``{"x": [...], "y": [...]}`` per
    curve).
    """

    name: str
    summary: dict[str, float]
    better: dict[str, str]
    per_image: dict[str, np.ndarray] = field(default_factory=dict)
    curves: dict[str, dict[str, list]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scored:
    """Images, targets and the model's score of them (the target's probability or logit)."""

    x: np.ndarray  # flat float32 [n, features]
    shape: tuple[int, ...]
    targets: np.ndarray
    engine: Engine
    output: str
    batch_size: int

    @property
    def n(self) -> int:
        return len(self.x)

    def scores(self, flat: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.engine.outputs(flat, self.output)[np.arange(len(rows)), self.targets[rows]]

    def of_copies(self, copies: int, make_rows) -> np.ndarray:
        """Scores ``[n, copies]`` of ``make_rows(images, k)``, ``batch_size`` rows at a time."""
        result = np.empty((self.n, copies), np.float32)
        for images, k in row_chunks(self.n, copies, self.batch_size):
            result[images, k] = self.scores(make_rows(images, k), images)
        return result


def scored(
    model, images, targets, output: str = "probability", batch_size: int = DEFAULT_BATCH_SIZE
) -> Scored:
    x = to_model_input(images)
    engine = engine_for(model)
    flat = x.reshape(len(x), -1)
    predicted = (
        engine.outputs(flat, "logit").argmax(axis=1)
        if targets is None
        else np.zeros(len(flat), np.int64)  # unused: the targets are given
    )
    targets = resolve_targets(targets, len(flat), engine.n_classes, predicted)
    return Scored(flat, x.shape, targets, engine, output, int(batch_size))


def flat_maps(maps, n: int) -> np.ndarray:
    maps = np.asarray(maps, np.float32)
    if len(maps) != n:
        raise ValueError(f"{len(maps)} maps for {n} images")
    return maps.reshape(n, -1)


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks within each row, ties sharing their mean rank (what Spearman's correlation needs)."""
    n, m = values.shape
    order = np.argsort(values, axis=1, kind="stable")
    ordered = np.take_along_axis(values, order, axis=1)
    new_run = np.ones((n, m), bool)
    new_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run = np.cumsum(new_run.ravel()) - 1  # one id per run of equal values, across all rows
    position = np.tile(np.arange(m, dtype=np.float64), n)
    mean_position = np.bincount(run, weights=position) / np.bincount(run)
    ranks = np.empty((n, m))
    np.put_along_axis(ranks, order, mean_position[run].reshape(n, m), axis=1)
    return ranks


def pearson_rows(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Pearson correlation of each row of ``a`` with the same row of ``b`` (over ``mask`` only,
    if given); NaN where one is constant. Rows of any shape ``[..., features]``."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    if mask is None:
        mask = np.ones(a.shape, bool)
    count = np.maximum(mask.sum(axis=-1, keepdims=True), 1)
    a, b = np.where(mask, a, 0.0), np.where(mask, b, 0.0)
    a = np.where(mask, a - a.sum(axis=-1, keepdims=True) / count, 0.0)
    b = np.where(mask, b - b.sum(axis=-1, keepdims=True) / count, 0.0)
    denominator = np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))
    flat = ~(denominator > 0)
    return np.where(flat, np.nan, (a * b).sum(axis=-1) / np.where(flat, 1.0, denominator))


def spearman_rows(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Spearman rank correlation, row by row (over the entries ``mask`` keeps, if given)."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    if mask is not None:  # masked entries rank last (NaN sorts last), so kept ones rank 0..k-1
        a, b = np.where(mask, a, np.nan), np.where(mask, b, np.nan)
    shape, features = a.shape[:-1], a.shape[-1]
    if mask is not None:
        mask = np.broadcast_to(mask, a.shape).reshape(-1, features)
    a, b = a.reshape(-1, features), b.reshape(-1, features)
    return pearson_rows(average_ranks(a), average_ranks(b), mask).reshape(shape)


def mean(values: np.ndarray) -> float:
    """Mean over the images where the value is defined (NaN if it is nowhere)."""
    values = np.asarray(values, np.float64)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
