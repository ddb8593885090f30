"""Turning a user's ``target`` / ``contrast`` argument into one class index per image."""

from __future__ import annotations

import numpy as np

from core.types import TargetLike


def resolve_targets(
    target: TargetLike, n: int, n_classes: int, predicted: np.ndarray
) -> np.ndarray:
    """One class index per image (int64 ``[n]``); ``None`` means the predicted class."""
    if target is None:
        return np.asarray(predicted, dtype=np.int64)
    array = np.asarray(target)
    if array.ndim == 2 and array.shape == (n, n_classes):
        array = array.argmax(axis=1)
    if array.ndim == 0:
        array = np.full(n, array)
    if array.shape != (n,):
        raise ValueError(
            f"target must be an int, {n} ints or one-hot rows [{n}, {n_classes}]; "
            f"got shape {array.shape}"
        )
    if not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.mod(array, 1) == 0):
            raise ValueError(f"target must hold class indices, got {array.dtype} values")
    array = array.astype(np.int64)
    if n and (array.min() < 0 or array.max() >= n_classes):
        raise ValueError(
            f"target classes must lie in 0..{n_classes - 1}, got {array.min()}..{array.max()}"
        )
    return array


def resolve_contrast(contrast: TargetLike, targets: np.ndarray, n_classes: int) -> np.ndarray:
    """The class each target is contrasted with; a two-class model defaults to the other one."""
    if contrast is None:
        if n_classes != 2:
            raise ValueError(
                f"contrast mode on a {n_classes}-class model needs contrast= "
                "(the class to argue against)"
            )
        return 1 - targets
    return resolve_targets(contrast, len(targets), n_classes, targets)
