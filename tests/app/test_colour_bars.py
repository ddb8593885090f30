"""Colour bars of multi-map figures: read from the plotly layout, no two label boxes overlap.

Boxes are computed in pixels of a figure ``WIDTH`` wide (the main column at 1280x720) from
each bar's x / y / len / thickness in paper coordinates, its padding and its tick labels
(estimated from the label text and font size), and from the subplot titles.
"""

from __future__ import annotations

import numpy as np
import pytest

from app import plots

WIDTH = 1200
CHAR_WIDTH = 0.62  # of the font size, a generous average for digits and signs


def _maps(count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    # Scales from 1e-4 to 40 so the tick labels are long and differ between panels.
    return [rng.normal(0, 1, (28, 28)) * 10.0 ** rng.uniform(-4, 1.6) for _ in range(count)]


def _plot_area(layout: dict) -> tuple[float, float, float, float]:
    margin = layout["margin"]
    left, top = margin["l"], margin["t"]
    return left, top, WIDTH - margin["l"] - margin["r"], layout["height"] - top - margin["b"]


def _to_px(layout, x, y):
    left, top, width, height = _plot_area(layout)
    return left + x * width, top + (1 - y) * height


def _bar_box(layout: dict, bar: dict) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in px of a bar with its tick labels (and title)."""
    _, _, plot_w, plot_h = _plot_area(layout)
    font = bar["tickfont"]["size"]
    label_w = max(len(text) for text in bar["ticktext"]) * CHAR_WIDTH * font
    label_h = 1.3 * font
    anchor_x, anchor_y = _to_px(layout, bar["x"], bar["y"])
    if bar.get("orientation") == "h":
        length = bar["len"] * plot_w
        assert bar["xanchor"] == "center" and bar["yanchor"] == "top"
        left = anchor_x - length / 2 - label_w / 2
        top = anchor_y
        bottom = top + bar.get("ypad", 10) + bar["thickness"] + bar.get("ticklen", 5) + label_h
        return left, top, left + length + label_w, bottom
    length = bar["len"] * plot_h
    assert bar["xanchor"] == "left" and bar["yanchor"] == "middle"
    left = anchor_x
    title = 1.3 * bar["title"]["font"]["size"] if bar.get("title") else 0
    right = left + bar.get("xpad", 10) + bar["thickness"] + 5 + label_w + title
    return left, anchor_y - length / 2 - label_h / 2, right, anchor_y + length / 2 + label_h / 2


def _title_boxes(layout: dict) -> list[tuple[float, float, float, float]]:
    boxes = []
    for note in layout.get("annotations", []):
        x, y = _to_px(layout, note["x"], note["y"])
        size = note["font"]["size"]
        lines = note["text"].split("<br>")
        width = max(map(len, lines)) * CHAR_WIDTH * size
        boxes.append((x - width / 2, y - 1.3 * size * len(lines), x + width / 2, y))
    return boxes


def _panel_boxes(layout: dict) -> list[tuple[float, float, float, float]]:
    boxes = []
    for key, axis in layout.items():
        if key.startswith("xaxis"):
            y_axis = layout["yaxis" + key[5:]]
            left, top = _to_px(layout, axis["domain"][0], y_axis["domain"][1])
            right, bottom = _to_px(layout, axis["domain"][1], y_axis["domain"][0])
            boxes.append((left, top, right, bottom))
    return boxes


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _bars(figure) -> list[dict]:
    return [
        trace["colorbar"]
        for trace in figure.to_plotly_json()["data"]
        if trace.get("showscale") and "colorbar" in trace
    ]


def _check(figure, count: int, shared: bool) -> None:
    layout = figure.to_plotly_json()["layout"]
    bars = _bars(figure)
    assert len(bars) == (1 if shared else count)
    boxes = [_bar_box(layout, bar) for bar in bars]
    titles = _title_boxes(layout)
    for i, title in enumerate(titles):
        assert title[1] >= 0, "a title runs off the top"
        for other in titles[i + 1 :]:
            assert not _overlap(title, other), (title, other)
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not _overlap(first, second), (first, second)
        for title in _title_boxes(layout):
            assert not _overlap(first, title), (first, title)
        for panel in _panel_boxes(layout):
            assert not _overlap(first, panel), (first, panel)
        assert first[3] <= layout["height"] + 1, "a bar runs off the bottom of the figure"
        assert first[2] <= WIDTH + 1, "a bar runs off the right of the figure"


@pytest.mark.parametrize("count", [2, 4, 5, 11])
@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("presenter", [1.0, 1.4])
def test_no_two_colour_bar_label_boxes_overlap(count, shared, presenter):
    plots.set_scale_source(lambda: presenter)
    try:
        titles = [f"method number {i}" for i in range(count)]
        maps = _maps(count)
        figure = plots.maps_figure(
            maps, titles, height=300, shared_scale=shared, images=[maps[0] > 0] * count
        )
        _check(figure, count, shared)
    finally:
        plots.set_scale_source(lambda: 1.0)


def test_per_panel_bars_sit_under_their_own_panel():
    figure = plots.maps_figure(_maps(5), list("abcde"), shared_scale=False)
    layout = figure.to_plotly_json()["layout"]
    panels = sorted(_panel_boxes(layout))
    for bar, panel in zip(sorted(_bar_box(layout, b) for b in _bars(figure)), panels, strict=True):
        centre = (bar[0] + bar[2]) / 2
        assert panel[0] < centre < panel[2]
        assert 0 <= bar[1] - panel[3] < 5


def test_eleven_maps_wrap_into_rows_and_stay_large():
    figure = plots.maps_figure(_maps(11), [str(i) for i in range(11)], height=300)
    layout = figure.to_plotly_json()["layout"]
    rows = {round(box[1]) for box in _panel_boxes(layout)}
    assert len(rows) == 2
    smallest = min(min(b[2] - b[0], b[3] - b[1]) for b in _panel_boxes(layout))
    assert smallest > 150


def test_tick_labels_are_plain_numbers_and_hover_shows_value_and_scale():
    maps = [np.full((28, 28), 4e-4), np.full((28, 28), -40.0)]
    figure = plots.maps_figure(maps, ["small", "large"], shared_scale=False)
    labels = [text for bar in _bars(figure) for text in bar["ticktext"]]
    assert "0.0004" in labels and "40" in labels and "-40" in labels
    assert not any("μ" in text or "k" in text for text in labels)
    for trace in figure.data:
        if trace.showscale:
            assert "%{z" in trace.hovertemplate and "colour scale ±" in trace.hovertemplate


def test_plain_number():
    assert plots.plain_number(0.00041) == "0.00041"
    assert plots.plain_number(12.34) == "12"
    assert plots.plain_number(-1.26) == "-1.3"  # two significant digits
    assert plots.plain_number(-1.25) == f"{-1.25:.1f}"  # a tie rounds as Python formats it
    assert plots.plain_number(3.5e-6) == "3.5e-6"
    assert plots.plain_number(0) == "0"


def test_a_fixed_limit_holds_the_scale_whatever_the_map():
    quiet, loud = np.full((28, 28), 0.2), np.full((28, 28), 40.0)
    for importance in (quiet, loud):
        figure = plots.maps_figure([importance], ["map"], limit=5.0)
        heatmap = figure.data[-1]
        assert (heatmap.zmin, heatmap.zmax) == (-5.0, 5.0)


def test_the_colour_blind_palette_changes_every_map_scale():
    plots.set_palette_source(lambda: "orange-purple")
    try:
        figure = plots.maps_figure([np.eye(28)], ["map"])
        assert "230,97,1" in str(figure.data[-1].colorscale)
    finally:
        plots.set_palette_source(lambda: plots.DEFAULT_PALETTE)
    assert "178,24,43" in str(plots.maps_figure([np.eye(28)], ["map"]).data[-1].colorscale)
