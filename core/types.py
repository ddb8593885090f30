"""Type aliases shared by the explanation methods and metrics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TargetLike = int | Sequence[int] | np.ndarray | None
"""Which class to explain: None (the predicted class), one int for every image, one int per
image, or one-hot rows ``[n, classes]``."""
ContrastLike = TargetLike | str
"""The class argued against: like a target, or ``"other"`` (the other of two classes)."""
