"""Reading the project's own stored files safely: JSON nested a bounded depth, ``.npz`` files
without pickles and with every member's size and ``.npy`` header checked before it is
decompressed, and float arrays of a known shape. Each problem is a
:class:`~core.errors.ModelFileError` that names the file and the command that restores it.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np

from core.errors import ModelFileError

MAX_JSON_DEPTH = 32
"""Deeper JSON is refused (the shipped metadata nests 5 levels)."""
MAX_NPZ_BYTES = 32 * 2**20
"""Largest ``.npz`` file, and largest array in one once decompressed (the shipped ones: < 1 MB)."""
MAX_NPZ_MEMBERS = 64


def json_depth(value) -> int:
    """How deeply lists and objects nest in a decoded JSON value (iterative: no recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            pending.extend(
                (child, depth + 1) for child in children if isinstance(child, dict | list)
            )
    return deepest


def load_json(path: Path, fix: str | None = None):
    """A JSON file nested at most ``MAX_JSON_DEPTH`` deep; a :class:`ModelFileError` otherwise."""
    fixes = {} if fix is None else {"fix": fix}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(path, f"is not valid JSON ({error})", **fixes) from None
    except RecursionError:
        value = None
    if value is None or json_depth(value) > MAX_JSON_DEPTH:
        raise ModelFileError(path, f"nests deeper than {MAX_JSON_DEPTH} levels", **fixes)
    return value


def read_npz(path: Path, fix: str, what: str = "global maps file") -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, without pickles, refusing oversized files and members
    before decompressing them, and any member whose ``.npy`` header declares another array than
    the member holds, before numpy allocates it (:func:`npy_header_problem`; a header claiming
    2.85 TiB raised MemoryError on six pages, issue 25); a :class:`ModelFileError` naming the
    file otherwise."""
    if not path.is_file():
        raise ModelFileError(path, f"{what} not found", fix=fix)
    if path.stat().st_size > MAX_NPZ_BYTES:
        raise ModelFileError(path, f"is larger than {MAX_NPZ_BYTES // 2**20} MB", fix=fix)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_NPZ_MEMBERS or any(
                info.file_size > MAX_NPZ_BYTES for info in members
            ):
                raise ValueError(
                    f"more than {MAX_NPZ_MEMBERS} arrays or one over {MAX_NPZ_BYTES // 2**20} MB"
                )
            for info in members:
                problem = npy_header_problem(archive, info)
                if problem:
                    raise ValueError(f"member {info.filename[:40]!r} {problem}")
        with np.load(path, allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ModelFileError(path, f"is not a valid {what} ({error})", fix=fix) from None


def npy_header_problem(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """What is wrong with the ``.npy`` header of one member, or None: the array it declares
    (shape and dtype, read without numpy allocating anything) must be plain data and fill the
    member exactly, so its size is bounded by the member's (checked) size."""
    from numpy.lib import format as npy

    with archive.open(info) as member:
        try:
            version = npy.read_magic(member)
            read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, _, dtype = read(member)
        except (ValueError, SyntaxError, TypeError) as error:
            return f"has no readable array header ({str(error)[:80]})"
        header_bytes = member.tell()
    if dtype.hasobject:
        return "holds Python objects (pickles are refused)"
    declared = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
    if declared != info.file_size - header_bytes:
        return (
            f"declares a {'x'.join(map(str, shape)) or 'scalar'} {dtype} array "
            f"({declared:,} bytes) but holds {info.file_size - header_bytes:,}"
        )
    return None


def npz_header(path: Path, arrays: dict, fix: str) -> dict:
    """The JSON header stored in an ``.npz`` file's ``header`` array, with a whole ``k`` >= 1."""
    try:
        header = json.loads(str(arrays["header"])) if arrays["header"].dtype.kind == "U" else None
    except (KeyError, json.JSONDecodeError, RecursionError):
        header = None
    if not isinstance(header, dict) or json_depth(header) > MAX_JSON_DEPTH:
        raise ModelFileError(path, "has no readable header (a small JSON object)", fix=fix)
    k = header.get("k")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ModelFileError(path, f"header's k is {k!r}, not a whole number >= 1", fix=fix)
    return header


def checked_floats(
    path: Path, array: np.ndarray, name: str, shape: tuple[int | None, ...], fix: str
) -> np.ndarray:
    """``array`` as float32 if it has ``shape`` (None: any size), a float dtype, finite values."""
    fits = array.ndim == len(shape) and all(
        want is None or have == want for have, want in zip(array.shape, shape, strict=True)
    )
    if not fits:
        wanted = "x".join("n" if side is None else str(side) for side in shape)
        raise ModelFileError(path, f"{name} has shape {array.shape}, not {wanted}", fix=fix)
    if array.dtype.kind != "f":
        raise ModelFileError(path, f"{name} holds {array.dtype} values, not floats", fix=fix)
    if not np.isfinite(array).all():
        raise ModelFileError(path, f"{name} holds non-finite values (NaN or infinity)", fix=fix)
    return array.astype(np.float32)
