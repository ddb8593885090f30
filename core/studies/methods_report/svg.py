"""The deletion, insertion and ROAD mean curves of one network's methods and floors, as a
standalone SVG (``reports/curves-<network>.svg``)."""

from __future__ import annotations

from core.explain.registry import method_label
from core.studies.methods_report.tables import HIGHLIGHT

_PALETTE = [
    "#b2182b",
    "#2166ac",
    "#4d9221",
    "#762a83",
    "#e08214",
    "#1b7837",
    "#8c510a",
    "#01665e",
    "#c51b7d",
    "#5e3c99",
    "#35978f",
    "#999999",
]


def curves_svg(methods: dict, title: str, width: int = 980, height: int = 300) -> str:
    """Deletion, insertion and ROAD mean curves of the methods and floors, as a standalone SVG."""
    shown = {n: r for n, r in methods.items() if r.get("group", "method") != "ablation"}
    panels = [
        c
        for c in ("deletion", "insertion", "road")
        if any(c in r["curves"] for r in shown.values())
    ]
    panel, margin = (width - 200) // max(len(panels), 1) - 10, 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="16" font-size="13">{title}: {", ".join(panels)} (left to right); '
        "x: share of pixels, y: target probability; floors dashed</text>",
    ]
    for column, curve in enumerate(panels):
        left = 10 + column * (panel + 10)
        top, bottom = margin, height - 20
        parts.append(
            f'<rect x="{left}" y="{top}" width="{panel}" height="{bottom - top}" '
            'fill="none" stroke="#ccc"/>'
        )
        for index, (name, result) in enumerate(shown.items()):
            data = result["curves"].get(curve)
            if not data:
                continue
            points = " ".join(
                f"{left + x * panel:.1f},{bottom - (y or 0) * (bottom - top):.1f}"
                for x, y in zip(data["x"], data["y"], strict=True)
            )
            colour = _PALETTE[index % len(_PALETTE)]
            stroke = 3 if name == HIGHLIGHT else 1.3
            dash = ' stroke-dasharray="4 3"' if result.get("group") == "floor" else ""
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}"{dash}/>'
            )
    for index, name in enumerate(shown):
        y = margin + 14 * index
        colour = _PALETTE[index % len(_PALETTE)]
        dash = ' stroke-dasharray="4 3"' if shown[name].get("group") == "floor" else ""
        parts.append(
            f'<line x1="{width - 180}" y1="{y}" x2="{width - 160}" y2="{y}" stroke="{colour}" '
            f'stroke-width="{3 if name == HIGHLIGHT else 1.5}"{dash}/>'
        )
        parts.append(f'<text x="{width - 155}" y="{y + 4}">{method_label(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
