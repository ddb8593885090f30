"""The idx reader on generated files, damaged files and the real official EMNIST files."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from core.data.dataset import read_mapping
from core.data.idx import read_idx, write_idx
from core.errors import DatasetError


@pytest.mark.parametrize("suffix", [".gz", ""])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_round_trip(tmp_path, suffix, dtype):
    array = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4).astype(dtype)
    path = tmp_path / f"a.idx{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back, array)


def test_header_is_the_official_layout(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    write_idx(path, np.array([7, 1, 255], np.uint8))
    assert path.read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 1, 255])


def test_gzip_output_is_reproducible(tmp_path):
    array = np.arange(100, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def _damaged(tmp_path, name, payload: bytes, compress=True):
    path = tmp_path / name
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


@pytest.mark.parametrize(
    "payload, compress, message",
    [
        (bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]), True, "header says shape"),  # truncated data
        (bytes([0, 0, 8, 3, 0, 0]), True, "truncated inside the idx header"),
        (bytes([1, 2, 3, 4, 5]), True, "bad magic number"),
        (b"", True, "bad magic number"),
        (b"not gzip at all", False, "cannot be decompressed"),
    ],
)
def test_damaged_files_name_the_file_and_the_fix(tmp_path, payload, compress, message):
    path = _damaged(tmp_path, "x-idx1-ubyte.gz", payload, compress)
    with pytest.raises(DatasetError, match=message) as caught:
        read_idx(path)
    assert str(path) in str(caught.value) and "python -m core download" in str(caught.value)


def test_truncated_gzip_stream(tmp_path):
    full = gzip.compress(bytes([0, 0, 8, 1, 0, 0, 1, 0]) + bytes(256))
    path = tmp_path / "cut.gz"
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(DatasetError, match="damaged"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        read_idx(tmp_path / "nothing.gz")


def test_wrong_number_of_dimensions(tmp_path):
    write_idx(tmp_path / "a.gz", np.zeros(4, np.uint8))
    with pytest.raises(DatasetError, match="expected 3 dimensions"):
        read_idx(tmp_path / "a.gz", expected_ndim=3)


@pytest.mark.dataset
def test_reads_the_official_emnist_files(emnist_dir):
    official = emnist_dir / "official"
    images = read_idx(official / "emnist-mnist-test-images-idx3-ubyte.gz", expected_ndim=3)
    labels = read_idx(official / "emnist-mnist-test-labels-idx1-ubyte.gz", expected_ndim=1)
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and set(np.unique(labels)) == set(range(10))
    letters = read_idx(official / "emnist-letters-train-labels-idx1-ubyte.gz")
    assert letters.shape == (124_800,)
    mapping = read_mapping(official / "emnist-letters-mapping.txt")
    assert set(np.unique(letters)) == set(mapping) and mapping[2] == "Bb" and mapping[26] == "Zz"
    byclass = read_mapping(official / "emnist-byclass-mapping.txt")
    assert len(byclass) == 62 and byclass[0] == "0" and byclass[61] == "z"
