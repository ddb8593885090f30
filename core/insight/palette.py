"""The colours of every signed map, and the words that name them: one palette for the plots,
the captions, the live canvas, the maps component and the exported PNG and PDF.

A palette is centred at 0: its "for" colour speaks for the question's answer, its "against"
colour against it. A map alone runs through five colours (strong against, light against, a
near-white zero, light for, strong for); drawn over its input, zero is transparent so the input
shows through. The browser repeats two small functions of this module (``scaleColour`` and
``overlayColour`` in ``app/static/live/canvas.js``, ``mapColour`` in ``app/static/maps/maps.js``,
``symmetricLimit`` in canvas.js); ``tests/app/test_palette.py`` holds them equal.

Scales: each map on its own symmetric scale, the 99.5th percentile of its absolute values
(:func:`symmetric_limit`, robust to one outlier pixel), or one fixed scale per network and mode
(``pretrained/<network>/map_scales.json``, see :mod:`core.insight.map_scales`).
"""

from __future__ import annotations

import numpy as np

PALETTES: dict[str, dict] = {
    "red-blue": {
        "label": "Red–blue",
        "for": "red",
        "against": "blue",
        "stops": ((33, 102, 172), (103, 169, 207), (239, 138, 98), (178, 24, 43)),
    },
    # ColorBrewer's PuOr: stays distinct for red-green colour blindness
    "orange-purple": {
        "label": "Orange–purple (colour-blind safe)",
        "for": "orange",
        "against": "purple",
        "stops": ((94, 60, 153), (178, 171, 210), (253, 184, 99), (230, 97, 1)),
    },
}
DEFAULT_PALETTE = "red-blue"
ZERO = (247, 247, 247)  # a map's zero when drawn alone (not over its input)
OVERLAY_ALPHAS = (1.0, 0.85, 0.0, 0.85, 1.0)  # opacity at the five stops, over the input
PERCENTILE = 99.5  # a map's own scale covers this share of its absolute values


def palette(key: str | None) -> dict:
    """The palette called ``key``, or the default one for an unknown or missing key."""
    return PALETTES.get(key or DEFAULT_PALETTE, PALETTES[DEFAULT_PALETTE])


def map_stops(key: str | None = None) -> list[tuple[int, int, int]]:
    """The five colours of a map alone, at 0, 1/4, 1/2, 3/4 and 1 of its range."""
    against, light_against, light_for, strong_for = palette(key)["stops"]
    return [tuple(against), tuple(light_against), ZERO, tuple(light_for), tuple(strong_for)]


def overlay_stops(key: str | None = None) -> list[tuple[int, int, int, float]]:
    """The five RGBA stops of a map over its input: transparent white at zero."""
    against, light_against, light_for, strong_for = palette(key)["stops"]
    colours = [against, light_against, (255, 255, 255), light_for, strong_for]
    return [(*colour, alpha) for colour, alpha in zip(colours, OVERLAY_ALPHAS, strict=True)]


def words(key: str | None = None) -> tuple[str, str]:
    """The palette's words for its two colours: ("red", "blue")."""
    chosen = palette(key)
    return chosen["for"], chosen["against"]


def symmetric_limit(*maps: np.ndarray) -> float:
    """One colour limit symmetric about 0 covering the maps: the 99.5th percentile of their
    absolute values (linear interpolation, numpy's default), 1 when they are all zero."""
    values = np.concatenate([np.abs(np.asarray(m, dtype=np.float64)).ravel() for m in maps])
    limit = float(np.percentile(values, PERCENTILE)) if values.size else 0.0
    return limit if limit > 0 else 1.0


def _position(values: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Each value's segment among the four between the five stops, and its place in it."""
    t = np.clip((np.asarray(values, np.float64) / limit + 1) / 2, 0, 1) * 4
    index = np.minimum(3, np.floor(t)).astype(np.int64)
    return index, t - index


def map_rgb(values: np.ndarray, limit: float | None = None, key: str | None = None) -> np.ndarray:
    """A map alone as RGB uint8 (``[..., 3]``): linear between the five stops, as plotly and the
    maps component draw it."""
    limit = limit or symmetric_limit(values)
    stops = np.asarray(map_stops(key), np.float64)
    index, fraction = _position(values, limit)
    low, high = stops[index], stops[index + 1]
    return np.round(low + (high - low) * fraction[..., None]).astype(np.uint8)


def overlay_rgba(values: np.ndarray, limit: float, key: str | None = None) -> np.ndarray:
    """A map's colours over its input, RGBA float (alpha 0-1), interpolated in RGBA as the live
    canvas and plotly do."""
    stops = np.asarray(overlay_stops(key), np.float64)
    index, fraction = _position(values, limit)
    low, high = stops[index], stops[index + 1]
    return low + (high - low) * fraction[..., None]


def overlay_rgb(
    image: np.ndarray, values: np.ndarray, limit: float | None = None, key: str | None = None
) -> np.ndarray:
    """A map laid over its grey input (uint8 ``[28, 28]``) as RGB uint8, as the live canvas
    paints its map panel: zero shows the input, strong values their colour."""
    limit = limit or symmetric_limit(values)
    rgba = overlay_rgba(values, limit, key)
    grey = np.asarray(image, np.float64)[..., None]
    alpha = rgba[..., 3:]
    return np.round(grey * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8)
