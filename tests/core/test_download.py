"""The download command against a local HTTP server serving a small generated archive."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.data import dataset as data
from core.data.download import ARCHIVE_FOLDER, DownloadError, download
from core.data.idx import idx_bytes

ROOT = Path(__file__).resolve().parents[2]
DIGIT_LABELS = range(10)
LETTER_LABELS = range(1, 27)


def _member_bytes(array) -> bytes:
    return gzip.compress(idx_bytes(array), mtime=0)


def make_archive(rng_seed: int = 0, per_class: int = 3) -> tuple[bytes, dict, dict]:
    """A tiny EMNIST-like gzip.zip; returns its bytes, its members' (size, sha256), and the
    images each source label should contribute."""
    rng = np.random.default_rng(rng_seed)
    members, sources = {}, {}
    for source, labels in (("digits", DIGIT_LABELS), ("letters", LETTER_LABELS)):
        for split in ("train", "test"):
            label_array = np.repeat(np.array(list(labels), np.uint8), per_class)
            rng.shuffle(label_array)
            images = rng.integers(0, 256, (len(label_array), 28, 28)).astype(np.uint8)
            members[f"emnist-{source}-{split}-images-idx3-ubyte.gz"] = _member_bytes(images)
            members[f"emnist-{source}-{split}-labels-idx1-ubyte.gz"] = _member_bytes(label_array)
            sources[(source, split)] = (images, label_array)
    members["emnist-digits-mapping.txt"] = "".join(f"{d} {48 + d}\n" for d in DIGIT_LABELS).encode()
    members["emnist-letters-mapping.txt"] = "".join(
        f"{k} {64 + k} {96 + k}\n" for k in LETTER_LABELS
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in members.items():
            archive.writestr(f"{ARCHIVE_FOLDER}/{name}", payload)
    expected = {
        name: (len(payload), hashlib.sha256(payload).hexdigest())
        for name, payload in members.items()
        if name.endswith(".gz")
    }
    return buffer.getvalue(), expected, sources


class _Server:
    """Serves ``routes[path] = (status, body, declared_length)`` on 127.0.0.1."""

    def __init__(self, routes):
        routes_ = routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, body, declared = routes_.get(self.path, (404, b"missing", None))
                self.send_response(status)
                self.send_header(
                    "Content-Length", str(declared if declared is not None else len(body))
                )
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def archive():
    return make_archive()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_builds_the_eight_character_set(tmp_path, archive, monkeypatch):
    payload, expected, sources = archive
    seen = []
    with _Server({"/gzip.zip": (200, payload, None)}) as base:
        result = download(
            url=f"{base}/gzip.zip",
            destination=tmp_path,
            expected=expected,
            progress=lambda d, t, s: seen.append(s),
        )
    assert result.folder == tmp_path / "pairs"
    assert _leftovers(tmp_path) == ["pairs"]  # archive removed, nothing partial left
    assert "downloading" in seen and any(s.startswith("building") for s in seen)
    monkeypatch.setenv("EMNIST_DIR", str(tmp_path))
    assert data.mapping() == {0: "0", 1: "2", 2: "5", 3: "8", 4: "Bb", 5: "Oo", 6: "Ss", 7: "Zz"}
    images, labels = data.load_pair("2Z", "train")
    source_images, source_labels = sources[("digits", "train")]
    # the 2s keep their source order and stay stored transposed (load_pair turns them upright)
    np.testing.assert_array_equal(
        images[labels == 0], source_images[source_labels == 2].transpose(0, 2, 1)
    )
    letter_images, letter_labels = sources[("letters", "test")]
    test_images, test_labels = data.load_pair("0O", "test")
    np.testing.assert_array_equal(
        test_images[test_labels == 1], letter_images[letter_labels == 15].transpose(0, 2, 1)
    )
    assert result.counts == {"train": [3] * 8, "test": [3] * 8}


def test_checksum_mismatch_is_refused_and_leaves_nothing(tmp_path, archive):
    payload, _, _ = archive
    with _Server({"/gzip.zip": (200, payload, None)}) as base:
        with pytest.raises(DownloadError, match="checksum mismatch.*Nothing was written"):
            download(url=f"{base}/gzip.zip", destination=tmp_path)  # official checksums
    assert _leftovers(tmp_path) == []


def test_interrupted_download_leaves_nothing(tmp_path, archive):
    payload, expected, _ = archive
    with _Server({"/gzip.zip": (200, payload[:1000], len(payload))}) as base:
        with pytest.raises(DownloadError, match="stopped after|could not download"):
            download(url=f"{base}/gzip.zip", destination=tmp_path, expected=expected)
    assert _leftovers(tmp_path) == []


def test_missing_archive_is_explained(tmp_path):
    with _Server({}) as base:
        with pytest.raises(DownloadError, match="could not download"):
            download(url=f"{base}/nothing.zip", destination=tmp_path)
    assert _leftovers(tmp_path) == []


def test_a_failed_rebuild_keeps_the_existing_dataset(tmp_path, archive):
    payload, expected, _ = archive
    with _Server({"/gzip.zip": (200, payload, None)}) as base:
        download(url=f"{base}/gzip.zip", destination=tmp_path, expected=expected)
        before = {p.name: p.read_bytes() for p in (tmp_path / "pairs").iterdir()}
        with pytest.raises(DownloadError):
            download(url=f"{base}/gzip.zip", destination=tmp_path)  # official checksums: refused
    assert {p.name: p.read_bytes() for p in (tmp_path / "pairs").iterdir()} == before


def test_command_line_refuses_a_wrong_archive(tmp_path, archive):
    payload, _, _ = archive
    with _Server({"/gzip.zip": (200, payload, None)}) as base:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "core",
                "download",
                "--url",
                f"{base}/gzip.zip",
                "--dest",
                str(tmp_path),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert completed.returncode == 2
    assert "checksum mismatch" in completed.stderr and "Traceback" not in completed.stderr


def test_archive_is_kept_only_when_asked_and_verified(tmp_path, archive):
    payload, expected, _ = archive
    with _Server({"/gzip.zip": (200, payload, None)}) as base:
        download(url=f"{base}/gzip.zip", destination=tmp_path, expected=expected, keep_archive=True)
        assert _leftovers(tmp_path) == ["gzip.zip", "pairs"]
        assert (tmp_path / "gzip.zip").read_bytes() == payload
        # the kept archive is reused, and checked again: a wrong one is refused and removed
        with pytest.raises(DownloadError, match="checksum mismatch"):
            download(url=f"{base}/unused.zip", destination=tmp_path)
    assert _leftovers(tmp_path) == ["pairs"]
