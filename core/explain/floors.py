"""Reference maps every method is scored beside, so a reader can tell explanation from noise
and from "where the ink is".

Each takes the one call of every method (:mod:`core.explain.registry`), ``floor(model, images,
target=None, *, contrast=None, output=..., batch_size=...)`` -> float32 ``[n, 28, 28]``, and
ignores the model, the target, the contrast and the output:

* ``random``: seeded uniform noise in [-1, 1] (the chance level of every metric);
* ``input``: the image itself (bright pixels "relevant"), the floor ModuleX most needs, since
  its rule multiplies every layer's input into the map;
* ``edges``: the Sobel gradient magnitude of the image (ink outlines), a classic edge-detector
  map that passes some tests without looking at the model (Adebayo et al. 2018).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.explain.common import DEFAULT_BATCH_SIZE, OUTPUTS, check_batch_size
from core.inputs.preprocess import to_model_input
from core.types import TargetLike


def _checked(output: str, batch_size: int) -> None:
    """The options every floor takes and ignores, checked like a method's."""
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, not {output!r}")
    check_batch_size(batch_size)


def random_map(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed: int = 0,
) -> np.ndarray:
    """Uniform noise in [-1, 1], one map per image, fixed by ``seed``."""
    _checked(output, batch_size)
    x = to_model_input(images)
    return np.random.default_rng(seed).uniform(-1, 1, x.shape).astype(np.float32)


def input_map(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> np.ndarray:
    """The input image used as its own map."""
    _checked(output, batch_size)
    return np.array(to_model_input(images), dtype=np.float32)


def edge_map(
    model,
    images,
    target: TargetLike = None,
    *,
    contrast: TargetLike = None,
    output: str = "probability",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> np.ndarray:
    """Sobel gradient magnitude of the image (zero padding at the border)."""
    _checked(output, batch_size)
    x = np.pad(to_model_input(images), ((0, 0), (1, 1), (1, 1)))

    def window(dy: int, dx: int) -> np.ndarray:
        return x[:, 1 + dy : x.shape[1] - 1 + dy, 1 + dx : x.shape[2] - 1 + dx]

    gx = (window(-1, 1) + 2 * window(0, 1) + window(1, 1)) - (
        window(-1, -1) + 2 * window(0, -1) + window(1, -1)
    )
    gy = (window(1, -1) + 2 * window(1, 0) + window(1, 1)) - (
        window(-1, -1) + 2 * window(-1, 0) + window(-1, 1)
    )
    return np.sqrt(gx * gx + gy * gy).astype(np.float32)


FLOORS: dict[str, Callable[..., np.ndarray]] = {
    "random": random_map,
    "input": input_map,
    "edges": edge_map,
}
"""The reference maps by name (pseudo-methods in every table); their labels are in
:data:`core.explain.registry.METHOD_INFO`."""
