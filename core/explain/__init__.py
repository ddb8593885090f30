"""Explanation methods, one call for all: ``method(model, images, target=None, **options)``.

Every method returns float32 maps shaped like the images, ``[n, 28, 28]``. :data:`METHODS`
maps each method's name to its callable; the dashboard builds its menus from it.
"""

from __future__ import annotations

from .modulex_rule import MODE_DESCRIPTIONS, MODES, modulex, predict_and_explain

METHODS = {
    "modulex": modulex,
}

__all__ = ["METHODS", "MODES", "MODE_DESCRIPTIONS", "modulex", "predict_and_explain"]
