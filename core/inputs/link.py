"""The current input in a link: short text for a URL's query string, and back.

A copied link reopens the same input on another machine:

- ``example:<name>``: a shipped example drawing, by name;
- ``test:<network>:<index>``: a test image, by its index in the network's test split;
- ``strokes:<data>``: a drawing's strokes (whole canvas pixels: the pen's own precision),
  packed as variable-length integers in URL-safe base64;
- ``picture:<data>``: a 28x28 picture (an upload, or a picture brought back by Undo), its 784
  grey levels in URL-safe base64.

A test image's link also carries its 28x28 pixels (``image=``), so it opens where the test
set is not. A drawing reopens as strokes, drawn by the server (the canvas shows that rendering
and the networks see it), so its numbers can differ slightly from those of the browser that drew
it. Decoding never raises anything but :class:`LinkError`, whose message says what was wrong.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

import numpy as np

from core.inputs.strokes import MAX_BRUSH, MAX_POINTS, MAX_STROKES, MIN_BRUSH, PixelStroke

MAX_TEXT = 12_000  # characters of one parameter (a long drawing is simplified to fit)
LIMIT_SIMPLIFY = 6_000  # a drawing's packed text is simplified until it is this short
COORDINATE_RANGE = (-280, 560)  # strokes may lie partly off the 280 px canvas (edit mode)
_B64 = re.compile(r"[A-Za-z0-9_-]*")


class LinkError(ValueError):
    """A link's input that cannot be read (tampered, truncated or from another version)."""


@dataclass(frozen=True)
class LinkedInput:
    kind: str  # "example", "test", "strokes" or "picture"
    name: str = ""  # the example's name, or the test image's network
    index: int = -1  # the test image's index
    strokes: tuple[PixelStroke, ...] = ()
    picture: np.ndarray | None = None  # uint8 [28, 28]


# --- integers as bytes: LEB128 variable-length unsigned integers, zigzag for signed ones ------


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


def _varints(values) -> bytes:
    out = bytearray()
    for value in values:
        while value >= 0x80:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def _read_varints(data: bytes):
    value = shift = 0
    for byte in data:
        if shift > 28:
            raise LinkError("the drawing's numbers are too large")
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            yield value
            value = shift = 0
    if shift:
        raise LinkError("the drawing's data is cut short")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if len(text) > MAX_TEXT or not _B64.fullmatch(text):
        raise LinkError("the data is not URL-safe base64 of a reasonable length")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LinkError("the data is not valid base64") from None


# --- strokes ---------------------------------------------------------------------------------


def pack_strokes(strokes) -> str:
    """Strokes as text: per stroke its brush width, its point count and its points (whole
    pixels; the first point, then differences), simplified if the text would be too long."""
    tolerance = 0.0
    while True:
        text = _pack(_simplified(strokes, tolerance))
        if len(text) <= LIMIT_SIMPLIFY or tolerance >= 8:
            return text
        tolerance = max(0.5, tolerance * 2)


def _pack(strokes) -> str:
    values = [len(strokes)]
    for stroke in strokes:
        points = [(round(x), round(y)) for x, y in stroke.points]
        values += [round(stroke.width), len(points)]
        previous = (0, 0)
        for point in points:
            values += [_zigzag(point[0] - previous[0]), _zigzag(point[1] - previous[1])]
            previous = point
    return _b64(_varints(values))


