"""Plotly figures of the dashboard. Pure functions: arrays in, figures out (no Streamlit).

Colour bars follow one design in every multi-map figure: maps on one scale share one bar at
the right; maps on their own scales each get a short horizontal bar right under their panel,
and the rows are spaced (in pixels) so that no bar, tick label or title runs into another.
Tick labels are plain numbers (no SI suffixes such as "400μ"); every map's hover shows its
value and its scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# The palettes and the scale rule are core's (core/insight/palette.py): one source for the
# plots, the captions, the live canvas, the maps component and the exports.
from core.insight.palette import (  # noqa: E402, F401
    DEFAULT_PALETTE,
    PALETTES,
    symmetric_limit,  # noqa: E402, F401
)
from core.insight.palette import map_stops as _map_stops  # noqa: E402
from core.insight.palette import overlay_stops as _overlay_stops  # noqa: E402

GRAY_SCALE = [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]]
FONT_SIZE = 14
MAX_COLUMNS = 6  # more maps than this wrap into rows
BAR_THICKNESS = 8  # px, the per-panel bars
SHARED_BAR_THICKNESS = 12
REFERENCE_WIDTH = 1200  # px, the main column at 1280x720: titles are wrapped to fit it
SHARED_BAR_MARGIN = 95  # px right of the plot for the shared bar, its labels and title


def _default_scale() -> float:
    return 1.0


def _default_palette() -> str:
    return DEFAULT_PALETTE


_scale_source: Callable[[], float] = _default_scale
_palette_source: Callable[[], str] = _default_palette


def set_scale_source(source: Callable[[], float]) -> None:
    """Where figures read their size factor from when they are built (presenter view: > 1).

    The dashboard passes a function reading the current session's state, so each session,
    and each fragment rerun within it, gets its own scale.
    """
    global _scale_source
    _scale_source = source


def set_palette_source(source: Callable[[], str]) -> None:
    """Where figures read the session's diverging palette (a key of :data:`PALETTES`) from."""
    global _palette_source
    _palette_source = source


def scale() -> float:
    return float(_scale_source())


def palette() -> dict:
    return PALETTES.get(_palette_source(), PALETTES[DEFAULT_PALETTE])


def overlay_scale(key: str | None = None) -> list:
    """The palette for a map drawn over its input: transparent at 0 (plotly's colour scale)."""
    stops = _overlay_stops(key or _palette_source())
    return [
        [i / (len(stops) - 1), "rgba({},{},{},{})".format(*stop[:3], _alpha(stop[3]))]
        for i, stop in enumerate(stops)
    ]


def _alpha(value: float) -> str:
    return f"{value:g}"


def map_stops(key: str | None = None) -> list[tuple[int, int, int]]:
    """The five colours of a map alone, at 0, 1/4, 1/2, 3/4 and 1 of its range."""
    return _map_stops(key or _palette_source())


def map_scale(key: str | None = None) -> list:
    """The palette for a map alone (plotly's colour scale of :func:`map_stops`)."""
    stops = map_stops(key)
    return [[i / (len(stops) - 1), "rgb({},{},{})".format(*stop)] for i, stop in enumerate(stops)]


