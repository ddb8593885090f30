"""Training-time augmentation: small random affine moves and stroke-thickness changes.

Random parameters are drawn with a numpy ``Generator`` (so a seed fixes them); the image
warp runs as one batched TensorFlow op. (A smooth elastic distortion was tried too: it
slowed training and did not raise validation or test accuracy, so it is not offered.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

_SIDE = 28
_CENTRE = (_SIDE - 1) / 2


@dataclass(frozen=True)
class Augmentation:
    """Ranges of the random changes; zeros everywhere means no augmentation."""

    shift: float = 2.0  # pixels, each axis
    rotation: float = 8.0  # degrees
    scale: float = 0.08  # relative, e.g. 0.08 -> 0.92 .. 1.08
    shear: float = 0.05  # tan of the shear angle
    thickness: float = 0.2  # share of images made bolder or thinner

    @property
    def enabled(self) -> bool:
        return any((self.shift, self.rotation, self.scale, self.shear, self.thickness))


def augment(images: np.ndarray, rng: np.random.Generator, settings: Augmentation) -> np.ndarray:
    """Randomly moved copies of float32 images ``[n, 28, 28]`` in [0, 1]."""
    if not settings.enabled or len(images) == 0:
        return images
    n = len(images)
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.constant(images[..., None], dtype=tf.float32),
        transforms=tf.constant(inverse_affine(n, rng, settings)),
        output_shape=tf.constant([_SIDE, _SIDE]),
        fill_value=tf.constant(0.0),
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    ).numpy()[..., 0]
    if settings.thickness:
        warped = _change_thickness(warped, rng.random(n), settings.thickness)
    return np.clip(warped, 0.0, 1.0)


def inverse_affine(n: int, rng: np.random.Generator, s: Augmentation) -> np.ndarray:
    """Per image, the 8 projective coefficients mapping output pixels back to input pixels
    (a random rotation, scale, shear and shift about the image centre)."""
    angle = np.deg2rad(rng.uniform(-s.rotation, s.rotation, n))
    scale = rng.uniform(1 - s.scale, 1 + s.scale, n)
    shear = rng.uniform(-s.shear, s.shear, n)
    shift = rng.uniform(-s.shift, s.shift, (n, 2))
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    a0, a1 = cos, -sin + shear * cos
    b0, b1 = sin, cos + shear * sin
    a2 = _CENTRE - a0 * (_CENTRE + shift[:, 0]) - a1 * (_CENTRE + shift[:, 1])
    b2 = _CENTRE - b0 * (_CENTRE + shift[:, 0]) - b1 * (_CENTRE + shift[:, 1])
    zeros = np.zeros(n)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(np.float32)


def _neighbourhood_max(images: np.ndarray) -> np.ndarray:
    """Maximum over each pixel's 3x3 neighbourhood (zero outside the image)."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    result = padded[:, :-2, :-2].copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(result, padded[:, dy : dy + _SIDE, dx : dx + _SIDE], out=result)
    return result


def _change_thickness(images: np.ndarray, draws: np.ndarray, share: float) -> np.ndarray:
    """Make a random ``share`` of the images bolder or thinner (half each)."""
    bold = draws < share / 2
    thin = (draws >= share / 2) & (draws < share)
    result = images.copy()
    # Half-strength: a full 3x3 dilation is too strong for 2-3 px strokes at 28x28.
    if bold.any():
        result[bold] = 0.5 * (images[bold] + _neighbourhood_max(images[bold]))
    if thin.any():
        result[thin] = 0.5 * (images[thin] - _neighbourhood_max(-images[thin]))
    return result
