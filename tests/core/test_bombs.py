"""Generated bombs, small on disk, cost little: the dataset reader checks an idx header before
decompressing and stops at the size it declares; the download command refuses oversized
archives and zip members before decompressing them, and gives up at a deadline."""

from __future__ import annotations

import gzip
import io
import struct
import tracemalloc
import zipfile
from functools import partial

import numpy as np
import pytest

from core.data import dataset as data
from core.data.download import (
    ARCHIVE_FOLDER,
    DownloadError,
    build_pairs_from_archive,
    download,
    fetch,
)
from core.data.idx import idx_bytes, read_idx
from core.errors import DatasetError
from tests.core.test_download import _Server, make_archive

BOMB_BYTES = 128 * 2**20  # decompressed; about 128 KB on disk
MEMORY_BUDGET = 16 * 2**20


def _gzip_bomb(path, header: bytes, zeros: int = BOMB_BYTES):
    with gzip.GzipFile(path, "wb", mtime=0, compresslevel=9) as out:
        out.write(header)
        block = bytes(2**20)
        for _ in range(zeros // len(block)):
            out.write(block)
    return path


def _peak(call):
    """Peak Python-tracked memory (numpy and bytes buffers included) while ``call`` runs."""
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def _refused(call, error, match):
    def attempt():
        with pytest.raises(error, match=match):
            call()

    return _peak(attempt)


def test_an_idx_gzip_bomb_behind_a_small_header_costs_little(tmp_path):
    labels = idx_bytes(np.zeros(10, np.uint8))
    path = _gzip_bomb(tmp_path / "labels-idx1-ubyte.gz", labels)
    assert path.stat().st_size < BOMB_BYTES / 500
    assert _refused(lambda: read_idx(path), DatasetError, "holds more") < MEMORY_BUDGET


def test_an_idx_header_declaring_a_huge_shape_is_refused_before_reading(tmp_path):
    header = bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 28, 28)
    path = _gzip_bomb(tmp_path / "images-idx3-ubyte.gz", header)
    assert _refused(lambda: read_idx(path), DatasetError, "more than the") < MEMORY_BUDGET


def test_a_bombed_dataset_names_its_file_on_load(tmp_path, monkeypatch):
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    for split in ("train", "test"):
        images = idx_bytes(np.zeros((4, 28, 28), np.uint8))
        _gzip_bomb(pairs / data.PAIR_FILES[f"{split}_images"], images, 16 * 2**20)
        _gzip_bomb(pairs / data.PAIR_FILES[f"{split}_labels"], idx_bytes(np.zeros(4, np.uint8)), 0)
    (pairs / data.PAIR_FILES["mapping"]).write_text("0 48\n")
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    with pytest.raises(DatasetError, match="images-idx3-ubyte.gz: header says") as caught:
        data.load_split("test")
    assert "python -m core download" in str(caught.value)


def _zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(f"{ARCHIVE_FOLDER}/{name}", payload)
    return buffer.getvalue()


def _archive_members():
    payload, expected, _ = make_archive()
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        members = {
            info.filename.split("/", 1)[1]: archive.read(info) for info in archive.infolist()
        }
    return members, expected


@pytest.mark.parametrize(
    "bombed", ["emnist-digits-mapping.txt", "emnist-digits-train-labels-idx1-ubyte.gz"]
)
def test_a_zip_bomb_member_is_refused_before_decompressing(tmp_path, bombed):
    members, expected = _archive_members()
    members[bombed] = bytes(BOMB_BYTES)
    path = tmp_path / "gzip.zip"
    path.write_bytes(_zip_with(members))
    assert path.stat().st_size < 2**20  # the rest of the (generated) archive included
    build = partial(build_pairs_from_archive, path, tmp_path / "out", expected)
    assert _refused(build, DownloadError, "before decompressing") < MEMORY_BUDGET


def test_a_zip_member_lying_about_its_size_is_stopped_at_the_declared_size(tmp_path):
    members, expected = _archive_members()
    members["emnist-digits-mapping.txt"] = bytes(BOMB_BYTES)
    raw = bytearray(_zip_with(members))
    name = f"{ARCHIVE_FOLDER}/emnist-digits-mapping.txt".encode()
    # declare 100 bytes uncompressed in both the local header and the central directory
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := raw.find(signature, start)) >= 0:
            if raw[start + name_offset : start + name_offset + len(name)] == name:
                raw[start + size_offset : start + size_offset + 4] = struct.pack("<I", 100)
            start += 4
    path = tmp_path / "gzip.zip"
    path.write_bytes(bytes(raw))
    build = partial(build_pairs_from_archive, path, tmp_path / "out", expected)
    assert _refused(build, DownloadError, "damaged|official") < MEMORY_BUDGET


def test_a_wrong_mapping_file_is_refused(tmp_path):
    members, expected = _archive_members()
    members["emnist-digits-mapping.txt"] = b"0 49\n1 48\n"
    path = tmp_path / "gzip.zip"
    path.write_bytes(_zip_with(members))
    with pytest.raises(DownloadError, match="official EMNIST mapping"):
        build_pairs_from_archive(path, tmp_path / "out", expected)


def test_every_official_member_used_has_a_checksum_or_a_content_check():
    from core.data.download import OFFICIAL_MAPPINGS, OFFICIAL_MEMBERS

    assert "emnist-letters-mapping.txt" in OFFICIAL_MEMBERS
    assert set(OFFICIAL_MAPPINGS) == {"emnist-digits-mapping.txt", "emnist-letters-mapping.txt"}
    assert all(len(digest) == 64 for _, digest in OFFICIAL_MEMBERS.values())


def test_an_oversized_download_is_refused_from_its_announced_length(tmp_path):
    with _Server({"/gzip.zip": (200, b"x" * 5000, None)}) as base:
        with pytest.raises(DownloadError, match="announces 5,000 bytes"):
            fetch(f"{base}/gzip.zip", tmp_path / "gzip.zip", max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_a_download_past_its_deadline_is_stopped_and_leaves_nothing(tmp_path):
    payload, expected, _ = make_archive()
    with _Server({"/gzip.zip": (200, payload, None)}) as base:
        with pytest.raises(DownloadError, match="took longer than"):
            fetch(f"{base}/gzip.zip", tmp_path / "gzip.zip", deadline_s=0.0)
        download(url=f"{base}/gzip.zip", destination=tmp_path / "ok", expected=expected)
    assert list(tmp_path.iterdir()) == [tmp_path / "ok"]
