"""The stroke levels on a picture without strokes (an upload, a test image).

* your strokes: its ink components (:func:`core.levels.strokes.picture_values`);
* the edit that flips it: the picture traced into strokes (:func:`core.levels.vectorise.trace`),
  then :func:`core.levels.edits.flip_edit` on the traced drawing. The page shows the traced
  strokes (labelled as traced) and the edit over them; *Apply* makes the traced, edited
  drawing the current drawing.
"""

from __future__ import annotations

from core.inputs.preprocess import ImageInputError
from core.levels.edits import FlipEdit, flip_edit
from core.levels.vectorise import trace


def traced_flip_edit(network, image, question, judge=None) -> tuple[list, FlipEdit]:
    """(the picture's traced strokes, the edit of them that flips the question's answer)."""
    strokes = trace(image)
    if not strokes:
        raise ImageInputError("the picture is blank")
    return strokes, flip_edit(network, strokes, question, judge)
