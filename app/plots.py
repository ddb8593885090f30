"""Plotly figures of the dashboard. Pure functions: arrays in, figures out (no Streamlit)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Diverging scale centred at 0: blue speaks against, red speaks for; zero is transparent so
# the input shows through the overlay.
OVERLAY_SCALE = [
    [0.0, "rgba(33,102,172,1)"],
    [0.25, "rgba(103,169,207,0.85)"],
    [0.5, "rgba(255,255,255,0)"],
    [0.75, "rgba(239,138,98,0.85)"],
    [1.0, "rgba(178,24,43,1)"],
]
MAP_SCALE = "RdBu_r"
GRAY_SCALE = [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]]
FONT_SIZE = 14
_scale_source: Callable[[], float] = lambda: 1.0  # noqa: E731


def set_scale_source(source: Callable[[], float]) -> None:
    """Where figures read their size factor from when they are built (presenter view: > 1).

    The dashboard passes a function reading the current session's state, so each session,
    and each fragment rerun within it, gets its own scale.
    """
    global _scale_source
    _scale_source = source


def scale() -> float:
    return float(_scale_source())


def _sized(figure: go.Figure, height: int, font_size: int = FONT_SIZE, **layout) -> go.Figure:
    """Apply the session's scale to a figure's height and fonts (subplot titles included)."""
    scale = float(_scale_source())
    figure.update_layout(
        height=round(height * scale), font=dict(size=round(font_size * scale)), **layout
    )
    figure.update_annotations(font_size=round(font_size * scale))
    return figure


def symmetric_limit(*arrays: np.ndarray) -> float:
    """A colour range symmetric about 0 covering the arrays (robust to a single outlier)."""
    values = np.concatenate([np.abs(np.asarray(a, dtype=np.float64)).ravel() for a in arrays])
    limit = float(np.percentile(values, 99.5)) if values.size else 0.0
    return limit if limit > 0 else 1.0


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


def _colorbar(x: float | None = None, title: str = "importance") -> dict:
    bar = dict(title=dict(text=title, side="right"), thickness=12, len=0.9)
    if x is not None:
        bar["x"] = x
    return bar


def overlay_traces(
    image: np.ndarray | None,
    importance: np.ndarray,
    limit: float,
    show_scale: bool = True,
    colorbar_x: float | None = None,
) -> list[go.Heatmap]:
    """The input in gray with the signed map on top (transparent at 0)."""
    traces = []
    if image is not None:
        traces.append(
            go.Heatmap(
                z=np.asarray(image, float),
                colorscale=GRAY_SCALE,
                zmin=0,
                zmax=255,
                showscale=False,
                hoverinfo="skip",
            )
        )
    pixel = np.asarray(image if image is not None else np.zeros_like(importance), float)
    traces.append(
        go.Heatmap(
            z=np.asarray(importance, float),
            customdata=pixel,
            colorscale=OVERLAY_SCALE if image is not None else MAP_SCALE,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            showscale=show_scale,
            colorbar=_colorbar(colorbar_x),
            hovertemplate="row %{y}, column %{x}<br>importance %{z:.4g}<br>pixel %{customdata:.0f}<extra></extra>",
        )
    )
    return traces


def update_explanation_figure(
    figure: go.Figure, image: np.ndarray, importance: np.ndarray
) -> go.Figure:
    """Put a new input and map into a figure made by :func:`explanation_figure`, in place.

    Building a plotly figure costs ~45 ms (validation); changing three arrays costs ~1 ms,
    which matters on every stroke.
    """
    limit = symmetric_limit(importance)
    pixels = np.asarray(image, float)
    with figure.batch_update():
        figure.data[0].z = pixels
        figure.data[1].z = pixels
        figure.data[2].update(
            z=np.asarray(importance, float), customdata=pixels, zmin=-limit, zmax=limit
        )
    return figure


def explanation_figure(image: np.ndarray, importance: np.ndarray, height: int = 330) -> go.Figure:
    """One figure, two panels: the 28x28 input and the map over it (one render per stroke)."""
    figure = make_subplots(
        rows=1, cols=2, subplot_titles=("input (28x28)", "importance"), horizontal_spacing=0.06
    )
    figure.add_trace(
        go.Heatmap(
            z=np.asarray(image, float),
            colorscale=GRAY_SCALE,
            zmin=0,
            zmax=255,
            showscale=False,
            hovertemplate="row %{y}, column %{x}<br>pixel %{z:.0f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    for trace in overlay_traces(image, importance, symmetric_limit(importance)):
        figure.add_trace(trace, row=1, col=2)
    _square_axes(figure, 1, 2)
    return _sized(figure, height, margin=dict(l=5, r=5, t=30, b=5))


def maps_figure(
    maps: list[np.ndarray],
    titles: list[str],
    height: int = 300,
    shared_scale: bool = True,
    images: list | None = None,
    vertical: bool = False,
) -> go.Figure:
    """Importance maps side by side (or stacked), on one symmetric colour scale so they compare."""
    rows, columns = (len(maps), 1) if vertical else (1, len(maps))
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        horizontal_spacing=0.04,
        vertical_spacing=0.08,
    )
    limit = symmetric_limit(*maps)
    for index, importance in enumerate(maps):
        own_limit = limit if shared_scale else symmetric_limit(importance)
        image = images[index] if images is not None else None
        traces = overlay_traces(
            image, importance, own_limit, show_scale=(index == len(maps) - 1) or not shared_scale
        )
        for trace in traces:
            figure.add_trace(
                trace, row=index + 1 if vertical else 1, col=1 if vertical else index + 1
            )
    _square_axes(figure, rows, columns)
    return _sized(figure, height, margin=dict(l=5, r=5, t=30, b=5))


def probability_figure(
    probabilities: np.ndarray, labels: list[str], height: int = 160
) -> go.Figure:
    colors = ["#b2182b" if p == max(probabilities) else "#999999" for p in probabilities]
    figure = go.Figure(
        go.Bar(
            x=list(map(float, probabilities)),
            y=labels,
            orientation="h",
            marker_color=colors,
            text=[f"{p:.1%}" for p in probabilities],
            textposition="auto",
        )
    )
    return _sized(
        figure,
        height,
        xaxis=dict(range=[0, 1], title="probability"),
        margin=dict(l=5, r=5, t=5, b=5),
    )


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
            x=[f"predicted {l}" for l in labels],
            y=[f"true {l}" for l in labels],
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


def thumbnail_figure(
    images: list[np.ndarray],
    maps: list[np.ndarray],
    titles: list[str],
    columns: int = 6,
    height_per_row: int = 150,
) -> go.Figure:
    """A grid of small overlays (input + map), each map on its own symmetric scale: in a
    gallery each thumbnail's own pattern matters, and one outlier would wash out the rest."""
    rows = max(1, int(np.ceil(len(images) / columns)))
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        horizontal_spacing=0.01,
        vertical_spacing=0.12 / rows,
    )
    for index, (image, importance) in enumerate(zip(images, maps)):
        for trace in overlay_traces(
            image, importance, symmetric_limit(importance), show_scale=False
        ):
            figure.add_trace(trace, row=index // columns + 1, col=index % columns + 1)
    _square_axes(figure, rows, columns)
    return _sized(
        figure, height_per_row * rows + 40, font_size=11, margin=dict(l=5, r=5, t=25, b=5)
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
    """First-layer weights as one mosaic, each template on its own symmetric scale (one heatmap, cheap to draw)."""
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
            colorscale=MAP_SCALE,
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
        figure.add_trace(
            go.Heatmap(
                z=np.asarray(image, float),
                colorscale=GRAY_SCALE,
                zmin=0,
                zmax=255,
                showscale=False,
                hoverinfo="skip",
            ),
            row=1,
            col=index + 1,
        )
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
