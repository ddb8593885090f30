"""A small PDF writer: one A4 page with real text (Helvetica) and RGB pictures.

Enough for the report the dashboard exports: selectable, searchable text and the maps as
images, without a PDF library. Objects are written by hand (PDF 1.4); pictures are
Flate-compressed RGB; text uses the standard Helvetica fonts (no embedding) in WinAnsi.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

A4 = (595.28, 841.89)  # points
# Characters outside WinAnsi that the dashboard's text uses, written in plain letters.
_PLAIN = {
    "→": "->",
    "−": "-",
    "⊙": "(.)",
    "ᵀ": "T",
    "≈": "~",
    "ε": "e",
    "⁺": "+",
    "✗": "x",
    "≤": "<=",
    "≥": ">=",
}


def pdf_text(text: str) -> bytes:
    """A PDF string literal's bytes in WinAnsi (cp1252), with ``\\``, ``(`` and ``)`` escaped."""
    for char, plain in _PLAIN.items():
        text = text.replace(char, plain)
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_width(text: str, size: float) -> float:
    """A generous estimate of Helvetica's width for ``text`` (0.56 em per character)."""
    return len(text) * size * 0.56


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` that fit ``width`` points at font ``size``."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


@dataclass
class Page:
    """Draw text and pictures at positions in points, from the top-left corner."""

    width: float = A4[0]
    height: float = A4[1]
    _content: list[bytes] = field(default_factory=list)
    _images: list[np.ndarray] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, size: float = 11, bold: bool = False):
        font = b"/F2" if bold else b"/F1"
        y = self.height - top - size
        self._content.append(
            b"BT %s %.2f Tf %.2f %.2f Td (%s) Tj ET" % (font, size, x, y, pdf_text(text))
        )

    def picture(self, x: float, top: float, width: float, rgb: np.ndarray) -> float:
        """Place an RGB uint8 picture ``width`` points wide; return its height in points."""
        rgb = np.ascontiguousarray(rgb, np.uint8)
        height = width * rgb.shape[0] / rgb.shape[1]
        name = b"/Im%d" % len(self._images)
        self._images.append(rgb)
        y = self.height - top - height
        self._content.append(b"q %.2f 0 0 %.2f %.2f %.2f cm %s Do Q" % (width, height, x, y, name))
        return height

    def to_bytes(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        catalog = add(b"")  # filled in below, once the page tree's number is known
        pages = add(b"")
        regular = add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
        )
        bold = add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
            b"/Encoding /WinAnsiEncoding >>"
        )
        image_refs = []
        for index, rgb in enumerate(self._images):
            data = zlib.compress(rgb.tobytes(), 6)
            number = add(
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
                % (rgb.shape[1], rgb.shape[0], len(data), data)
            )
            image_refs.append(b"/Im%d %d 0 R" % (index, number))
        content = b"\n".join(self._content)
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        page = add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> /XObject << %s >> >> >>"
            % (pages, self.width, self.height, stream, regular, bold, b" ".join(image_refs))
        )
        objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
        objects[pages - 1] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            catalog,
            xref,
        )
        return bytes(out)
