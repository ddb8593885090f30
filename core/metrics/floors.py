"""Reference maps every method is scored beside, so a reader can tell explanation from noise
and from "where the ink is".

Each is called like a method, ``floor(model, images, target=None, **options)`` -> float32
``[n, 28, 28]``, and ignores the model and the target:

* ``random``: seeded uniform noise in [-1, 1] (the chance level of every metric);
* ``input``: the image itself (bright pixels "relevant"), the floor ModuleX most needs, since
  its rule multiplies every layer's input into the map;
* ``edges``: the Sobel gradient magnitude of the image (ink outlines), a classic edge-detector
  map that passes some tests without looking at the model (Adebayo et al. 2018).
"""

from __future__ import annotations

import numpy as np

from core.inputs.preprocess import to_model_input
from core.types import TargetLike


def random_map(model, images, target: TargetLike = None, *, seed: int = 0, **_) -> np.ndarray:
    """Uniform noise in [-1, 1], one map per image, fixed by ``seed``."""
    x = to_model_input(images)
    return np.random.default_rng(seed).uniform(-1, 1, x.shape).astype(np.float32)


def input_map(model, images, target: TargetLike = None, **_) -> np.ndarray:
    """The input image used as its own map."""
    return np.array(to_model_input(images), dtype=np.float32)


def edge_map(model, images, target: TargetLike = None, **_) -> np.ndarray:
    """Sobel gradient magnitude of the image (zero padding at the border)."""
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


FLOORS = {"random": random_map, "input": input_map, "edges": edge_map}
"""The reference maps by name (pseudo-methods in every table)."""

FLOOR_LABELS = {
    "random": "Random map (floor)",
    "input": "Input as map (floor)",
    "edges": "Edge detector (Sobel, floor)",
}
