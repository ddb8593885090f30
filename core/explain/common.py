"""What every explanation method shares: the explained score, targets, batching and rows.

Each method explains one scalar per image, ``score(x) = sum_c s_c * f_c(x)``, where ``f`` is
the network's probability vector (``output="probability"``, the default) or its pre-softmax
scores (``output="logit"``), and the *selector* ``s`` is the target's one-hot row, minus the
contrast class's one-hot row when one is given ("why A and not B").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core.explain.backends import Engine, engine_for
from core.explain.targets import resolve_contrast, resolve_targets
from core.inputs.preprocess import to_model_input
from core.types import TargetLike

OUTPUTS = ("probability", "logit")
DEFAULT_BATCH_SIZE = 256
"""Rows (images, or perturbed copies of images) run through the network at once."""


@dataclass(frozen=True)
class Request:
    """A method's inputs after checking: flat float32 images, engine, targets and selector."""

    x: np.ndarray  # [n, features] float32 in [0, 1]
    shape: tuple[int, ...]  # the images' shape, e.g. (n, 28, 28)
    engine: Engine
    targets: np.ndarray  # int64 [n]
    selector: np.ndarray  # float32 [n, classes]
    output: str

    @property
    def n(self) -> int:
        return len(self.x)

    def scores(self, flat: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """The explained score of flat inputs; ``rows`` says which image each input row copies."""
        selector = self.selector if rows is None else self.selector[rows]
        return np.einsum("nc,nc->n", self.engine.outputs(flat, self.output), selector)

    def gradients(
        self, flat: np.ndarray, rows: np.ndarray | None = None, relu_rule: str = "gradient"
    ) -> np.ndarray:
        """Input gradients of the explained score (``relu_rule`` as in :meth:`Engine.gradient`)."""
        selector = self.selector if rows is None else self.selector[rows]
        return self.engine.gradient(flat, selector, self.output, relu_rule)

    def to_maps(self, flat: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(flat, dtype=np.float32).reshape(self.shape)


def prepare(
    model,
    images,
    target: TargetLike = None,
    contrast: TargetLike = None,
    output: str = "probability",
    engine: str = "auto",
) -> Request:
    """Check a method's arguments and resolve them (one forward pass for the default targets).

    ``contrast=None`` explains the target alone; ``contrast="other"`` on a two-class model
    contrasts with the other class; ints (one, or one per image) name the contrasted class.
    """
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, not {output!r}")
    images = to_model_input(images)
    n = len(images)
    runner = engine_for(model, engine)
    x = images.reshape(n, -1)
    n_classes = runner.n_classes
    predicted = (
        runner.outputs(x, "logit").argmax(axis=1) if target is None and n else np.zeros(n, np.int64)
    )
    targets = resolve_targets(target, n, n_classes, predicted)
    selector = np.zeros((n, n_classes), np.float32)
    selector[np.arange(n), targets] = 1.0
    if contrast is not None:
        others = resolve_contrast(
            None if isinstance(contrast, str) and contrast == "other" else contrast,
            targets,
            n_classes,
        )
        selector[np.arange(n), others] -= 1.0
    return Request(x, images.shape, runner, targets, selector, output)


def check_batch_size(batch_size: int) -> int:
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return int(batch_size)


def flat_baseline(baseline: float | np.ndarray, features: int) -> np.ndarray:
    """A baseline (one value, or an image) as one flat float32 row of ``features`` pixels."""
    return np.broadcast_to(np.asarray(baseline, np.float32).reshape(-1), (features,))


def row_chunks(
    n_images: int, per_image: int, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Chunks of ``(image index, copy index)`` rows, image-major, at most ``batch_size`` rows each.

    A method that runs ``per_image`` copies of every image (IG steps, SmoothGrad samples,
    occlusion patches...) builds only one chunk at a time, so memory stays bounded by
    ``batch_size`` whatever ``per_image`` is.
    """
    batch_size = check_batch_size(batch_size)
    total = n_images * per_image
    for start in range(0, total, batch_size):
        flat = np.arange(start, min(start + batch_size, total))
        yield flat // per_image, flat % per_image


def sum_per_image(values: np.ndarray, images: np.ndarray, out: np.ndarray) -> None:
    """``out[i] += sum of values[rows of image i]`` for image-major rows.

    The rows of one image are consecutive, as :func:`row_chunks` gives them.
    """
    starts = np.flatnonzero(np.r_[True, images[1:] != images[:-1]])
    out[images[starts]] += np.add.reduceat(values, starts, axis=0)
