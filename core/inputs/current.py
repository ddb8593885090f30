"""The current input: one record of what every page explains.

Whatever loads last (the pen, an example, an upload, a test image, an edit, Undo, a link)
replaces the record as a whole, so the canvas, the maps, the sentence, the titles and the
exports can only ever describe one input. ``app/state.py`` keeps the session's record; this
module is plain Python so that core and the tests can build and read records too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.inputs.strokes import PixelStroke

SOURCES = ("none", "pen", "example", "upload", "test", "edited", "undo", "link")


@dataclass(frozen=True, eq=False)
class CurrentInput:
    """One input and everything said about it.

    ``version`` grows with every change; ``load`` only when the server puts the input on the
    canvas (an example, an upload, a test image, an edit, a link, Clear), so the canvas redraws
    from the record then, and never redraws what the pen itself just drew.
    """

    version: int = 0
    load: int = 0
    source: str = "none"
    image: np.ndarray | None = None  # uint8 [28, 28]: what the networks see (None: nothing yet)
    strokes: tuple[PixelStroke, ...] = ()  # a drawing's strokes, in canvas pixels
    picture: np.ndarray | None = None  # uint8 [28, 28] shown on the canvas instead of strokes
    # what the canvas shows of the first ``raster_strokes`` strokes, as a PNG data URL: the
    # server's rendering of strokes it placed (an example, an edit, a link), so the canvas shows
    # exactly the pixels ``image`` was made from; None: the canvas draws every stroke itself
    raster: str | None = None
    raster_strokes: int = 0
    description: str = ""  # what it is, in words ("example drawing “Z”", "test image #85 ...")
    label: str | None = None  # a test image's true character
    link: str | None = None  # how a URL names it (core.inputs.link), None: not linkable
    problem: str | None = None  # why there is no image (a refused drawing or upload)
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return self.image is None

    @property
    def is_drawing(self) -> bool:
        return bool(self.strokes)


NOTHING = CurrentInput()
