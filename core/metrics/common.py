"""What the metrics share: their result, the scored output, rank correlation, the random floor."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.explain.common import DEFAULT_BATCH_SIZE, row_chunks
from core.explain.engine import engine_for
from core.inputs.preprocess import to_model_input
from core.types import TargetLike


@dataclass
class MetricResult:
    """One metric on one method's maps.

    ``summary`` holds the table's numbers (means over images), ``better`` says for each
    whether "higher" or "lower" is better, ``per_image`` the values they average and
    ``curves`` what the pages plot (``{"x": [...], "y": [...]}`` per curve).
    """

    name: str
    summary: dict[str, float]
    better: dict[str, str]
    per_image: dict[str, np.ndarray] = field(default_factory=dict)
    curves: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"summary": self.summary, "better": self.better, "curves": self.curves}


@dataclass(frozen=True)
class Scored:
    """Images, targets and the model's score of them (the target's probability or logit)."""

    x: np.ndarray  # flat float32 [n, features]
    shape: tuple[int, ...]
    targets: np.ndarray
    engine: object
    output: str
    batch_size: int

    @property
    def n(self) -> int:
        return len(self.x)

    def scores(self, flat: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.engine.outputs(flat, self.output)[np.arange(len(rows)), self.targets[rows]]

    def of_copies(self, copies: int, make_rows) -> np.ndarray:
        """Scores ``[n, copies]`` of ``make_rows(images, k)``, built ``batch_size`` rows at a time."""
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
    if targets is None:
        targets = engine.outputs(flat, "logit").argmax(axis=1)
    targets = np.broadcast_to(np.asarray(targets, np.int64), (len(x),))
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
    if given); NaN where one is constant."""
    if mask is None:
        mask = np.ones(a.shape, bool)
    a, b = np.where(mask, a, 0.0), np.where(mask, b, 0.0)
    count = np.maximum(mask.sum(axis=1, keepdims=True), 1)
    a = np.where(mask, a - a.sum(axis=1, keepdims=True) / count, 0.0)
    b = np.where(mask, b - b.sum(axis=1, keepdims=True) / count, 0.0)
    denominator = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            denominator > 0, (a * b).sum(axis=1) / np.where(denominator > 0, denominator, 1), np.nan
        )


def spearman_rows(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Spearman rank correlation, row by row (over the entries ``mask`` keeps, if given)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if mask is not None:  # masked entries rank last (NaN sorts last), so kept ones rank 0..k-1
        a, b = np.where(mask, a, np.nan), np.where(mask, b, np.nan)
    return pearson_rows(average_ranks(a), average_ranks(b), mask)


def mean(values: np.ndarray) -> float:
    """Mean over the images where the value is defined (NaN if it is nowhere)."""
    values = np.asarray(values, np.float64)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def random_map(model, images, target: TargetLike = None, *, seed: int = 0, **_) -> np.ndarray:
    """The floor every method is scored against: uniform noise in [-1, 1], one map per image.

    It ignores the model and the target (so it fails both sanity checks, as it should) and is
    fixed by ``seed``.
    """
    x = to_model_input(images)
    return np.random.default_rng(seed).uniform(-1, 1, x.shape).astype(np.float32)
