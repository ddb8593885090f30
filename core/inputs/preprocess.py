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

import io  # noqa: E402

from PIL import Image, UnidentifiedImageError  # noqa: E402

INK_THRESHOLD = 0.1
"""Intensity (0-1) above which a canvas pixel counts as drawn."""
BLUR_FRACTION = 0.01
"""Gaussian blur sigma as a share of the character's longer side (EMNIST: sigma 1 on 128 px)."""
TARGET_SIDE = 24
"""Pixels spanned by the longer side of the character in the 28x28 result."""
MIN_EXTENT = 0.12
"""Smallest drawing accepted, as a share of the picture's longer side: a dot or a tick would
otherwise be blown up to fill the frame and be "recognised" as a blob."""
MAX_UPLOAD_PIXELS = 4096 * 4096
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # the same cap as server.maxUploadSize in .streamlit/config.toml
Image.MAX_IMAGE_PIXELS = MAX_UPLOAD_PIXELS  # Pillow refuses decompression bombs beyond twice this


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

    Raises :class:`ImageInputError` (a message for the user) when the drawing cannot be used.
    """
    if rgba is None:
        return None
    return ink_to_input(canvas_ink(rgba))


def image_file_to_input(data: bytes) -> np.ndarray:
    """An uploaded picture (PNG, JPEG, ...) -> EMNIST-style uint8 ``[28, 28]``.

    Dark ink on a light background is inverted; transparency counts as background. Raises
    :class:`ImageInputError` with a message for the user when the file cannot be used.
    """
    if not data:
        raise ImageInputError("the file is empty (0 bytes)")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageInputError(
            f"the file is {len(data) / 2**20:.1f} MB; pictures up to {MAX_UPLOAD_BYTES // 2**20} MB are accepted"
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_UPLOAD_PIXELS:
                raise ImageInputError(
                    f"the image is {width}x{height} pixels; the limit is {MAX_UPLOAD_PIXELS // 1_000_000} megapixels"
                )
            image.seek(0)  # first frame of an animation
            image.load()
            ink = _picture_ink(image)
    except ImageInputError:
        raise
    except Image.DecompressionBombError:
        raise ImageInputError(
            f"the image is too large to open safely (limit {MAX_UPLOAD_PIXELS // 1_000_000} megapixels)"
        ) from None
    except UnidentifiedImageError:
        raise ImageInputError(
            "the file is not an image Pillow can read (PNG, JPEG, GIF, BMP, WebP)"
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageInputError(f"the image file is damaged or truncated ({error})") from None
    prepared = ink_to_input(ink)
    if prepared is None:
        raise ImageInputError("the image is blank: no character found")
    return prepared


def _picture_ink(image: Image.Image) -> np.ndarray:
    """Ink 0-1 of any Pillow image: grayscale, alpha as background, light backgrounds inverted."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        gray = np.asarray(image, dtype=np.float32)
        span = gray.max() - gray.min()
        gray = (gray - gray.min()) / span if span > 0 else np.zeros_like(gray)
        alpha = None
    else:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
        gray = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        alpha = rgba[..., 3]
    if alpha is not None and alpha.min() < 0.5:
        opaque = alpha >= 0.5
        dark_ink = opaque.any() and gray[opaque].mean() < 0.5
        # transparent pixels are background: white behind dark ink, black behind light ink
        gray = gray * alpha + (1.0 - alpha) * (1.0 if dark_ink else 0.0)
    if np.median(gray) > 0.5:
        gray = 1.0 - gray
    # the background becomes exact black so JPEG noise does not widen the box
    background = np.median(gray)
    return np.clip((gray - background) / max(1e-6, 1.0 - background), 0.0, 1.0)


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
    "to_model_input",
]
