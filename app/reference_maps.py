"""Fixed maps drawn by the project's small maps component (``app/static/maps/maps.js``), not
plotly: the pair's global maps beside the live canvas. Plotly's front end (~4.7 MB) would be
evaluated before the canvas could start, ~1 s of every cold start of Draw & explain; these maps
keep the same colours, symmetric scale, plain tick labels and a value on hover."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import streamlit as st

from app import plots

STATIC = Path(__file__).resolve().parent / "static" / "maps"


@cache
def _component():
    return st.components.v2.component(
        "modulex_reference_maps",
        js=(STATIC / "maps.js").read_text(encoding="utf-8"),
        css=(STATIC / "maps.css").read_text(encoding="utf-8"),
    )


def stops() -> list[list[int]]:
    """The five colours of plotly's scale for a map alone (:func:`app.plots.map_stops`)."""
    return [list(stop) for stop in plots.map_stops()]


def config(maps: list[np.ndarray], titles: list[str], limit: float | None = None) -> dict:
    """What the component paints: each map's 784 values, one symmetric limit for all (the
    given one, or the 99.5th percentile of every map's absolute values, as plotly's panels)
    and its tick labels."""
    shared = float(limit or plots.symmetric_limit(*maps))
    ticks = [-shared, -shared / 2, 0.0, shared / 2, shared]
    return {
        "maps": [
            {"title": title, "values": [float(f"{v:.5g}") for v in np.ravel(m)]}
            for m, title in zip(maps, titles, strict=True)
        ],
        "limit": shared,
        "ticks": [plots.plain_number(t) for t in ticks],
        "stops": stops(),
    }


def show(key: str, maps: list[np.ndarray], titles: list[str], limit: float | None = None) -> None:
    # one JSON string, as app/live_canvas.py sends its settings (no data-frame scan)
    _component()(key=key, data={"config": json.dumps(config(maps, titles, limit))})
