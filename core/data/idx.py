"""Reader and writer for the idx format of MNIST and EMNIST files (optionally gzip).

An idx file starts with a 4-byte magic number: two zero bytes, a type code and the number of
dimensions; then one big-endian uint32 per dimension, then the data in C order.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path

import numpy as np

from core.errors import DatasetError

_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype: code for code, dtype in _TYPES.items()}


MAX_IDX_BYTES = 1 << 30
"""Largest decompressed idx payload read (the largest official EMNIST file, ByClass train
images, holds 547 MB); callers that know their files pass a tighter ``max_bytes``."""
MAX_MEMBER_IDX_BYTES = 256 * 2**20
"""Largest decompressed idx member of an official archive read (Digits train images: 188 MB,
Balanced train images: 88 MB)."""
_CHUNK = 1 << 20


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_idx(
    path: str | Path, expected_ndim: int | None = None, max_bytes: int = MAX_IDX_BYTES
) -> np.ndarray:
    """Read an idx file into a numpy array, checking its header against its length.

    The file is streamed: the header is checked first, and only the payload it declares (at
    most ``max_bytes``) is decompressed, so a gzip bomb costs little time and memory. Raises
    :class:`~core.errors.DatasetError` naming the file when it is missing, not gzip, truncated,
    longer than its header says, or its header is not a valid idx header.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, "file not found")
    try:
        with _open(path) as stream:
            return read_idx_stream(stream, path, expected_ndim, max_bytes)
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(path, f"cannot be decompressed ({error}); the file is damaged") from None


def read_gzip_idx(
    raw: bytes,
    source: str | Path,
    expected_ndim: int | None = None,
    max_bytes: int = MAX_MEMBER_IDX_BYTES,
) -> np.ndarray:
    """Decode the gzip-compressed bytes of an idx file (a member of an archive) as a stream, like
    :func:`read_idx`: the header first, then at most ``max_bytes`` decompressed; ``source``
    names it in errors."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            return read_idx_stream(stream, source, expected_ndim, max_bytes)
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(source, f"cannot be decompressed ({error}); the file is damaged") from None


def read_idx_stream(
    stream, source: str | Path, expected_ndim: int | None = None, max_bytes: int = MAX_IDX_BYTES
) -> np.ndarray:
    """Decode an idx file from a binary stream (plain or a ``gzip`` reader), header first: the
    payload the header declares is read only if it is at most ``max_bytes``, and the stream
    must end right after it."""
    magic = stream.read(4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _TYPES:
        raise DatasetError(source, "not an idx file (bad magic number)")
    dtype, ndim = _TYPES[magic[2]], magic[3]
    if expected_ndim is not None and ndim != expected_ndim:
        raise DatasetError(source, f"expected {expected_ndim} dimensions, the header says {ndim}")
    dimensions = stream.read(4 * ndim)
    if len(dimensions) < 4 * ndim:
        raise DatasetError(source, "truncated inside the idx header")
    shape = struct.unpack(f">{ndim}I", dimensions)
    expected_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if expected_bytes > max_bytes:
        raise DatasetError(
            source,
            f"header says shape {shape} ({expected_bytes:,} bytes), more than the "
            f"{max_bytes:,} bytes accepted for this file",
        )
    payload = bytearray(expected_bytes)
    view, filled = memoryview(payload), 0
    while filled < expected_bytes:
        count = stream.readinto(view[filled : filled + _CHUNK])
        if not count:
            break
        filled += count
    if filled < expected_bytes:
        raise DatasetError(
            source, f"header says shape {shape} ({expected_bytes} bytes), file holds {filled}"
        )
    if stream.read(1):
        raise DatasetError(
            source, f"header says shape {shape} ({expected_bytes} bytes), the file holds more"
        )
    data = np.frombuffer(payload, dtype=dtype).reshape(shape)
    return data if dtype.itemsize == 1 else data.astype(dtype.newbyteorder("="))


def idx_bytes(array: np.ndarray) -> bytes:
    """The uncompressed idx encoding of ``array``."""
    array = np.asarray(array)
    big_endian = array.dtype.newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    if big_endian not in _CODES:
        raise ValueError(f"idx cannot store dtype {array.dtype}")
    header = bytes([0, 0, _CODES[big_endian], array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + np.ascontiguousarray(array, dtype=big_endian).tobytes()


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write ``array`` as an idx file (gzip if the name ends in ``.gz``)."""
    path = Path(path)
    payload = idx_bytes(array)
    if path.suffix == ".gz":
        # No name and mtime=0 keep the bytes, and so the checksum, the same on every run.
        with (
            open(path, "wb") as raw_file,
            gzip.GzipFile(filename="", fileobj=raw_file, mode="wb", mtime=0) as out,
        ):
            out.write(payload)
    else:
        path.write_bytes(payload)