def plain_number(value: float) -> str:
    """A short tick label without SI suffixes: 0.0004, 12, 3.5e-06."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if 1e-4 <= magnitude < 1e5:
        digits = max(0, 1 - math.floor(math.log10(magnitude)))
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return f"{value:.1e}".replace("e-0", "e-").replace("e+0", "e")


def _sized(figure: go.Figure, height: int, font_size: int = FONT_SIZE, **layout) -> go.Figure:
    """Apply the session's scale to a figure's height and fonts (subplot titles included)."""
    scale = float(_scale_source())
    figure.update_layout(
        height=round(height * scale), font=dict(size=round(font_size * scale)), **layout
    )
    figure.update_annotations(font_size=round(font_size * scale))
    return figure


def _square_axes(figure: go.Figure, rows: int = 1, columns: int = 1) -> None:
    for index in range(1, rows * columns + 1):
        suffix = "" if index == 1 else str(index)
        figure.update_layout(
            {
                f"xaxis{suffix}": dict(
                    showticklabels=False,
                    showgrid=False,
                    zeroline=False,
                    constrain="domain",
                    scaleanchor=f"y{suffix}",
                ),
                f"yaxis{suffix}": dict(
                    showticklabels=False,
                    showgrid=False,
                    zeroline=False,
                    autorange="reversed",
                    constrain="domain",
                ),
            }
        )


def shared_colorbar(limit: float, font_size: int, thickness: int = SHARED_BAR_THICKNESS) -> dict:
    """One bar at the right of the whole figure, for maps drawn on one scale."""
    ticks = [-limit, -limit / 2, 0.0, limit / 2, limit]
    return dict(
        title=dict(text="importance", side="right", font=dict(size=font_size)),
        x=1.0,
        xanchor="left",
        xref="paper",
        xpad=8,
        y=0.5,
        yanchor="middle",
        yref="paper",
        len=1.0,
        lenmode="fraction",
        thickness=thickness,
        tickvals=ticks,
        ticktext=[plain_number(t) for t in ticks],
        tickfont=dict(size=font_size),
        outlinewidth=0,
    )


def panel_colorbar(
    x_domain,
    y_domain,
    limit: float,
    font_size: int,
    thickness: int = BAR_THICKNESS,
    longest: float = 1.0,
) -> dict:
    """A short horizontal bar right under one panel, for a map on its own scale: 70% of the
    panel's domain wide, at most ``longest`` (a fraction of the plot's width)."""
    width = min(x_domain[1] - x_domain[0], longest / 0.7)
    ticks = [-limit, 0.0, limit]
    return dict(
        orientation="h",
        x=(x_domain[0] + x_domain[1]) / 2,
        xanchor="center",
        xref="paper",
        y=y_domain[0],
        yanchor="top",
        yref="paper",
        ypad=2,
        xpad=0,
        len=0.7 * width,
        lenmode="fraction",
        thickness=thickness,
        tickvals=ticks,
        ticktext=[plain_number(t) for t in ticks],
        tickfont=dict(size=font_size),
        ticks="outside",
        ticklen=3,
        outlinewidth=0,
    )


def gray_image_trace(image: np.ndarray, hovertemplate: str | None = None) -> go.Heatmap:
    """The 28x28 input in gray (0 black, 255 white), no colour bar; no hover unless a
    ``hovertemplate`` is given."""
    hover = {"hovertemplate": hovertemplate} if hovertemplate else {"hoverinfo": "skip"}
    return go.Heatmap(
        z=np.asarray(image, float),
        colorscale=GRAY_SCALE,
        zmin=0,
        zmax=255,
        showscale=False,
        **hover,
    )


def overlay_traces(
    image: np.ndarray | None,
    importance: np.ndarray,
    limit: float,
    show_scale: bool = True,
    colorbar: dict | None = None,
) -> list[go.Heatmap]:
    """The input in gray with the signed map on top (transparent at 0); the hover shows the
    value, the pixel and the colour scale."""
    traces = []
    if image is not None:
        traces.append(gray_image_trace(image))
    pixel = np.asarray(image if image is not None else np.zeros_like(importance), float)
    traces.append(
        go.Heatmap(
            z=np.asarray(importance, float),
            customdata=pixel,
            colorscale=overlay_scale() if image is not None else map_scale(),
            zmid=0,
            zmin=-limit,
            zmax=limit,
            showscale=show_scale,
            colorbar=colorbar if colorbar is not None else shared_colorbar(limit, FONT_SIZE),
            hovertemplate=_hover(limit, image is not None),
        )
    )
    return traces


def _hover(limit: float, with_pixel: bool) -> str:
    pixel = "<br>pixel %{customdata:.0f}" if with_pixel else ""
    return (
        "row %{y}, column %{x}<br>importance %{z:.3~g}"
        + pixel
        + f"<br>colour scale ±{plain_number(limit)}<extra></extra>"
    )


def update_explanation_figure(
    figure: go.Figure, image: np.ndarray, importance: np.ndarray, limit: float | None = None
) -> go.Figure:
    """Put a new input and map into a figure made by :func:`explanation_figure`, in place.

    Building a plotly figure costs ~45 ms (validation); changing three arrays costs ~1 ms,
    which matters on every stroke. ``limit`` fixes the colour scale (e.g. per network).
    """
    limit = limit or symmetric_limit(importance)
    pixels = np.asarray(image, float)
    font = round(FONT_SIZE * scale())
    with figure.batch_update():
        figure.data[0].z = pixels
        figure.data[1].z = pixels
        figure.data[2].update(
            z=np.asarray(importance, float),
            customdata=pixels,
            zmin=-limit,
            zmax=limit,
            colorbar=shared_colorbar(limit, font),
            hovertemplate=_hover(limit, True),
        )
    return figure


def explanation_figure(
    image: np.ndarray, importance: np.ndarray, height: int = 330, limit: float | None = None
) -> go.Figure:
    """One figure, two panels: the 28x28 input and the map over it (one render per stroke)."""
    figure = make_subplots(
        rows=1, cols=2, subplot_titles=("input (28x28)", "importance"), horizontal_spacing=0.06
    )
    figure.add_trace(
        gray_image_trace(image, "row %{y}, column %{x}<br>pixel %{z:.0f}<extra></extra>"),
        row=1,
        col=1,
    )
    limit = limit or symmetric_limit(importance)
    font = round(FONT_SIZE * scale())
    for trace in overlay_traces(image, importance, limit, colorbar=shared_colorbar(limit, font)):
        figure.add_trace(trace, row=1, col=2)
    _square_axes(figure, 1, 2)
    return _sized(figure, height, margin=dict(l=5, r=SHARED_BAR_MARGIN, t=30, b=5))


def wrap_title(title: str, width_px: float, font_size: int) -> str:
    """Break a subplot title into lines (``<br>``) that fit a panel ``width_px`` wide."""
    most = max(8, int(width_px / (0.65 * font_size)))
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def grid_shape(count: int, vertical: bool = False, columns: int | None = None) -> tuple[int, int]:
    """Rows and columns for ``count`` panels: one row up to :data:`MAX_COLUMNS`, then rows
    of (nearly) equal length."""
    if vertical:
        return count, 1
    if columns is None:
        rows = max(1, math.ceil(count / MAX_COLUMNS))
        columns = math.ceil(count / rows)
    columns = max(1, min(columns, count))
    return math.ceil(count / columns), columns


def maps_figure(
    maps: list[np.ndarray],
    titles: list[str],
    height: int = 300,
    shared_scale: bool = True,
    images: list | None = None,
    vertical: bool = False,
    limit: float | None = None,
    columns: int | None = None,
) -> go.Figure:
    """Importance maps side by side (wrapping into rows past :data:`MAX_COLUMNS`, or stacked).

    ``shared_scale``: one symmetric scale (``limit``, or one covering every map) and one bar
    at the right, so the maps compare; otherwise each map has its own scale and its own bar
    under its panel. ``height`` is one row's height (the whole figure's when ``vertical``).
    """
    count = len(maps)
    rows, columns = grid_shape(count, vertical, columns)
    size = scale()
    font, tick_font = round(FONT_SIZE * size), round(FONT_SIZE * 0.85 * size)
    per_panel = not shared_scale
    side_px = round(tick_font * 2.5) if per_panel else round(SHARED_BAR_MARGIN * size)
    panel_width_px = (REFERENCE_WIDTH - side_px - 5) / columns * 0.8
    titles = [wrap_title(title, panel_width_px, font) for title in titles]
    lines = max((title.count("<br>") + 1 for title in titles), default=1)
    title_px = round(font * (1.3 * lines + 0.3))
    thickness = round(BAR_THICKNESS * size)
    bar_px = thickness + 2 + 3 + round(tick_font * 1.5) + 4 if per_panel else 0
    row_px = round(height * size / (rows if vertical else 1))
    panel_px = max(40, row_px - title_px - bar_px - 10)
    gap_px = bar_px + title_px + 8
    plot_px = rows * panel_px + (rows - 1) * gap_px
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        horizontal_spacing=0.04 if columns < 5 else 0.03,
        vertical_spacing=gap_px / plot_px if rows > 1 else 0.0,
    )
    common = limit or symmetric_limit(*maps)
    for index, importance in enumerate(maps):
        row, column = index // columns + 1, index % columns + 1
        own_limit = common if shared_scale else (limit or symmetric_limit(importance))
        if per_panel:
            axis = figure.get_subplot(row, column)
            bar = panel_colorbar(
                axis.xaxis.domain,
                axis.yaxis.domain,
                own_limit,
                tick_font,
                thickness,
                longest=panel_px / (REFERENCE_WIDTH - 2 * side_px),
            )
        else:
            bar = shared_colorbar(own_limit, tick_font, round(SHARED_BAR_THICKNESS * size))
        image = images[index] if images is not None else None
        traces = overlay_traces(
            image,
            importance,
            own_limit,
            show_scale=per_panel or index == count - 1,
            colorbar=bar,
        )
        for trace in traces:
            figure.add_trace(trace, row=row, col=column)
    _square_axes(figure, rows, columns)
    top, bottom = title_px + 2, (bar_px + 6) if per_panel else round(tick_font * 0.8) + 4
    figure.update_layout(
        height=plot_px + top + bottom,
        font=dict(size=font),
        margin=dict(l=side_px if per_panel else 5, r=side_px, t=top, b=bottom),
    )
    figure.update_annotations(font_size=font)
    return figure


def history_figure(history: dict, height: int = 360) -> go.Figure:
    """Per-batch training loss and accuracy, with per-epoch validation points."""
    batches, epochs = history["batch"], history["epoch"]
    steps_per_epoch = max(batches["step"]) / max(len(epochs), 1)
    figure = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy"))
    for column, key in ((1, "loss"), (2, "accuracy")):
        figure.add_trace(
            go.Scatter(
                x=batches["step"],
                y=batches[key],
                mode="lines",
                name=f"batch {key}",
                line=dict(width=1, color="#9ecae1"),
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=[e["epoch"] * steps_per_epoch for e in epochs],
                y=[e[key] for e in epochs],
                mode="lines+markers",
                name=f"epoch {key}",
                line=dict(color="#08519c"),
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=[e["epoch"] * steps_per_epoch for e in epochs],
                y=[e[f"val_{key}"] for e in epochs],
                mode="lines+markers",
                name=f"validation {key}",
                line=dict(color="#e6550d"),
            ),
            row=1,
            col=column,
        )
    best = history.get("kept_epoch")
    if best:
        for column in (1, 2):
            figure.add_vline(
                x=best * steps_per_epoch, line_dash="dot", line_color="gray", row=1, col=column
            )
    figure.update_xaxes(title_text="batch")
    return _sized(
        figure, height, margin=dict(l=5, r=5, t=30, b=5), legend=dict(orientation="h", y=-0.25)
    )


def confusion_figure(matrix, labels: list[str], height: int = 320) -> go.Figure:
    matrix = np.asarray(matrix)
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=[f"predicted {label}" for label in labels],
            y=[f"true {label}" for label in labels],
            colorscale="Blues",
            showscale=False,
            text=matrix,
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return _sized(figure, height, font_size=16, margin=dict(l=5, r=5, t=5, b=5))


def roc_figure(
    fpr: np.ndarray, tpr: np.ndarray, auc: float, positive: str, height: int = 320
) -> go.Figure:
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=fpr, y=tpr, mode="lines", name=f"AUC {auc:.3f}", line=dict(color="#b2182b"))
    )
    figure.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(dash="dot", color="gray")
        )
    )
    return _sized(
        figure,
        height,
        xaxis_title=f"false {positive} rate",
        yaxis_title=f"true {positive} rate",
        margin=dict(l=5, r=5, t=5, b=5),
        legend=dict(x=0.55, y=0.1),
    )


def _mosaic(tiles: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """Tiles ``[n, h, w]`` laid out in a grid, separated by NaN (drawn as blank)."""
    n, h, w = tiles.shape
    rows = int(np.ceil(n / columns))
    mosaic = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for index, tile in enumerate(tiles):
        top, left = (index // columns) * (h + gap), (index % columns) * (w + gap)
        mosaic[top : top + h, left : left + w] = tile
    return mosaic


def templates_figure(
    templates: np.ndarray, columns: int = 16, height_per_row: int = 70
) -> go.Figure:
    """First-layer weights as one mosaic, each template on its own symmetric scale (one
    heatmap, cheap to draw)."""
    limits = np.abs(templates).reshape(len(templates), -1).max(axis=1)
    scaled = templates / np.where(limits > 0, limits, 1)[:, None, None]
    columns = min(columns, len(templates))
    gap = 1 if templates.shape[1] > 5 else 0
    mosaic = (
        _mosaic(scaled, columns, gap)
        if gap
        else _mosaic(np.kron(scaled, np.ones((1, 8, 8))), columns, 2)
    )
    figure = go.Figure(
        go.Heatmap(
            z=mosaic,
            colorscale=map_scale(),
            zmid=0,
            zmin=-1,
            zmax=1,
            showscale=False,
            hovertemplate="weight (scaled) %{z:.2f}<extra></extra>",
        )
    )
    _square_axes(figure)
    rows = int(np.ceil(len(templates) / columns))
    return _sized(figure, max(height_per_row * rows, 120) + 20, margin=dict(l=5, r=5, t=5, b=5))


def images_figure(images: list[np.ndarray], titles: list[str], height: int = 150) -> go.Figure:
    """A row of gray 28x28 images with titles."""
    figure = make_subplots(rows=1, cols=len(images), subplot_titles=titles, horizontal_spacing=0.01)
    for index, image in enumerate(images):
        figure.add_trace(gray_image_trace(image), row=1, col=index + 1)
    _square_axes(figure, 1, len(images))
    return _sized(figure, height, font_size=12, margin=dict(l=5, r=5, t=30, b=5))


def embedding_figure(
    points: np.ndarray,
    labels: np.ndarray,
    names: list[str],
    placed: np.ndarray | None = None,
    height: int = 480,
) -> go.Figure:
    """A 2-D map of images coloured by label, with the current drawing as a star."""
    colours = [
        "#2166ac",
        "#b2182b",
        "#1b7837",
        "#762a83",
        "#e08214",
        "#35978f",
        "#c51b7d",
        "#4d4d4d",
    ]
    figure = go.Figure()
    for label, name in enumerate(names):
        chosen = labels == label
        figure.add_trace(
            go.Scattergl(
                x=points[chosen, 0],
                y=points[chosen, 1],
                mode="markers",
                name=name,
                marker=dict(size=5, opacity=0.6, color=colours[label % len(colours)]),
            )
        )
    if placed is not None:
        figure.add_trace(
            go.Scatter(
                x=[placed[0]],
                y=[placed[1]],
                mode="markers",
                name="your drawing",
                marker=dict(
                    symbol="star", size=20, color="gold", line=dict(width=1.5, color="black")
                ),
            )
        )
    figure.update_xaxes(showticklabels=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, zeroline=False, scaleanchor="x")
    return _sized(
        figure, height, margin=dict(l=5, r=5, t=5, b=5), legend=dict(orientation="h", y=-0.05)
    )


def method_curves_figure(
    curves: dict[str, dict],
    labels: dict[str, str] | None = None,
    highlight: str = "modulex",
    floor: str = "random",
    x_title: str = "share of pixels removed",
    y_title: str = "target probability",
    height: int = 360,
) -> go.Figure:
    """One line per method (``{method: {"x": [...], "y": [...]}}``): the highlighted method
    thick, the random floor dashed grey."""
    figure = go.Figure()
    for name, curve in curves.items():
        line = dict(width=4 if name == highlight else 1.5)
        if name == floor:
            line.update(dash="dash", color="gray")
        figure.add_trace(
            go.Scatter(
                x=curve["x"],
                y=curve["y"],
                mode="lines",
                name=(labels or {}).get(name, name),
                line=line,
            )
        )
    return _sized(
        figure, height, xaxis_title=x_title, yaxis_title=y_title, margin=dict(l=5, r=5, t=5, b=5)
    )
