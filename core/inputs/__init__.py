"""Input preparation: pixels -> the 28x28 input the networks take (the canvas path and dataset
arrays in ``preprocess``, uploads in ``uploads``, the browser's 28x28 on the wire in ``wire``,
the constants shared with the browser in ``live_constants``), stroke rendering, and the ready
example drawings.
"""

from __future__ import annotations

from core.inputs.examples import EXAMPLES, Example, by_name, examples_for, render
from core.inputs.preprocess import (
    IMAGE_SIDE,
    ImageInputError,
    canvas_ink,
    canvas_to_input,
    ink_bounding_box,
    ink_to_input,
    to_model_input,
)
from core.inputs.strokes import CANVAS_SIZE, DEFAULT_BRUSH, Stroke, arc, render_strokes
from core.inputs.uploads import image_file_to_input, image_to_png

__all__ = [
    "CANVAS_SIZE",
    "DEFAULT_BRUSH",
    "EXAMPLES",
    "Example",
    "IMAGE_SIDE",
    "ImageInputError",
    "Stroke",
    "arc",
    "by_name",
    "canvas_ink",
    "canvas_to_input",
    "examples_for",
    "image_file_to_input",
    "image_to_png",
    "ink_bounding_box",
    "ink_to_input",
    "render",
    "render_strokes",
    "to_model_input",
]