def unpack_strokes(text: str) -> tuple[PixelStroke, ...]:
    """The inverse of :func:`pack_strokes`, checked like any drawing the browser sends."""
    values = list(_read_varints(_unb64(text)))
    if not values:
        raise LinkError("the drawing is empty")
    count, position, strokes, total = values[0], 1, [], 0
    if count > MAX_STROKES:
        raise LinkError(f"the drawing has more than {MAX_STROKES} strokes")
    low, high = COORDINATE_RANGE
    for number in range(1, count + 1):
        if position + 2 > len(values):
            raise LinkError(f"stroke {number} is cut short")
        width, length = values[position], values[position + 1]
        position += 2
        total += length
        if not MIN_BRUSH <= width <= MAX_BRUSH or length < 1 or total > MAX_POINTS:
            raise LinkError(f"stroke {number} has a brush or a point count out of range")
        if position + 2 * length > len(values):
            raise LinkError(f"stroke {number} is cut short")
        x = y = 0
        points = []
        for i in range(length):
            x += _unzigzag(values[position + 2 * i])
            y += _unzigzag(values[position + 2 * i + 1])
            if not (low <= x <= high and low <= y <= high):
                raise LinkError(f"stroke {number} leaves the canvas")
            points.append((float(x), float(y)))
        position += 2 * length
        strokes.append(PixelStroke(float(width), points))
    if position != len(values):
        raise LinkError("the drawing has data left over")
    return tuple(strokes)


def _simplified(strokes, tolerance: float):
    """Ramer-Douglas-Peucker on each stroke: points within ``tolerance`` px of the line through
    their neighbours are dropped (0: only repeated points)."""
    result = []
    for stroke in strokes:
        points = [(round(x), round(y)) for x, y in stroke.points]
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        if tolerance > 0 and len(points) > 2:
            points = _rdp(points, tolerance)
        result.append(PixelStroke(stroke.width, points))
    return result


def _rdp(points, tolerance):
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    pending = [(0, len(points) - 1)]
    while pending:
        first, last = pending.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        length = max(np.hypot(x1 - x0, y1 - y0), 1e-9)
        farthest, distance = first, 0.0
        for i in range(first + 1, last):
            x, y = points[i]
            d = abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
            if d > distance:
                farthest, distance = i, d
        if distance > tolerance:
            keep[farthest] = True
            pending += [(first, farthest), (farthest, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


# --- pictures ----------------------------------------------------------------------------------


def pack_picture(image: np.ndarray) -> str:
    array = np.asarray(image)
    if array.shape != (28, 28):
        raise ValueError(f"a picture is 28x28, not {array.shape}")
    return _b64(array.astype(np.uint8).tobytes())


def unpack_picture(text: str) -> np.ndarray:
    data = _unb64(text)
    if len(data) != 784:
        raise LinkError(f"a picture holds 784 grey levels, this one {len(data)}")
    return np.frombuffer(data, np.uint8).reshape(28, 28).copy()


# --- the input parameter ----------------------------------------------------------------------


def encode(linked: LinkedInput) -> str:
    if linked.kind == "example":
        return f"example:{linked.name}"
    if linked.kind == "test":
        return f"test:{linked.name}:{linked.index}"
    if linked.kind == "strokes":
        return f"strokes:{pack_strokes(linked.strokes)}"
    if linked.kind == "picture" and linked.picture is not None:
        return f"picture:{pack_picture(linked.picture)}"
    raise ValueError(f"cannot link an input of kind {linked.kind!r}")


def decode(text: str, networks, examples) -> LinkedInput:
    """The input a link names; ``networks`` and ``examples`` are the valid names."""
    if not isinstance(text, str) or len(text) > MAX_TEXT + 16:
        raise LinkError("the input is missing or too long")
    kind, _, rest = text.partition(":")
    if kind == "example":
        if rest not in examples:
            raise LinkError("it names no shipped example drawing")
        return LinkedInput("example", name=rest)
    if kind == "test":
        name, _, index = rest.partition(":")
        if name not in networks or not re.fullmatch(r"[0-9]{1,6}", index, re.ASCII):
            raise LinkError("it names no test image (test:<network>:<number>)")
        return LinkedInput("test", name=name, index=int(index))
    if kind == "strokes":
        return LinkedInput("strokes", strokes=unpack_strokes(rest))
    if kind == "picture":
        return LinkedInput("picture", picture=unpack_picture(rest))
    raise LinkError("it is not an example, a test image, strokes or a picture")
