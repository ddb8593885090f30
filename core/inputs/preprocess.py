"""Every conversion from pixels to model input lives here.

* :func:`to_model_input`: dataset-style arrays (uint8 0-255 or float 0-1) -> float32 in [0, 1].
* :func:`canvas_to_input` and :func:`image_file_to_input` (below): a drawing or an uploaded
  picture -> a 28x28 image prepared the way EMNIST prepared its own.
"""

from __future__ import annotations

import numpy as np

IMAGE_SIDE = 28
_SCALE = np.float32(1.0 / 255.0)


def to_model_input(images) -> np.ndarray:
    """Images as the networks take them: float32 ``[n, 28, 28]`` in [0, 1].

    uint8 images are divided by 255; float images must already lie in [0, 1]. A single
    ``[28, 28]`` image becomes a batch of one.
    """
    array = np.asarray(images)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"expected images of shape [n, 28, 28], got {array.shape}")
    if array.dtype == np.uint8:
        return np.multiply(array, _SCALE, dtype=np.float32)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"images must be uint8 (0-255) or float (0-1), got {array.dtype}")
    if array.size:
        low, high = float(array.min()), float(array.max())
        if low < -1e-6 or high > 1 + 1e-6 or not np.isfinite(low + high):
            raise ValueError(
                f"float images must lie in [0, 1], found values in [{low:g}, {high:g}]; "
                "pass uint8 images or divide by 255"
            )
    return np.asarray(array, dtype=np.float32)


# --- Drawings and uploads -> EMNIST-style 28x28 -------------------------------------------
#
# EMNIST (Cohen et al., 2017) made its 28x28 images from 128x128 NIST scans: Gaussian blur,
# crop to the character's bounding box, centre it in a square frame keeping the aspect ratio,
# pad by 2 px, downsample to 28x28, scale intensities to 0-255. The longer side of the box
# thus spans about 24 px and the box (not the centre of mass) sits in the middle.

import base64  # noqa: E402
import io  # noqa: E402

from PIL import Image, ImageChops, UnidentifiedImageError  # noqa: E402

INK_THRESHOLD = 0.1
"""Intensity (0-1) above which a canvas pixel counts as drawn."""
BLUR_FRACTION = 0.01
"""Gaussian blur sigma as a share of the character's longer side (EMNIST: sigma 1 on 128 px)."""
TARGET_SIDE = 24
"""Pixels spanned by the longer side of the character in the 28x28 result."""
MIN_EXTENT = 0.12
"""Smallest drawing accepted, as a share of the picture's longer side: a dot or a tick would
otherwise be blown up to fill the frame and be "recognised" as a blob."""
MAX_UPLOAD_SIDE = 4096
MAX_UPLOAD_PIXELS = MAX_UPLOAD_SIDE * MAX_UPLOAD_SIDE
MAX_UPLOAD_BYTES = 5 * 1000 * 1000
"""server.maxUploadSize in .streamlit/config.toml (5) as Streamlit's upload widget counts it in
the browser: 5,000,000 bytes (it counts 1,024-byte kilobytes only on Windows, and the server
accepts up to 5 MiB), so a file the widget refuses is refused here too, whatever sent it."""
Image.MAX_IMAGE_PIXELS = MAX_UPLOAD_PIXELS  # Pillow refuses decompression bombs beyond twice this
MAX_WEBP_SIDE = 2048
MAX_WEBP_PIXELS = MAX_WEBP_SIDE * MAX_WEBP_SIDE
"""Pillow's WebP decoder holds several full-size copies: 16 MP would cost over 250 MB."""
UPLOAD_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
"""The only decoders an upload may reach (an EPS renamed .png must not start Ghostscript)."""
WORK_SIDE = 512
"""Longer side an upload is shrunk to right after decoding; everything after is bounded by it."""
MIN_CONTRAST = 0.04
"""Smallest ink-to-paper contrast (0-1) of an upload that counts as a character."""
_WIDE_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
_CLEAN_NOISE = 0.004  # about one grey level: below it the paper counts as clean
_NOISE_FLOORS = 4.0  # ink must rise this many grain deviations above the paper
_PAPER_SIDE = 64  # the paper's shading is estimated on a copy this size...
_PAPER_WINDOW = 17  # ...with a window wider than any stroke (about a quarter of the picture)
_EXIF_ORIENTATION = 0x0112
_EXIF_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageInputError(ValueError):
    """An uploaded or drawn image cannot be used; the message says why, for the user."""


