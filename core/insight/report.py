"""Pictures to take away: an explanation rendered with Pillow as PNG, or as an A4 PDF whose
text is real text (core/pdf.py) and whose maps are pictures.

No browser is needed (plotly's own image export would need kaleido and a Chrome). Colours
are the dashboard's (core.insight.palette, in the session's palette): a map over its input as
the live canvas paints it, a reference map alone as the maps component paints it.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.insight.palette import map_rgb, overlay_rgb, symmetric_limit
from core.insight.pdf import A4, Page, wrap

PANEL = 224  # pixels per 28x28 panel (8x)


def colorize(importance: np.ndarray, limit: float | None = None, palette: str | None = None):
    """Signed map -> RGB uint8, as a map alone is drawn (against .. near-white 0 .. for)."""
    return map_rgb(importance, limit, palette)


def overlay(
    image: np.ndarray,
    importance: np.ndarray,
    limit: float | None = None,
    palette: str | None = None,
) -> np.ndarray:
    """The map over the grey input, as the live canvas paints it: zero shows the input."""
    return overlay_rgb(image, importance, limit, palette)


# DejaVu Sans ships with the project: Pillow's own default font has no Greek letters, and the
# exports name "LRP-ε" (its licence is beside it)
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"


def _font(size: int):
    try:
        return ImageFont.truetype(str(FONT_FILE), size)
    except OSError:  # the font file is missing, or Pillow was built without FreeType
        try:
            return ImageFont.load_default(size=size)
        except TypeError:
            return ImageFont.load_default()


def _panel(rgb: np.ndarray) -> Image.Image:
    array = np.asarray(rgb, np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    return Image.fromarray(array, "RGB").resize((PANEL, PANEL), Image.Resampling.NEAREST)


def _colour_bar(height: int, limit: float, palette: str | None) -> Image.Image:
    ramp = np.linspace(limit, -limit, height)[:, None].repeat(16, axis=1)
    bar = Image.new("RGB", (90, height + 20), "white")
    bar.paste(Image.fromarray(colorize(ramp, limit, palette)), (0, 10))
    draw = ImageDraw.Draw(bar)
    font = _font(13)
    for value, y in ((limit, 4), (0.0, height // 2 + 4), (-limit, height + 2)):
        draw.text((20, y), f"{value:+.3g}", fill="black", font=font)
    return bar


@dataclass
class Report:
    """What a presenter takes away: the input, the prediction, maps, and a few sentences.

    ``maps`` are drawn over the input (when there is one) on one colour scale with its bar, or
    each on its own scale (``shared_scale=False``: methods whose values are not comparable);
    ``references`` (e.g. global maps) follow on a scale of their own.
    """

    title: str
    image: np.ndarray | None  # uint8 [28, 28], or None for maps alone
    lines: list[str] = field(default_factory=list)  # prediction, probabilities, mode...
    maps: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (caption, signed map)
    text: str = ""  # the explanation in words
    references: list[tuple[str, np.ndarray]] = field(default_factory=list)
    shared_scale: bool = True
    palette: str | None = None  # a key of core.insight.palette.PALETTES (None: the default)
    limit: float | None = None  # the maps' fixed colour limit (None: their own)

    def _row(self) -> list[tuple[str, Image.Image]]:
        """The pictures left to right: (caption, picture); a colour bar has an empty caption."""
        main, references = self._rows()
        return main + references

    def _rows(self) -> tuple[list[tuple[str, Image.Image]], list[tuple[str, Image.Image]]]:
        """The input, the maps and their colour bar; then the references on their own scale."""
        row = [] if self.image is None else [("input (28x28)", _panel(self.image))]
        limit = self.limit or (symmetric_limit(*[m for _, m in self.maps]) if self.maps else 1.0)
        for caption, importance in self.maps:
            own = limit if self.shared_scale else (self.limit or symmetric_limit(importance))
            rgb = (
                colorize(importance, own, self.palette)
                if self.image is None
                else overlay(self.image, importance, own, self.palette)
            )
            row.append((caption, _panel(rgb)))
        if self.maps and self.shared_scale:
            row.append(("", _colour_bar(PANEL, limit, self.palette)))
        references = []
        if self.references:
            reference_limit = symmetric_limit(*[m for _, m in self.references])
            references = [
                (caption, _panel(colorize(m, reference_limit, self.palette)))
                for caption, m in self.references
            ]
            references.append(("", _colour_bar(PANEL, reference_limit, self.palette)))
        return row, references

    def render(self) -> Image.Image:
        margin, gap = 24, 16
        title_font, font, small = _font(26), _font(17), _font(15)
        row = self._row()
        width = margin * 2 + sum(picture.width + gap for _, picture in row)
        wrapped = [
            line
            for paragraph in ([*self.lines, "", self.text] if self.text else self.lines)
            for line in (textwrap.wrap(paragraph, 95) or [""])
        ]
        top = margin + 44
        height = top + PANEL + 36 + 24 * len(wrapped) + margin
        sheet = Image.new("RGB", (max(width, 700), height), "white")
        draw = ImageDraw.Draw(sheet)
        draw.text((margin, margin), self.title, fill="black", font=title_font)
        x = margin
        for caption, picture in row:
            sheet.paste(picture, (x, top if caption else top - 10))
            draw.text((x, top + PANEL + 6), caption[:34], fill="black", font=small)
            x += picture.width + gap
        y = top + PANEL + 36
        for line in wrapped:
            draw.text((margin, y), line, fill="black", font=font)
            y += 24
        return sheet


def png_bytes(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


MAX_PDF_SCALE = 2.0  # points per picture pixel at most: large, not blurred beyond use


def report_pdf(report: Report) -> bytes:
    """The report on one A4 page: title, pictures with their captions, then the text."""
    page = Page(*A4)
    margin, width = 48.0, A4[0] - 96.0
    top = margin
    for line in wrap(report.title, width, 16):  # a refused drawing's verdict is a long title
        page.text(margin, top, line, size=16, bold=True)
        top += 20
    top += 10
    paragraphs = [*report.lines, report.text] if report.text else list(report.lines)
    text_lines = [wrap(paragraph, width, 11) for paragraph in paragraphs]
    text_height = sum(15 * len(lines) + 6 for lines in text_lines)
    rows = [row for row in report._rows() if row]
    gap = 8
    # the pictures as large as the page allows once the whole text has its room below them
    room = A4[1] - margin - top - text_height - 44 * len(rows)
    tallest_pictures = sum(max(p.height for _, p in row) for row in rows) or 1
    # the input and its maps across the page's width, the references in a row of their own
    for row in rows:
        total = sum(picture.width for _, picture in row) + gap * (len(row) - 1)
        scale = max(0.2, min(width / total, MAX_PDF_SCALE, room / tallest_pictures))
        x = margin
        tallest = 0.0
        for caption, picture in row:
            shown = page.picture(x, top, picture.width * scale, np.asarray(picture.convert("RGB")))
            tallest = max(tallest, shown)
            size = 9.0
            for index, line in enumerate(wrap(caption, picture.width * scale, size)[:3]):
                page.text(x, top + shown + 4 + index * 11, line, size=size)
            x += (picture.width + gap) * scale
        top += tallest + 44
    for lines in text_lines:
        for line in lines:
            if top > A4[1] - margin:  # only a text longer than a page is cut
                break
            page.text(margin, top, line, size=11)
            top += 15
        top += 6
    return page.to_bytes()


def pdf_bytes(content: Report | Image.Image) -> bytes:
    """An A4 PDF: of a report (real text, see :func:`report_pdf`) or of a picture alone."""
    if isinstance(content, Report):
        return report_pdf(content)
    page = Page(*A4)
    rgb = np.asarray(content.convert("RGB"))
    width = min(A4[0] - 96.0, (A4[1] - 96.0) * rgb.shape[1] / rgb.shape[0])
    page.picture(48.0, 48.0, width, rgb)
    return page.to_bytes()
