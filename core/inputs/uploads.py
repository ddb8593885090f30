"""Uploaded pictures -> the networks' 28x28 input: decoding safely, finding the ink on its paper.

:func:`image_file_to_input` decodes a PNG, JPEG, GIF, BMP or WebP within the limits below,
turns it into light ink on black and frames it with :func:`core.inputs.preprocess.ink_to_input`,
as a drawing is framed; :func:`image_to_png` writes a 28x28 back as PNG (downloads, fixtures).
"""

from __future__ import annotations

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_PIXELS",
    "MAX_UPLOAD_SIDE",
    "MAX_WEBP_PIXELS",
    "MAX_WEBP_SIDE",
    "MIN_CONTRAST",
    "UPLOAD_FORMATS",
    "WORK_SIDE",
    "image_file_to_input",
    "image_to_png",
    "pixel_limit_text",
]

import io

import numpy as np
from PIL import Image, ImageChops, UnidentifiedImageError

import core.inputs.preprocess as preprocess
from core.inputs.preprocess import ImageInputError, gaussian_blur

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
    # through the module: the one framing step, as the drawings take it (tests watch it there)
    prepared = None if ink is None else preprocess.ink_to_input(ink)
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