def ink_bounding_box(ink: np.ndarray, threshold: float = INK_THRESHOLD):
    """``(top, bottom, left, right)`` inclusive of the pixels above ``threshold``, or None."""
    rows = np.flatnonzero((ink > threshold).any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero((ink > threshold).any(axis=0))
    return int(rows[0]), int(rows[-1]), int(columns[0]), int(columns[-1])


def ink_to_input(ink: np.ndarray, blur_fraction: float = BLUR_FRACTION) -> np.ndarray | None:
    """Ink intensities (2-D, 0-1, any size) -> EMNIST-style uint8 ``[28, 28]``; None if blank.

    Raises :class:`ImageInputError` when the ink is too small to be a character.
    """
    ink = np.nan_to_num(np.asarray(ink, dtype=np.float32), nan=0.0, posinf=1.0, neginf=0.0).clip(
        0.0, 1.0
    )
    if ink.ndim != 2 or min(ink.shape) == 0:
        raise ImageInputError(f"expected a 2-D picture, got an array of shape {ink.shape}")
    box = ink_bounding_box(ink)
    if box is None:
        return None
    top, bottom, left, right = box
    longer = max(bottom - top, right - left) + 1
    if longer < MIN_EXTENT * max(ink.shape):
        raise ImageInputError(
            "the drawing is too small to be a character (a dot or a short tick): draw it larger"
        )
    sigma = max(0.5, blur_fraction * longer)
    margin = int(np.ceil(3 * sigma))
    # crop with room for the blur's tails, then blur
    padded = np.pad(ink, margin)
    crop = padded[top : bottom + 1 + 2 * margin, left : right + 1 + 2 * margin]
    blurred = gaussian_blur(crop, sigma)
    # the box is the ink's, found before the blur; the frame is square and centred on it
    height, width = bottom - top + 1, right - left + 1
    frame = int(round(longer * IMAGE_SIDE / TARGET_SIDE))
    canvas = np.zeros((frame, frame), np.float32)
    offset_y = (frame - height) // 2 - margin
    offset_x = (frame - width) // 2 - margin
    _paste(canvas, blurred, offset_y, offset_x)
    small = np.asarray(
        Image.fromarray(canvas, mode="F").resize(
            (IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.BICUBIC
        ),
        dtype=np.float32,
    )
    small = small.clip(0.0, None)
    peak = small.max()
    if peak <= 0:
        return None
    return np.round(small / peak * 255).astype(np.uint8)


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a 2-D float array (zero outside it)."""
    radius = max(1, int(np.ceil(3 * sigma)))
    weights = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2).astype(np.float32)
    weights /= weights.sum()
    result = np.asarray(image, dtype=np.float32)
    for axis in (0, 1):
        padded = np.pad(result, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)])
        length = result.shape[axis]
        result = sum(
            weight * np.take(padded, np.arange(offset, offset + length), axis=axis)
            for offset, weight in enumerate(weights)
        )
    return result


def _paste(canvas: np.ndarray, patch: np.ndarray, y: int, x: int) -> None:
    """Add ``patch`` into ``canvas`` at (y, x), clipping what falls outside."""
    y0, x0 = max(y, 0), max(x, 0)
    y1, x1 = min(y + patch.shape[0], canvas.shape[0]), min(x + patch.shape[1], canvas.shape[1])
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] += patch[y0 - y : y1 - y, x0 - x : x1 - x]


def canvas_ink(rgba: np.ndarray) -> np.ndarray:
    """Ink intensity 0-1 of a canvas image (RGBA or RGB, white ink on black / transparent)."""
    array = np.asarray(rgba)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ImageInputError(
            f"expected an RGB or RGBA canvas, got an array of shape {array.shape}"
        )
    rgb = array[..., :3].astype(np.float32) / 255.0
    ink = rgb.max(axis=2)
    if array.shape[2] == 4:
        ink *= array[..., 3].astype(np.float32) / 255.0
    return ink


def canvas_to_input(rgba: np.ndarray | None) -> np.ndarray | None:
    """A drawing canvas' pixels -> EMNIST-style uint8 ``[28, 28]``, or None when nothing is drawn.

    Strokes too thick for the drawing's size (a small drawing with the usual brush) are thinned
    first (:func:`thin_thick_strokes`); other drawings go to :func:`ink_to_input` untouched.
    Raises :class:`ImageInputError` (a message for the user) when the drawing cannot be used.
    """
    if rgba is None:
        return None
    return ink_to_input(thin_thick_strokes(canvas_ink(rgba)))


# --- Stroke width: a tiny drawing must not become a blob ------------------------------------
#
# The canvas brush has a fixed width in canvas pixels, while ink_to_input scales the drawing so
# its longer side spans 24 px: a 2 drawn 60 px tall with a 20 px brush arrives with strokes a
# third of its height thick (about 8 px of 28), a blob the networks read as something else (a
# tiny 2 became Z). EMNIST strokes are about a tenth of the character's longer side.

MAX_STROKE_SHARE = 0.2
"""Strokes thicker than this share of the drawing's longer side are thinned (a normal drawing
with the default 20 px brush on the 280 px canvas: about 0.1, with the broadest 40 px brush
about 0.18, so both are left alone)."""
THINNED_STROKE_SHARE = 0.12
"""The share thinned strokes are brought down to."""
INK_MASK_LEVEL = 0.5
"""Pixels above this intensity count as the stroke when its width is measured."""


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width in pixels, from how fast erosion eats the stroke: a band ``w`` wide
    loses 2 px of width per erosion (3x3 cross), so half of it is gone after ``w / 4`` of them.
    The erosion count at which half of the pixels above ``INK_MASK_LEVEL`` are left is found
    between two erosions by linear interpolation of the pixel counts; 0 for no ink."""
    mask = np.asarray(ink) > INK_MASK_LEVEL
    total = int(mask.sum())
    if total == 0:
        return 0.0
    erosions, left, previous = 0, total, total
    while left * 2 > total:
        mask = _erode_cross(mask)
        erosions, previous, left = erosions + 1, left, int(mask.sum())
    half_way = erosions - 1 + (previous - total / 2) / max(previous - left, 1)
    return 4.0 * half_way


def _erode_cross(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1)
    return (
        padded[1:-1, 1:-1]
        & padded[:-2, 1:-1]
        & padded[2:, 1:-1]
        & padded[1:-1, :-2]
        & padded[1:-1, 2:]
    )


def thin_thick_strokes(ink: np.ndarray) -> np.ndarray:
    """``ink`` itself when its strokes are at most ``MAX_STROKE_SHARE`` of its longer side thick;
    otherwise a grey-scale erosion of it (minimum over a 3x3 square, repeated ``r`` times, with
    ``r = min(floor((width - THINNED_STROKE_SHARE * longer) / 2), floor(0.35 * width))``, so
    the strokes survive) that brings them down to about ``THINNED_STROKE_SHARE``; the drawing as
    drawn if the thinned one would be smaller than ``MIN_EXTENT`` (:func:`ink_to_input`)."""
    ink = np.asarray(ink, dtype=np.float32)
    box = ink_bounding_box(ink) if ink.ndim == 2 else None
    if box is None:
        return ink
    top, bottom, left, right = box
    longer = max(bottom - top, right - left) + 1
    width = stroke_width(ink)
    if width <= MAX_STROKE_SHARE * longer:
        return ink
    passes = int((width - THINNED_STROKE_SHARE * longer) // 2)
    passes = min(passes, int(0.35 * width))  # keep at least 30% of the stroke
    thinned = ink
    for _ in range(passes):
        padded = np.pad(thinned, 1)
        thinned = np.minimum.reduce(
            [
                padded[dy : dy + ink.shape[0], dx : dx + ink.shape[1]]
                for dy in range(3)
                for dx in range(3)
            ]
        )
    box = ink_bounding_box(thinned)
    if box is None or max(box[1] - box[0], box[3] - box[2]) + 1 < MIN_EXTENT * max(ink.shape):
        return ink  # too small once thinned: ink_to_input judges the drawing as drawn
    return thinned


def image_file_to_input(data: bytes) -> np.ndarray:
    """An uploaded picture (PNG, JPEG, GIF, BMP or WebP) -> EMNIST-style uint8 ``[28, 28]``.

    Dark ink on a light background is inverted; transparency counts as background; the EXIF
    orientation is applied; an animation gives its first frame. The picture is shrunk to at most
    ``WORK_SIDE`` pixels on its longer side right after decoding, so the work that follows is
    bounded whatever the picture's shape. Raises :class:`ImageInputError` with a message for
    the user when the file cannot be used.
    """
    if not data:
        raise ImageInputError("the file is empty (0 bytes)")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageInputError(
            f"the file is {len(data):,} bytes; pictures up to {MAX_UPLOAD_BYTES / 1e6:g} MB "
            f"({MAX_UPLOAD_BYTES:,} bytes) are accepted"
        )
    try:
        with Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS) as image:
            width, height = image.size
            limit = MAX_WEBP_PIXELS if image.format == "WEBP" else MAX_UPLOAD_PIXELS
            if width * height > limit:
                webp = limit < MAX_UPLOAD_PIXELS
                raise ImageInputError(
                    f"the image is {width}x{height} pixels; the limit is "
                    + pixel_limit_text(MAX_WEBP_SIDE if webp else MAX_UPLOAD_SIDE)
                    + (" for WebP (PNG and JPEG may be larger)" if webp else "")
                )
            ink = _picture_ink(image)
    except ImageInputError:
        raise
    except Image.DecompressionBombError:
        raise ImageInputError(
            f"the image is too large to open safely (the limit is {pixel_limit_text()})"
        ) from None
    except UnidentifiedImageError:
        raise ImageInputError(
            "the file is not an image in an accepted format (PNG, JPEG, GIF, BMP, WebP)"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageInputError(f"the image file is damaged or truncated ({error})") from None
    prepared = None if ink is None else ink_to_input(ink)
    if prepared is None:
        raise ImageInputError("the image is blank: no character found")
    return prepared


def pixel_limit_text(side: int = MAX_UPLOAD_SIDE) -> str:
    """A pixel limit as a user reads it, exactly: ``"16,777,216 pixels (4096x4096)"`` (a
    4097x4097 picture is over it, which "17 megapixels" did not say)."""
    return f"{side * side:,} pixels ({side}x{side})"


def _picture_ink(image: Image.Image) -> np.ndarray | None:
    """Ink 0-1 of a Pillow image at most ``WORK_SIDE`` on its longer side, or None if blank.

    Decoded, then shrunk by area averaging (a thin line fades but survives: the ink is
    normalised to its own peak below), turned upright, made light-on-dark, and its paper
    removed: a slowly varying background (shading, a grey sheet) is subtracted and what is
    left of the paper's grain is cut at a noise floor, so only the character keeps ink.
    """
    orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    size = _work_size(image.size)
    if image.format == "JPEG":
        image.draft(None, size)  # decode at 1/2, 1/4 or 1/8 scale when that is enough
    image.load()
    gray, alpha = _shrunk_gray_and_alpha(image, size)
    gray, alpha = _upright(gray, orientation), _upright(alpha, orientation)
    gray = np.asarray(gray, np.float32)
    if image.mode in _WIDE_MODES:
        span = float(gray.max() - gray.min())
        gray = (gray - gray.min()) / span if span > 0 else np.zeros_like(gray)
    else:
        gray /= 255.0
    if alpha is not None:
        alpha = np.asarray(alpha, np.float32) / 255.0
        premultiplied = gray  # the shrunk grey was multiplied by alpha before averaging
        opaque = alpha >= 0.5
        colour = premultiplied[opaque] / alpha[opaque] if opaque.any() else np.zeros(1)
        behind = 1.0 if colour.mean() < 0.5 else 0.0  # white behind dark ink, black behind light
        gray = premultiplied + (1.0 - alpha) * behind
    return _ink_on_paper(gray)


def _work_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, WORK_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrunk_gray_and_alpha(image: Image.Image, size: tuple[int, int]):
    """Grey (premultiplied by alpha when there is one) and alpha, area-averaged to ``size``."""
    if image.mode in _WIDE_MODES:
        return _shrink(image, size), None
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        source = image if image.mode in ("L", "RGB", "1", "P") else image.convert("RGB")
        return _shrink(source.convert("L"), size), None
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    alpha = rgba.getchannel("A")
    premultiplied = ImageChops.multiply(rgba.convert("L"), alpha)
    del rgba
    return _shrink(premultiplied, size), _shrink(alpha, size)


def _shrink(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    try:
        return image.resize(size, Image.Resampling.BOX)
    except ValueError:  # a 16-bit byte order Pillow cannot resample
        return image.convert("I").resize(size, Image.Resampling.BOX)


def _upright(image: Image.Image | None, orientation) -> Image.Image | None:
    transpose = _EXIF_TRANSPOSE.get(orientation)
    return image if image is None or transpose is None else image.transpose(transpose)


def _ink_on_paper(gray: np.ndarray) -> np.ndarray | None:
    """Light ink on black from a grey picture of ink on paper (either polarity)."""
    if gray.size == 0 or not np.isfinite(gray).all():
        return None
    smooth = gaussian_blur(gray, 1.0) if min(gray.shape) > 2 else gray
    median = float(np.median(gray))
    # the ink is the minority: dark ink when the paper is farther from the darkest mark
    if median - float(smooth.min()) > float(smooth.max()) - median:
        gray = 1.0 - gray
    residual = gray - _paper(gray)
    if _noise_level(residual) > _CLEAN_NOISE:  # grainy paper or JPEG noise: judge a blurred copy
        residual = gaussian_blur(residual, 1.0) if min(residual.shape) > 2 else residual
    # the grain's spread, robustly: most pixels are paper
    grain = 1.4826 * float(np.median(np.abs(residual - np.median(residual))))
    floor = float(np.median(residual)) + _NOISE_FLOORS * grain
    peak = float(residual.max())
    if peak - floor < MIN_CONTRAST:
        return None
    return np.clip((residual - floor) / (peak - floor), 0.0, 1.0)


def _paper(gray: np.ndarray) -> np.ndarray:
    """A smooth estimate of the paper under light-on-dark ink: a grey-scale opening (min then
    max filter) wider than any stroke, on a coarse copy, smoothed and stretched back."""
    height, width = gray.shape
    side = max(height, width)
    if side < 8:
        return np.full_like(gray, float(np.median(gray)))
    coarse_size = (
        max(1, round(width * _PAPER_SIDE / side)),
        max(1, round(height * _PAPER_SIDE / side)),
    )
    coarse = np.asarray(
        Image.fromarray(gray, mode="F").resize(coarse_size, Image.Resampling.BOX), np.float32
    )
    opened = _rank_filter(_rank_filter(coarse, np.min), np.max)
    background = Image.fromarray(opened, mode="F").resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return np.minimum(np.asarray(background, np.float32), gray)


def _rank_filter(image: np.ndarray, reduce) -> np.ndarray:
    """Minimum or maximum over a square window of ``_PAPER_WINDOW`` pixels (edges repeated)."""
    half = _PAPER_WINDOW // 2
    for axis in (0, 1):
        padded = np.pad(image, [(half, half) if a == axis else (0, 0) for a in (0, 1)], "edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=axis)
        image = reduce(windows, axis=-1)
    return image


def _noise_level(values: np.ndarray) -> float:
    """Standard deviation of the paper's grain, from neighbouring-pixel differences (robust)."""
    if values.shape[1] > 1:
        differences = np.diff(values, axis=1)
    elif values.shape[0] > 1:
        differences = np.diff(values, axis=0)
    else:
        return 0.0
    return float(np.median(np.abs(differences - np.median(differences)))) * 1.4826 / np.sqrt(2)


def image_to_png(image: np.ndarray) -> bytes:
    """A 2-D uint8 array as PNG bytes (for downloads and fixtures)."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


__all__ = [
    "IMAGE_SIDE",
    "ImageInputError",
    "canvas_ink",
    "canvas_to_input",
    "image_file_to_input",
    "image_to_png",
    "ink_bounding_box",
    "ink_to_input",
    "stroke_width",
    "thin_thick_strokes",
    "to_model_input",
]


MAX_PACKED_CHARACTERS = 2048
"""A 28x28 picture packed as base64 is 1,048 characters; anything much longer is refused unread."""


def packed_to_input(packed) -> np.ndarray:
    """The browser's 28x28 input -> uint8 ``[28, 28]``: 784 grey levels (0-255, row-major),
    one byte each, as base64 text (what the live canvas sends on pointer-up), or a list of 784
    numbers (:func:`values_to_input`). Bytes are whole levels in 0-255 by construction, so
    range and finiteness hold; the text, its encoding and the count are checked.

    Raises :class:`ImageInputError` naming what is wrong.
    """
    if isinstance(packed, (list, tuple)):
        return values_to_input(packed)
    if not isinstance(packed, str):
        raise ImageInputError("the 28x28 input is neither base64 text nor a list of grey levels")
    if len(packed) > MAX_PACKED_CHARACTERS:
        raise ImageInputError(f"the 28x28 input is {len(packed)} characters long, too long")
    try:
        levels = base64.b64decode(packed.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ImageInputError("the 28x28 input is not valid base64") from None
    if len(levels) != IMAGE_SIDE * IMAGE_SIDE:
        raise ImageInputError(
            f"the 28x28 input has {len(levels)} grey levels; a 28x28 picture has {IMAGE_SIDE**2}"
        )
    return np.frombuffer(levels, np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE).copy()


def values_to_input(values) -> np.ndarray:
    """784 grey levels (0-255, row-major 28x28, e.g. sent by the browser) -> uint8 ``[28, 28]``.

    Raises :class:`ImageInputError` naming what is wrong: not a list of numbers, the wrong
    count, values that are not finite or lie outside 0-255.
    """
    if not isinstance(values, (list, tuple)):
        raise ImageInputError("the picture is not a list of grey levels")
    if len(values) != IMAGE_SIDE * IMAGE_SIDE:
        raise ImageInputError(
            f"the picture has {len(values)} values; a 28x28 picture has {IMAGE_SIDE**2}"
        )
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ImageInputError("every grey level must be a number")
    array = np.asarray(values, dtype=np.float64)
    if not np.isfinite(array).all():
        raise ImageInputError("every grey level must be a finite number")
    if array.min() < 0 or array.max() > 255:
        raise ImageInputError("grey levels must lie between 0 and 255")
    return np.round(array).astype(np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE)
