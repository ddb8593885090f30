"""Explanation methods, one call for all: ``method(model, images, target=None, **options)``.

Every method returns float32 maps shaped like the images, ``[n, 28, 28]``. :data:`METHODS`
maps each method's name to its callable; the dashboard builds its menus from it.
"""

from __future__ import annotations

from .gradcam import gradcam
from .modulex_layers import modulex, predict_and_explain  # Dense stacks keep modulex_rule's numpy path
from .modulex_rule import MODE_DESCRIPTIONS, MODES

METHODS = {
    "modulex": modulex,
}

CONV_METHODS = {
    "gradcam": gradcam,
}
"""Methods that need a convolutional layer (kept out of :data:`METHODS`, which every model takes)."""

__all__ = ["CONV_METHODS", "METHODS", "MODES", "MODE_DESCRIPTIONS", "gradcam", "modulex", "predict_and_explain"]
